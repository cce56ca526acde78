using Compiled.Connectors;
using Compiled.Sinks;
using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>One redis-server for the tests of a class; each test writes to keys of its own.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private ConnectionMultiplexer? _client;

    /// <summary>The server.</summary>
    internal RedisServer Server => _server ?? throw new InvalidOperationException("The fixture is not started.");

    /// <summary>A client of the server's own, through which the tests check what the sink wrote.</summary>
    public IDatabase Database => (_client ?? throw new InvalidOperationException("The fixture is not started.")).GetDatabase();

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string EndPoint => Server.EndPoint;

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _client = await ConnectionMultiplexer.ConnectAsync(_server.EndPoint);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Creating sinks and keys for the tests.</summary>
internal static class RedisTest
{
    /// <summary>A key no other test uses.</summary>
    public static string UniqueKey(string what) => $"test:{what}:{Guid.NewGuid():N}";

    /// <summary>Creates a sink through the connector's factory, as a run does, and checks its options were all read.</summary>
    public static RedisSink CreateSink(string uri)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "sink");
        Sink sink = RedisSinkFactory.Create(parsed, new SinkContext { SinkName = "Output" });
        parsed.ThrowIfUnknownOptions();
        return Assert.IsType<RedisSink>(sink);
    }

    /// <summary>The word counts of a known data set: 1,000 words, each with a count of its own.</summary>
    public static (string Word, long Count)[] KnownCounts(int words = 1000) =>
        [.. Enumerable.Range(0, words).Select(i => ($"word{i}", (long)((i * 7919) % 1000) + 1))];

    /// <summary>Writes one batch of keyed records and commits it.</summary>
    public static async Task WriteBatchAsync(RedisSink sink, long batchTime, IEnumerable<(string Word, long Count)> records)
    {
        sink.BeginBatch(batchTime);
        foreach ((string word, long count) in records)
        {
            sink.Write(new KeyValue<long>(System.Text.Encoding.UTF8.GetBytes(word), count));
        }

        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A hash's fields and values as strings and numbers, by field.</summary>
    public static async Task<Dictionary<string, long>> ReadHashAsync(IDatabase database, string key)
    {
        HashEntry[] entries = await database.HashGetAllAsync(key);
        return entries.ToDictionary(e => (string)e.Name!, e => (long)e.Value, StringComparer.Ordinal);
    }
}
