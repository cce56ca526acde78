using Compiled.Tests.Shared.Servers;
using StackExchange.Redis;

namespace Compiled.Benchmarks.Connectors;

/// <summary>
/// Redis: StackExchange.Redis alone writing the keys as pipelined <c>HSET</c>s of 512 fields (what the sink sends),
/// against the keyed pass-through and the word count through <c>redis://...?type=hash</c>, and the same word count
/// into the built-in <c>file</c> sink for reference.
/// </summary>
internal static class RedisBenchmark
{
    private const int Chunk = 512;

    public static async Task<List<Figure>> RunAsync(Settings settings)
    {
        await using RedisServer server = await RedisServer.StartAsync();
        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(server.EndPoint);
        IDatabase database = client.GetDatabase();
        byte[][] keys = Harness.Keys(settings.Records);
        string keyFile = Harness.WriteFile(settings, "redis-keys.txt", keys);
        string lineFile = Harness.WriteFile(settings, "redis-lines.txt", Harness.WordLines(settings.Lines));

        var raw = new Figure("Redis", "raw client: pipelined HSET, 512 fields each", keys.Length);
        var passThrough = new Figure("Redis", "pass-through: file → redis hash", keys.Length, raw);
        var wordCountFile = new Figure("Redis", "word count: file → file sink (no connector)", settings.Lines);
        var wordCount = new Figure("Redis", "word count: file → redis hash", settings.Lines, wordCountFile);
        for (int round = 0; round <= settings.Rounds; round++)
        {
            string rawKey = $"bench:raw:{round}", passKey = $"bench:pass:{round}", wordsKey = $"bench:words:{round}";
            string output = Path.Combine(settings.Directory, $"redis-words-{round}");
            await Harness.RoundAsync(
                round,
                (raw, async () =>
                {
                    await HashSetAllAsync(database, rawKey, keys);
                    await Check(database, rawKey, keys.Length);
                }),
                (passThrough, async () =>
                {
                    await Harness.RunBoundedAsync(KeyedPassThrough.Definition, "file://" + keyFile, $"redis://{server.EndPoint}/{passKey}?type=hash");
                    await Check(database, passKey, keys.Length);
                }),
                (wordCountFile, () => Harness.RunBoundedAsync(WordCount.Definition, "file://" + lineFile, $"file://{output}/counts?suffix=txt")),
                (wordCount, async () =>
                {
                    await Harness.RunBoundedAsync(WordCount.Definition, "file://" + lineFile, $"redis://{server.EndPoint}/{wordsKey}?type=hash");
                    await Check(database, wordsKey, 10_000);
                }));
            await database.KeyDeleteAsync([rawKey, passKey, wordsKey]);
        }

        return [raw, passThrough, wordCountFile, wordCount];
    }

    // The raw client: every key as a field of one hash, HSET of up to 512 fields, all sent before any answer is awaited.
    private static async Task HashSetAllAsync(IDatabase database, string key, byte[][] keys)
    {
        var sends = new List<Task>(keys.Length / Chunk + 1);
        for (int start = 0; start < keys.Length; start += Chunk)
        {
            var fields = new HashEntry[Math.Min(Chunk, keys.Length - start)];
            for (int i = 0; i < fields.Length; i++)
            {
                fields[i] = new HashEntry(keys[start + i], 1);
            }

            sends.Add(database.HashSetAsync(key, fields));
        }

        await Task.WhenAll(sends);
    }

    private static async Task Check(IDatabase database, string key, long expected)
    {
        long fields = await database.HashLengthAsync(key);
        if (fields != expected)
        {
            throw new InvalidOperationException($"Hash {key} has {fields} fields, not {expected}: the case did not write every record.");
        }
    }
}
