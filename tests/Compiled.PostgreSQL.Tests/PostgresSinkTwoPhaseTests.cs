namespace Compiled.PostgreSQL.Tests;

/// <summary>
/// The <c>postgres</c> sink of a run that keeps a checkpoint: each batch a prepared transaction, committed after the
/// checkpoint, and settled by <see cref="PostgresSink.RecoverAsync"/> after a crash between the two.
/// </summary>
public sealed class PostgresSinkTwoPhaseTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _checkpoint = Directory.CreateTempSubdirectory("compiled-pg-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_checkpoint, recursive: true);

    [Fact]
    public async Task Prepared_CrashBeforeCommit_InvisibleThenCommittedByRecoverUpToTheCheckpoint()
    {
        (string database, string uri, string connection) = await NewAsync();
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(uri, _checkpoint))
        {
            Assert.Equal(Compiled.Sinks.SinkGuarantee.Transactional, sink.Guarantee);
            await sink.WriteBatchAsync(1000, "(a,1)");
            sink.BeginBatch(2000);
            sink.Write("(a,2)"u8);
            sink.Write("(b,2)"u8);
            await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
            // The run wrote its checkpoint of batch 2000 here and was killed before the sink committed.
        }

        Assert.Equal(new SortedDictionary<string, string> { ["a"] = "1" }, await PostgresSinkDriver.ReadTableAsync(connection, "t"));
        Assert.Equal("compiled:pg:Output:2000", await PostgresSinkDriver.ScalarAsync(connection, "SELECT gid FROM pg_prepared_xacts"));

        await using (PostgresSink restarted = await PostgresSinkDriver.OpenAsync(uri, _checkpoint))
        {
            await restarted.RecoverAsync(2000, TestContext.Current.CancellationToken);
            Assert.Equal(2000L, restarted.LastCommittedBatchTime);
            await restarted.WriteBatchAsync(3000, "(c,3)");
        }

        Assert.Equal(new SortedDictionary<string, string> { ["a"] = "2", ["b"] = "2", ["c"] = "3" }, await PostgresSinkDriver.ReadTableAsync(connection, "t"));
        Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM pg_prepared_xacts"));
        // A prepared transaction cannot touch a temporary table: the batches were staged in an unlogged table, emptied by each.
        Assert.Equal("u", (await PostgresSinkDriver.ScalarAsync(connection, "SELECT relpersistence FROM pg_class WHERE relname = 'compiled_staging_text_text'"))?.ToString());
        Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM compiled_staging_text_text"));
        _ = database;
    }

    [Fact]
    public async Task Prepared_CrashBeforeCheckpoint_RolledBackByRecoverAndReplayedOnce()
    {
        (_, string uri, string connection) = await NewAsync();
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(uri, _checkpoint))
        {
            await sink.WriteBatchAsync(1000, "(a,1)");
            sink.BeginBatch(2000);
            sink.Write("(a,2)"u8);
            await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
            // Killed before the checkpoint of batch 2000 was durable: the checkpoint says 1000.
        }

        await using (PostgresSink restarted = await PostgresSinkDriver.OpenAsync(uri, _checkpoint))
        {
            await restarted.RecoverAsync(1000, TestContext.Current.CancellationToken);
            Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM pg_prepared_xacts"));
            Assert.Equal(new SortedDictionary<string, string> { ["a"] = "1" }, await PostgresSinkDriver.ReadTableAsync(connection, "t"));

            // Batch 2000's input is read again and written once.
            await restarted.WriteBatchAsync(2000, "(a,2)");
        }

        Assert.Equal(new SortedDictionary<string, string> { ["a"] = "2" }, await PostgresSinkDriver.ReadTableAsync(connection, "t"));
        Assert.Equal(2000L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT max(batch_time) FROM compiled_batches"));
    }

    [Fact]
    public async Task Prepared_RunWithoutCheckpointToResumeFrom_RollsBackWhatWasLeft()
    {
        (_, string uri, string connection) = await NewAsync();
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(uri, _checkpoint))
        {
            sink.BeginBatch(1000);
            sink.Write("(a,1)"u8);
            await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
        }

        // A fresh checkpoint directory: nothing is recovered, and the first batch clears what the last run prepared.
        await using (PostgresSink fresh = await PostgresSinkDriver.OpenAsync(uri, _checkpoint))
        {
            await fresh.WriteBatchAsync(1000, "(b,1)");
        }

        Assert.Equal(new SortedDictionary<string, string> { ["b"] = "1" }, await PostgresSinkDriver.ReadTableAsync(connection, "t"));
        Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM pg_prepared_xacts"));
    }

    [Fact]
    public async Task Abort_PreparedBatch_RolledBack()
    {
        (_, string uri, string connection) = await NewAsync();
        await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(uri, _checkpoint);
        sink.BeginBatch(1000);
        sink.Write("(a,1)"u8);
        await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
        sink.AbortBatch();
        Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM pg_prepared_xacts"));
        Assert.Empty(await PostgresSinkDriver.ReadTableAsync(connection, "t"));
    }

    private async Task<(string Database, string Uri, string Connection)> NewAsync()
    {
        string database = await postgres.NewDatabaseAsync();
        return (database, postgres.Server.SinkUri(database, "t", "job=pg"), postgres.Server.ConnectionString(database));
    }
}
