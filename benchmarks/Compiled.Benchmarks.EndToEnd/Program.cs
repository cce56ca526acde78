using System.Globalization;
using Compiled.Benchmarks.EndToEnd.HandWritten;
using Compiled.Benchmarks.EndToEnd.Harness;
using Compiled.Benchmarks.EndToEnd.Input;

// The end-to-end yardstick. Commands:
//   generate [--cache DIR] [--mib N]            writes the Zipf text once (and its expected counts); prints its path
//   hand-wordcount INPUT OUTPUT [--threads N]   the hand-written word count: INPUT's words counted into the file OUTPUT
//   hand-hottest BIDS OUTPUT [--threads N]      the hand-written Q5-style job: each window's hottest auctions of BIDS into OUTPUT
//   run --hand-jit DLL [--hand-aot EXE] [--compiled-jit DLL] [--compiled-aot EXE] [--partitions N] [--peers DLL [--peer-mib N]] [--rounds N] [--cache DIR] [--mib N] [--work DIR]
//                                               runs each job as a process, interleaved, checks outputs, prints the table;
//                                               --peers: also the LINQ, Rx, Dataflow and Akka.Streams jobs of that
//                                               Compiled.Benchmarks.Peers.dll, on the first N MiB of the text (default 64; 0: none)
//   run-hottest --bids FILE --hand-jit DLL [--hand-aot EXE] [--compiled-jit DLL] [--compiled-aot EXE] [--batch-interval T[,T...]] [--partitions N] [--max-batch-bytes SIZE] [--peers DLL [--peer-mib N]] [--trill DLL] [--rounds N] [--work DIR]
//                                               the same for the Q5-style job against samples/Nexmark's q5 on a bid file
//                                               (the peers on the file's lines within its first N MiB, default 64)
//   tcp hand HOST:PORT OUTPUT | tcp run --hand-jit DLL [--hand-aot EXE] [--compiled-jit DLL] [--compiled-aot EXE] [--partitions N] [--file no] [--rounds N] ...
//                                               the word count over loopback TCP (Harness/TcpWordCountCommand.cs)
//   (run and run-hottest: --hand-threads N, or --partitions N, adds the hand-written job on N threads)
//   hand-nexmark ..., run-nexmark ...           Nexmark Q1 and Q2 likewise (Harness/NexmarkCommand.cs)
// run.sh beside this file builds and publishes everything and calls "run" with the paths.
string command = args.Length > 0 ? args[0] : "";
var options = new Dictionary<string, string>(StringComparer.Ordinal);
var positional = new List<string>();
for (int i = 1; i < args.Length; i++)
{
    if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
    {
        options[args[i]] = args[++i];
    }
    else
    {
        positional.Add(args[i]);
    }
}

string cache = options.GetValueOrDefault("--cache") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "compiled-benchmarks");
long bytes = options.TryGetValue("--mib", out string? mib) ? long.Parse(mib, CultureInfo.InvariantCulture) << 20 : ZipfText.DefaultBytes;
switch (command)
{
    case "generate":
        Console.WriteLine(ZipfText.Ensure(cache, bytes));
        return 0;

    case "hand-wordcount" when positional.Count == 2:
        HandWordCount.Run(positional[0], positional[1], LineRanges.Threads(options));
        return 0;

    case "hand-hottest" when positional.Count == 2:
        HandHottest.Run(positional[0], positional[1], LineRanges.Threads(options));
        return 0;

    case "tcp":
        return TcpWordCountCommand.Run(positional, options, cache, bytes);

    case "run-hottest" when options.ContainsKey("--hand-jit") && options.ContainsKey("--bids"):
    {
        string bids = options["--bids"];
        int windowRounds = options.TryGetValue("--rounds", out string? given) ? int.Parse(given, CultureInfo.InvariantCulture) : 5;
        string scratch = options.GetValueOrDefault("--work") ?? Path.Combine(Path.GetTempPath(), "compiled-endtoend-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        // The query's own batch interval (1s) unless told otherwise (several, comma-separated, run as jobs of their own):
        // windows close at batch boundaries, so it sets how many are open at once.
        string intervals = options.GetValueOrDefault("--batch-interval") ?? "1s";
        Directory.CreateDirectory(scratch);
        try
        {
            var jobs = new List<Job> { new("hand-written, JIT", "dotnet", (i, o) => [options["--hand-jit"], "hand-hottest", i, Path.Combine(o, "hottest.txt")]) };
            if (options.TryGetValue("--hand-aot", out string? handAot))
            {
                jobs.Add(new("hand-written, AOT", handAot, (i, o) => ["hand-hottest", i, Path.Combine(o, "hottest.txt")]));
            }

            jobs.AddRange(HandThreadJobs.For(options, (i, o) => ["hand-hottest", i, Path.Combine(o, "hottest.txt")]));

            // On one partition and, with --partitions N, on N; with --max-batch-bytes SIZE, batches of at most SIZE.
            List<string> partitionCounts = ["1"];
            if (options.TryGetValue("--partitions", out string? partitionCount) && partitionCount != "1")
            {
                partitionCounts.Add(partitionCount);
            }

            string? maxBatchBytes = options.GetValueOrDefault("--max-batch-bytes");
            foreach (string interval in intervals.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                foreach (string p in partitionCounts)
                {
                    string label = interval + (p == "1" ? "" : $", {p} partitions") + (maxBatchBytes is null ? "" : $", {maxBatchBytes} batches");
                    Func<string, string, IReadOnlyList<string>> q5 = (i, o) =>
                    [
                        "q5", "--source", "file://" + i, "--sink", $"file://{o}/hottest?suffix=txt", "--batch-interval", interval, "--parallelism", p,
                        .. maxBatchBytes is null ? Array.Empty<string>() : ["--max-batch-bytes", maxBatchBytes],
                    ];
                    if (options.TryGetValue("--compiled-jit", out string? compiledJit))
                    {
                        jobs.Add(new($"Compiled Q5, JIT, {label}", "dotnet", (i, o) => [compiledJit, .. q5(i, o)]));
                    }

                    if (options.TryGetValue("--compiled-aot", out string? compiledAot))
                    {
                        jobs.Add(new($"Compiled Q5, AOT, {label}", compiledAot, q5));
                    }
                }
            }

            jobs.AddRange(TrillJobs.Hottest(options));   // --trill DLL: Trill's row mode (benchmarks/Compiled.Benchmarks.Trill)

            // --peers DLL: the same job written with the libraries .NET users pick, on the bids of a prefix of the file.
            long peerBytes = options.TryGetValue("--peer-mib", out string? peerMib) ? long.Parse(peerMib, CultureInfo.InvariantCulture) << 20 : 64L << 20;
            if (options.TryGetValue("--peers", out string? peers) && peerBytes > 0)
            {
                JobInput? prefix = null;
                if (peerBytes < new FileInfo(bids).Length)
                {
                    string prefixPath = FilePrefix.Ensure(bids, peerBytes);
                    prefix = new JobInput(prefixPath, new HottestOutput(prefixPath));
                }

                foreach ((string library, string peerCommand) in Peers.Hottest)
                {
                    jobs.Add(new($"{library}, JIT", "dotnet", (i, o) => [peers, peerCommand, i, Path.Combine(o, "hottest.txt")], prefix));
                }
            }

            return new EndToEndHarness(jobs, bids, new HottestOutput(bids), scratch, windowRounds).Run(Console.Out);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    case "run" when options.ContainsKey("--hand-jit"):
        string input = ZipfText.Ensure(cache, bytes);
        int rounds = options.TryGetValue("--rounds", out string? r) ? int.Parse(r, CultureInfo.InvariantCulture) : 5;
        string work = options.GetValueOrDefault("--work") ?? Path.Combine(Path.GetTempPath(), "compiled-endtoend-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        try
        {
            var jobs = new List<Job> { new("hand-written, JIT", "dotnet", (i, o) => [options["--hand-jit"], "hand-wordcount", i, Path.Combine(o, "counts.txt")]) };
            if (options.TryGetValue("--hand-aot", out string? handAot))
            {
                jobs.Add(new("hand-written, AOT", handAot, (i, o) => ["hand-wordcount", i, Path.Combine(o, "counts.txt")]));
            }

            jobs.AddRange(HandThreadJobs.For(options, (i, o) => ["hand-wordcount", i, Path.Combine(o, "counts.txt")]));

            // One batch interval longer than the run, so that the whole file is (almost always) one batch; a run
            // that spans a boundary writes two files, which the check sums. The last batch commits when the file ends.
            // The plain rows run on one partition (--parallelism 1), since the default is one partition per core.
            static IReadOnlyList<string> Compiled(string i, string o) =>
                ["--source", "file://" + i, "--sink", $"file://{o}/counts?suffix=txt", "--batch-interval", "10m"];
            if (options.TryGetValue("--compiled-jit", out string? compiledJit))
            {
                jobs.Add(new("Compiled WordCount, JIT", "dotnet", (i, o) => [compiledJit, .. Compiled(i, o), "--parallelism", "1"]));
            }

            if (options.TryGetValue("--compiled-aot", out string? compiledAot))
            {
                jobs.Add(new("Compiled WordCount, AOT", compiledAot, (i, o) => [.. Compiled(i, o), "--parallelism", "1"]));
            }

            // --partitions N: the compiled jobs once more, each file split into N partitions (--parallelism N).
            if (options.TryGetValue("--partitions", out string? partitions))
            {
                if (compiledJit is not null)
                {
                    jobs.Add(new($"Compiled WordCount, JIT, {partitions} partitions", "dotnet", (i, o) => [compiledJit, .. Compiled(i, o), "--parallelism", partitions]));
                }

                if (compiledAot is not null)
                {
                    jobs.Add(new($"Compiled WordCount, AOT, {partitions} partitions", compiledAot, (i, o) => [.. Compiled(i, o), "--parallelism", partitions]));
                }
            }

            // --peers DLL: the same job written with the libraries .NET users pick, on a prefix of the text (they are slow).
            // --peer-mib 0 leaves them out; a prefix no smaller than the text is the text.
            long peerBytes = options.TryGetValue("--peer-mib", out string? peerMib) ? long.Parse(peerMib, CultureInfo.InvariantCulture) << 20 : 64L << 20;
            if (options.TryGetValue("--peers", out string? peers) && peerBytes > 0)
            {
                string prefixPath = peerBytes < bytes ? ZipfText.Ensure(cache, peerBytes) : input;
                JobInput? prefix = peerBytes < bytes ? new JobInput(prefixPath, new WordCountOutput.Expected(prefixPath)) : null;
                foreach ((string library, string peerCommand) in Peers.WordCount)
                {
                    jobs.Add(new($"{library}, JIT", "dotnet", (i, o) => [peers, peerCommand, i, Path.Combine(o, "counts.txt")], prefix));
                }
            }

            return new EndToEndHarness(jobs, input, new WordCountOutput.Expected(input), work, rounds).Run(Console.Out);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

    case "run-nexmark" or "hand-nexmark":
        return NexmarkCommand.Run(command, options, positional);

    default:
        Console.Error.WriteLine(
            "Usage: generate [--cache DIR] [--mib N] | hand-wordcount INPUT OUTPUT | " +
            "run --hand-jit DLL [--hand-aot EXE] [--compiled-jit DLL] [--compiled-aot EXE] [--partitions N] [--peers DLL [--peer-mib N]] [--rounds N] [--cache DIR] [--mib N] [--work DIR] | " +
            "hand-hottest BIDS OUTPUT | run-hottest --bids FILE --hand-jit DLL [--hand-aot EXE] [--compiled-jit DLL] [--compiled-aot EXE] [--batch-interval T[,T...]] [--partitions N] [--max-batch-bytes SIZE] [--peers DLL [--peer-mib N]] [--rounds N] [--work DIR] | " +
            TcpWordCountCommand.Usage + " | " +
            $"{NexmarkCommand.Usage}. Run benchmarks/Compiled.Benchmarks.EndToEnd/run.sh to build everything and run the harness.");
        return 2;
}
