using System.Text.Json;
using Compiled.Hosting;
using static Compiled.PostgreSQL.Tests.ChangeDataCapture.ChangeCaptureTestKit;

namespace Compiled.PostgreSQL.Tests.ChangeDataCapture;

/// <summary>
/// The changes of a publication read on two partitions (<c>Parallelism = 2</c>): one reader takes them from the slot in
/// batches and deals them to the partitions, each writing its part of a batch's file. A run stopped and restarted from
/// its checkpoint writes every change exactly once, those made while it was down included: the slot is confirmed only up
/// to what a committed batch holds, and a batch is a prefix of the changes, whichever partition ran each of them.
/// </summary>
public sealed class PostgresChangeSourcePartitionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task OnTwoPartitions_StoppedAndRestarted_WithACheckpoint_WritesEveryChangeOnce()
    {
        using var temp = new ScratchDirectory();
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await ExecuteAsync(connection, "CREATE TABLE orders (id int PRIMARY KEY, qty int NOT NULL)", "CREATE PUBLICATION shop FOR TABLE orders");
        string source = SourceUri(postgres.Server, database);
        string output = temp.Combine("out");
        string checkpoint = temp.Combine("checkpoint");
        using var log = new FileLog(nameof(OnTwoPartitions_StoppedAndRestarted_WithACheckpoint_WritesEveryChangeOnce));

        using (var stop = new CancellationTokenSource())
        await using (var first = new PipelineRun(CapturedChanges.Definition, OnTwo(source, output, checkpoint, log)))
        {
            Task running = first.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            await WaitForStreamingAsync(connection, database);

            // 40 transactions of 5 inserts each, so that the reader has several batches to deal.
            await ExecuteAsync(connection, [.. Enumerable.Range(0, 40).Select(t =>
                "INSERT INTO orders VALUES " + string.Join(", ", Enumerable.Range((t * 5) + 1, 5).Select(i => $"({i}, {i})")))]);
            await WaitUntil(() => running.IsCompleted || ReadOutput(output).Count == 200, "the first 200 changes written", log);
            Assert.False(running.IsCompleted, log.Failure($"the first run ended: {running.Exception}"));
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            Assert.Equal(PipelineRunState.Completed, first.State);
        }

        Assert.Contains("runs on 2 partitions: one reader takes the messages of postgres://", log.Text(), StringComparison.Ordinal);

        // While the job is down: 100 more inserts and an update, which the slot keeps.
        await ExecuteAsync(connection, [.. Enumerable.Range(201, 100).Select(i => $"INSERT INTO orders VALUES ({i}, {i})")]);
        await ExecuteAsync(connection, "UPDATE orders SET qty = 0 WHERE id = 7");

        using (var stop = new CancellationTokenSource())
        await using (var second = new PipelineRun(CapturedChanges.Definition, OnTwo(source, output, checkpoint, log)))
        {
            Task running = second.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            await WaitUntil(() => running.IsCompleted || ReadOutput(output).Count >= 301, "the changes made while down written", log);
            Assert.False(running.IsCompleted, log.Failure($"the second run ended: {running.Exception}"));
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            Assert.Equal(PipelineRunState.Completed, second.State);
        }

        // Every change once, whichever partition wrote it: a change's place in the log is its own.
        List<JsonElement> written = ReadOutput(output);
        Assert.Equal(301, written.Count);
        Assert.Equal(301, written.Select(Place).Distinct().Count());
        string[] expected =
        [
            .. Enumerable.Range(1, 300).Select(i => $$"""insert public.orders {"id":"{{i}}"} {"id":"{{i}}","qty":"{{i}}"} null"""),
            """update public.orders {"id":"7"} {"id":"7","qty":"0"} null""",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), written.Select(Shape).Order(StringComparer.Ordinal));
        await DropSlotAsync(connection, database);
    }

    private static PipelineRunOptions OnTwo(string source, string output, string checkpoint, FileLog log)
    {
        PipelineRunOptions options = Options(source, output, checkpoint, log);
        options.Parallelism = 2;
        return options;
    }
}
