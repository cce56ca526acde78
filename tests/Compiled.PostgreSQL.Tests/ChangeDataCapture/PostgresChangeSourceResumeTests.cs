using System.Text.Json;
using Compiled.Hosting;
using Compiled.PostgreSQL.ChangeDataCapture;
using static Compiled.PostgreSQL.Tests.ChangeDataCapture.ChangeCaptureTestKit;

namespace Compiled.PostgreSQL.Tests.ChangeDataCapture;

/// <summary>
/// A run with a checkpoint stops (or is abandoned as a crash would leave it) and starts again: it goes on from the slot
/// after the checkpoint's position, reading the changes made while it was down, with no change lost or written twice.
/// The file sink commits a batch's file only after its checkpoint is durable, so the files hold each change exactly once
/// exactly when the source neither skips nor repeats one.
/// </summary>
public sealed class PostgresChangeSourceResumeTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task StoppedAndRestarted_WithACheckpoint_ReadsTheChangesMadeWhileDown_EachOnce()
    {
        using var temp = new ScratchDirectory();
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await ExecuteAsync(connection, "CREATE TABLE orders (id int PRIMARY KEY, qty int NOT NULL)", "CREATE PUBLICATION shop FOR TABLE orders");
        string source = SourceUri(postgres.Server, database);
        string output = temp.Combine("out");
        string checkpoint = temp.Combine("checkpoint");
        using var log = new FileLog(nameof(StoppedAndRestarted_WithACheckpoint_ReadsTheChangesMadeWhileDown_EachOnce));
        log.Write($"database {database}, slot {database}");

        using (var stop = new CancellationTokenSource())
        await using (var first = new PipelineRun(CapturedChanges.Definition, Options(source, output, checkpoint, log)))
        {
            Task running = first.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            await WaitForStreamingAsync(connection, database);
            await ExecuteAsync(connection, [.. Enumerable.Range(1, 5).Select(i => $"INSERT INTO orders VALUES ({i}, {i})")]);
            await WaitUntil(() => running.IsCompleted || ReadOutput(output).Count == 5, "the first five changes written", log);
            Assert.False(running.IsCompleted, log.Failure($"the first run ended: {running.Exception}"));

            // Confirmed to the slot only with the checkpoint that holds them.
            ulong lastCommit = Place(ReadOutput(output)[^1]).Commit;
            await WaitUntilAsync(async () => await ConfirmedFlushAsync(connection, database) >= lastCommit, "the checkpointed changes confirmed", log);
            log.Write($"stopping the first run; the slot: {await SlotStateAsync(connection, database)}");
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            Assert.Equal(PipelineRunState.Completed, first.State);
        }

        // While the job is down: more inserts, an update and a delete. The slot keeps them.
        await ExecuteAsync(connection,
            "INSERT INTO orders VALUES (6, 6), (7, 7)",
            "UPDATE orders SET qty = 10 WHERE id = 1",
            "DELETE FROM orders WHERE id = 2");
        log.Write($"the first run stopped, changes made; the slot: {await SlotStateAsync(connection, database)}");

        using (var stop = new CancellationTokenSource())
        await using (var second = new PipelineRun(CapturedChanges.Definition, Options(source, output, checkpoint, log)))
        {
            Task running = second.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            var reader = Assert.IsType<PostgresChangeSource>(second.Sources[0]);
            await WaitUntil(() => running.IsCompleted || ReadOutput(output).Count >= 9, "the changes made while down written", log);
            Assert.False(running.IsCompleted, log.Failure($"the second run ended: {running.Exception}"));
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            Assert.Equal(4, reader.Counters.Records);
        }

        Assert.Equal(
        [
            .. Enumerable.Range(1, 7).Select(i => $$"""insert public.orders {"id":"{{i}}"} {"id":"{{i}}","qty":"{{i}}"} null"""),
            """update public.orders {"id":"1"} {"id":"1","qty":"10"} null""",
            """delete public.orders {"id":"2"} null {"id":"2"}""",
        ], ReadOutput(output).Select(Shape));
        await DropSlotAsync(connection, database);
    }

    [Fact]
    public async Task SlotDroppedWhileDown_TheRestartFails_SayingTheChangesSinceTheCheckpointAreGone()
    {
        using var temp = new ScratchDirectory();
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await ExecuteAsync(connection, "CREATE TABLE orders (id int PRIMARY KEY)", "CREATE PUBLICATION shop FOR TABLE orders");
        string source = SourceUri(postgres.Server, database);
        string output = temp.Combine("out");
        string checkpoint = temp.Combine("checkpoint");
        using (var stop = new CancellationTokenSource())
        await using (var first = new PipelineRun(CapturedChanges.Definition, Options(source, output, checkpoint)))
        {
            Task running = first.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            await WaitForStreamingAsync(connection, database);
            await ExecuteAsync(connection, "INSERT INTO orders VALUES (1)");
            await WaitUntil(() => ReadOutput(output).Count == 1, "the change written");
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        }

        // The slot, and with it the changes after the checkpoint, is dropped while the job is down.
        await DropSlotAsync(connection, database);
        await ExecuteAsync(connection, "INSERT INTO orders VALUES (2)");

        await using var second = new PipelineRun(CapturedChanges.Definition, Options(source, output, checkpoint));
        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            second.RunAsync(CancellationToken.None, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
        Assert.Contains($"replication slot '{database}' does not exist, but the checkpoint holds a position in it", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains("new checkpoint directory", failure.ToString(), StringComparison.Ordinal);
        Assert.Null(await ScalarAsync(connection, $"SELECT 1 FROM pg_replication_slots WHERE slot_name = '{database}'"));
    }

    [Fact]
    public async Task AbandonedMidStream_WithACheckpoint_TheRestartWritesEveryChangeExactlyOnce_InOrder()
    {
        using var temp = new ScratchDirectory();
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await ExecuteAsync(connection, "CREATE TABLE events (id int PRIMARY KEY)", "CREATE PUBLICATION shop FOR TABLE events");
        string source = SourceUri(postgres.Server, database, "prefetch=16");
        string output = temp.Combine("out");
        string checkpoint = temp.Combine("checkpoint");
        const int Transactions = 60;
        const int PerTransaction = 5;
        using var log = new FileLog(nameof(AbandonedMidStream_WithACheckpoint_TheRestartWritesEveryChangeExactlyOnce_InOrder));
        log.Write($"database {database}, slot {database}");

        // Transactions of five inserts keep coming while the first run reads them; it is abandoned (its batches neither
        // finished nor committed, as a crash leaves them) once it has taken a third of them, wherever that falls.
        using var writing = new CancellationTokenSource();
        Task writer = Task.CompletedTask;
        using (var abort = new CancellationTokenSource())
        await using (var first = new PipelineRun(CapturedChanges.Definition, Options(source, output, checkpoint, log)))
        {
            Task running = first.RunAsync(CancellationToken.None, abort.Token);
            await WaitForStreamingAsync(connection, database);
            writer = Task.Run(async () =>
            {
                for (int t = 0; t < Transactions; t++)
                {
                    int from = (t * PerTransaction) + 1;
                    await ExecuteAsync(connection, $"INSERT INTO events SELECT generate_series({from}, {from + PerTransaction - 1})");
                    await Task.Delay(10, TestContext.Current.CancellationToken);
                }
            }, TestContext.Current.CancellationToken);
            await WaitUntil(() => first.Sources[0].Counters.Records >= Transactions * PerTransaction / 3, "a third of the changes taken");
            log.Write($"abandoning the first run, {first.Sources[0].Counters.Records} changes taken, {ReadOutput(output).Count} written");
            await abort.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
        }

        log.Write($"the first run abandoned, {ReadOutput(output).Count} changes written");
        Assert.True(ReadOutput(output).Count < Transactions * PerTransaction, "the first run did not write everything");
        await writer;
        log.Write($"all {Transactions} transactions made; the slot: {await SlotStateAsync(connection, database)}");

        using (var stop = new CancellationTokenSource())
        await using (var second = new PipelineRun(CapturedChanges.Definition, Options(source, output, checkpoint, log)))
        {
            Task running = second.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            // A run that failed says why here, not as a wait that runs out.
            await WaitUntil(() => running.IsCompleted || ReadOutput(output).Count >= Transactions * PerTransaction, "every change written", log);
            Assert.False(running.IsCompleted, log.Failure($"the second run ended before it wrote every change: {running.Exception}"));
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        }

        List<JsonElement> changes = ReadOutput(output);
        Assert.Equal(
            Enumerable.Range(1, Transactions * PerTransaction).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            changes.Select(change => change.GetProperty("key").GetProperty("id").GetString()));
        await DropSlotAsync(connection, database);
    }
}
