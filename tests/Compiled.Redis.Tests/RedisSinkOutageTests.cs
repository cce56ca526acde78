using System.Collections.Concurrent;
using Compiled.Connectors;
using Compiled.Sinks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>
/// The server goes away in the middle of a stream, or is not there at the start: the commit retries, logs, and
/// completes once the server is back, with nothing lost and nothing doubled. Each test has a server of its own, which
/// writes every write to its append-only file before answering, so that a killed server keeps what it acknowledged.
/// </summary>
public sealed class RedisSinkOutageTests
{
    [Fact]
    public async Task ServerKilledMidStream_CommitWaitsAndCompletes_ResultCompleteNotDoubled()
    {
        await using RedisServer server = await RedisServer.StartAsync(durable: true);
        var logged = new LogCapture();
        string key = RedisTest.UniqueKey("outage");
        (string Word, long Count)[] counts = RedisTest.KnownCounts();
        await using RedisSink sink = CreateSink($"redis://{server.EndPoint}/{key}?retryFor=2m", logged);
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        await RedisTest.WriteBatchAsync(sink, 1000, counts[..500]);

        server.Kill();
        (string Word, long Count)[] second = [.. counts[500..], .. counts[..100].Select(c => (c.Word, c.Count + 1000))];
        Task committing = RedisTest.WriteBatchAsync(sink, 2000, second);
        await logged.WaitForAsync("trying again");
        Assert.False(committing.IsCompleted, "A commit cannot complete while the server is down.");

        await server.StartAgainAsync();
        await committing.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        await RedisTest.WriteBatchAsync(sink, 3000, [("after", 1)]);

        var expected = counts.ToDictionary(c => c.Word, c => c.Count);
        foreach ((string word, long count) in second)
        {
            expected[word] = count;
        }

        expected["after"] = 1;
        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(server.EndPoint);
        Assert.Equal(expected, await RedisTest.ReadHashAsync(client.GetDatabase(), key));
        Assert.Contains(logged.Messages, m => m.Contains("could write batch 2000 ms to the server again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StreamServerKilledMidStream_EveryEntryOnce()
    {
        await using RedisServer server = await RedisServer.StartAsync(durable: true);
        var logged = new LogCapture();
        string key = RedisTest.UniqueKey("outage-stream");
        (string Word, long Count)[] records = RedisTest.KnownCounts(600);
        await using RedisSink sink = CreateSink($"redis://{server.EndPoint}/{key}?type=stream", logged);
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        await RedisTest.WriteBatchAsync(sink, 1000, records[..300]);

        server.Kill();
        Task committing = RedisTest.WriteBatchAsync(sink, 2000, records[300..]);
        await logged.WaitForAsync("trying again");
        await server.StartAgainAsync();
        await committing.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(server.EndPoint);
        StreamEntry[] entries = await client.GetDatabase().StreamRangeAsync(key);
        Assert.Equal(records.Select(r => r.Word), entries.Select(e => (string)e["key"]!));
    }

    [Fact]
    public async Task ServerDownAtStart_FirstCommitWaitsForIt()
    {
        await using RedisServer server = await RedisServer.StartAsync(durable: true);
        server.Kill();
        var logged = new LogCapture();
        string key = RedisTest.UniqueKey("late");
        await using RedisSink sink = CreateSink($"redis://{server.EndPoint}/{key}?connectTimeout=500", logged);
        await sink.OpenAsync(TestContext.Current.CancellationToken);

        Task committing = RedisTest.WriteBatchAsync(sink, 1000, [("first", 1), ("second", 2)]);
        await logged.WaitForAsync("trying again");
        await server.StartAgainAsync();
        await committing.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(server.EndPoint);
        Assert.Equal(new Dictionary<string, long> { ["first"] = 1, ["second"] = 2 }, await RedisTest.ReadHashAsync(client.GetDatabase(), key));
        Assert.Contains(logged.Messages, m => m.Contains("not reachable yet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerGoneLongerThanRetryFor_CommitFailsSayingWhatToDo()
    {
        await using RedisServer server = await RedisServer.StartAsync();
        string key = RedisTest.UniqueKey("gone");
        await using RedisSink sink = CreateSink($"redis://:pw@{server.EndPoint}/{key}?retryFor=1s", new LogCapture());
        server.Kill();
        await sink.OpenAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<IOException>(() => RedisTest.WriteBatchAsync(sink, 1000, [("a", 1)]));

        Assert.Contains("could not write batch 1000 ms to the server", error.Message, StringComparison.Ordinal);
        Assert.Contains("the batch is not committed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(":pw@", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, sink.PendingRecords);
    }

    private static RedisSink CreateSink(string uri, LogCapture logged)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "sink");
        var sink = (RedisSink)RedisSinkFactory.Create(parsed, new SinkContext { LoggerFactory = LoggerFactory.Create(b => b.AddProvider(logged)) });
        parsed.ThrowIfUnknownOptions();
        return sink;
    }

    /// <summary>Keeps every message logged, to wait for one and to check what was said.</summary>
    private sealed class LogCapture : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IEnumerable<string> Messages => _messages;

        public async Task WaitForAsync(string text)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(1));
            while (!_messages.Any(m => m.Contains(text, StringComparison.Ordinal)))
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _messages.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}
