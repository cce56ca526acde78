using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.PostgreSQL.Tests;

/// <summary>
/// A batch streamed to the server while it is read, against a real server: its rows are invisible until the batch
/// commits, the latest record of a key wins, a batch already recorded changes nothing, and a stream that breaks
/// mid-batch leaves the batch to be written whole from the sink's buffer.
/// </summary>
public sealed class PostgresSinkStreamingTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task StreamedRows_InvisibleUntilTheBatchCommits()
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "t", "job=visible"));

        sink.BeginBatch(1000);
        for (int i = 0; i < 20_000; i++)
        {
            sink.Write(System.Text.Encoding.UTF8.GetBytes($"(k{i},{i})"));
        }

        // The rows went to the server (a COPY of this batch is in progress in the sink's session), yet no one else sees them.
        Assert.Equal(1L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'Compiled visible' AND query LIKE 'COPY%'"));
        Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM t"));
        Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM compiled_batches"));

        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);

        Assert.Equal(20_000L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM t"));
        Assert.Equal(19_999L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT value::bigint FROM t WHERE key = 'k19999'"));
        Assert.Equal(1000L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT max(batch_time) FROM compiled_batches"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RepeatedKeys_RefusedUpsertRewrittenThenLookedUpAsTheyCome_LatestRecordOfEachKeyWins(bool checkpoint)
    {
        string database = await postgres.NewDatabaseAsync();
        string? checkpointDirectory = checkpoint ? Directory.CreateTempSubdirectory("compiled-pg-stream-").FullName : null;
        try
        {
            // Typed records and text records, keys repeated at several distances, a key whose latest value equals its first.
            await using (PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "t", "valueType=bigint"), checkpointDirectory))
            {
                var writer = (IRecordWriter<KeyValue<long>>)sink;
                sink.BeginBatch(1000);
                writer.Write(new KeyValue<long>("a"u8, 1));
                writer.Write(new KeyValue<long>("b"u8, 1));
                sink.Write("(a,2)"u8);
                writer.Write(new KeyValue<long>("c"u8, 5));
                writer.Write(new KeyValue<long>("a"u8, 3));
                writer.Write(new KeyValue<long>("c"u8, 6));
                writer.Write(new KeyValue<long>("c"u8, 5));
                if (checkpoint)
                {
                    await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
                }

                await sink.CommitBatchAsync(TestContext.Current.CancellationToken);

                // The next batches: a key of the last batch is new in this one, and its staged rows are gone. (The first
                // streamed batch that repeats a key is refused by the upsert and written again from the buffer; after it
                // the sink looks keys up as they come and sends a repeated key's latest value at the end.)
                await sink.WriteBatchAsync(2000, "(b,7)", "(d,1)", "(b,8)");
                await sink.WriteBatchAsync(3000, "(d,2)", "(e,1)", "(d,3)", "(e,1)");
            }

            string connection = postgres.Server.ConnectionString(database);
            Assert.Equal(new SortedDictionary<string, string> { ["a"] = "3", ["b"] = "8", ["c"] = "5", ["d"] = "3", ["e"] = "1" },
                await PostgresSinkDriver.ReadTableAsync(connection, "t"));
            Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM pg_prepared_xacts"));
            if (checkpoint)
            {
                Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM compiled_staging_text_bigint"));
                Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM compiled_staging_text_bigint_later"));
            }
        }
        finally
        {
            if (checkpointDirectory is not null)
            {
                Directory.Delete(checkpointDirectory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task StreamedBatch_AlreadyRecordedByAnotherRunOfTheJob_ChangesNothing()
    {
        string database = await postgres.NewDatabaseAsync();
        string uri = postgres.Server.SinkUri(database, "t", "job=twice");
        string connection = postgres.Server.ConnectionString(database);

        // The later run opens before the earlier one commits batch 1000, so it does not know the batch is recorded and
        // streams it; the batch's claim in compiled_batches, in the same transaction, finds it recorded.
        await using PostgresSink later = await PostgresSinkDriver.OpenAsync(uri);
        await using (PostgresSink earlier = await PostgresSinkDriver.OpenAsync(uri))
        {
            await earlier.WriteBatchAsync(1000, "(a,1)", "(b,1)");
        }

        SortedDictionary<string, string> once = await PostgresSinkDriver.ReadTableAsync(connection, "t");
        await later.WriteBatchAsync(1000, "(a,100)", "(c,100)", "(a,101)");

        Assert.Equal(once, await PostgresSinkDriver.ReadTableAsync(connection, "t"));
        Assert.Equal(1L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM compiled_batches"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamBrokenMidBatch_BatchWrittenWholeFromTheBuffer_Once(bool checkpoint)
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        string? checkpointDirectory = checkpoint ? Directory.CreateTempSubdirectory("compiled-pg-stream-").FullName : null;
        try
        {
            await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(
                postgres.Server.SinkUri(database, "t", "job=broken&retryDelay=50ms&maxRetryDelay=200ms"), checkpointDirectory);
            await sink.WriteBatchAsync(1000, "(a,1)");

            sink.BeginBatch(2000);
            for (int i = 0; i < 5000; i++)
            {
                sink.Write(System.Text.Encoding.UTF8.GetBytes($"(k{i % 3000},{i})"));
            }

            // The server ends the sink's session in the middle of the batch's COPY; the job goes on writing records.
            Assert.Equal(true, await PostgresSinkDriver.ScalarAsync(connection,
                "SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'Compiled broken'"));
            for (int i = 5000; i < 10_000; i++)
            {
                sink.Write(System.Text.Encoding.UTF8.GetBytes($"(k{i % 3000},{i})"));
            }

            if (checkpoint)
            {
                await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
            }

            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
            await sink.WriteBatchAsync(3000, "(b,3)");

            SortedDictionary<string, string> rows = await PostgresSinkDriver.ReadTableAsync(connection, "t");
            Assert.Equal(3002, rows.Count);
            Assert.Equal("1", rows["a"]);
            Assert.Equal("3", rows["b"]);
            for (int k = 0; k < 3000; k++)
            {
                // The latest of k, k + 3000, k + 6000, k + 9000 below 10,000.
                int latest = k + (k < 1000 ? 9000 : 6000);
                Assert.Equal(latest.ToString(System.Globalization.CultureInfo.InvariantCulture), rows[$"k{k}"]);
            }

            Assert.Equal(3000L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT max(batch_time) FROM compiled_batches"));
            Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM pg_prepared_xacts"));
        }
        finally
        {
            if (checkpointDirectory is not null)
            {
                Directory.Delete(checkpointDirectory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Abort_StreamedBatch_NothingWritten_NextBatchStreamsAgain()
    {
        string database = await postgres.NewDatabaseAsync();
        string connection = postgres.Server.ConnectionString(database);
        await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "t", "job=abort"));

        sink.BeginBatch(1000);
        sink.Write("(a,1)"u8);
        sink.AbortBatch();

        // The aborted batch's COPY was cancelled and its transaction rolled back on the same session, which streams the next batch.
        sink.BeginBatch(2000);
        sink.Write("(b,2)"u8);
        Assert.Equal(1L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'Compiled abort' AND query LIKE 'COPY%'"));
        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new SortedDictionary<string, string> { ["b"] = "2" }, await PostgresSinkDriver.ReadTableAsync(connection, "t"));
        Assert.Equal(2000L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT max(batch_time) FROM compiled_batches"));
    }

    [Fact]
    public async Task Write_WarmStreamingSink_AllocatesNothingPerRecord()
    {
        string database = await postgres.NewDatabaseAsync();
        await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(postgres.Server.SinkUri(database, "t", "valueType=bigint"));
        var writer = (IRecordWriter<KeyValue<long>>)sink;
        byte[][] keys = [.. Enumerable.Range(0, 20_000).Select(i => System.Text.Encoding.UTF8.GetBytes($"word{i % 15_000}"))];

        // The first batch grows the buffers and warms the stream; the second's records, streamed as they come, reuse
        // them. A batch's first record begins its transaction and COPY (per batch, not per record): counted from the second.
        long allocated = 0;
        for (int batch = 1; batch <= 2; batch++)
        {
            sink.BeginBatch(batch * 1000);
            writer.Write(new KeyValue<long>(keys[0], 0));
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 1; i < keys.Length; i++)
            {
                writer.Write(new KeyValue<long>(keys[i], i));
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, allocated);
        Assert.Equal(15_000L, await PostgresSinkDriver.ScalarAsync(postgres.Server.ConnectionString(database), "SELECT count(*) FROM t"));
    }
}
