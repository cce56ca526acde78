using Compiled.Connectors;
using Compiled.Hosting;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>
/// The compiled stateful word count (<see cref="RedisWordCount"/>) reading a real Redis stream through
/// <c>--source redis://.../STREAM?group=G</c> and writing each word's total to a hash. Every entry's payload is a word
/// of its own, so a hash field of 1 for each word proves the entry was counted once, and a missing one that it was lost.
/// </summary>
public sealed class RedisStreamSourceTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    private PipelineRunOptions Options(Scratch temp, TimeProvider clock, string stream, string hash, bool checkpoint)
    {
        var options = new PipelineRunOptions { TimeProvider = clock, Checkpoint = checkpoint ? temp.Combine("checkpoint") : null };
        options.SourceUris["Input"] = $"redis://{redis.EndPoint}/{stream}?group=counters&consumer=job1&start=earliest&block=20ms";
        options.SinkUris["Output"] = $"redis://{redis.EndPoint}/{hash}?type=hash";
        return options;
    }

    private async Task AddAsync(string stream, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            NameValueEntry[] fields = i % 3 == 0 ? [new("value", $"w{i}"), new("key", $"k{i}")] : [new("value", $"w{i}")];
            await redis.Database.StreamAddAsync(stream, fields);
        }
    }

    private async Task<long> PendingAsync(string stream) =>
        (await redis.Database.StreamPendingAsync(stream, "counters")).PendingMessageCount;

    private static Dictionary<string, long> EachOnce(int from, int to) =>
        Enumerable.Range(from, to - from).ToDictionary(i => $"w{i}", _ => 1L, StringComparer.Ordinal);

    [Fact]
    public async Task KnownStream_ReadThroughAGroup_CountsEveryEntryOnce_AndAcknowledgesThem()
    {
        using var temp = new Scratch();
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        await AddAsync(stream, 0, 1000);
        var clock = new FakeTimeProvider(Start);
        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(RedisWordCount.Definition, Options(temp, clock, stream, hash, checkpoint: false));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        var source = Assert.IsType<RedisStreamSource>(run.Sources[0]);

        await WaitUntil(() => source.Counters.Records == 1000);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(PipelineRunState.Completed, run.State);
        Assert.Equal(EachOnce(0, 1000), await RedisTest.ReadHashAsync(redis.Database, hash));
        Assert.Equal(1000, source.Acknowledged);
        await WaitUntilAsync(async () => await PendingAsync(stream) == 0);
    }

    [Fact]
    public async Task WithACheckpoint_EntriesAreAcknowledgedOnlyOnceTheirBatchCommitted_AndARestartReadsWhatCameWhileDown()
    {
        using var temp = new Scratch();
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        await AddAsync(stream, 0, 5);

        var clock = new FakeTimeProvider(Start);
        using (var stop = new CancellationTokenSource())
        await using (var first = new PipelineRun(RedisWordCount.Definition, Options(temp, clock, stream, hash, checkpoint: true)))
        {
            var committed = 0;
            first.BatchCommitted += _ => Interlocked.Increment(ref committed);
            Task running = first.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            var source = Assert.IsType<RedisStreamSource>(first.Sources[0]);
            await WaitUntil(() => source.Counters.Records == 5);

            // Taken by the job, but the batch has not committed: every entry is still pending in the group.
            Assert.Equal(5, await PendingAsync(stream));
            Assert.Equal(0, source.Acknowledged);

            // The batch's time comes: it commits, its checkpoint is written, and only then are its entries acknowledged.
            // A second of 200 ms batches: the five batches it makes due are completed before more entries come, so that
            // those are taken in a batch still open.
            clock.Advance(TimeSpan.FromSeconds(1));
            await WaitUntil(() => Volatile.Read(ref committed) >= 5);
            await WaitUntilAsync(async () => await PendingAsync(stream) == 0);
            Assert.Equal(EachOnce(0, 5), await RedisTest.ReadHashAsync(redis.Database, hash));

            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Equal(5, source.Acknowledged);
        }

        // While the job is down, three more entries come; the restarted job reads those and only those.
        await AddAsync(stream, 5, 8);
        var again = new FakeTimeProvider(Start);
        using (var stop = new CancellationTokenSource())
        await using (var second = new PipelineRun(RedisWordCount.Definition, Options(temp, again, stream, hash, checkpoint: true)))
        {
            Task running = second.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            var source = Assert.IsType<RedisStreamSource>(second.Sources[0]);
            await WaitUntil(() => source.Counters.Records == 3);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Equal(3, source.Counters.Records);
            Assert.Equal(3, source.Acknowledged);
        }

        Assert.Equal(EachOnce(0, 8), await RedisTest.ReadHashAsync(redis.Database, hash));
        Assert.Equal(0, await PendingAsync(stream));
    }

    [Fact]
    public async Task AbandonedRun_ItsUncheckpointedEntriesStayPending_AndTheRestartReadsThemAgain_CountingEachOnce()
    {
        using var temp = new Scratch();
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        await AddAsync(stream, 0, 4);

        // The first run commits a batch of four entries, then takes three more and is abandoned before their batch
        // commits, as a crash would leave it: the three are pending, never acknowledged, never written.
        var clock = new FakeTimeProvider(Start);
        using (var abort = new CancellationTokenSource())
        await using (var first = new PipelineRun(RedisWordCount.Definition, Options(temp, clock, stream, hash, checkpoint: true)))
        {
            var committed = 0;
            first.BatchCommitted += _ => Interlocked.Increment(ref committed);
            Task running = first.RunAsync(CancellationToken.None, abort.Token);
            var source = Assert.IsType<RedisStreamSource>(first.Sources[0]);
            await WaitUntil(() => source.Counters.Records == 4);
            // A second of 200 ms batches: the five batches it makes due are completed before more entries come, so that
            // those are taken in a batch still open.
            clock.Advance(TimeSpan.FromSeconds(1));
            await WaitUntil(() => Volatile.Read(ref committed) >= 5);
            await WaitUntilAsync(async () => await PendingAsync(stream) == 0);

            await AddAsync(stream, 4, 7);
            await WaitUntil(() => source.Counters.Records == 7);
            await abort.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        }

        Assert.Equal(3, await PendingAsync(stream));
        Assert.Equal(EachOnce(0, 4), await RedisTest.ReadHashAsync(redis.Database, hash));

        // The restart resumes after the checkpointed entry: this consumer's three pending entries are read again, then new ones.
        await AddAsync(stream, 7, 9);
        var again = new FakeTimeProvider(Start);
        using (var stop = new CancellationTokenSource())
        await using (var second = new PipelineRun(RedisWordCount.Definition, Options(temp, again, stream, hash, checkpoint: true)))
        {
            Task running = second.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            var source = Assert.IsType<RedisStreamSource>(second.Sources[0]);
            await WaitUntil(() => source.Counters.Records == 5);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Equal(5, source.Counters.Records);
        }

        Assert.Equal(EachOnce(0, 9), await RedisTest.ReadHashAsync(redis.Database, hash));
        Assert.Equal(0, await PendingAsync(stream));
    }

    [Fact]
    public async Task WithoutACheckpoint_EntriesAreAcknowledgedOnceTheirBatchCommitted_AndAnAbandonedBatchIsReadAgain()
    {
        using var temp = new Scratch();
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        await AddAsync(stream, 0, 4);

        // Taken but not committed: the entries stay pending until their batch commits; a run abandoned first leaves them so.
        var clock = new FakeTimeProvider(Start);
        using (var abort = new CancellationTokenSource())
        await using (var first = new PipelineRun(RedisWordCount.Definition, Options(temp, clock, stream, hash, checkpoint: false)))
        {
            var committed = 0;
            first.BatchCommitted += _ => Interlocked.Increment(ref committed);
            Task running = first.RunAsync(CancellationToken.None, abort.Token);
            var source = Assert.IsType<RedisStreamSource>(first.Sources[0]);
            await WaitUntil(() => source.Counters.Records == 4);
            Assert.Equal(4, await PendingAsync(stream));
            // A second of 200 ms batches: the five batches it makes due are completed before more entries come, so that
            // those are taken in a batch still open.
            clock.Advance(TimeSpan.FromSeconds(1));
            await WaitUntil(() => Volatile.Read(ref committed) >= 5);
            await WaitUntilAsync(async () => await PendingAsync(stream) == 0);

            await AddAsync(stream, 4, 7);
            await WaitUntil(() => source.Counters.Records == 7);
            await abort.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        }

        Assert.Equal(3, await PendingAsync(stream));
        Assert.Equal(EachOnce(0, 4), await RedisTest.ReadHashAsync(redis.Database, hash));

        // The next start reads this consumer's pending entries again: at least once, none lost.
        using (var stop = new CancellationTokenSource())
        await using (var second = new PipelineRun(RedisWordCount.Definition, Options(temp, new FakeTimeProvider(Start + TimeSpan.FromSeconds(5)), stream, hash, checkpoint: false)))
        {
            Task running = second.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            var source = Assert.IsType<RedisStreamSource>(second.Sources[0]);
            await WaitUntil(() => source.Counters.Records == 3);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }

        Assert.Equal(EachOnce(0, 7), await RedisTest.ReadHashAsync(redis.Database, hash));
        Assert.Equal(0, await PendingAsync(stream));
    }

    [Fact]
    public void SourceUri_WithoutAGroup_IsRefused_SayingToAddOne_AndNeverShowsThePassword()
    {
        var e = Assert.Throws<ConnectorUriException>(() =>
            RedisStreamSourceFactory.Create(ConnectorUri.Parse("redis://user:secret@127.0.0.1:1/events", "source"), new SourceContext()));
        Assert.Contains("?group=NAME", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
    }

    private static async Task WaitUntil(Func<bool> condition) => await WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        DateTime giveUp = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, "The run did not get there in 30 seconds.");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    // A temporary directory for the run's checkpoint, deleted at the end.
    private sealed class Scratch : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("compiled-rsource-").FullName;

        public string Combine(string name) => Path.Combine(_path, name);

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}
