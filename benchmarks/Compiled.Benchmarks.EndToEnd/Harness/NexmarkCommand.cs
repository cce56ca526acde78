using System.Globalization;
using Compiled.Benchmarks.EndToEnd.HandWritten;
using Compiled.Benchmarks.EndToEnd.Input;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// The commands of Nexmark Q1 and Q2 (samples/Nexmark's, on its bid file):
/// <list type="bullet">
/// <item><c>hand-nexmark q1|q2 BIDS OUTPUT-DIRECTORY [--threads N]</c>: the hand-written job (<see cref="HandNexmark"/>);</item>
/// <item><c>run-nexmark --query q1|q2[,...] --bids FILE --hand-jit DLL [...]</c>: for each query, every job as a process in
/// interleaved rounds, each output checked against the answer (<see cref="NexmarkOutput"/>), and one table.</item>
/// </list>
/// </summary>
internal static class NexmarkCommand
{
    /// <summary>The usage line of both commands.</summary>
    public const string Usage =
        "hand-nexmark q1|q2 BIDS OUTPUT-DIRECTORY [--threads N] | " +
        "run-nexmark [--query q1|q2|q1,q2] --bids FILE --hand-jit DLL [--hand-aot EXE] [--hand-threads N] [--compiled-jit DLL] [--compiled-aot EXE] " +
        "[--partitions N] [--batch-interval T] [--peers DLL [--peer-mib N]] [--rounds N] [--work DIR]";

    /// <summary>Runs <paramref name="command"/>; returns the exit code (2, after the usage, if the arguments are wrong).</summary>
    public static int Run(string command, IReadOnlyDictionary<string, string> options, IReadOnlyList<string> positional)
    {
        if (command == "hand-nexmark" && positional.Count == 3)
        {
            HandNexmark.Run(positional[0], positional[1], positional[2], LineRanges.Threads(options));
            return 0;
        }

        if (command != "run-nexmark" || !options.ContainsKey("--bids") || !options.ContainsKey("--hand-jit"))
        {
            Console.Error.WriteLine($"Usage: {Usage}. Run benchmarks/Compiled.Benchmarks.EndToEnd/run.sh nexmark to build everything and run the harness.");
            return 2;
        }

        string work = options.GetValueOrDefault("--work") ?? Path.Combine(Path.GetTempPath(), "compiled-endtoend-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        try
        {
            foreach (string query in (options.GetValueOrDefault("--query") ?? "q1,q2").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Console.Out.WriteLine($"## Nexmark {query.ToUpperInvariant()}");
                Console.Out.WriteLine();
                int exit = RunQuery(query, options, work);
                Console.Out.WriteLine();
                if (exit != 0)
                {
                    return exit;
                }
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // One query's table: the hand-written job (1 and N threads, JIT and AOT), the compiled sample (1 and N partitions,
    // JIT and AOT), and the peers on a prefix of the file.
    private static int RunQuery(string query, IReadOnlyDictionary<string, string> options, string work)
    {
        string bids = options["--bids"];
        int rounds = options.TryGetValue("--rounds", out string? given) ? int.Parse(given, CultureInfo.InvariantCulture) : 5;
        var expected = new NexmarkOutput(query, bids);

        IReadOnlyList<string> Hand(string i, string o) => ["hand-nexmark", query, i, o];
        var jobs = new List<Job> { new("hand-written, JIT", "dotnet", (i, o) => [options["--hand-jit"], .. Hand(i, o)]) };
        if (options.TryGetValue("--hand-aot", out string? handAot))
        {
            jobs.Add(new("hand-written, AOT", handAot, Hand));
        }

        jobs.AddRange(HandThreadJobs.For(options, Hand));

        // The sample's query into its file sink, one batch interval longer than the run unless told otherwise (the last
        // batch commits when the file ends), on one partition and, with --partitions N, on N. Q1 writes its rows as CSV, as
        // the sample does by default (the same bytes as its text; the unchanged columns copied from each bid's line).
        string interval = options.GetValueOrDefault("--batch-interval") ?? "10m";
        string name = query.ToUpperInvariant();
        string format = query == "q1" ? "&format=csv" : "";
        IReadOnlyList<string> Compiled(string i, string o, string partitions) =>
            [query, "--source", "file://" + i, "--sink", $"file://{o}/out?suffix=txt{format}", "--batch-interval", interval, "--parallelism", partitions];
        List<string> partitionCounts = ["1"];
        if (options.TryGetValue("--partitions", out string? partitions) && partitions != "1")
        {
            partitionCounts.Add(partitions);
        }

        foreach (string p in partitionCounts)
        {
            string suffix = p == "1" ? "" : $", {p} partitions";
            if (options.TryGetValue("--compiled-jit", out string? compiledJit))
            {
                jobs.Add(new($"Compiled {name}, JIT{suffix}", "dotnet", (i, o) => [compiledJit, .. Compiled(i, o, p)]));
            }

            if (options.TryGetValue("--compiled-aot", out string? compiledAot))
            {
                jobs.Add(new($"Compiled {name}, AOT{suffix}", compiledAot, (i, o) => Compiled(i, o, p)));
            }
        }

        // --peers DLL: the same query written with the libraries .NET users pick, on the bids of a prefix of the file.
        long peerBytes = options.TryGetValue("--peer-mib", out string? peerMib) ? long.Parse(peerMib, CultureInfo.InvariantCulture) << 20 : 64L << 20;
        if (options.TryGetValue("--peers", out string? peers) && peerBytes > 0)
        {
            JobInput? prefix = null;
            if (peerBytes < new FileInfo(bids).Length)
            {
                string prefixPath = FilePrefix.Ensure(bids, peerBytes);
                prefix = new JobInput(prefixPath, new NexmarkOutput(query, prefixPath));
            }

            foreach ((string library, string peerCommand) in Peers.Nexmark(query))
            {
                jobs.Add(new($"{library}, JIT", "dotnet", (i, o) => [peers, peerCommand, i, Path.Combine(o, "out.txt")], prefix));
            }
        }

        return new EndToEndHarness(jobs, bids, expected, work, rounds).Run(Console.Out);
    }
}
