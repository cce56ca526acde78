using System.Diagnostics;
using System.Globalization;
using Compiled.Hosting;
using Compiled.Tests.Shared.Servers;
using StackExchange.Redis;

namespace Compiled.Benchmarks.Connectors.Redis;

/// <summary>
/// What the Redis stream source costs over StackExchange.Redis alone, measured as <see cref="RedisCpuBenchmark"/>
/// measures the sink (client and server CPU per record, commands, bytes): a stream of the keys is written once, then
/// each round reads all of it through a new consumer group, by the raw client and by a pass-through pipeline into a
/// sink that discards its records.
/// </summary>
/// <remarks>
/// The raw client, on a connection kept open across rounds: <c>XREADGROUP GROUP g c COUNT 512 STREAMS s &gt;</c> until
/// every entry is read, taking each entry's <c>value</c> field, and an <c>XACK</c> of each read's ids sent without
/// waiting (all answers awaited at the end): what a program that acknowledges what it read sends. The pipeline:
/// <c>redis://.../s?group=g&amp;start=earliest&amp;count=512</c> → <see cref="PassThrough"/> → <c>discard:</c>, batches
/// of 100 ms on the real clock, until its sink has been written every entry; its entries are acknowledged when their
/// batch commits (<c>XACK</c>s of up to 2,048 ids). Each case's group is destroyed outside the measure.
/// </remarks>
internal static class RedisSourceCpuBenchmark
{
    private const int Count = 512;

    public static async Task RunAsync(Settings settings, int warmUps, int small)
    {
        string load = File.ReadAllText("/proc/loadavg").Trim();
        DateTime started = DateTime.UtcNow;
        await using RedisServer server = await RedisServer.StartAsync();
        await using ConnectionMultiplexer monitor = await ConnectionMultiplexer.ConnectAsync(server.EndPoint + ",allowAdmin=true");
        IDatabase database = monitor.GetDatabase();
        var probe = new ServerProbe(database);
        await probe.InitializeAsync();
        byte[][] keys = Harness.Keys(settings.Records);
        const string stream = "bench:stream";
        await AddAllAsync(database, stream, keys);

        var raw = new RedisCpuBenchmark.Case("raw client: XREADGROUP COUNT 512 until the last entry, XACK of each read", keys.Length);
        var source = new RedisCpuBenchmark.Case("pass-through: redis stream source → discard", keys.Length);
        RedisCpuBenchmark.Case[] cases = [raw, source];

        // With --small, each case also reads only the first `small` entries each round (through its own group), so
        // that its cost per entry (the slope between the two sizes) is told from its cost per run.
        RedisCpuBenchmark.Case[] smallCases = small > 0 ? [.. cases.Select(c => c.Smaller(small))] : [];
        await using ConnectionMultiplexer kept = await RedisCpuBenchmark.ConnectAsync(server.EndPoint);
        Console.Error.WriteLine($"redis-cpu source: {warmUps} warm-up rounds and {settings.Rounds} rounds of {keys.Length:N0} entries; load {load}");
        Sample overhead = await probe.MeasureAsync(() => Task.CompletedTask);
        for (int round = 0; round < warmUps + settings.Rounds; round++)
        {
            var groups = new List<string>();
            (RedisCpuBenchmark.Case Case, Func<Task<long>> Run)[] Work(RedisCpuBenchmark.Case[] of, int entries, string suffix)
            {
                string rawGroup = $"raw-{round}{suffix}", sourceGroup = $"source-{round}{suffix}";
                groups.Add(rawGroup);
                groups.Add(sourceGroup);
                return
                [
                    (of[0], () => ReadAllAsync(kept.GetDatabase(), stream, rawGroup, entries)),
                    (of[1], () => RunUntilAsync(
                        $"redis://{server.EndPoint}/{stream}?group={sourceGroup}&consumer=c&start=earliest&count={Count}&asyncTimeout={RedisCpuBenchmark.TimeoutMs}&syncTimeout={RedisCpuBenchmark.TimeoutMs}",
                        entries)),
                ];
            }

            (RedisCpuBenchmark.Case Case, Func<Task<long>> Run)[] work = [.. Work(cases, keys.Length, ""), .. small > 0 ? Work(smallCases, small, "-small") : []];
            foreach (string group in groups.Where(g => g.StartsWith("raw-", StringComparison.Ordinal)))
            {
                await database.StreamCreateConsumerGroupAsync(stream, group, "0");
            }

            foreach (int next in RedisCpuBenchmark.Order(work.Length, round))
            {
                (RedisCpuBenchmark.Case which, Func<Task<long>> run) = work[next];
                if (!RedisCpuBenchmark.Runs(which))
                {
                    continue;
                }

                long count = 0;
                Sample sample = (await probe.MeasureAsync(async () => count = await run())).Less(overhead) with { Records = 0 };

                // A smaller case reads whole answers of 512, and the source takes what it read ahead before the
                // stop reaches it: its figures are per entry it took.
                RedisCpuBenchmark.Check(count, which.Records, which.Records == keys.Length ? which.Records : keys.Length, which);
                sample = sample with { Records = count };
                which.Add(sample, round < warmUps);
                Console.Error.WriteLine($"  round {round}, {which.Name}: {sample.Wall:0.000} s, client {sample.ClientCpu * 1e6 / count:0.00} µs/record, server {sample.ServerCpu * 1e6 / count:0.00} µs/record, {sample.Commands} commands");
            }

            foreach (string group in groups)
            {
                await database.StreamDeleteConsumerGroupAsync(stream, group);
            }
        }

        RedisCpuBenchmark.Report(settings, warmUps, started, load, cases, [("pass-through ÷ raw client", source, raw, null)]);
        if (small > 0 && RedisCpuBenchmark.Only is null)
        {
            Slopes.Report(cases, smallCases, [("pass-through ÷ raw client", 1, 0, null)]);
        }
    }

    // The stream the rounds read: one entry per key, its value field the key, added pipelined before the rounds.
    private static async Task AddAllAsync(IDatabase database, string stream, byte[][] keys)
    {
        var adds = new List<Task>(keys.Length);
        foreach (byte[] key in keys)
        {
            adds.Add(database.StreamAddAsync(stream, "value", key));
        }

        await Task.WhenAll(adds);
    }

    // The raw client: read the group's new entries 512 at a time, take each value, acknowledge each read without waiting.
    private static async Task<long> ReadAllAsync(IDatabase database, string stream, string group, int expected)
    {
        var acks = new List<Task>(expected / Count + 1);
        long read = 0, bytes = 0;
        while (read < expected)
        {
            StreamEntry[] entries = await database.StreamReadGroupAsync(stream, group, "c", StreamPosition.NewMessages, Count);
            if (entries.Length == 0)
            {
                throw new InvalidOperationException($"Group {group} read {read} entries of {expected} and found no more.");
            }

            var ids = new RedisValue[entries.Length];
            for (int i = 0; i < entries.Length; i++)
            {
                ids[i] = entries[i].Id;
                bytes += ((ReadOnlyMemory<byte>)entries[i]["value"]).Length;
            }

            acks.Add(database.StreamAcknowledgeAsync(stream, group, ids));
            read += entries.Length;
        }

        await Task.WhenAll(acks);
        return bytes > 0 ? read : 0;
    }

    // The pipeline until its sink has been written every entry, then stopped (its last batch may not commit, as when a
    // job stops).
    private static async Task<long> RunUntilAsync(string source, long records)
    {
        using var stop = new CancellationTokenSource();
        var options = new PipelineRunOptions { BatchInterval = TimeSpan.FromMilliseconds(100) };
        options.SourceUris["Input"] = source;
        options.SinkUris["Output"] = "discard:entries";
        await using var run = new PipelineRun(PassThrough.Definition, options);
        Task written = DiscardSinkFactory.WrittenAsync(records);
        Task running = run.RunAsync(stop.Token);
        await WaitUntilWrittenAsync(written, running, records, source);
        long taken = run.Sources[0].Counters.Records;
        await stop.CancelAsync();
        await running;
        return taken;
    }

    // Waits until the discard sink has been written every entry: one wake-up at the end. (Looking every 1 or 10 ms
    // whether the source had taken them all, as this case did before, woke the timer thread and a pool thread 100 to
    // 1,000 times a second, client CPU of the pass-through's case that the raw client's case does not pay.)
    private static async Task WaitUntilWrittenAsync(Task written, Task running, long records, string source)
    {
        Task first = await Task.WhenAny(written, running).WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        if (first == running)
        {
            await running;
            throw new InvalidOperationException($"The pipeline reading {source} ended before its sink had {records} records.");
        }
    }
}
