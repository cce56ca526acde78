using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>
/// A batch written again after a simulated crash (a new sink, as a restarted job makes, resuming from the checkpoint
/// before the batch) leaves Redis exactly as one run did.
/// </summary>
public sealed class RedisSinkReplayTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const long Checkpointed = 1000;
    private const long Batch = 2000;

    [Theory]
    [InlineData("hash")]
    [InlineData("zset")]
    [InlineData("string")]
    public async Task ReplayedBatch_KeysAsAfterOneRun(string type)
    {
        string key = RedisTest.UniqueKey(type);
        string uri = type == "string"
            ? $"redis://{redis.EndPoint}?type=string&prefix={Uri.EscapeDataString(key)}:"
            : $"redis://{redis.EndPoint}/{key}?type={type}";
        (string Word, long Count)[] counts = RedisTest.KnownCounts();

        await RunAsync(uri, checkpointed: null, batch: Checkpointed, counts[..100]);
        string once = await SnapshotAsync(type, key, counts);
        await RunAsync(uri, checkpointed: null, batch: Batch, counts);
        string afterOneRun = await SnapshotAsync(type, key, counts);

        // The crash: the batch was written, its checkpoint was not; the restart writes it again under a later time.
        await RunAsync(uri, checkpointed: Checkpointed, batch: Batch + 5000, counts);

        Assert.NotEqual(once, afterOneRun);
        Assert.Equal(afterOneRun, await SnapshotAsync(type, key, counts));
    }

    [Fact]
    public async Task Stream_ReplayedBatch_AddsOnlyTheEntriesNotThere()
    {
        string key = RedisTest.UniqueKey("stream");
        string uri = $"redis://{redis.EndPoint}/{key}?type=stream";
        (string Word, long Count)[] records = RedisTest.KnownCounts(50);
        await RunAsync(uri, checkpointed: null, batch: Checkpointed, records[..10]);

        // The first run died in the middle of writing the batch: 25 of its 40 entries reached the stream.
        await RunAsync(uri, checkpointed: Checkpointed, batch: Batch, records[10..35]);

        // The restart resumes from the checkpoint of batch 1000 and reads the batch's 40 records again; its first
        // batch is labelled after the stream's last entry, 2000, and is written under 2000.
        await using (RedisSink sink = RedisTest.CreateSink(uri))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            Assert.Equal(Batch, sink.LastCommittedBatchTime);
            await sink.RecoverAsync(Checkpointed, TestContext.Current.CancellationToken);
            await RedisTest.WriteBatchAsync(sink, Batch + 1000, records[10..]);
            await RedisTest.WriteBatchAsync(sink, Batch + 2000, [("next", 1)]);
        }

        StreamEntry[] entries = await redis.Database.StreamRangeAsync(key);
        Assert.Equal(
            [.. Enumerable.Range(0, 10).Select(i => $"{Checkpointed}-{i}"), .. Enumerable.Range(0, 40).Select(i => $"{Batch}-{i}"), $"{Batch + 2000}-0"],
            entries.Select(e => e.Id.ToString()));
        Assert.Equal([.. records.Select(r => r.Word), "next"], entries.Select(e => (string)e["key"]!));
    }

    [Fact]
    public async Task Stream_RestartWithoutCheckpoint_BeginsAfterTheLastEntry()
    {
        string key = RedisTest.UniqueKey("stream");
        string uri = $"redis://{redis.EndPoint}/{key}?type=stream";
        await RunAsync(uri, checkpointed: null, batch: 7000, [("a", 1)]);

        await using RedisSink sink = RedisTest.CreateSink(uri);
        await sink.OpenAsync(TestContext.Current.CancellationToken);

        Assert.Equal(7000, sink.LastCommittedBatchTime);
    }

    // One run of a job: a new sink, opened (and recovered from a checkpoint if there is one), writing one batch.
    private static async Task RunAsync(string uri, long? checkpointed, long batch, (string Word, long Count)[] records)
    {
        await using RedisSink sink = RedisTest.CreateSink(uri);
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        if (checkpointed is { } time)
        {
            await sink.RecoverAsync(time, TestContext.Current.CancellationToken);
        }

        await RedisTest.WriteBatchAsync(sink, batch, records);
    }

    // Everything under the test's key, as text, to compare whole states.
    private async Task<string> SnapshotAsync(string type, string key, (string Word, long Count)[] words)
    {
        IDatabase database = redis.Database;
        return type switch
        {
            "hash" => string.Join(';', (await database.HashGetAllAsync(key)).OrderBy(e => (string)e.Name!, StringComparer.Ordinal).Select(e => $"{e.Name}={e.Value}")),
            "zset" => string.Join(';', (await database.SortedSetRangeByRankWithScoresAsync(key)).Select(e => $"{e.Element}={e.Score}")),
            _ => string.Join(';', (await database.StringGetAsync([.. words.Select(w => (RedisKey)$"{key}:{w.Word}")])).Select(v => v.IsNull ? "-" : (string)v!)),
        };
    }
}
