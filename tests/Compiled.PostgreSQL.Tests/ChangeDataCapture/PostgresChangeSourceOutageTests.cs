using Compiled.Hosting;
using Compiled.PostgreSQL.ChangeDataCapture;
using Compiled.Tests.Shared.Servers;
using static Compiled.PostgreSQL.Tests.ChangeDataCapture.ChangeCaptureTestKit;

namespace Compiled.PostgreSQL.Tests.ChangeDataCapture;

/// <summary>
/// The server changes are read from is stopped in the middle of a run and started again seconds later: the source
/// retries with backoff and logs it, the run keeps going, and the stream goes on from the slot with every change written
/// once, none lost.
/// </summary>
public sealed class PostgresChangeSourceOutageTests
{
    [Fact]
    public async Task ServerRestartedMidStream_StreamingIsRetriedAndLogged_EveryChangeWrittenOnce()
    {
        await using PostgresServer server = await PostgresServer.StartNewAsync();
        using var temp = new ScratchDirectory();
        string database = await server.CreateDatabaseAsync("outage");
        string connection = server.ConnectionString(database);
        await ExecuteAsync(connection, "CREATE TABLE events (id int PRIMARY KEY)", "CREATE PUBLICATION shop FOR TABLE events");
        string output = temp.Combine("out");
        var logged = new LogCapture();

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(CapturedChanges.Definition,
            Options(SourceUri(server, database, "retryFor=2m"), output, temp.Combine("checkpoint"), logged));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        var source = Assert.IsType<PostgresChangeSource>(run.Sources[0]);
        await WaitForStreamingAsync(connection, database);
        await ExecuteAsync(connection, [.. Enumerable.Range(0, 10).Select(t => $"INSERT INTO events SELECT generate_series({(t * 5) + 1}, {(t * 5) + 5})")]);
        await WaitUntil(() => source.Counters.Records == 50, "the first fifty changes taken");

        // The server goes away: the stream fails, is logged and tried again while the run keeps going.
        await server.StopAsync();
        await WaitUntil(() => logged.Messages.Any(m => m.Contains("postgres source", StringComparison.Ordinal) && m.Contains("trying again", StringComparison.Ordinal)),
            "a retry logged");
        Assert.Equal(PipelineRunState.Running, run.State);

        // Seconds later it is back; fifty more changes come, and the stream goes on after what it already had.
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        await server.StartAsync();
        await ExecuteAsync(connection, [.. Enumerable.Range(10, 10).Select(t => $"INSERT INTO events SELECT generate_series({(t * 5) + 1}, {(t * 5) + 5})")]);
        await WaitUntil(() => ReadOutput(output).Count >= 100, "every change written");
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        Assert.Equal(PipelineRunState.Completed, run.State);
        Assert.Equal(100, source.Counters.Records);
        Assert.True(source.Connections >= 2, $"the source streamed again on a new connection ({source.Connections})");
        Assert.Equal(
            Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ReadOutput(output).Select(change => change.GetProperty("key").GetProperty("id").GetString()));
        Assert.Contains(logged.Messages, m => m.Contains("streaming changes from the server again", StringComparison.Ordinal));
        await run.DisposeAsync();
        await DropSlotAsync(connection, database);
    }

    [Fact]
    public async Task ServerDownAtStart_TheSourceWaitsForIt_ThenCreatesItsSlotAndStreams()
    {
        await using PostgresServer server = await PostgresServer.StartNewAsync();
        using var temp = new ScratchDirectory();
        string database = await server.CreateDatabaseAsync("late");
        string connection = server.ConnectionString(database);
        await ExecuteAsync(connection, "CREATE TABLE events (id int PRIMARY KEY)", "CREATE PUBLICATION shop FOR TABLE events");
        await server.StopAsync();
        string output = temp.Combine("out");
        var logged = new LogCapture();

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(CapturedChanges.Definition,
            Options(SourceUri(server, database, "retryFor=2m&connectTimeout=2s"), output, checkpoint: null, logged));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        await WaitUntil(() => logged.Messages.Any(m => m.Contains("postgres source", StringComparison.Ordinal) && m.Contains("trying again", StringComparison.Ordinal)),
            "a retry logged");
        Assert.Equal(PipelineRunState.Running, run.State);

        await server.StartAsync();
        await WaitForStreamingAsync(connection, database);
        await ExecuteAsync(connection, "INSERT INTO events VALUES (1), (2)");
        await WaitUntil(() => ReadOutput(output).Count >= 2, "the changes written");
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(["1", "2"], ReadOutput(output).Select(change => change.GetProperty("key").GetProperty("id").GetString()));
        await run.DisposeAsync();
        await DropSlotAsync(connection, database);
    }

    [Fact]
    public async Task TwoOutagesOfAQuietPublication_EachHasItsOwnRetryFor_AndTheStreamGoesOn()
    {
        await using PostgresServer server = await PostgresServer.StartNewAsync();
        using var temp = new ScratchDirectory();
        string database = await server.CreateDatabaseAsync("twice");
        string connection = server.ConnectionString(database);
        await ExecuteAsync(connection, "CREATE TABLE events (id int PRIMARY KEY)", "CREATE PUBLICATION shop FOR TABLE events");
        string output = temp.Combine("out");
        var logged = new LogCapture();

        // Each outage is shorter than retryFor; from the first one's start to the second one's end is longer; no change
        // comes between them, so nothing but the reconnection says the server was back.
        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(CapturedChanges.Definition,
            Options(SourceUri(server, database, "retryFor=8s"), output, checkpoint: null, logged));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        await WaitForStreamingAsync(connection, database);
        for (int outage = 1; outage <= 2; outage++)
        {
            int retriesBefore = logged.Messages.Count(m => m.Contains("trying again", StringComparison.Ordinal));
            await server.StopAsync();
            await WaitUntil(() => logged.Messages.Count(m => m.Contains("trying again", StringComparison.Ordinal)) > retriesBefore, $"a retry logged in outage {outage}");
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            await server.StartAsync();
            await WaitForStreamingAsync(connection, database);
            await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
        }

        await ExecuteAsync(connection, "INSERT INTO events VALUES (1)");
        await WaitUntil(() => ReadOutput(output).Count >= 1, "the change written");
        Assert.Equal(PipelineRunState.Running, run.State);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        await run.DisposeAsync();
        await DropSlotAsync(connection, database);
    }

    [Fact]
    public async Task IdleLongerThanTheServersSenderTimeout_TheConnectionIsKeptByStatusUpdates()
    {
        // The server ends a replication connection it has not heard from for wal_sender_timeout: one second here.
        await using PostgresServer server = await PostgresServer.StartNewAsync("wal_sender_timeout=1s");
        using var temp = new ScratchDirectory();
        string database = await server.CreateDatabaseAsync("idle");
        string connection = server.ConnectionString(database);
        await ExecuteAsync(connection, "CREATE TABLE events (id int PRIMARY KEY)", "CREATE PUBLICATION shop FOR TABLE events");
        string output = temp.Combine("out");
        var logged = new LogCapture();

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(CapturedChanges.Definition,
            Options(SourceUri(server, database, "statusInterval=200ms"), output, checkpoint: null, logged));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        var source = Assert.IsType<PostgresChangeSource>(run.Sources[0]);
        await WaitForStreamingAsync(connection, database);
        object? pid = await ScalarAsync(connection, $"SELECT active_pid FROM pg_replication_slots WHERE slot_name = '{database}'");

        // Idle for several timeouts; then a change comes, on the same connection.
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
        await ExecuteAsync(connection, "INSERT INTO events VALUES (1)");
        await WaitUntil(() => ReadOutput(output).Count >= 1, "the change written");
        Assert.Equal(pid, await ScalarAsync(connection, $"SELECT active_pid FROM pg_replication_slots WHERE slot_name = '{database}'"));
        Assert.Equal(1, source.Connections);
        Assert.DoesNotContain(logged.Messages, m => m.Contains("trying again", StringComparison.Ordinal));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        await run.DisposeAsync();
        await DropSlotAsync(connection, database);
    }
}
