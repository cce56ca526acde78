using System.Collections.Concurrent;
using Compiled.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>
/// The compiled stateful word count (<see cref="RedisWordCount"/>) reading a real Redis stream on two partitions
/// (<c>Parallelism = 2</c>): one reader takes the entries in batches and deals them to the partitions. The totals are
/// one partition's, and with a checkpoint a run stopped, a run abandoned and a restart count every entry once, each
/// acknowledged once its batch is checkpointed.
/// </summary>
public sealed class RedisStreamPartitionTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private PipelineRunOptions Options(string stream, string group, string hash, int parallelism, string? checkpoint = null, ILoggerFactory? logs = null)
    {
        var options = new PipelineRunOptions { Parallelism = parallelism, Checkpoint = checkpoint };
        if (logs is not null)
        {
            options.LoggerFactory = logs;
        }

        options.SourceUris["Input"] = $"redis://{redis.EndPoint}/{stream}?group={group}&consumer=job1&start=earliest&block=20ms";
        options.SinkUris["Output"] = $"redis://{redis.EndPoint}/{hash}?type=hash";
        return options;
    }

    private async Task AddAsync(string stream, int from, int to, Func<int, string> payload)
    {
        var adds = new List<Task>(to - from);
        for (int i = from; i < to; i++)
        {
            NameValueEntry[] fields = i % 3 == 0 ? [new("value", payload(i)), new("key", $"k{i}")] : [new("value", payload(i))];
            adds.Add(redis.Database.StreamAddAsync(stream, fields));
        }

        await Task.WhenAll(adds);
    }

    private async Task<long> PendingAsync(string stream, string group) =>
        (await redis.Database.StreamPendingAsync(stream, group)).PendingMessageCount;

    [Fact]
    public async Task WordCount_RedisStream_OnTwoPartitions_TotalsAreOnePartitions_AndEveryEntryIsAcknowledged()
    {
        const int entries = 20_000;
        string stream = RedisTest.UniqueKey("stream");
        await AddAsync(stream, 0, entries, static i => $"w{i % 97} w{i % 13} common w{i % 389}");

        (Dictionary<string, long> one, _) = await CountAllAsync(stream, "one", parallelism: 1, entries);
        (Dictionary<string, long> two, string logged) = await CountAllAsync(stream, "two", parallelism: 2, entries);

        Dictionary<string, long> expected = Enumerable.Range(0, entries)
            .SelectMany(static i => $"w{i % 97} w{i % 13} common w{i % 389}".Split(' '))
            .GroupBy(static word => word, StringComparer.Ordinal)
            .ToDictionary(static group => group.Key, static group => (long)group.Count(), StringComparer.Ordinal);
        Assert.Equal(expected, one);
        Assert.Equal(one, two);
        Assert.Contains($"runs on 2 partitions: one reader takes the messages of redis://{redis.EndPoint}/{stream}", logged, StringComparison.Ordinal);
        await WaitUntilAsync(async () => await PendingAsync(stream, "two") == 0);
    }

    [Fact]
    public async Task OnTwoPartitions_WithACheckpoint_AStoppedRunAnAbandonedRunAndARestart_CountEveryEntryOnce()
    {
        // Every entry's payload is a word of its own: a total of 1 for each word proves it was counted once.
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        string checkpoint = Directory.CreateTempSubdirectory("compiled-rparts-").FullName;
        try
        {
            await AddAsync(stream, 0, 3_000, static i => $"w{i}");

            // Entries keep coming while the first run is stopped and the second abandoned, each in the middle of them.
            using var producing = new CancellationTokenSource();
            Task producer = ProduceAsync(stream, 3_000, 9_000, producing.Token);
            try
            {
                using (var stop = new CancellationTokenSource())
                await using (var first = new PipelineRun(RedisWordCount.Definition, Options(stream, "counters", hash, 2, checkpoint)))
                {
                    Task running = first.RunAsync(stop.Token, TestContext.Current.CancellationToken);
                    await WaitUntilAsync(async () => await redis.Database.HashLengthAsync(hash) >= 2_000);
                    await stop.CancelAsync();
                    await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
                    Assert.Equal(PipelineRunState.Completed, first.State);
                }

                using (var abort = new CancellationTokenSource())
                await using (var second = new PipelineRun(RedisWordCount.Definition, Options(stream, "counters", hash, 2, checkpoint)))
                {
                    long before = await redis.Database.HashLengthAsync(hash);
                    Task running = second.RunAsync(CancellationToken.None, abort.Token);
                    await WaitUntilAsync(async () => await redis.Database.HashLengthAsync(hash) >= before + 1_000);
                    await abort.CancelAsync();
                    await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
                }
            }
            finally
            {
                await producing.CancelAsync();
                await producer;
            }

            long produced = await redis.Database.StreamLengthAsync(stream);
            using (var stop = new CancellationTokenSource())
            await using (var third = new PipelineRun(RedisWordCount.Definition, Options(stream, "counters", hash, 2, checkpoint)))
            {
                Task running = third.RunAsync(stop.Token, TestContext.Current.CancellationToken);
                await WaitUntilAsync(async () => await redis.Database.HashLengthAsync(hash) == produced && await PendingAsync(stream, "counters") == 0);
                await stop.CancelAsync();
                await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
                Assert.Equal(PipelineRunState.Completed, third.State);
            }

            Dictionary<string, long> counts = await RedisTest.ReadHashAsync(redis.Database, hash);
            Assert.True(produced > 4_000, $"{produced} entries were produced; the runs were stopped while they came");
            Assert.Equal(Enumerable.Range(0, (int)produced).ToDictionary(static i => $"w{i}", static _ => 1L, StringComparer.Ordinal), counts);
            Assert.Equal(0, await PendingAsync(stream, "counters"));
        }
        finally
        {
            Directory.Delete(checkpoint, recursive: true);
        }
    }

    // Adds entries from..to-1, a hundred every 10 ms, until all are added or it is told to stop.
    private async Task ProduceAsync(string stream, int from, int to, CancellationToken stop)
    {
        for (int next = from; next < to && !stop.IsCancellationRequested; next += 100)
        {
            await AddAsync(stream, next, Math.Min(next + 100, to), static i => $"w{i}");
            try
            {
                await Task.Delay(10, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // Runs the word count over the whole stream through its own group, until the total of "common" is the stream's
    // length; returns the hash and what the run logged.
    private async Task<(Dictionary<string, long> Counts, string Log)> CountAllAsync(string stream, string group, int parallelism, int entries)
    {
        string hash = RedisTest.UniqueKey("counts");
        using var logs = new LogLines();
        using ILoggerFactory factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(RedisWordCount.Definition, Options(stream, group, hash, parallelism, logs: factory));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        await WaitUntilAsync(async () => (long)await redis.Database.HashGetAsync(hash, "common") == entries || running.IsCompleted);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(PipelineRunState.Completed, run.State);
        return (await RedisTest.ReadHashAsync(redis.Database, hash), logs.Text);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        DateTime giveUp = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, "The run did not get there in 60 seconds.");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    // Keeps what the run logs at Information and above.
    private sealed class LogLines : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join("\n", _lines);

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}
