using System.Diagnostics;
using System.Globalization;
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
    private static readonly string[] s_names = ["hand-written", "compiled", "linq", "frame-hand", "frame-framer", "split-hand", "split-framer", "table", "hash"];

    public static int Run(ReadOnlySpan<string> args)
    {
        if (args.Length == 0 || Array.IndexOf(s_names, args[0]) < 0)
        {
            Console.Error.WriteLine($"usage: profile <{string.Join('|', s_names)}> [batches]");
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

    private static Func<long> Create(string name, out Action cleanup)
    {
        cleanup = static () => { };
        switch (name)
        {
            case "hand-written":
            case "compiled":
            case "linq":
            {
                var benchmarks = new WordCountBenchmarks();
                benchmarks.Setup();
                cleanup = benchmarks.Cleanup;
                return name switch
                {
                    "hand-written" => benchmarks.HandWritten,
                    "compiled" => benchmarks.Compiled,
                    _ => benchmarks.Linq,
                };
            }

            case "table":
            case "hash":
            {
                var benchmarks = new KeyTableBenchmarks();
                benchmarks.Setup();
                return name == "table" ? benchmarks.Lookup : () => benchmarks.Hash();
            }

            default:
            {
                var benchmarks = new FramingBenchmarks();
                benchmarks.Setup();
                cleanup = benchmarks.Cleanup;
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
