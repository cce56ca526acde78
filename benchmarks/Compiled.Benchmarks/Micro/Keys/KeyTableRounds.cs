using System.Diagnostics;
using System.Globalization;
using Compiled.Benchmarks.Profiling;

namespace Compiled.Benchmarks.Micro.Keys;

/// <summary>
/// <c>keytables [rounds]</c>: the benchmarks of <see cref="KeyTableZipfBenchmarks"/> run alternately in one process, one
/// invocation (a whole stream of 4,194,304 words) each per round, in an order that rotates every round, at 1,000,
/// 100,000 and 1,000,000 distinct words, or the comma-separated numbers given after the rounds. Each invocation is timed by the thread's CPU time where the platform has it
/// (<see cref="ThreadCpuTime"/>: a machine loaded past its cores does not count the time the thread waited for one),
/// by the wall clock otherwise. Prints each one's median ns/word, the median of the per-round ratios to the
/// table before this change and to the hand-tuned table, and the bytes allocated by the measured invocations. On a
/// shared machine a ratio of two variants measured side by side, round by round, is steadier than two means measured
/// minutes apart.
/// </summary>
public static class KeyTableRounds
{
    private static readonly string[] s_names =
    [
        "bytes: ByteKeyTable before", "bytes: ByteKeyTable", "bytes: hand-tuned",
        "long: StructKeyTable before", "long: StructKeyTable", "long: hand-tuned",
        "bytes: ByteKeyTable, deferred", "long: StructKeyTable, deferred",
    ];

    /// <summary>Runs the rounds; returns the exit code.</summary>
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        Console.WriteLine($"{"distinct",9} | {"table",-28} | {"ns/word",8} | {"÷ before",8} | {"÷ hand-tuned",12} | {"allocated",9}");
        int[] sizes = args.Length > 1 ? [.. args[1].Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture))] : [1_000, 100_000, 1_000_000];
        foreach (int distinct in sizes)
        {
            var benchmarks = new KeyTableZipfBenchmarks { DistinctKeys = distinct };
            benchmarks.Setup();
            Func<int>[] variants =
            [
                benchmarks.BytesBefore, benchmarks.Bytes, benchmarks.BytesHandTuned,
                benchmarks.StructBefore, benchmarks.Struct, benchmarks.StructHandTuned,
                benchmarks.BytesDeferred, benchmarks.StructDeferred,
            ];

            // Warm every variant up past tiering (the invocations are long: a few are enough).
            for (int warm = 0; warm < 4; warm++)
            {
                foreach (Func<int> variant in variants)
                {
                    variant();
                }
            }

            var times = new double[variants.Length][];
            for (int v = 0; v < variants.Length; v++)
            {
                times[v] = new double[rounds];
            }

            long allocated = 0;
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
                    allocated += GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
                    times[v][round] = elapsed / ZipfWordStream.Words;
                }
            }

            for (int v = 0; v < variants.Length; v++)
            {
                int before = v is < 3 or 6 ? 0 : 3;
                int direct = v == 7 ? 4 : 1;
                int handTuned = before + 2;
                double[] toBefore = [.. Enumerable.Range(0, rounds).Select(r => times[v][r] / times[before][r])];
                double[] toHandTuned = [.. Enumerable.Range(0, rounds).Select(r => times[v][r] / times[handTuned][r])];
                double[] toDirect = [.. Enumerable.Range(0, rounds).Select(r => times[v][r] / times[direct][r])];
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{distinct,9:N0} | {s_names[v],-28} | {Median(times[v]),8:F2} | {Median(toBefore),8:F2} | {Median(toHandTuned),12:F2} | {(v == 0 ? allocated.ToString("N0", CultureInfo.InvariantCulture) + " B" : ""),9}{(v >= 6 ? $" | ÷ looked up at once {Median(toDirect):F2}" : "")}"));
            }
        }

        return 0;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
