using Compiled.Hosting;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>
/// The stream source against a real server where one batch takes more entries than one <c>XACK</c> carries (the source
/// acknowledges 2,048 ids per command, one command after the other), and where the record is a field other than
/// <c>value</c> beside a <c>key</c> field: every entry counted once and none left pending.
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
