using System.Globalization;
using System.Net;
using Compiled.Benchmarks.EndToEnd.HandWritten;
using Compiled.Benchmarks.EndToEnd.Input;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// The word count over loopback TCP. <c>tcp hand HOST:PORT OUTPUT</c> is the hand-written job
/// (<see cref="HandTcpWordCount"/>); <c>tcp run ...</c> runs the jobs as processes through <see cref="EndToEndHarness"/>,
/// each run reading the Zipf text from a <see cref="TcpFeeder"/> of its own on a fresh loopback port: the hand-written
/// TCP job (JIT and AOT) and samples/WordCount with <c>--source tcp://127.0.0.1:PORT</c> (JIT and AOT), which the
/// feeder stops with SIGTERM once it has read the whole connection; and, for the cost of the socket, the hand-written
/// and compiled AOT jobs on the file itself; with <c>--peers</c>, the LINQ, System.Reactive, TPL Dataflow and
/// Akka.Streams word counts reading a <c>NetworkStream</c> (benchmarks/Compiled.Benchmarks.Peers), on a prefix of the
/// text as in the file's run; with <c>--partitions N</c>, the compiled AOT job once more on N partitions, its one reader
/// dealing blocks of whole lines to them.
/// Every output is checked against the text's counts.
/// </summary>
internal static class TcpWordCountCommand
{
    /// <summary>The usage line of the command.</summary>
    public const string Usage =
        "tcp hand HOST:PORT OUTPUT | tcp run --hand-jit DLL [--hand-aot EXE] [--compiled-jit DLL] [--compiled-aot EXE] [--partitions N] [--file no] [--peers DLL [--peer-mib N]] [--rounds N] [--cache DIR] [--mib N] [--work DIR]";

    /// <summary>Runs <c>tcp hand</c> or <c>tcp run</c>; returns the exit code (2 with the usage for anything else).</summary>
    public static int Run(IReadOnlyList<string> positional, IReadOnlyDictionary<string, string> options, string cache, long bytes)
    {
        if (positional is ["hand", string server, string output])
        {
            HandTcpWordCount.Run(IPEndPoint.Parse(server), output);
            return 0;
        }

        if (positional is ["run"] && options.TryGetValue("--hand-jit", out string? handJit))
        {
            return RunJobs(handJit, options, cache, bytes);
        }

        Console.Error.WriteLine("Usage: " + Usage);
        return 2;
    }

    // The peers' word counts over TCP (benchmarks/Compiled.Benchmarks.Peers), as the table names them and their commands.
    private static readonly (string Library, string Command)[] s_tcpPeers =
    [
        ("LINQ", "linq-tcp-wordcount"),
        ("System.Reactive", "rx-tcp-wordcount"),
        ("TPL Dataflow", "dataflow-tcp-wordcount"),
        ("Akka.Streams", "akka-tcp-wordcount"),
    ];

    private static int RunJobs(string handJit, IReadOnlyDictionary<string, string> options, string cache, long bytes)
    {
        string input = ZipfText.Ensure(cache, bytes);
        int rounds = options.TryGetValue("--rounds", out string? given) ? int.Parse(given, CultureInfo.InvariantCulture) : 5;
        string work = options.GetValueOrDefault("--work") ?? Path.Combine(Path.GetTempPath(), "compiled-endtoend-tcp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        var feeders = new Feeders();
        try
        {
            // Each run's arguments are asked for just before its process starts: that is when its feeder opens, serving the
            // run's input (the text, or a peer's prefix of it).
            var jobs = new List<Job> { new("hand-written TCP, JIT", "dotnet", (i, o) => [handJit, "tcp", "hand", feeders.Next(i).ToString(), Path.Combine(o, "counts.txt")]) };
            options.TryGetValue("--hand-aot", out string? handAot);
            if (handAot is not null)
            {
                jobs.Add(new("hand-written TCP, AOT", handAot, (i, o) => ["tcp", "hand", feeders.Next(i).ToString(), Path.Combine(o, "counts.txt")]));
            }

            // One partition (a socket is one stream, read by one loop), one batch interval longer than the run: the batch in
            // flight when SIGTERM comes is committed at once, as one file (a run that spans a boundary writes two, which
            // the check sums).
            IReadOnlyList<string> Compiled(string i, string o) => CompiledOn(i, o, "1");
            IReadOnlyList<string> CompiledOn(string i, string o, string partitions) =>
                ["--source", $"tcp://{feeders.Next(i)}", "--sink", $"file://{o}/counts?suffix=txt", "--batch-interval", "10m", "--parallelism", partitions];
            options.TryGetValue("--compiled-aot", out string? compiledAot);
            if (options.TryGetValue("--compiled-jit", out string? compiledJit))
            {
                jobs.Add(new("Compiled WordCount TCP, JIT", "dotnet", (i, o) => [compiledJit, .. Compiled(i, o)]));
            }

            if (compiledAot is not null)
            {
                jobs.Add(new("Compiled WordCount TCP, AOT", compiledAot, Compiled));

                // --partitions N: the socket's lines dealt by one reader to N partitions, each counting on a thread of its own.
                if (options.TryGetValue("--partitions", out string? partitions) && partitions != "1")
                {
                    jobs.Add(new($"Compiled WordCount TCP, AOT, {partitions} partitions", compiledAot, (i, o) => CompiledOn(i, o, partitions)));
                }
            }

            // The same jobs on the file, for what the socket costs (--file no leaves them out).
            if (options.GetValueOrDefault("--file") != "no")
            {
                if (handAot is not null)
                {
                    jobs.Add(new("hand-written file, AOT", handAot, (i, o) => ["hand-wordcount", i, Path.Combine(o, "counts.txt")]));
                }

                if (compiledAot is not null)
                {
                    jobs.Add(new("Compiled WordCount file, AOT", compiledAot, (i, o) =>
                        ["--source", "file://" + i, "--sink", $"file://{o}/counts?suffix=txt", "--batch-interval", "10m", "--parallelism", "1"]));
                }
            }

            // --peers DLL: the peers over a NetworkStream, on the first N MiB (default 64; 0: none), served as the text is.
            long peerBytes = options.TryGetValue("--peer-mib", out string? peerMib) ? long.Parse(peerMib, CultureInfo.InvariantCulture) << 20 : 64L << 20;
            if (options.TryGetValue("--peers", out string? peers) && peerBytes > 0)
            {
                JobInput? prefix = null;
                if (peerBytes < bytes)
                {
                    string prefixPath = ZipfText.Ensure(cache, peerBytes);
                    prefix = new JobInput(prefixPath, new WordCountOutput.Expected(prefixPath));
                }

                foreach ((string library, string peerCommand) in s_tcpPeers)
                {
                    jobs.Add(new($"{library} TCP, JIT", "dotnet", (i, o) => [peers, peerCommand, feeders.Next(i).ToString(), Path.Combine(o, "counts.txt")], prefix));
                }
            }

            int code = new EndToEndHarness(jobs, input, new WordCountOutput.Expected(input), work, rounds).Run(Console.Out);
            if (code == 0)
            {
                Console.WriteLine();
                Console.WriteLine("The TCP jobs read the text from a loopback server in the harness's process (sendfile; its CPU is not in the jobs' CPU time). " +
                    "The compiled tcp source is unbounded: once it connects again after the server closed, it has read everything, and the server stops it with SIGTERM, as a user stops a job (exit 0, the batch in flight committed at once); its time includes that stop.");
            }

            return code;
        }
        finally
        {
            string? failure = feeders.Close();
            Directory.Delete(work, recursive: true);
            if (failure is not null)
            {
                Console.Error.WriteLine("The TCP feeder failed: " + failure);
            }
        }
    }

    // The feeder of the run under way: a new one per run, serving that run's input, the last one closed when the next opens.
    private sealed class Feeders
    {
        private TcpFeeder? _current;
        private string? _failure;

        public IPEndPoint Next(string path)
        {
            Close();
            _current = new TcpFeeder(path);
            return _current.EndPoint;
        }

        public string? Close()
        {
            if (_current is { } last)
            {
                last.Dispose();
                _failure ??= last.Failure;
                _current = null;
            }

            return _failure;
        }
    }
}
