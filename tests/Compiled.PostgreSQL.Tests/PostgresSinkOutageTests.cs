using Compiled.Tests.Shared.Servers;

namespace Compiled.PostgreSQL.Tests;

/// <summary>A server that goes away mid-stream: the sink retries the batch with backoff, and nothing is lost or doubled.</summary>
public sealed class PostgresSinkOutageTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Outage_ServerStoppedMidStream_BatchWaitsThenLandsOnce(bool checkpoint)
    {
        await using PostgresServer server = await PostgresServer.StartNewAsync();
        string database = await server.CreateDatabaseAsync("outage");
        string? checkpointDirectory = checkpoint ? Directory.CreateTempSubdirectory("compiled-pg-outage-").FullName : null;
        try
        {
            await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(server.SinkUri(database, "t", "retryDelay=50ms&maxRetryDelay=500ms&connectTimeout=2s"), checkpointDirectory);
            await sink.WriteBatchAsync(1000, "(a,1)", "(b,1)");

            await server.StopAsync();
            Task during = sink.WriteBatchAsync(2000, "(a,2)", "(c,2)");
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            Assert.False(during.IsCompleted, "the batch cannot be committed while the server is down");
            await server.StartAsync();
            await during.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            await sink.WriteBatchAsync(3000, "(d,3)");

            string connection = server.ConnectionString(database);
            Assert.Equal(new SortedDictionary<string, string> { ["a"] = "2", ["b"] = "1", ["c"] = "2", ["d"] = "3" },
                await PostgresSinkDriver.ReadTableAsync(connection, "t"));
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
    public async Task Outage_ServerDownAtStart_OpenWaitsForIt()
    {
        await using PostgresServer server = await PostgresServer.StartNewAsync();
        await server.CreateDatabaseAsync("late");
        await server.StopAsync();
        Task<PostgresSink> opening = PostgresSinkDriver.OpenAsync(server.SinkUri("late", "t", "retryDelay=50ms&maxRetryDelay=500ms"));
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.False(opening.IsCompleted, "the sink cannot open while the server is down");
        await server.StartAsync();
        await using PostgresSink sink = await opening.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await sink.WriteBatchAsync(1000, "(a,1)");
        Assert.Equal(new SortedDictionary<string, string> { ["a"] = "1" }, await PostgresSinkDriver.ReadTableAsync(server.ConnectionString("late"), "t"));
    }
}

/// <summary>A server that cannot prepare transactions, met by a run that keeps a checkpoint.</summary>
public sealed class PostgresSinkPreparedTransactionsTests
{
    [Fact]
    public async Task Checkpoint_MaxPreparedTransactionsZero_OpenFailsSayingToRaiseIt()
    {
        await using PostgresServer server = await PostgresServer.StartNewAsync("max_prepared_transactions=0");
        await server.CreateDatabaseAsync("noprep");
        string checkpoint = Directory.CreateTempSubdirectory("compiled-pg-noprep-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSinkDriver.OpenAsync(server.SinkUri("noprep", "t"), checkpoint));
            Assert.Contains("max_prepared_transactions = 0", error.Message);
            Assert.Contains("-c max_prepared_transactions=10", error.Message);

            // Without a checkpoint the sink needs no prepared transactions.
            await using PostgresSink sink = await PostgresSinkDriver.OpenAsync(server.SinkUri("noprep", "t"));
            await sink.WriteBatchAsync(1000, "(a,1)");
        }
        finally
        {
            Directory.Delete(checkpoint, recursive: true);
        }
    }
}
