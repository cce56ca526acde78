using Compiled.Hosting;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>
/// The stream source against a real server where one batch takes more entries than one <c>XACK</c> carries (the source
/// sends 2,048 ids per command, one command after the other, without waiting for their answers, and at most eight on
/// their way at once), where the record is a field other than <c>value</c> beside a <c>key</c> field, and where the
/// server refuses an <c>XACK</c> for a while or for good: every entry counted once, and none left pending unless the
/// server never took its acknowledgement.
/// </summary>
public sealed class RedisStreamSourceAcknowledgementTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    [Fact]
    public async Task ABatchOfMoreEntriesThanOneXack_IsAcknowledgedWhole_AndEachEntryCountedOnce()
    {
        // 5,000 entries in one batch (the fake clock never ends it before the stop): three XACKs, the last a short one.
        const int entries = 5000;
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        var adds = new List<Task>(entries);
        for (int i = 0; i < entries; i++)
        {
            adds.Add(redis.Database.StreamAddAsync(stream, "value", $"w{i}"));
        }

        await Task.WhenAll(adds);
        (long acknowledged, Dictionary<string, long> counts) = await RunAsync(stream, hash, "", entries);

        Assert.Equal(entries, acknowledged);
        Assert.Equal(Enumerable.Range(0, entries).ToDictionary(i => $"w{i}", _ => 1L, StringComparer.Ordinal), counts);
        Assert.Equal(0, (await redis.Database.StreamPendingAsync(stream, "counters")).PendingMessageCount);
    }

    [Fact]
    public async Task ABatchOfMoreEntriesThanTheXacksOnTheirWayCarry_WaitsForTheOldestAnswers_AndIsAcknowledgedWhole()
    {
        // 20,000 entries in one batch: ten XACKs, two more than may be on their way at once.
        const int entries = 20_000;
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        var adds = new List<Task>(entries);
        for (int i = 0; i < entries; i++)
        {
            adds.Add(redis.Database.StreamAddAsync(stream, "value", $"w{i}"));
        }

        await Task.WhenAll(adds);
        (long acknowledged, Dictionary<string, long> counts) = await RunAsync(stream, hash, "", entries);

        Assert.Equal(entries, acknowledged);
        Assert.Equal(entries, counts.Count);
        Assert.All(counts.Values, count => Assert.Equal(1, count));
        Assert.Equal(0, (await redis.Database.StreamPendingAsync(stream, "counters")).PendingMessageCount);
    }

    [Fact]
    public async Task AnXackTheServerRefusedOnce_IsSentAgainAtTheNextBatch_AndItsEntriesEndAcknowledged()
    {
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        string user = await CreateUserAsync();
        for (int i = 0; i < 10; i++)
        {
            await redis.Database.StreamAddAsync(stream, "value", $"w{i}");
        }

        await using Running run = StartAs(user, stream, hash);
        await WaitUntil(() => run.Source.Counters.Records == 10);

        // The user may not XACK when the first batch commits: its XACK is refused, the run goes on, the entries stay pending.
        await SetUserAsync(user, "-xack");
        await AdvanceUntilAsync(run, async () => await RefusedXacksAsync(user) >= 1);
        Assert.Equal(PipelineRunState.Running, run.Pipeline.State);
        Assert.Equal(0, run.Source.Acknowledged);
        Assert.Equal(10, await PendingAsync(stream));

        // Allowed again, the next batch sends it again: every entry acknowledged, none read twice.
        await SetUserAsync(user, "+xack");
        await AdvanceUntilAsync(run, async () => await PendingAsync(stream) == 0);
        await WaitUntil(() => run.Source.Acknowledged == 10);
        await run.StopAsync();

        Assert.Equal(PipelineRunState.Completed, run.Pipeline.State);
        Assert.Equal(10, run.Source.Counters.Records);
        Assert.Equal(Enumerable.Range(0, 10).ToDictionary(i => $"w{i}", _ => 1L, StringComparer.Ordinal), await RedisTest.ReadHashAsync(redis.Database, hash));
    }

    [Fact]
    public async Task AnXackTheServerRefusesAgain_FailsTheRun_SayingWhatItAnswered_AndLeavesTheEntriesPending()
    {
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        string user = await CreateUserAsync();
        for (int i = 0; i < 10; i++)
        {
            await redis.Database.StreamAddAsync(stream, "value", $"w{i}");
        }

        await using Running run = StartAs(user, stream, hash);
        await WaitUntil(() => run.Source.Counters.Records == 10);
        await SetUserAsync(user, "-xack");

        // The first batch's XACK is refused; the next batch sends it again, refused again; the batch after fails the run.
        // The clock moves a batch at a time until each step is seen: a move made before the run set its timer for the
        // next batch (a loaded machine) is made again, where a single move would leave the run waiting.
        await AdvanceUntilAsync(run, async () => await RefusedXacksAsync(user) >= 1);
        await AdvanceUntilAsync(run, async () => await RefusedXacksAsync(user) >= 2);
        await AdvanceUntilAsync(run, () => Task.FromResult(run.Task.IsCompleted));

        PipelineFailedException failed = await Assert.ThrowsAsync<PipelineFailedException>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(PipelineRunState.Failed, run.Pipeline.State);
        string message = failed.InnerException!.Message;
        Assert.Contains("could not acknowledge entries on the server", message, StringComparison.Ordinal);
        Assert.Contains("NOPERM", message, StringComparison.Ordinal);
        Assert.Equal(0, run.Source.Acknowledged);
        Assert.Equal(10, await PendingAsync(stream));
    }

    [Fact]
    public async Task TheFieldNamedByTheUri_IsTheRecord_WhateverTheOrderOfTheEntrysFields()
    {
        // field=line: the record is the line field, found before or after the key field and the value field.
        string stream = RedisTest.UniqueKey("stream");
        string hash = RedisTest.UniqueKey("counts");
        await redis.Database.StreamAddAsync(stream, [new("key", "k0"), new("value", "not this"), new("line", "first")]);
        await redis.Database.StreamAddAsync(stream, [new("line", "second"), new("key", "k1")]);
        await redis.Database.StreamAddAsync(stream, [new("value", "third")]);   // no line field: skipped and acknowledged
        await redis.Database.StreamAddAsync(stream, [new("line", "fourth")]);

        (long acknowledged, Dictionary<string, long> counts) = await RunAsync(stream, hash, "&field=line", 3);

        Assert.Equal(new Dictionary<string, long>(StringComparer.Ordinal) { ["first"] = 1, ["second"] = 1, ["fourth"] = 1 }, counts);
        Assert.Equal(4, acknowledged);
        Assert.Equal(0, (await redis.Database.StreamPendingAsync(stream, "counters")).PendingMessageCount);
    }

    // The word count's batch interval: advancing the clock by it ends one batch.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    // The word count reading the stream as user (password "pw") on a fake clock, until stopped.
    private Running StartAs(string user, string stream, string hash)
    {
        var clock = new FakeTimeProvider(Start);
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Input"] = $"redis://{user}:pw@{redis.EndPoint}/{stream}?group=counters&consumer=job1&start=earliest&block=20ms&retryFor=2s";
        options.SinkUris["Output"] = $"redis://{redis.EndPoint}/{hash}?type=hash";
        var pipeline = new PipelineRun(RedisWordCount.Definition, options);
        var stop = new CancellationTokenSource();
        Task task = pipeline.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        return new Running(pipeline, Assert.IsType<RedisStreamSource>(pipeline.Sources[0]), clock, task, stop);
    }

    // A user of the test's own who may run every command (password "pw").
    private async Task<string> CreateUserAsync()
    {
        string user = $"reader-{Guid.NewGuid():N}";
        await SetUserAsync(user, "on", ">pw", "~*", "&*", "+@all");
        return user;
    }

    private Task SetUserAsync(string user, params string[] rules) =>
        redis.Database.ExecuteAsync("ACL", ["SETUSER", user, .. rules]);

    // How many XACKs of the user the server refused, from its ACL log.
    private async Task<long> RefusedXacksAsync(string user)
    {
        var log = (RedisResult[])(await redis.Database.ExecuteAsync("ACL", "LOG"))!;
        long refused = 0;
        foreach (RedisResult entry in log)
        {
            Dictionary<string, RedisResult> fields = entry.ToDictionary();
            if ((string?)fields["username"] == user && (string?)fields["object"] == "xack")
            {
                refused += (long)fields["count"];
            }
        }

        return refused;
    }

    private async Task<long> PendingAsync(string stream) =>
        (await redis.Database.StreamPendingAsync(stream, "counters")).PendingMessageCount;

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

    // Moves the run's clock on by a batch interval, then waits up to half a second for the condition, until it holds.
    private static async Task AdvanceUntilAsync(Running run, Func<Task<bool>> condition)
    {
        DateTime giveUp = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            run.Clock.Advance(Interval);
            DateTime next = DateTime.UtcNow.AddMilliseconds(500);
            while (DateTime.UtcNow < next)
            {
                if (await condition())
                {
                    return;
                }

                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            Assert.True(DateTime.UtcNow < giveUp, "The run did not get there in 30 seconds of moving its clock on.");
        }
    }

    // A run in progress: stopped (if it has not ended) and disposed at the end of the test.
    private sealed record Running(PipelineRun Pipeline, RedisStreamSource Source, FakeTimeProvider Clock, Task Task, CancellationTokenSource Stop) : IAsyncDisposable
    {
        public async Task StopAsync()
        {
            await Stop.CancelAsync();
            await Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            try
            {
                await Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            }
            catch (PipelineFailedException)
            {
                // The test saw the failure already.
            }

            await Pipeline.DisposeAsync();
            Stop.Dispose();
        }
    }

    // Runs the word count over the stream until its source has taken the records, stops it (its last batch commits and
    // its entries are acknowledged), and returns what the source acknowledged and the hash.
    private async Task<(long Acknowledged, Dictionary<string, long> Counts)> RunAsync(string stream, string hash, string options, int records)
    {
        var run = new PipelineRunOptions { TimeProvider = new FakeTimeProvider(Start) };
        run.SourceUris["Input"] = $"redis://{redis.EndPoint}/{stream}?group=counters&consumer=job1&start=earliest&block=20ms{options}";
        run.SinkUris["Output"] = $"redis://{redis.EndPoint}/{hash}?type=hash";
        using var stop = new CancellationTokenSource();
        long acknowledged;
        await using (var pipeline = new PipelineRun(RedisWordCount.Definition, run))
        {
            Task running = pipeline.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            var source = Assert.IsType<RedisStreamSource>(pipeline.Sources[0]);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(1));
            while (source.Counters.Records < records)
            {
                await Task.Delay(20, timeout.Token);
            }

            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Equal(PipelineRunState.Completed, pipeline.State);
            acknowledged = source.Acknowledged;
        }

        return (acknowledged, await RedisTest.ReadHashAsync(redis.Database, hash));
    }
}
