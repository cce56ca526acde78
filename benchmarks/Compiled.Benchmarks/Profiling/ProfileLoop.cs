using System.Diagnostics;
using System.Globalization;
using Compiled.Benchmarks.Experiments;
using Compiled.Benchmarks.Input;
using Compiled.Benchmarks.Micro;
using Compiled.Benchmarks.WordCount;

namespace Compiled.Benchmarks.Profiling;

/// <summary>
/// Runs one benchmark method in a plain loop, without BenchmarkDotNet's child processes, so a profiler or the
/// JIT's disassembly (<c>DOTNET_JitDisasm</c>) sees just it:
/// <c>dotnet bin/Release/net10.0/Compiled.Benchmarks.dll profile compiled 20</c>.
/// Prints the time and allocation of each batch.
/// </summary>
internal static class ProfileLoop
{
    private static readonly string[] s_names = ["hand-written", "compiled", "guarded", "linq", "frame-hand", "frame-framer", "split-hand", "split-framer", "table", "table-adjacent", "hash", "fused-emitted", "fused-local"];

    public static int Run(ReadOnlySpan<string> args)
    {
        args = TakeQuick(args);
        if (args.Length == 0 || Array.IndexOf(s_names, args[0]) < 0)
        {
            Console.Error.WriteLine($"usage: profile <{string.Join('|', s_names)}> [batches] [--quick]");
            return 2;
        }

        int batches = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        Func<long> operation = Create(args[0], out Action cleanup);
        Corpus corpus = Corpus.Shared;
        Console.WriteLine($"// Corpus: {corpus}");
        for (int batch = 0; batch < batches; batch++)
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            long result = operation();
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{args[0]} #{batch}: {elapsed.TotalMilliseconds,8:F2} ms, {corpus.Bytes.Length / 1e6 / elapsed.TotalSeconds,7:F1} MB/s, {allocated,12:N0} B allocated (result {result})"));
        }

        cleanup();
        return 0;
    }

    /// <summary>
    /// Runs two benchmark methods alternately, <paramref name="args"/> = a, b, rounds, and prints the median
    /// time of each and the median of the per-round ratios b / a. On a shared, noisy machine a ratio of two
    /// runs taken a few milliseconds apart is steadier than one of two runs taken minutes apart.
    /// </summary>
    public static int Compare(ReadOnlySpan<string> args)
    {
        args = TakeQuick(args);
        if (args.Length < 2 || Array.IndexOf(s_names, args[0]) < 0 || Array.IndexOf(s_names, args[1]) < 0)
        {
            Console.Error.WriteLine($"usage: compare <baseline> <other> [rounds] [--quick], each one of {string.Join('|', s_names)}");
            return 2;
        }

        int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 30;
        Func<long> baseline = Create(args[0], out Action cleanupBaseline);
        Func<long> other = Create(args[1], out Action cleanupOther);
        Corpus corpus = Corpus.Shared;
        Console.WriteLine($"// Corpus: {corpus}");

        // Two rounds unmeasured: the tables reach their full size.
        baseline();
        other();
        baseline();
        other();
        var baselineMs = new double[rounds];
        var otherMs = new double[rounds];
        var ratios = new double[rounds];
        long allocated = 0;
        for (int round = 0; round < rounds; round++)
        {
            // Alternate which goes first, so neither always runs right after the other's cache footprint.
            bool baselineFirst = round % 2 == 0;
            double first = Time(baselineFirst ? baseline : other, ref allocated);
            double second = Time(baselineFirst ? other : baseline, ref allocated);
            baselineMs[round] = baselineFirst ? first : second;
            otherMs[round] = baselineFirst ? second : first;
            ratios[round] = otherMs[round] / baselineMs[round];
        }

        double baselineMedian = Median(baselineMs);
        double otherMedian = Median(otherMs);
        Array.Sort(ratios);
        Console.WriteLine(Describe(args[0], baselineMedian, corpus));
        Console.WriteLine(Describe(args[1], otherMedian, corpus));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{args[1]} / {args[0]}, per round: median {Median(ratios):F3}, quartiles {ratios[rounds / 4]:F3} .. {ratios[(3 * rounds) / 4]:F3}, over {rounds} rounds; {allocated:N0} B allocated in all"));
        cleanupBaseline();
        cleanupOther();
        return 0;
    }

    // "name: median 12.34 ms (567.8 MB/s, 21.5 ns/line)"; key-table variants count words, the others lines.
    private static string Describe(string name, double medianMs, Corpus corpus)
    {
        bool words = name is "table" or "table-adjacent" or "hash";
        double perRecord = medianMs * 1e6 / (words ? corpus.Words : corpus.Lines);
        return string.Create(CultureInfo.InvariantCulture,
            $"{name}: median {medianMs:F2} ms ({corpus.Bytes.Length / 1e3 / medianMs:F1} MB/s, {perRecord:F1} ns/{(words ? "word" : "line")})");
    }

    private static ReadOnlySpan<string> TakeQuick(ReadOnlySpan<string> args)
    {
        if (args.Length > 0 && args[^1] == "--quick")
        {
            JitWarmUp.Quick = true;
            return args[..^1];
        }

        return args;
    }

    private static double Time(Func<long> operation, ref long allocated)
    {
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        operation();
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        allocated += GC.GetAllocatedBytesForCurrentThread() - bytes;
        return ms;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static WordCountBenchmarks? s_wordCount;
    private static KeyTableBenchmarks? s_keyTable;
    private static FramingBenchmarks? s_framing;
    private static FusedLoopExperiments? s_experiments;

    // One instance per class, set up once, shared by both sides of a comparison.
    private static Func<long> Create(string name, out Action cleanup)
    {
        cleanup = static () => { };
        switch (name)
        {
            case "hand-written":
            case "compiled":
            case "guarded":
            case "linq":
            {
                bool first = s_wordCount is null;
                WordCountBenchmarks benchmarks = s_wordCount ??= new WordCountBenchmarks();
                if (first)
                {
                    benchmarks.Setup();
                    cleanup = benchmarks.Cleanup;
                }

                return name switch
                {
                    "hand-written" => benchmarks.RuntimeTableLoop,
                    "compiled" => benchmarks.Compiled,
                    "guarded" => benchmarks.Guarded,
                    _ => benchmarks.Linq,
                };
            }

            case "table":
            case "table-adjacent":
            case "hash":
            {
                bool first = s_keyTable is null;
                KeyTableBenchmarks benchmarks = s_keyTable ??= new KeyTableBenchmarks();
                if (first)
                {
                    benchmarks.Setup();
                }

                return name switch
                {
                    "table" => benchmarks.Lookup,
                    "table-adjacent" => benchmarks.AdjacentLookup,
                    _ => () => benchmarks.Hash(),
                };
            }

            case "fused-emitted":
            case "fused-local":
            {
                bool first = s_experiments is null;
                FusedLoopExperiments benchmarks = s_experiments ??= new FusedLoopExperiments();
                if (first)
                {
                    benchmarks.Setup();
                    cleanup = benchmarks.Cleanup;
                }

                return name switch
                {
                    "fused-emitted" => () => benchmarks.AsEmitted(),
                    _ => () => benchmarks.LocalTable(),
                };
            }

            default:
            {
                bool first = s_framing is null;
                FramingBenchmarks benchmarks = s_framing ??= new FramingBenchmarks();
                if (first)
                {
                    benchmarks.Setup();
                    cleanup = benchmarks.Cleanup;
                }

                return name switch
                {
                    "frame-hand" => benchmarks.HandWrittenLines,
                    "frame-framer" => benchmarks.LineFramerLines,
                    "split-hand" => benchmarks.HandWrittenWords,
                    _ => benchmarks.LineFramerWords,
                };
            }
        }
    }
}
