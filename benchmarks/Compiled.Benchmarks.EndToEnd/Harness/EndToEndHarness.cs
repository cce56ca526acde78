using System.Globalization;
using System.Runtime.InteropServices;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// One way of running a job as a process: a name, the program, and its arguments for an input and an output directory;
/// and, for a job too slow for the whole input, its own input (a prefix of the same data) and answer.
/// </summary>
internal sealed record Job(string Name, string FileName, Func<string, string, IReadOnlyList<string>> Arguments, JobInput? Input = null);

/// <summary>An input of a job's own (a smaller prefix of the harness's input) and the answer its output is checked against.</summary>
internal sealed record JobInput(string Path, IExpectedOutput Expected);

/// <summary>The answer every run of a job is checked against.</summary>
internal interface IExpectedOutput
{
    /// <summary>What the input holds, for the report (e.g. its distinct words).</summary>
    string Describe();

    /// <summary>Why the output in <paramref name="directory"/> differs from the answer, or <see langword="null"/> if it is the answer.</summary>
    string? Difference(string directory);

    /// <summary>The records the input holds and what they are (e.g. "words", "bids"), for events/s; <see langword="null"/> if unknown.</summary>
    (long Count, string Unit)? Events => null;
}

/// <summary>
/// Runs each job as a whole process on the same input file, in interleaved rounds (the order rotates every round, so
/// no job always runs first or after the same neighbour), after one unmeasured round; checks every run's output
/// against the expected answer before its time counts; and prints one table: the median time, MB/s, events/s (the
/// input's records, see <see cref="IExpectedOutput.Events"/>), the median of the per-round ratios to the first job (the
/// baseline), the same for CPU time, CPU% (CPU time ÷ wall time: 200% is both cores of two busy), the peak resident set,
/// and the garbage collections, gen0/gen1/gen2, of the median run (where the job reports them, see <see cref="GcCounts"/>).
/// A job with an input of its own (a prefix) is compared per byte: its ratios are of time per MB. Then, for each job
/// with an input of its own, how many times the time per MB of each job named "Compiled ..." its own takes.
/// </summary>
internal sealed class EndToEndHarness(IReadOnlyList<Job> jobs, string inputPath, IExpectedOutput expected, string workDirectory, int rounds)
{

    /// <summary>Runs the rounds and prints the table; returns 1 (after saying why) if a job failed or wrote a wrong answer.</summary>
    public int Run(TextWriter report)
    {
        long inputBytes = new FileInfo(inputPath).Length;
        long[] bytes = [.. jobs.Select(job => job.Input is null ? inputBytes : new FileInfo(job.Input.Path).Length)];
        report.WriteLine($"date (UTC): {DateTime.UtcNow:yyyy-MM-dd HH:mm}");
        report.WriteLine($"machine: {CpuModel()}, {Environment.ProcessorCount} cores; {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}");
        report.WriteLine($"load average before: {LoadAverage()}");
        report.WriteLine($"input: {inputPath}, {inputBytes / 1e6:F1} MB, {expected.Describe()}");
        foreach (JobInput prefix in jobs.Select(job => job.Input).OfType<JobInput>().DistinctBy(input => input.Path))
        {
            string names = string.Join(", ", jobs.Where(job => job.Input?.Path == prefix.Path).Select(job => job.Name));
            report.WriteLine($"input of {names}: {prefix.Path}, {new FileInfo(prefix.Path).Length / 1e6:F1} MB (a prefix of the same data), {prefix.Expected.Describe()}");
        }

        report.WriteLine($"rounds: 1 unmeasured + {rounds} measured, interleaved; every output checked against the expected answer");
        report.WriteLine();

        var times = new double[jobs.Count][];
        var cpu = new double[jobs.Count][];
        var peaks = new long[jobs.Count];
        var collections = new GcCounts?[jobs.Count][];
        for (int j = 0; j < jobs.Count; j++)
        {
            times[j] = new double[rounds];
            cpu[j] = new double[rounds];
            collections[j] = new GcCounts?[rounds];
        }

        // Every job reports its garbage collections at exit; one run by dotnet loads this assembly as a startup hook too
        // (the harness runs under the JIT, from this assembly's file).
        var environment = new Dictionary<string, string> { [GcCounts.Variable] = "1" };
        string hook = Path.Combine(AppContext.BaseDirectory, typeof(EndToEndHarness).Assembly.GetName().Name + ".dll");
        var dotnetEnvironment = File.Exists(hook) ? new Dictionary<string, string>(environment) { ["DOTNET_STARTUP_HOOKS"] = hook } : environment;

        for (int round = -1; round < rounds; round++)
        {
            for (int k = 0; k < jobs.Count; k++)
            {
                int j = (k + Math.Max(round, 0)) % jobs.Count;
                Job job = jobs[j];
                string output = Path.Combine(workDirectory, "out-" + j.ToString(CultureInfo.InvariantCulture));
                if (Directory.Exists(output))
                {
                    Directory.Delete(output, recursive: true);
                }

                Directory.CreateDirectory(output);
                IReadOnlyList<string> arguments = job.Arguments(job.Input?.Path ?? inputPath, output);
                ProcessMeasure measure = job.FileName == "dotnet"
                    ? MeasuredProcess.Run(job.FileName, GcCounts.AllowingStartupHook(arguments, workDirectory), dotnetEnvironment)
                    : MeasuredProcess.Run(job.FileName, arguments, environment);
                if (measure.ExitCode != 0)
                {
                    report.WriteLine($"{job.Name} exited with {measure.ExitCode}; the end of its standard error:\n{measure.ErrorTail}");
                    return 1;
                }

                string? wrong = (job.Input?.Expected ?? expected).Difference(output);
                if (wrong is not null)
                {
                    report.WriteLine($"{job.Name} wrote a wrong answer, so none of its times counts: {wrong}. Its output is in {output}.");
                    return 1;
                }

                Directory.Delete(output, recursive: true);
                string label = round < 0 ? "warm-up" : $"round {round + 1}";
                Console.Error.WriteLine($"{label}: {job.Name,-36} {measure.Elapsed.TotalSeconds,7:F3} s, CPU {measure.CpuTime.TotalSeconds,7:F3} s, peak RSS {measure.PeakRssBytes / 1048576.0,6:F0} MiB, output checked");
                if (round >= 0)
                {
                    times[j][round] = measure.Elapsed.TotalSeconds;
                    cpu[j][round] = measure.CpuTime.TotalSeconds;
                    peaks[j] = Math.Max(peaks[j], measure.PeakRssBytes);
                    collections[j][round] = measure.Collections;
                }
            }
        }

        report.WriteLine($"load average after: {LoadAverage()}");
        report.WriteLine();
        string unit = (expected.Events?.Unit ?? "records") + "/s";
        report.WriteLine($"| job | input | median time | min time | MB/s | {unit} | × {jobs[0].Name} | median CPU time | CPU% | × {jobs[0].Name}, CPU | peak RSS | GCs gen0/1/2 |");
        report.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int j = 0; j < jobs.Count; j++)
        {
            double median = Median(times[j]);
            (long Count, string Unit)? events = (jobs[j].Input?.Expected ?? expected).Events;
            string perSecond = events is { } e ? string.Create(CultureInfo.InvariantCulture, $"{e.Count / median / 1e6:F2} M") : "n/a";
            report.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {jobs[j].Name} | {bytes[j] / 1e6:F0} MB | {median:F3} s | {times[j].Min():F3} s | {bytes[j] / 1e6 / median:F0} | {perSecond} | {PerByteRatio(times, j, 0):F2} | {Median(cpu[j]):F3} s | {Median([.. Enumerable.Range(0, rounds).Select(r => cpu[j][r] / times[j][r])]) * 100:F0}% | {PerByteRatio(cpu, j, 0):F2} | {peaks[j] / 1048576.0:F0} MiB | {Collections(times[j], collections[j])} |"));
        }

        report.WriteLine();
        report.WriteLine($"Ratios are medians of the per-round ratios to the first job, of time per MB of input where the inputs differ. {unit}: the input's {expected.Events?.Unit ?? "records"} ÷ the median time. " +
            "CPU time is user + system time of the whole process (every thread); CPU% is the median of CPU time ÷ wall time (200% = two cores busy). " +
            "GCs: the garbage collections of the median-time run (GC.CollectionCount at exit); n/a for a Native AOT build of a compiled sample, which runs no startup hook to report them.");

        // The jobs on a prefix (the peers) against each compiled job: how many times its time per MB theirs takes.
        int[] compiled = [.. Enumerable.Range(0, jobs.Count).Where(j => jobs[j].Name.StartsWith("Compiled", StringComparison.Ordinal))];
        int[] prefixed = [.. Enumerable.Range(0, jobs.Count).Where(j => jobs[j].Input is not null)];
        if (compiled.Length > 0 && prefixed.Length > 0)
        {
            report.WriteLine();
            report.WriteLine("| job | " + string.Join(" | ", compiled.Select(c => $"× {jobs[c].Name}, wall | CPU")) + " |");
            report.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|---:|", compiled.Length)));
            foreach (int j in prefixed)
            {
                report.WriteLine($"| {jobs[j].Name} | " + string.Join(" | ", compiled.Select(c => string.Create(CultureInfo.InvariantCulture,
                    $"{PerByteRatio(times, j, c):F1} | {PerByteRatio(cpu, j, c):F1}"))) + " |");
            }

            report.WriteLine();
            report.WriteLine("Each: the median of the per-round ratios of time per MB of input, wall and CPU, of the row's job to the column's.");
        }

        return 0;
    }

    // The median over the rounds of job j's time per byte ÷ job k's (both measured in the same round).
    private double PerByteRatio(double[][] measured, int j, int k)
    {
        double scale = (double)Bytes(k) / Bytes(j);
        return Median([.. Enumerable.Range(0, rounds).Select(r => measured[j][r] / measured[k][r] * scale)]);
    }

    // The garbage collections of the run whose time is the median (the lower middle one of an even number of rounds).
    private static string Collections(double[] times, GcCounts?[] collections)
    {
        int middle = Enumerable.Range(0, times.Length).OrderBy(r => times[r]).ElementAt((times.Length - 1) / 2);
        return collections[middle] is { } gc ? $"{gc.Gen0}/{gc.Gen1}/{gc.Gen2}" : "n/a";
    }

    private long Bytes(int j) => new FileInfo(jobs[j].Input?.Path ?? inputPath).Length;

    private static double Median(double[] values)
    {
        double[] sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string CpuModel()
    {
        if (File.Exists("/proc/cpuinfo"))
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                return line[(line.IndexOf(':') + 1)..].Trim();
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
