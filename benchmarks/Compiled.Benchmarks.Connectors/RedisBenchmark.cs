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
        var passThrough = new Figure("Redis", "pass-through: file → redis hash", keys.Length);
        var wordCount = new Figure("Redis", "word count: file → redis hash", settings.Lines);
        var wordCountFile = new Figure("Redis", "word count: file → file sink (no connector)", settings.Lines);
        for (int round = 0; round <= settings.Rounds; round++)
        {
            string key = $"bench:raw:{round}";
            await raw.MeasureAsync(() => HashSetAllAsync(database, key, keys));
            await Check(database, key, keys.Length);

            key = $"bench:pass:{round}";
            await passThrough.MeasureAsync(() => Harness.RunBoundedAsync(KeyedPassThrough.Definition, "file://" + keyFile, $"redis://{server.EndPoint}/{key}?type=hash"));
            await Check(database, key, keys.Length);

            key = $"bench:words:{round}";
            await wordCount.MeasureAsync(() => Harness.RunBoundedAsync(WordCount.Definition, "file://" + lineFile, $"redis://{server.EndPoint}/{key}?type=hash"));
            await Check(database, key, 10_000);

            string output = Path.Combine(settings.Directory, $"redis-words-{round}");
            await wordCountFile.MeasureAsync(() => Harness.RunBoundedAsync(WordCount.Definition, "file://" + lineFile, $"file://{output}/counts?suffix=txt"));
            await database.KeyDeleteAsync([$"bench:raw:{round}", $"bench:pass:{round}", $"bench:words:{round}"]);
        }

        return [raw, passThrough, wordCount, wordCountFile];
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
