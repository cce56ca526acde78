using System.Diagnostics;
using System.Globalization;
using Compiled.Benchmarks.Profiling;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled.Benchmarks.Records;

/// <summary>
/// Generated JSON-lines parsing and JsonSerializer (reflection-built and source-generated metadata) over the same bytes in
/// interleaved rounds in one process: <c>dotnet bin/Release/net10.0/Compiled.Benchmarks.dll json [rounds] [rows] [other-order]</c>
/// (<c>other-order</c>: the lines' properties in another order than the record declares them). Each
/// round runs each once, the order rotating, timed by the thread's CPU time and the wall clock; prints the medians as
/// MB/s and ns/line and the median of the per-round ratios to JsonSerializer's. All checksums must agree before a time counts.
/// </summary>
internal static class JsonParseRounds
{
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        int rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        bool otherOrder = args.Length > 2 && args[2] == "other-order";
        byte[] json = JsonQuotes.Generate(rows, otherOrder);
        byte[] symbol = new byte[64];
        var reader = new JsonRecordReader(QuoteEvent.JsonLayout, "Quotes", new SourceCounters());
        using var framer = new LineFramer(FramingOptions.Default, new SourceCounters());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {rows:N0} lines, {json.Length / 1e6:F1} MB, properties in {(otherOrder ? "another" : "declaration")} order; {rounds} rounds; load average {LoadAverage()}"));

        Func<long>[] variants = [() => JsonQuotes.Serializer(json, symbol), () => JsonQuotes.SourceGenerated(json, symbol), () => JsonQuotes.Generated(json, reader, framer)];
        string[] names = ["JsonSerializer.Deserialize<QuoteDto> (reflection metadata)", "JsonSerializer.Deserialize (source-generated metadata)", "generated [Record] parser (framer + TryReadJson)"];
        int count = variants.Length;
        long expected = variants[0]();
        for (int warm = 0; warm < 3; warm++)
        {
            foreach (Func<long> variant in variants)
            {
                if (variant() != expected)
                {
                    Console.Error.WriteLine("The parsers disagree: their checksums differ.");
                    return 1;
                }
            }
        }

        var cpu = new double[count][];
        var wall = new double[count][];
        for (int v = 0; v < count; v++)
        {
            cpu[v] = new double[rounds];
            wall[v] = new double[rounds];
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < count; k++)
            {
                int v = (round + k) % count;
                long cpuStart = ThreadCpuTime.Nanoseconds();
                long start = Stopwatch.GetTimestamp();
                long checksum = variants[v]();
                wall[v][round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                cpu[v][round] = (ThreadCpuTime.Nanoseconds() - cpuStart) / 1e6;
                if (checksum != expected)
                {
                    Console.Error.WriteLine("The parsers disagree: their checksums differ.");
                    return 1;
                }
            }
        }

        Console.WriteLine("| Parser | CPU ms (median) | MB/s (CPU) | ns/line (CPU) | wall ms (median) | CPU time ÷ JsonSerializer's (median of rounds) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        for (int v = 0; v < count; v++)
        {
            double ms = Median(cpu[v]);
            double ratio = Median([.. Enumerable.Range(0, rounds).Select(r => cpu[v][r] / cpu[0][r])]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {names[v]} | {ms:F1} | {json.Length / 1e6 / (ms / 1e3):F0} | {ms * 1e6 / rows:F1} | {Median(wall[v]):F1} | {ratio:F2} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// load average after: {LoadAverage()}"));
        return 0;
    }

    /// <summary>The machine's load averages over 1, 5 and 15 minutes, as /proc/loadavg gives them.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>The median of <paramref name="values"/> (the upper one of an even count).</summary>
    internal static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
