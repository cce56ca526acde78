using System.Text;
using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>A known data set written through the sink to a real redis-server, read back through StackExchange.Redis.</summary>
public sealed class RedisSinkWriteTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Hash_KnownCounts_EveryFieldHoldsItsCount()
    {
        string key = RedisTest.UniqueKey("hash");
        (string Word, long Count)[] counts = RedisTest.KnownCounts();
        await using (RedisSink sink = RedisTest.CreateSink($"redis://{redis.EndPoint}/{key}?type=hash"))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            await RedisTest.WriteBatchAsync(sink, 1000, counts);
        }

        Dictionary<string, long> stored = await RedisTest.ReadHashAsync(redis.Database, key);
        Assert.Equal(counts.ToDictionary(c => c.Word, c => c.Count), stored);
    }

    [Fact]
    public async Task Hash_LaterBatch_OverwritesTotalsAndAddsNewWords()
    {
        string key = RedisTest.UniqueKey("hash");
        await using (RedisSink sink = RedisTest.CreateSink($"redis://{redis.EndPoint}/{key}"))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            await RedisTest.WriteBatchAsync(sink, 1000, [("to", 2), ("be", 2)]);
            await RedisTest.WriteBatchAsync(sink, 2000, [("to", 3), ("or", 1)]);
        }

        Assert.Equal(new Dictionary<string, long> { ["to"] = 3, ["be"] = 2, ["or"] = 1 }, await RedisTest.ReadHashAsync(redis.Database, key));
    }

    [Fact]
    public async Task String_KnownCounts_OneKeyPerWordUnderThePrefix()
    {
        string prefix = RedisTest.UniqueKey("string") + ":";
        (string Word, long Count)[] counts = RedisTest.KnownCounts(1200);
        await using (RedisSink sink = RedisTest.CreateSink($"redis://{redis.EndPoint}?type=string&prefix={Uri.EscapeDataString(prefix)}"))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            await RedisTest.WriteBatchAsync(sink, 1000, counts);
        }

        RedisValue[] stored = await redis.Database.StringGetAsync([.. counts.Select(c => (RedisKey)(prefix + c.Word))]);
        Assert.Equal(counts.Select(c => c.Count), stored.Select(v => (long)v));
    }

    [Fact]
    public async Task Zset_KnownCounts_MembersScoredByCount()
    {
        string key = RedisTest.UniqueKey("zset");
        (string Word, long Count)[] counts = RedisTest.KnownCounts();
        await using (RedisSink sink = RedisTest.CreateSink($"redis://{redis.EndPoint}/{key}?type=zset"))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            await RedisTest.WriteBatchAsync(sink, 1000, counts);
        }

        SortedSetEntry[] stored = await redis.Database.SortedSetRangeByRankWithScoresAsync(key);
        Assert.Equal(
            counts.ToDictionary(c => c.Word, c => (double)c.Count),
            stored.ToDictionary(e => (string)e.Element!, e => e.Score));
    }

    [Fact]
    public async Task Stream_KnownCounts_EntriesInOrderWithBatchTimeIds()
    {
        string key = RedisTest.UniqueKey("stream");
        (string Word, long Count)[] counts = RedisTest.KnownCounts(300);
        await using (RedisSink sink = RedisTest.CreateSink($"redis://{redis.EndPoint}/{key}?type=stream"))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            await RedisTest.WriteBatchAsync(sink, 5000, counts[..200]);
            await RedisTest.WriteBatchAsync(sink, 6000, counts[200..]);
        }

        StreamEntry[] entries = await redis.Database.StreamRangeAsync(key);
        Assert.Equal(
            [.. Enumerable.Range(0, 200).Select(i => $"5000-{i}"), .. Enumerable.Range(0, 100).Select(i => $"6000-{i}")],
            entries.Select(e => e.Id.ToString()));
        Assert.Equal(counts.Select(c => (c.Word, c.Count)), entries.Select(e => ((string)e["key"]!, (long)e["value"])));
    }

    [Fact]
    public async Task Text_PairsSplitAtTheLastCommaOutsideParentheses()
    {
        string key = RedisTest.UniqueKey("text");
        await using (RedisSink sink = RedisTest.CreateSink($"redis://{redis.EndPoint}/{key}"))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            sink.BeginBatch(1000);
            sink.Write("(a,b,5)"u8);
            sink.Write("(7,(12,3))"u8);
            sink.Write("(é,1.5)"u8);
            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
        }

        HashEntry[] stored = await redis.Database.HashGetAllAsync(key);
        Assert.Equal(
            new Dictionary<string, string> { ["a,b"] = "5", ["7"] = "(12,3)", ["é"] = "1.5" },
            stored.ToDictionary(e => Encoding.UTF8.GetString((byte[])e.Name!), e => (string)e.Value!));
    }

    [Fact]
    public async Task Text_NotAPair_FailsForAHashAndIsAStreamEntry()
    {
        await using RedisSink hash = RedisTest.CreateSink($"redis://{redis.EndPoint}/{RedisTest.UniqueKey("hash")}");
        hash.BeginBatch(1000);
        var error = Assert.Throws<InvalidOperationException>(() => hash.Write("just a line"u8));
        Assert.Contains("'just a line' is not a (key,value) pair", error.Message, StringComparison.Ordinal);

        string key = RedisTest.UniqueKey("stream");
        await using (RedisSink stream = RedisTest.CreateSink($"redis://{redis.EndPoint}/{key}?type=stream"))
        {
            await stream.OpenAsync(TestContext.Current.CancellationToken);
            stream.BeginBatch(1000);
            stream.Write("just a line"u8);
            await stream.CommitBatchAsync(TestContext.Current.CancellationToken);
        }

        StreamEntry entry = Assert.Single(await redis.Database.StreamRangeAsync(key));
        Assert.Equal("just a line", (string)entry["value"]!);
        Assert.Single(entry.Values);
    }

    [Fact]
    public async Task Hash_KeyOfAnotherType_FailsNamingTheKey()
    {
        string key = RedisTest.UniqueKey("taken");
        await redis.Database.StringSetAsync(key, "not a hash");
        await using RedisSink sink = RedisTest.CreateSink($"redis://{redis.EndPoint}/{key}");
        await sink.OpenAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RedisTest.WriteBatchAsync(sink, 1000, [("a", 1)]));

        Assert.Contains("WRONGTYPE", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
    }
}
