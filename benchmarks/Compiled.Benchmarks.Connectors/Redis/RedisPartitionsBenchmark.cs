using System.Diagnostics;
using System.Globalization;
using Compiled.Hosting;
using Compiled.Tests.Shared.Servers;
using StackExchange.Redis;

namespace Compiled.Benchmarks.Connectors.Redis;

/// <summary>
/// The stateful word count (<see cref="WordCount"/>) over a Redis stream on one partition and on two
/// (<c>Parallelism = 2</c>: one reader takes the entries in batches and deals them to the partitions): the stream's
/// entries (lines of 8 words from 10,000, or of a multiple of 8 with <c>--words</c>) are written once, then each run reads all of them through a group of its own,
/// into a sink that discards its records, batches of 100 ms on the real clock. Wall time and this process's CPU time
/// from the run's start until the batch that took the last entry has committed; the runs on one and two partitions interleaved, their
/// order alternating round by round, after a warm-up run of each.
/// </summary>
internal static class RedisPartitionsBenchmark
{
    //   dotnet run -c Release --project benchmarks/Compiled.Benchmarks.Connectors -- redis-partitions [--records N] [--rounds N] [--words 8|64...]
    public static async Task<int> MainAsync(string[] args)
    {
        int records = 300_000, rounds = 3, words = 8;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--records": records = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--words": words = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"Unknown argument '{args[i]}'; give --records N, --rounds N, --words N (a multiple of 8)."); return 2;
            }
        }

        await using RedisServer server = await RedisServer.StartAsync();
        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(server.EndPoint);
        const string stream = "bench:lines";
        var adds = new List<Task>(records);
        // An entry of 8 × k words is k lines of 8 joined.
        int joined = Math.Max(1, words / 8);
        byte[][] lines = Harness.WordLines(records * joined);
        for (int entry = 0; entry < records; entry++)
        {
            byte[] line = lines[entry * joined];
            for (int more = 1; more < joined; more++)
            {
                line = [.. line, (byte)' ', .. lines[(entry * joined) + more]];
            }

            adds.Add(client.GetDatabase().StreamAddAsync(stream, "value", line));
        }

        await Task.WhenAll(adds);
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {File.ReadAllText("/proc/loadavg").Trim()}: {records:N0} entries of {8 * joined} words, {rounds} rounds");
        var times = new Dictionary<int, List<(double Wall, double Cpu)>> { [1] = [], [2] = [] };
        for (int round = -1; round < rounds; round++)
        {
            int[] order = round % 2 == 0 ? [1, 2] : [2, 1];
            foreach (int partitions in order)
            {
                (double wall, double cpu) = await RunAsync(server.EndPoint, stream, $"g{round + 1}-{partitions}", partitions, records);
                Console.Error.WriteLine($"round {round + 1}{(round < 0 ? " (warm-up)" : "")}, {partitions} partition(s): {wall:F3} s wall, {cpu:F3} s CPU");
                if (round >= 0)
                {
                    times[partitions].Add((wall, cpu));
                }
            }
        }

        Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| partitions | wall (rounds) | wall median | CPU (rounds) | CPU median |");
        Console.WriteLine("|---:|---|---:|---|---:|");
        foreach ((int partitions, List<(double Wall, double Cpu)> runs) in times)
        {
            Console.WriteLine($"| {partitions} | {string.Join(" / ", runs.Select(static r => r.Wall.ToString("F2", CultureInfo.InvariantCulture)))} | {Median(runs.Select(static r => r.Wall)):F3} s | " +
                $"{string.Join(" / ", runs.Select(static r => r.Cpu.ToString("F2", CultureInfo.InvariantCulture)))} | {Median(runs.Select(static r => r.Cpu)):F3} s |");
        }

        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    // One run through a new group until its source has counted every entry: wall and this process's CPU seconds.
    private static async Task<(double Wall, double Cpu)> RunAsync(string endPoint, string stream, string group, int partitions, int records)
    {
        using var stop = new CancellationTokenSource();
        var options = new PipelineRunOptions { BatchInterval = TimeSpan.FromMilliseconds(100), Parallelism = partitions };
        options.SourceUris["Input"] = $"redis://{endPoint}/{stream}?group={group}&consumer=c&start=earliest&count=512";
        options.SinkUris["Output"] = "discard:counts";
        await using var run = new PipelineRun(WordCount.Definition, options);
        using Process self = Process.GetCurrentProcess();
        self.Refresh();
        TimeSpan cpu = self.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        // The end is the commit of the batch that took the last entry, on one partition as on two (whose counters join
        // the source's at each boundary).
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        run.BatchCommitted += _ =>
        {
            if (run.Sources[0].Counters.Records >= records)
            {
                done.TrySetResult();
            }
        };
        Task running = run.RunAsync(stop.Token);
        if (await Task.WhenAny(done.Task, running) == running)
        {
            await running;
            throw new InvalidOperationException($"The run on {partitions} partition(s) ended before it read {records} entries.");
        }

        double seconds = wall.Elapsed.TotalSeconds;
        self.Refresh();
        double used = (self.TotalProcessorTime - cpu).TotalSeconds;
        await stop.CancelAsync();
        await running;
        return (seconds, used);
    }
}
