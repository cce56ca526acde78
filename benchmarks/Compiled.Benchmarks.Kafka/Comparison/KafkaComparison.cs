using System.Globalization;
using System.Runtime.InteropServices;
using Compiled.Benchmarks.EndToEnd.Harness;
using Compiled.Benchmarks.EndToEnd.Input;

namespace Compiled.Benchmarks.Kafka.Comparison;

/// <summary>
/// The word count of a Kafka topic's lines, compiled (JIT and Native AOT) against Streamiz.Kafka.Net, each job a whole
/// process, in interleaved rounds after one unmeasured round. Before each run the job's consumer group is set to the
/// topic's start (and, for Streamiz, to the end of its repartition topic); a run's time is from its start until its
/// group has committed the end of every topic it reads (<see cref="TopicOffsets"/>, asked every 50 ms), since neither
/// job ends by itself: a Kafka source is unbounded. Then the job is stopped as a user stops it (SIGTERM), and its output
/// is checked against the text's counts before its time counts; a wrong answer or a failed job fails the run.
/// </summary>
internal static partial class KafkaComparison
{
    private const string Usage =
        "compare --bootstrap HOST:PORT --topic T --text FILE [--client 'name=value&...'] [--compiled-jit DLL] [--compiled-aot EXE] [--streamiz DLL] [--batch-interval T] [--rounds N] [--work DIR]";

    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(10);

    /// <summary>Runs the comparison; returns 0, or 1 after saying why a job failed or wrote a wrong answer, or 2 for bad arguments.</summary>
    public static int Run(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }

        if (!options.TryGetValue("--bootstrap", out string? bootstrap) || !options.TryGetValue("--topic", out string? topic) || !options.TryGetValue("--text", out string? text))
        {
            Console.Error.WriteLine("Usage: " + Usage);
            return 2;
        }

        Dictionary<string, string> client = (options.GetValueOrDefault("--client") ?? "")
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length > 1 ? pair[1] : "", StringComparer.Ordinal);
        string query = string.Join('&', client.Select(pair => $"{pair.Key}={pair.Value}"));
        int rounds = options.TryGetValue("--rounds", out string? given) ? int.Parse(given, CultureInfo.InvariantCulture) : 3;
        string work = options.GetValueOrDefault("--work") ?? Path.Combine(Path.GetTempPath(), "compiled-kafka-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        // One group per job, the same every run (reset before it): Streamiz's application id is its group and names its
        // repartition topic (<id>-word-counts-repartition), which must exist beforehand on a broker without the
        // AdminClient's requests (run.sh creates it).
        var jobs = new List<TopicJob>();
        string compiledSource = $"kafka://{bootstrap}/{topic}?group=compiled-word-count&start=earliest" + (query.Length > 0 ? "&" + query : "");
        // The compiled job commits its offsets once a batch is written, so its batch interval is how finely its end is seen.
        string interval = options.GetValueOrDefault("--batch-interval") ?? "1s";
        IReadOnlyList<string> Compiled(string output) => ["--source", compiledSource, "--sink", $"file://{output}/counts?suffix=txt", "--batch-interval", interval];
        if (options.TryGetValue("--compiled-aot", out string? aot))
        {
            jobs.Add(new("Compiled word count, AOT", aot, Compiled, "compiled-word-count", [topic], []));
        }

        if (options.TryGetValue("--compiled-jit", out string? jit))
        {
            jobs.Add(new("Compiled word count, JIT", "dotnet", o => [jit, .. Compiled(o)], "compiled-word-count", [topic], []));
        }

        if (options.TryGetValue("--streamiz", out string? streamiz))
        {
            const string Application = "streamiz-word-count";
            jobs.Add(new("Streamiz.Kafka.Net, JIT", "dotnet",
                o => [streamiz, bootstrap, topic, Application, Path.Combine(o, "counts.txt"), .. client.Select(pair => $"{pair.Key}={pair.Value}")],
                Application, [topic], [Application + "-word-counts-repartition"]));
        }

        if (jobs.Count == 0)
        {
            Console.Error.WriteLine("No job to run: give --compiled-aot, --compiled-jit or --streamiz. Usage: " + Usage);
            return 2;
        }

        using var offsets = new TopicOffsets(bootstrap, client);
        Dictionary<string, long> expected = ZipfText.ReadCounts(text);
        long textBytes = new FileInfo(text).Length;
        long messages = offsets.Messages(topic);
        Console.WriteLine($"date (UTC): {DateTime.UtcNow:yyyy-MM-dd HH:mm}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}");
        Console.WriteLine($"load average before: {LoadAverage()}");
        Console.WriteLine($"input: topic '{topic}' on {bootstrap} ({client.GetValueOrDefault("broker.version.fallback") ?? "broker"}), {messages:N0} messages, the lines of {text} ({textBytes / 1e6:F1} MB), {expected.Count:N0} distinct words");
        Console.WriteLine($"rounds: 1 unmeasured + {rounds} measured, interleaved; every output checked against the text's counts");
        Console.WriteLine();

        var times = jobs.Select(_ => new double[rounds]).ToArray();
        var cpu = jobs.Select(_ => new double[rounds]).ToArray();
        var peaks = new long[jobs.Count];
        Directory.CreateDirectory(work);
        try
        {
            for (int round = -1; round < rounds; round++)
            {
                for (int k = 0; k < jobs.Count; k++)
                {
                    int j = (k + Math.Max(round, 0)) % jobs.Count;
                    TopicJob job = jobs[j];
                    string output = Path.Combine(work, "out-" + j.ToString(CultureInfo.InvariantCulture));
                    if (Directory.Exists(output))
                    {
                        Directory.Delete(output, recursive: true);
                    }

                    Directory.CreateDirectory(output);
                    offsets.Reset(job.Group, job.Topics, job.InternalTopics);
                    TopicJobRun run = TopicJobRun.Run(job, output, () => offsets.CommittedToEnd(job.Group, [.. job.Topics, .. job.InternalTopics]), RunLimit);
                    if (run.Failure is not null)
                    {
                        Console.WriteLine($"{job.Name} failed: {run.Failure}; the end of its standard error:\n{run.ErrorTail}");
                        return 1;
                    }

                    string? wrong = WordCountOutput.Difference(WordCountOutput.Read(output), expected);
                    if (wrong is not null)
                    {
                        Console.WriteLine($"{job.Name} wrote a wrong answer, so none of its times counts: {wrong}. Its output is in {output}.");
                        return 1;
                    }

                    Console.Error.WriteLine($"{(round < 0 ? "warm-up" : $"round {round + 1}")}: {job.Name,-28} {run.Elapsed.TotalSeconds,8:F3} s to the end, CPU {run.CpuTime.TotalSeconds,8:F3} s, stop {run.StopTime.TotalSeconds,6:F2} s, peak RSS {run.PeakRssBytes / 1048576.0,5:F0} MiB, output checked");
                    if (round >= 0)
                    {
                        times[j][round] = run.Elapsed.TotalSeconds;
                        cpu[j][round] = run.CpuTime.TotalSeconds;
                        peaks[j] = Math.Max(peaks[j], run.PeakRssBytes);
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Console.WriteLine($"load average after: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine($"| job | median time | min time | MB/s | messages/s | × {jobs[0].Name} | median CPU time | × {jobs[0].Name}, CPU | peak RSS |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int j = 0; j < jobs.Count; j++)
        {
            double median = Median(times[j]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {jobs[j].Name} | {median:F2} s | {times[j].Min():F2} s | {textBytes / 1e6 / median:F1} | {messages / median:N0} | {Ratio(times, j):F2} | {Median(cpu[j]):F2} s | {Ratio(cpu, j):F2} | {peaks[j] / 1048576.0:F0} MiB |"));
        }

        Console.WriteLine();
        Console.WriteLine("Time: from the process's start until its consumer group had committed the end of the topic (the compiled job commits after each batch " +
            $"is written, every {interval}; Streamiz every commit interval, 1 s), so it includes up to one of those of waiting for the last commit. " +
            "CPU time: user + system of the whole process until it exited after SIGTERM. Ratios: medians of the per-round ratios to the first job.");
        return 0;

        double Ratio(double[][] measured, int j) => Median([.. Enumerable.Range(0, rounds).Select(r => measured[j][r] / measured[0][r])]);
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
