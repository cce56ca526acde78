using System.Diagnostics;
using System.Globalization;
using Compiled.Benchmarks.Input;
using Compiled.Benchmarks.Windows;

namespace Compiled.Benchmarks.Profiling;

/// <summary>
/// The windowed benchmarks outside BenchmarkDotNet, with each batch's two halves timed apart: <c>Process</c> (the
/// fused loop over the batch's lines) and <c>CompleteBatch</c> (the batch boundary, where a window slides). Variants
/// run in the same process, one batch each in turn (the order rotating), so a noisy spell hits all of them alike;
/// besides medians it prints the median of per-round ratios. Times are the thread's CPU time
/// (<see cref="ThreadCpuTime"/>), which leaves out the time the thread waited for a core on a loaded machine; the
/// wall-clock total is shown beside them.
/// <code>
/// windows [rounds] [--uniform] [--lengths 10,30] [--variants floor,merged,...] [--quick]
/// events [periods] [--variants event-floor,...] [--quick]
/// </code>
/// </summary>
internal static class WindowSplit
{
    private static readonly double s_ticksToMs = 1000.0 / Stopwatch.Frequency;

    public static int RunSliding(ReadOnlySpan<string> args)
    {
        var options = Options.Parse(args, SlidingVariants.Names, defaultCount: KeyedStream.Batches);
        if (options is null)
        {
            Console.Error.WriteLine($"usage: windows [rounds] [--uniform] [--lengths 10,30] [--variants {string.Join(',', SlidingVariants.Names)}] [--quick]");
            return 2;
        }

        if (!ThreadCpuTime.IsAvailable)
        {
            Console.Error.WriteLine("windows: thread CPU time is measured on Linux only.");
            return 2;
        }

        KeyedStream input = KeyedStream.Of(options.Uniform ? KeyDistribution.Uniform : KeyDistribution.Zipf);
        Console.WriteLine($"// Input: {input}");
        var runs = new List<(string Name, int Length, SlidingRunner Runner, CountingRecordSink Sink)>();
        foreach (int length in options.Lengths)
        {
            WindowStats stats = input.Stats(length);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"// Window of {length} batches, sliding by 1, per slide on average: {stats.BatchKeys:N0} distinct keys a batch; merge upserts (sum over the window's batches) {stats.MergeUpserts:N0}; incremental updates (entering + leaving) {stats.IncrementalUpdates:N0}; keys in the window {stats.WindowKeys:N0}; keys leaving the window {stats.DroppedKeys:N0}"));
            foreach (string name in options.Variants)
            {
                if (name == "floor" && runs.Exists(run => run.Name == "floor"))
                {
                    continue;   // the floor has no window
                }

                if (!options.Quick)
                {
                    WindowChecks.CheckSliding(name, length, input);
                }

                var sink = new CountingRecordSink();
                runs.Add((name, name == "floor" ? 1 : length, new SlidingRunner(input, SlidingVariants.Create(name, length, sink)), sink));
            }
        }

        // Fill every window twice over, then run until the JIT is quiet.
        int fill = 2 * (options.Lengths.Max() + 1);
        foreach (var run in runs)
        {
            for (int i = 0; i < fill; i++)
            {
                run.Runner.RunBatch();
            }
        }

        JitWarmUp.Run(() =>
        {
            foreach (var run in runs)
            {
                run.Runner.RunBatch();
            }
        });

        WarmTimers();
        int rounds = options.Count;
        var process = new double[runs.Count, rounds];
        var boundary = new double[runs.Count, rounds];
        var wall = new double[runs.Count, rounds];
        var allocated = new long[runs.Count];
        var processAllocated = new long[runs.Count];
        for (int round = 0; round < rounds; round++)
        {
            for (int turn = 0; turn < runs.Count; turn++)
            {
                int i = (turn + round) % runs.Count;
                SlidingRunner runner = runs[i].Runner;
                Sample sample = Time(runner.Process, runner.Complete);
                allocated[i] += sample.Allocated;
                processAllocated[i] += sample.ProcessAllocated;
                process[i, round] = sample.Process;
                boundary[i, round] = sample.Boundary;
                wall[i, round] = sample.Wall;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {rounds} rounds, one batch of each variant per round. Thread CPU time per batch, median (quartiles); ns/record = CPU total / {KeyedStream.RecordsPerBatch:N0}; ratios are medians of per-round ratios of CPU times (quartiles)"));
        Console.WriteLine("| Variant | Window | Process ms | Boundary ms | Total ms | ns/record | Wall total ms | Boundary / merged's | Total / floor's | Total / hand-written-table's | Allocated B/batch (in all) | All threads B/batch (in all) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        int floor = runs.FindIndex(run => run.Name == "floor");
        for (int i = 0; i < runs.Count; i++)
        {
            double[] p = Row(process, i);
            double[] b = Row(boundary, i);
            double[] total = Sum(p, b);
            int merged = runs.FindIndex(run => run.Name == "merged" && run.Length == runs[i].Length);
            string vsMerged = merged < 0 || merged == i ? "" : Ratio(b, Row(boundary, merged));
            string vsFloor = floor < 0 || floor == i ? "" : Ratio(total, Sum(Row(process, floor), Row(boundary, floor)));
            int table = runs.FindIndex(run => run.Name == "hand-written-table" && run.Length == runs[i].Length);
            string vsTable = table < 0 || table == i || runs[i].Name == "floor" ? "" : Ratio(total, Sum(Row(process, table), Row(boundary, table)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {runs[i].Name} | {(runs[i].Name == "floor" ? "-" : runs[i].Length.ToString(CultureInfo.InvariantCulture))} | {Quartiles(p)} | {Quartiles(b)} | {Median(total):F2} | {Median(total) * 1e6 / KeyedStream.RecordsPerBatch:F1} | {Median(Row(wall, i)):F2} | {vsMerged} | {vsFloor} | {vsTable} | {(double)allocated[i] / rounds:N1} ({allocated[i]:N0} in all) | {(double)processAllocated[i] / rounds:N1} ({processAllocated[i]:N0} in all) |"));
        }

        foreach (var run in runs)
        {
            if (run.Sink.TextRecords != 0)
            {
                throw new InvalidOperationException($"{run.Name} wrote text records.");
            }

            run.Runner.Variant.Dispose();
        }

        return 0;
    }

    public static int RunEvents(ReadOnlySpan<string> args)
    {
        var options = Options.Parse(args, EventVariants.Names, defaultCount: 10);
        if (options is null)
        {
            Console.Error.WriteLine($"usage: events [periods] [--variants {string.Join(',', EventVariants.Names)}] [--quick]");
            return 2;
        }

        if (!ThreadCpuTime.IsAvailable)
        {
            Console.Error.WriteLine("events: thread CPU time is measured on Linux only.");
            return 2;
        }

        EventStream input = EventStream.Shared;
        Console.WriteLine($"// Input: {input}");
        var runs = new List<(string Name, EventRunner Runner, CountingRecordSink Sink)>();
        foreach (string name in options.Variants)
        {
            if (!options.Quick)
            {
                WindowChecks.CheckEvents(name, input);
            }

            var sink = new CountingRecordSink();
            runs.Add((name, new EventRunner(input, EventVariants.Create(name, sink)), sink));
        }

        WarmTimers();

        // Three minutes unmeasured: the JIT's tiers, and the tables at their size.
        const int warmPeriods = 3;
        int periods = options.Count;
        int batches = EventStream.BatchesPerPeriod;
        var process = new double[runs.Count, periods * batches];
        var boundary = new double[runs.Count, periods * batches];
        var wall = new double[runs.Count, periods * batches];
        var allocated = new long[runs.Count];
        var processAllocated = new long[runs.Count];
        for (int period = 0; period < warmPeriods + periods; period++)
        {
            input.MoveTo(period);
            for (int turn = 0; turn < runs.Count; turn++)
            {
                int i = (turn + period) % runs.Count;
                EventRunner runner = runs[i].Runner;
                for (int batch = 0; batch < batches; batch++)
                {
                    Sample sample = Time(runner.Process, runner.Complete);
                    if (period >= warmPeriods)
                    {
                        int column = ((period - warmPeriods) * batches) + batch;
                        process[i, column] = sample.Process;
                        boundary[i, column] = sample.Boundary;
                        wall[i, column] = sample.Wall;
                        allocated[i] += sample.Allocated;
                        processAllocated[i] += sample.ProcessAllocated;
                    }
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {periods} minutes of {batches} batches, each variant a minute in turn. Thread CPU time per batch: median (quartiles), the largest boundary of each minute (a window's close; median over minutes), the mean over whole minutes; ns/record = that mean / {EventStream.RecordsPerBatch:N0}; ratios are medians of per-minute ratios of CPU times (quartiles)"));
        Console.WriteLine("| Variant | Process ms | Boundary ms | Largest boundary ms | Mean total ms | ns/record | Wall mean ms | Minute / floor's | Minute / hand-written's | Allocated B/batch (in all) | All threads B/batch (in all) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        int floor = runs.FindIndex(run => run.Name == "event-floor");
        int hand = runs.FindIndex(run => run.Name == "event-hand-written");
        for (int i = 0; i < runs.Count; i++)
        {
            double[] p = Row(process, i);
            double[] b = Row(boundary, i);
            double[] minutes = Minutes(Sum(p, b), batches);
            double[] largest = [.. Enumerable.Range(0, periods).Select(period => b.Skip(period * batches).Take(batches).Max())];
            double mean = minutes.Average() / batches;
            string vsFloor = floor < 0 || floor == i ? "" : Ratio(minutes, Minutes(Sum(Row(process, floor), Row(boundary, floor)), batches));
            string vsHand = hand < 0 || hand == i ? "" : Ratio(minutes, Minutes(Sum(Row(process, hand), Row(boundary, hand)), batches));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {runs[i].Name} | {Quartiles(p)} | {Quartiles(b)} | {Median(largest):F2} | {mean:F2} | {mean * 1e6 / EventStream.RecordsPerBatch:F1} | {Row(wall, i).Average():F2} | {vsFloor} | {vsHand} | {(double)allocated[i] / ((long)periods * batches):N1} ({allocated[i]:N0} in all) | {(double)processAllocated[i] / ((long)periods * batches):N1} ({processAllocated[i]:N0} in all) |"));
        }

        foreach (var run in runs)
        {
            if (run.Sink.TextRecords != 0 || run.Runner.Variant.LateRecords != 0)
            {
                throw new InvalidOperationException($"{run.Name} wrote text records or found late records.");
            }

            run.Runner.Variant.Dispose();
        }

        return 0;
    }

    // The first call of Time allocates 32 B (its clocks' first use), whichever variant it times: make it here.
    private static void WarmTimers() => Time(static () => { }, static () => { });

    // Runs a batch's two halves, timing each in thread CPU time, and the whole in wall-clock time (all in ms). Counts
    // the bytes this thread allocated, and the bytes every thread of the process allocated meanwhile, which is what
    // BenchmarkDotNet's Allocated column counts (GC.GetTotalAllocatedBytes(precise: true) around the iterations): the
    // runtime's own threads (the JIT's background compilation, timers) allocate too, and that lands on whichever
    // variant was running.
    private static Sample Time(Action process, Action complete)
    {
        long processBytes = GC.GetTotalAllocatedBytes(precise: true);
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        long cpuStart = ThreadCpuTime.Nanoseconds();
        process();
        long cpuMiddle = ThreadCpuTime.Nanoseconds();
        complete();
        long cpuEnd = ThreadCpuTime.Nanoseconds();
        long end = Stopwatch.GetTimestamp();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;
        long processAllocated = GC.GetTotalAllocatedBytes(precise: true) - processBytes;
        return new Sample((cpuMiddle - cpuStart) / 1e6, (cpuEnd - cpuMiddle) / 1e6, (end - start) * s_ticksToMs, allocated, processAllocated);
    }

    private static double[] Row(double[,] values, int row) => [.. Enumerable.Range(0, values.GetLength(1)).Select(column => values[row, column])];

    private static double[] Sum(double[] a, double[] b) => [.. a.Select((value, i) => value + b[i])];

    private static double[] Minutes(double[] perBatch, int batches) =>
        [.. Enumerable.Range(0, perBatch.Length / batches).Select(period => perBatch.Skip(period * batches).Take(batches).Sum())];

    private static string Ratio(double[] other, double[] baseline)
    {
        double[] ratios = [.. other.Select((value, i) => value / baseline[i])];
        Array.Sort(ratios);
        return string.Create(CultureInfo.InvariantCulture, $"{Median(ratios):F3} ({ratios[ratios.Length / 4]:F3}–{ratios[(3 * ratios.Length) / 4]:F3})");
    }

    private static string Quartiles(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return string.Create(CultureInfo.InvariantCulture, $"{Median(sorted):F2} ({sorted[sorted.Length / 4]:F2}–{sorted[(3 * sorted.Length) / 4]:F2})");
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private readonly record struct Sample(double Process, double Boundary, double Wall, long Allocated, long ProcessAllocated);

    private sealed class Options
    {
        public int Count { get; private set; }

        public bool Uniform { get; private set; }

        public bool Quick { get; private set; }

        public int[] Lengths { get; private set; } = [10, 30];

        public string[] Variants { get; private set; } = [];

        public static Options? Parse(ReadOnlySpan<string> args, string[] names, int defaultCount)
        {
            var options = new Options { Count = defaultCount, Variants = names };
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--uniform":
                        options.Uniform = true;
                        break;
                    case "--quick":
                        options.Quick = true;
                        break;
                    case "--lengths" when i + 1 < args.Length:
                        options.Lengths = [.. args[++i].Split(',').Select(value => int.Parse(value, CultureInfo.InvariantCulture))];
                        break;
                    case "--variants" when i + 1 < args.Length:
                        options.Variants = args[++i].Split(',');
                        if (options.Variants.Any(name => Array.IndexOf(names, name) < 0))
                        {
                            return null;
                        }

                        break;
                    default:
                        if (!int.TryParse(args[i], CultureInfo.InvariantCulture, out int count) || count < 1)
                        {
                            return null;
                        }

                        options.Count = count;
                        break;
                }
            }

            return options;
        }
    }
}
