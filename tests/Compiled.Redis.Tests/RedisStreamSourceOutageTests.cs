using System.Collections.Concurrent;
using Compiled.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>
/// The server a Redis stream is read from is killed in the middle of a run and started again seconds later: the source
/// retries its reads and acknowledgements with backoff and logs them, the run keeps going, and every entry is counted
/// once. The server writes every write to its append-only file before answering, so it keeps what it acknowledged.
/// </summary>
public sealed class RedisStreamSourceOutageTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    [Fact]
    public async Task ServerKilledMidStream_ReadsAreRetriedAndLogged_EveryEntryCountedOnce()
    {
        await using RedisServer server = await RedisServer.StartAsync(durable: true);
        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(server.EndPoint + ",abortConnect=false");
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        string checkpoint = Directory.CreateTempSubdirectory("compiled-rsource-").FullName;
        var logged = new LogCapture();
        try
        {
            await AddAsync(client.GetDatabase(), stream, 0, 50);
            var options = new PipelineRunOptions { TimeProvider = new FakeTimeProvider(Start), Checkpoint = checkpoint, LoggerFactory = logged };
            options.SourceUris["Input"] = $"redis://{server.EndPoint}/{stream}?group=counters&consumer=job1&start=earliest&block=20ms&retryFor=2m";
            options.SinkUris["Output"] = $"redis://{server.EndPoint}/{hash}?type=hash&retryFor=2m";
            var clock = (FakeTimeProvider)options.TimeProvider;
            using var stop = new CancellationTokenSource();
            await using var run = new PipelineRun(RedisWordCount.Definition, options);
            Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            var source = Assert.IsType<RedisStreamSource>(run.Sources[0]);
            await WaitUntil(() => source.Counters.Records == 50);

            // The server goes away while the source keeps asking for more: its reads fail, are logged and tried again.
            server.Kill();
            await WaitUntil(() => logged.Messages.Any(m => m.Contains("Redis source", StringComparison.Ordinal) && m.Contains("trying again", StringComparison.Ordinal)));
            Assert.Equal(PipelineRunState.Running, run.State);

            // Seconds later it is back; the first fifty are committed and acknowledged, then fifty more are read.
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            await server.StartAgainAsync();
            clock.Advance(TimeSpan.FromSeconds(1));
            await WaitUntil(() => source.Acknowledged == 50);
            await AddAsync(client.GetDatabase(), stream, 50, 100);
            await WaitUntil(() => source.Counters.Records == 100);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

            Assert.Equal(PipelineRunState.Completed, run.State);
            Assert.Equal(100, source.Acknowledged);
            Dictionary<string, long> expected = Enumerable.Range(0, 100).ToDictionary(i => $"w{i}", _ => 1L, StringComparer.Ordinal);
            Assert.Equal(expected, await RedisTest.ReadHashAsync(client.GetDatabase(), hash));
            Assert.Equal(0, (await client.GetDatabase().StreamPendingAsync(stream, "counters")).PendingMessageCount);
            Assert.Contains(logged.Messages, m => m.Contains("Redis source", StringComparison.Ordinal) && m.Contains("the server again", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(checkpoint, recursive: true);
        }
    }

    private static async Task AddAsync(IDatabase database, string stream, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            await database.StreamAddAsync(stream, "value", $"w{i}");
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        DateTime giveUp = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, "The run did not get there in 60 seconds.");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    // Every message logged, from every category.
    private sealed class LogCapture : ILoggerFactory, ILogger
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IEnumerable<string> Messages => _messages;

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

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
