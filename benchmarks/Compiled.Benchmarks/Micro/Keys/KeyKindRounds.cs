using System.Diagnostics;
using System.Globalization;
using Compiled.Benchmarks.Profiling;

namespace Compiled.Benchmarks.Micro.Keys;

/// <summary>
/// <c>keykinds [rounds]</c>: the variants of <see cref="KeyKindBenchmarks"/> run alternately in one process, one
/// invocation (a million trades) each per round, in an order that rotates every round. Each invocation is timed by the
/// thread's CPU time where the platform has it (<see cref="ThreadCpuTime"/>), by the wall clock otherwise. Prints each
/// one's median ns/record, the median of its per-round ratios to the byte-span keys, and the bytes it allocated per
/// record. On a machine loaded past its cores these paired ratios are steadier than BenchmarkDotNet's means.
/// </summary>
public static class KeyKindRounds
{
    private static readonly string[] s_names =
    [
        "byte-span keys (ByteKeyTable)", "string keys (StructKeyTable)", "string keys, shared generic code", "string keys (Dictionary)",
        "string keys, decoded per record", "struct key (8-byte packed)",
    ];

    /// <summary>Runs the rounds; returns the exit code.</summary>
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 21;
        var benchmarks = new KeyKindBenchmarks();
        benchmarks.Setup();
        Func<long>[] variants =
        [
            benchmarks.ByteKeys, benchmarks.StringKeys, benchmarks.StringKeysShared, benchmarks.StringKeysDictionary, benchmarks.StringKeysDecoded, benchmarks.StructKeys,
        ];

        // Warm every variant up past tiering.
        for (int warm = 0; warm < 6; warm++)
        {
            foreach (Func<long> variant in variants)
            {
                variant();
            }
        }

        var times = new double[variants.Length][];
        var allocated = new long[variants.Length];
        for (int v = 0; v < variants.Length; v++)
        {
            times[v] = new double[rounds];
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < variants.Length; k++)
            {
                int v = (k + round) % variants.Length;
                long bytesBefore = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                long cpuStart = ThreadCpuTime.Nanoseconds();
                variants[v]();
                double elapsed = ThreadCpuTime.IsAvailable
                    ? ThreadCpuTime.Nanoseconds() - cpuStart
                    : Stopwatch.GetElapsedTime(start).TotalNanoseconds;
                allocated[v] += GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
                times[v][round] = elapsed / KeyKindBenchmarks.Records;
            }
        }

        Console.WriteLine($"{"keys",-34} | {"ns/record",9} | {"÷ byte-span",11} | {"B/record",8}");
        for (int v = 0; v < variants.Length; v++)
        {
            double[] toBytes = [.. Enumerable.Range(0, rounds).Select(r => times[v][r] / times[0][r])];
            double perRecord = allocated[v] / (double)rounds / KeyKindBenchmarks.Records;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{s_names[v],-34} | {Median(times[v]),9:F2} | {Median(toBytes),11:F2} | {perRecord,8:F1}"));
        }

        return 0;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
