namespace Compiled.PostgreSQL.Tests;

/// <summary>The <c>postgres</c> sink without a checkpoint, against a real server: upserts, replays, and what it refuses.</summary>
public sealed class PostgresSinkUpsertTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Upsert_KnownDataSet_TableHoldsTheLatestValueOfEveryKey()
    {
        string database = await postgres.NewDatabaseAsync();
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "counts")))
        {
            Assert.Equal(Compiled.Sinks.SinkGuarantee.Idempotent, sink.Guarantee);
            Assert.Null(sink.LastCommittedBatchTime);
            await sink.WriteBatchAsync(1000, "(the,3)", "(cat,1)", "(a,b,2)", "(ünïcødé,4)");
            // A later batch updates some keys and adds others; a key twice in one batch keeps its last value.
            await sink.WriteBatchAsync(2000, "(the,5)", "(dog,1)", "(dog,2)");
            await sink.WriteBatchAsync(3000);
        }

        string connection = postgres.Server.ConnectionString(database);
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["the"] = "5", ["cat"] = "1", ["a,b"] = "2", ["ünïcødé"] = "4", ["dog"] = "2",
        };
        Assert.Equal(expected, await PostgresSinkDriver.ReadTableAsync(connection, "counts"));
        // Only the latest batch of the job's sink is kept: it is what a replay is checked against.
        Assert.Equal(3000L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT max(batch_time) FROM compiled_batches"));
        Assert.Equal(1L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM compiled_batches"));
        // Without a checkpoint the staging table is the session's temporary table: nothing of it stays in the database.
        Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM pg_class WHERE relname LIKE 'compiled\\_staging%' AND relpersistence <> 't'"));
    }

    [Fact]
    public async Task Replay_BatchWrittenAgainAfterARestart_ChangesNothing()
    {
        string database = await postgres.NewDatabaseAsync();
        string uri = postgres.Server.SinkUri(database, "counts", "job=replay");
        await using (PostgresSink first = await PostgresSinkDriver.OpenAsync(uri))
        {
            await first.WriteBatchAsync(1000, "(a,1)", "(b,1)");
            await first.WriteBatchAsync(2000, "(a,2)");
        }

        string connection = postgres.Server.ConnectionString(database);
        SortedDictionary<string, string> once = await PostgresSinkDriver.ReadTableAsync(connection, "counts");

        // The job crashed after the sink committed batch 2000 and reads its input again: the same batches come back
        // (here with other values, to show that the replay is skipped, not rewritten with equal values).
        await using (PostgresSink second = await PostgresSinkDriver.OpenAsync(uri))
        {
            Assert.Equal(2000L, second.LastCommittedBatchTime);
            await second.WriteBatchAsync(1000, "(a,100)", "(c,100)");
            await second.WriteBatchAsync(2000, "(a,200)", "(c,200)");
            Assert.Equal(once, await PostgresSinkDriver.ReadTableAsync(connection, "counts"));
            await second.WriteBatchAsync(3000, "(c,3)");
        }

        once["c"] = "3";
        Assert.Equal(once, await PostgresSinkDriver.ReadTableAsync(connection, "counts"));
    }

    [Fact]
    public async Task TwoJobs_SameTable_EachSkipsOnlyItsOwnBatches()
    {
        string database = await postgres.NewDatabaseAsync();
        await using PostgresSink one = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "t", "job=one"));
        await using PostgresSink two = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "t", "job=two"));
        await one.WriteBatchAsync(1000, "(x,1)");
        await two.WriteBatchAsync(1000, "(y,2)");
        Assert.Equal(new SortedDictionary<string, string> { ["x"] = "1", ["y"] = "2" },
            await PostgresSinkDriver.ReadTableAsync(postgres.Server.ConnectionString(database), "t"));
    }

    [Fact]
    public async Task TypedColumns_ExistingTableWithBigintValue_ValuesCastToTheColumn()
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await PostgresSinkDriver.ExecuteAsync(connection, "CREATE TABLE hits (endpoint varchar(100) PRIMARY KEY, n bigint NOT NULL)");
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(
            postgres.Server.SinkUri(database, "hits", "keyColumn=endpoint&valueColumn=n&createTable=false")))
        {
            await sink.WriteBatchAsync(1000, "(/index.html,41)", "(/cart,9000000000)");
        }

        Assert.Equal(9000000000L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT n FROM hits WHERE endpoint = '/cart'"));
        Assert.Equal(41L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT n FROM hits WHERE endpoint = '/index.html'"));
    }

    [Fact]
    public async Task ValueType_CreatedTable_HasTheNamedValueType()
    {
        string database = await postgres.NewDatabaseAsync();
        await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "totals", "valueType=bigint")))
        {
            await sink.WriteBatchAsync(1000, "(w,7)");
        }

        Assert.Equal(7L, await PostgresSinkDriver.ScalarAsync(postgres.Server.ConnectionString(database), "SELECT value FROM totals"));
    }

    [Fact]
    public async Task NotKeyed_PlainRecord_FailsNamingTheRecordAndTheFix()
    {
        string database = await postgres.NewDatabaseAsync();
        await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "t"));
        sink.BeginBatch(1000);
        var error = Assert.Throws<FormatException>(() => sink.Write("just a line"u8));
        Assert.Contains("'just a line', which is not a keyed record", error.Message);
        Assert.Contains("KeyValue<V>", error.Message);
    }

    [Fact]
    public async Task CreateTableFalse_MissingTable_FailsSayingHowToCreateIt()
    {
        string database = await postgres.NewDatabaseAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "absent", "createTable=false")));
        Assert.Contains("table absent does not exist", error.Message);
        Assert.Contains("CREATE TABLE \"absent\" (\"key\" text PRIMARY KEY, \"value\" text)", error.Message);
    }

    [Fact]
    public async Task KeyNotUnique_ExistingTable_FailsSayingHowToAddAKey()
    {
        string database = await postgres.NewDatabaseAsync();
        await PostgresSinkDriver.ExecuteAsync(postgres.Server.ConnectionString(database), "CREATE TABLE loose (key text, value text)");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "loose")));
        Assert.Contains("is not unique", error.Message);
        Assert.Contains("ALTER TABLE \"loose\" ADD PRIMARY KEY (\"key\")", error.Message);
    }

    [Fact]
    public async Task MissingDatabase_FailsAtOnceSayingSo()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri("nosuchdb", "t")));
        Assert.Contains("database 'nosuchdb' does not exist", error.Message);
    }
}
