using System.Text;
using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>
/// Building a later batch's commands allocates nothing per record beyond what StackExchange.Redis itself allocates for
/// the same commands: the sink keeps the arrays its commands are built in from batch to batch. Measured on the thread
/// that starts the commit, which builds and queues every command before awaiting any answer, against the client alone
/// sending the same records from arrays built before the measure; the least of several batches of each, since the
/// client's pipe sometimes takes a new buffer from its pool when the socket is slow to drain it. Each batch is then checked on the server, so the
/// reused arrays carried the right records.
/// </summary>
public sealed class RedisSinkCommitAllocationTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const int Records = 10_000;

    [Theory]
    [InlineData("hash")]
    [InlineData("zset")]
    public async Task Commit_LaterBatch_AllocatesPerRecordNoMoreThanTheClientAloneSendingTheSameCommands(string type)
    {
        double client = await ClientAlonePerRecordAsync(type, RedisTest.UniqueKey("client-" + type));
        string key = RedisTest.UniqueKey("commit-" + type);
        byte[][] words = [.. Enumerable.Range(0, Records).Select(i => Encoding.UTF8.GetBytes($"word{i}"))];
        await using RedisSink sink = RedisTest.CreateSink($"redis://{redis.EndPoint}/{key}?type={type}");
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        double perRecord = double.MaxValue;
        for (int batch = 1; batch <= 5; batch++)
        {
            sink.BeginBatch(batch * 1000);
            for (int i = 0; i < words.Length; i++)
            {
                sink.Write(new KeyValue<long>(words[i], (batch * Records) + i));
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            ValueTask commit = sink.CommitBatchAsync(TestContext.Current.CancellationToken);
            double allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Records;
            if (batch > 1)
            {
                perRecord = Math.Min(perRecord, allocated);
            }

            await commit;
            await AssertStoredAsync(type, key, words, batch);
        }

        // The sink before it kept its arrays allocated an entry array per chunk, every batch: 32 to 64 bytes per record more.
        Assert.True(
            perRecord <= client + 1,
            $"Starting the commit of a later batch allocated at least {perRecord:0.00} B per record on its thread, and the client alone sending the same commands at least {client:0.00}; the sink should add under 1 B per record.");
    }

    // What StackExchange.Redis allocates per record on the calling thread for the same commands, from arrays built before.
    private async Task<double> ClientAlonePerRecordAsync(string type, string key)
    {
        IDatabase database = redis.Database;
        double perRecord = double.MaxValue;
        for (int round = 0; round < 4; round++)
        {
            var tasks = new List<Task>(Records / RedisSink.ChunkSize + 1);
            var chunks = new List<object>();
            for (int start = 0; start < Records; start += RedisSink.ChunkSize)
            {
                int length = Math.Min(RedisSink.ChunkSize, Records - start);
                chunks.Add(type == "hash"
                    ? Enumerable.Range(start, length).Select(i => new HashEntry(Encoding.UTF8.GetBytes($"word{i}"), i)).ToArray()
                    : Enumerable.Range(start, length).Select(i => new SortedSetEntry(Encoding.UTF8.GetBytes($"word{i}"), i)).ToArray());
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (object chunk in chunks)
            {
                tasks.Add(chunk is HashEntry[] fields ? database.HashSetAsync(key, fields) : database.SortedSetAddAsync(key, (SortedSetEntry[])chunk));
            }

            perRecord = Math.Min(perRecord, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Records);
            await Task.WhenAll(tasks);
        }

        return perRecord;
    }

    private async Task AssertStoredAsync(string type, string key, byte[][] words, int batch)
    {
        IDatabase database = redis.Database;
        if (type == "hash")
        {
            Dictionary<string, long> stored = await RedisTest.ReadHashAsync(database, key);
            Assert.Equal(words.Length, stored.Count);
            for (int i = 0; i < words.Length; i++)
            {
                Assert.Equal((batch * Records) + i, stored[Encoding.UTF8.GetString(words[i])]);
            }
        }
        else
        {
            SortedSetEntry[] stored = await database.SortedSetRangeByRankWithScoresAsync(key);
            Assert.Equal(words.Length, stored.Length);
            Dictionary<string, double> scores = stored.ToDictionary(e => (string)e.Element!, e => e.Score, StringComparer.Ordinal);
            for (int i = 0; i < words.Length; i++)
            {
                Assert.Equal((batch * Records) + i, scores[Encoding.UTF8.GetString(words[i])]);
            }
        }
    }
}
