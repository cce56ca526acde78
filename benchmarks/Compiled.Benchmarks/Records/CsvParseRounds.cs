using System.Diagnostics;
using System.Globalization;
using Compiled.Benchmarks.Profiling;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled.Benchmarks.Records;

/// <summary>
/// Generated CSV parsing and Sep over the same bytes in interleaved rounds in one process:
/// <c>dotnet bin/Release/net10.0/Compiled.Benchmarks.dll csv [rounds] [rows]</c>. Each round runs both once, the order
/// alternating, timed by the thread's CPU time and the wall clock; prints the medians as MB/s and ns/row and the median
/// of the per-round ratios. Both checksums must agree before a time counts.
/// </summary>
internal static class CsvParseRounds
{
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        int rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        byte[] csv = CsvQuotes.Generate(rows);
        byte[] symbol = new byte[64];
        var reader = new CsvRecordReader(Quote.CsvLayout, "Quotes", new SourceCounters());
        using var framer = new LineFramer(FramingOptions.Default, new SourceCounters());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {rows:N0} rows, {csv.Length / 1e6:F1} MB; {rounds} rounds; load average {LoadAverage()}"));

        Func<long>[] variants = [() => CsvQuotes.Sep(csv, symbol), () => CsvQuotes.Generated(csv, reader, framer)];
        string[] names = ["Sep 0.18.0 into the same fields", "generated [Record] parser (framer + TryReadCsv)"];
        long expected = variants[0]();
        for (int warm = 0; warm < 3; warm++)
        {
            foreach (Func<long> variant in variants)
            {
                if (variant() != expected)
                {
                    Console.Error.WriteLine("The two parsers disagree: their checksums differ.");
                    return 1;
                }
            }
        }

        var cpu = new double[2][];
        var wall = new double[2][];
        cpu[0] = new double[rounds];
        cpu[1] = new double[rounds];
        wall[0] = new double[rounds];
        wall[1] = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < 2; k++)
            {
                int v = (round + k) % 2;
                long cpuStart = ThreadCpuTime.Nanoseconds();
                long start = Stopwatch.GetTimestamp();
                long checksum = variants[v]();
                wall[v][round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                cpu[v][round] = (ThreadCpuTime.Nanoseconds() - cpuStart) / 1e6;
                if (checksum != expected)
                {
                    Console.Error.WriteLine("The two parsers disagree: their checksums differ.");
                    return 1;
                }
            }
        }

        Console.WriteLine("| Parser | CPU ms (median) | MB/s (CPU) | ns/row (CPU) | wall ms (median) | CPU time ÷ Sep's (median of rounds) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        for (int v = 0; v < 2; v++)
        {
            double ms = Median(cpu[v]);
            double ratio = Median([.. Enumerable.Range(0, rounds).Select(r => cpu[v][r] / cpu[0][r])]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {names[v]} | {ms:F1} | {csv.Length / 1e6 / (ms / 1e3):F0} | {ms * 1e6 / rows:F1} | {Median(wall[v]):F1} | {ratio:F2} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// load average after: {LoadAverage()}"));
        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
