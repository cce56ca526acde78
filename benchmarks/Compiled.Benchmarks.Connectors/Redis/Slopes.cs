using System.Globalization;
using System.Text;

namespace Compiled.Benchmarks.Connectors.Redis;

/// <summary>
/// A case's cost per record told from its cost per run: each round runs every case with two record counts, N and n;
/// the client CPU per record is the slope (CPU(N) − CPU(n)) ÷ (N − n) of that round, and the cost per run (connecting,
/// opening, starting a job, the JIT's first compilations, buffers growing) is what is left at n, CPU(n) − n × slope.
/// </summary>
/// <remarks>
/// A connector's per-run costs are paid once by a job that runs for hours; its per-record cost is what issue 11's
/// target is about. Both sizes run in the same round, back to back with the baseline's, so load bends them alike; the
/// ratio of slopes is taken round by round.
/// </remarks>
internal static class Slopes
{
    /// <summary>
    /// Prints each case's slope and cost per run, then the ratio of slopes for each row: a case, its baseline and what
    /// to take off the case first, as indexes into <paramref name="cases"/> (the <paramref name="smaller"/> case at the
    /// same index is its second size).
    /// </summary>
    public static void Report(RedisCpuBenchmark.Case[] cases, RedisCpuBenchmark.Case[] smaller, (string Name, int Mine, int Baseline, int? Less)[] rows)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Per record and per run, from the two sizes ({cases[0].Records:N0} and {smaller[0].Records:N0} records) of each round, median (quartiles):");
        text.AppendLine();
        text.AppendLine("| Case | Client CPU µs per record (slope) | Client CPU ms per run (intercept) | Allocated B per record (slope) | Page faults per 1,000 records (slope) |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        for (int c = 0; c < cases.Length; c++)
        {
            double[] slope = Slope(cases[c], smaller[c], s => s.ClientCpu);
            double[] perRun = [.. slope.Select((k, i) => (smaller[c].Samples[i].ClientCpu - (smaller[c].RecordsOf(i) * k)) * 1e3)];
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {cases[c].Name} | {RedisCpuBenchmark.Q([.. slope.Select(k => k * 1e6)])} | {RedisCpuBenchmark.Q(perRun, "0.0")} | {RedisCpuBenchmark.Q(Slope(cases[c], smaller[c], s => s.Allocated), "0")} | {RedisCpuBenchmark.Q([.. Slope(cases[c], smaller[c], s => s.ClientFaults).Select(k => k * 1000)])} |");
        }

        text.AppendLine();
        text.AppendLine("Ratio of the slopes (client CPU per record), round by round, median (quartiles); range:");
        text.AppendLine();
        text.AppendLine("| Ratio | Client CPU per record | Server CPU per record |");
        text.AppendLine("|---|---|---|");
        foreach ((string name, int mine, int baseline, int? less) in rows)
        {
            string Ratio(Func<Sample, double> measure)
            {
                double[] of = Slope(cases[mine], smaller[mine], measure);
                double[] under = Slope(cases[baseline], smaller[baseline], measure);
                double[] off = less is int l ? Slope(cases[l], smaller[l], measure) : new double[of.Length];
                double[] ratios = [.. of.Select((k, i) => (k - off[i]) / under[i])];
                return $"{RedisCpuBenchmark.Q(ratios)}; {ratios.Min():0.00}–{ratios.Max():0.00}";
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Ratio(s => s.ClientCpu)} | {(less is null ? Ratio(s => s.ServerCpu) : "")} |");
        }

        Console.Write(text.ToString());
    }

    // Each round's (measure at N − measure at n) ÷ (N − n).
    private static double[] Slope(RedisCpuBenchmark.Case large, RedisCpuBenchmark.Case small, Func<Sample, double> measure) =>
        [.. Enumerable.Range(0, large.Samples.Count).Select(i =>
            (measure(large.Samples[i]) - measure(small.Samples[i])) / (large.RecordsOf(i) - small.RecordsOf(i)))];
}
