using System.Diagnostics;
using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Redis;
using Compiled.Sinks;
using Compiled.Tests.Shared.Servers;
using StackExchange.Redis;

namespace Compiled.Benchmarks.Connectors.Redis;

/// <summary>
/// What the Redis sink costs over StackExchange.Redis alone, in the measures a loaded machine does not bend: the CPU
/// time (user + system) of this process per record, redis-server's CPU per record (INFO's <c>used_cpu_user</c> and
/// <c>used_cpu_sys</c>), the commands and bytes the server received (INFO's <c>total_commands_processed</c>,
/// <c>total_net_input_bytes</c>), and the server's read system calls (<c>/proc/PID/io</c>: how many pieces the
/// pipelined commands arrived in). Wall-clock time is printed too, and not relied on.
/// </summary>
/// <remarks>
/// Cases, each round in a shuffled order seeded by the round (so that no case always follows the same one: a case that
/// follows one which built and deleted a large hash can find the server still freeing it): the raw client (connecting,
/// every key as a field of one hash, <c>HSET</c>s of 512 fields all sent before any answer is awaited, closing); the
/// raw client on a connection kept open across rounds (the same commands, without connecting);
/// the sink alone (opened, <c>Write(KeyValue&lt;long&gt;)</c> of every key, one commit, disposed: the same commands);
/// the sink alone kept open across rounds, each round a later batch of it (what a running job's sink does each batch);
/// the keyed pass-through file → redis hash; the same pass-through into a sink that discards its records (the
/// pipeline without the connector). Every Redis case checks the hash's length before its figures count; the hash is
/// deleted outside the measure. The first rounds (2 unless <c>--warmups N</c>) warm up (JIT tiers) and are left out.
/// </remarks>
internal static class RedisCpuBenchmark
{
    private const int Chunk = RedisSink.ChunkSize;

    // Under a load of 20 or more on two cores an answer can take longer than the client's default 5 s: the raw client
    // would fail and the sink would send its batch again, so both wait longer (a case that sent its commands twice
    // shows it in its command count).
    internal const int TimeoutMs = 120_000;
    private const string SinkOptions = "type=hash&asyncTimeout=120000&syncTimeout=120000";

    /// <summary>With <c>--only TEXT</c>, only the cases whose name holds it run (a profile of one case); null runs every case.</summary>
    internal static string? Only { get; private set; }

    /// <summary>Whether <paramref name="which"/> runs: every case, unless <c>--only</c> picked some.</summary>
    internal static bool Runs(Case which) => Only is null || which.Name.Contains(Only, StringComparison.Ordinal);

    public static async Task<int> MainAsync(string[] args)
    {
        int records = 500_000, rounds = 12, warmUps = 2, small = 0;
        bool source = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--records": records = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmups": warmUps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--small": small = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--only": Only = args[++i]; break;
                case "source": source = true; break;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'; redis-cpu takes 'source' (the stream source instead of the sink), --records N, --rounds N, --warmups N, --small N (each case also run with N records each round, to tell its cost per record from its cost per run) and --only TEXT (run only the cases whose name holds TEXT, to profile one; no report).");
                    return 2;
            }
        }

        if (small < 0 || small >= records)
        {
            Console.Error.WriteLine($"--small {small} must be between 1 and --records ({records}) less one, or 0 (no second size).");
            return 2;
        }

        string directory = Directory.CreateTempSubdirectory("compiled-redis-cpu-").FullName;
        try
        {
            var settings = new Settings(records, 0, rounds, directory);
            await (source ? RedisSourceCpuBenchmark.RunAsync(settings, warmUps, small) : RunAsync(settings, warmUps, small));
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunAsync(Settings settings, int warmUps, int small)
    {
        string load = File.ReadAllText("/proc/loadavg").Trim();
        DateTime started = DateTime.UtcNow;
        await using RedisServer server = await RedisServer.StartAsync();
        await using ConnectionMultiplexer monitor = await ConnectionMultiplexer.ConnectAsync(server.EndPoint + ",allowAdmin=true");
        IDatabase database = monitor.GetDatabase();
        var probe = new ServerProbe(database);
        await probe.InitializeAsync();
        byte[][] keys = Harness.Keys(settings.Records);
        string keyFile = Harness.WriteFile(settings, "redis-cpu-keys.txt", keys);

        var raw = new Case("raw client: pipelined HSET, 512 fields each", keys.Length);
        var rawOpen = new Case("raw client on a connection kept open: pipelined HSET, 512 fields each", keys.Length);
        var alone = new Case("redis sink alone: Write of every record, one commit", keys.Length);
        var steady = new Case("redis sink alone, a later batch: Write of every record, commit (its buffers from the batch before)", keys.Length);
        var pass = new Case("pass-through: file → redis hash", keys.Length);
        var discard = new Case("pass-through: file → discard (no connector)", keys.Length);
        Case[] cases = [raw, rawOpen, alone, steady, pass, discard];

        // With --small, every case also runs each round with the first `small` keys (the same file's first lines),
        // so that its cost per record (the slope between the two sizes) is told from its cost per run.
        byte[][] smallKeys = keys[..Math.Max(small, 1)];
        string smallFile = small > 0 ? Harness.WriteFile(settings, "redis-cpu-keys-small.txt", smallKeys) : keyFile;
        Case[] smallCases = small > 0 ? [.. cases.Select(c => c.Smaller(small))] : [];
        await using ConnectionMultiplexer kept = await ConnectAsync(server.EndPoint);
        await using var open = new OpenSink($"redis://{server.EndPoint}/bench:cpu:steady?{SinkOptions}", keys);
        await open.OpenAsync();
        await database.KeyDeleteAsync(open.Key);
        Console.Error.WriteLine($"redis-cpu: {warmUps} warm-up rounds and {settings.Rounds} rounds of {keys.Length:N0} records; load {load}");

        // The INFO calls around a case are themselves commands and bytes: measured around nothing, and taken off.
        Sample overhead = await probe.MeasureAsync(() => Task.CompletedTask);
        for (int round = 0; round < warmUps + settings.Rounds; round++)
        {
            string key = $"bench:cpu:{round}";
            (Case Case, Func<Task> Run)[] Work(Case[] of, byte[][] what, string file) =>
            [
                (of[0], async () =>
                {
                    await using ConnectionMultiplexer client = await ConnectAsync(server.EndPoint);
                    await HashSetAllAsync(client, key, what);
                }),
                (of[1], () => HashSetAllAsync(kept, key, what)),
                (of[2], async () => await SinkAloneAsync($"redis://{server.EndPoint}/{key}?{SinkOptions}", what)),
                (of[3], () => open.WriteBatchAsync(what)),
                (of[4], () => Harness.RunBoundedAsync(KeyedPassThrough.Definition, "file://" + file, $"redis://{server.EndPoint}/{key}?{SinkOptions}")),
                (of[5], () => Harness.RunBoundedAsync(KeyedPassThrough.Definition, "file://" + file, "discard:keys")),
            ];
            (Case Case, Func<Task> Run)[] work = [.. Work(cases, keys, keyFile), .. small > 0 ? Work(smallCases, smallKeys, smallFile) : []];
            foreach (int next in Order(work.Length, round))
            {
                (Case which, Func<Task> run) = work[next];
                if (!Runs(which))
                {
                    continue;
                }

                long discarded = DiscardSinkFactory.Committed;
                Sample sample = (await probe.MeasureAsync(run)).Less(overhead);
                if (which == steady || (small > 0 && which == smallCases[3]))
                {
                    // Deleted as the others' hashes are, so that every case makes the server build a new hash.
                    Check(await database.HashLengthAsync(open.Key), which.Records, which);
                    await database.KeyDeleteAsync(open.Key);
                }
                else if (which == discard || (small > 0 && which == smallCases[5]))
                {
                    Check(DiscardSinkFactory.Committed - discarded, which.Records, which);
                }
                else
                {
                    Check(await database.HashLengthAsync(key), which.Records, which);
                    await database.KeyDeleteAsync(key);
                }

                which.Add(sample, round < warmUps);
                Console.Error.WriteLine($"  round {round}, {which.Name}: {sample.Wall:0.000} s, client {sample.ClientCpu * 1e6 / which.Records:0.00} µs/record, server {sample.ServerCpu * 1e6 / which.Records:0.00} µs/record, {sample.Commands} commands, GCs {sample.Gen0}/{sample.Gen1}/{sample.Gen2}");
            }
        }

        Report(settings, warmUps, started, load, cases,
        [
            ("sink alone ÷ raw client", alone, raw, null),
            ("sink alone, a later batch ÷ raw client on a connection kept open", steady, rawOpen, null),
            ("pass-through ÷ raw client", pass, raw, null),
            ("(pass-through − discard pass-through) ÷ raw client: the connector inside the pipeline", pass, raw, discard),
        ]);
        if (small > 0 && Only is null)
        {
            Slopes.Report(cases, smallCases,
            [
                ("sink alone ÷ raw client", 2, 0, null),
                ("sink alone, a later batch ÷ raw client on a connection kept open", 3, 1, null),
                ("pass-through ÷ raw client", 4, 0, null),
                ("(pass-through − discard pass-through) ÷ raw client: the connector inside the pipeline", 4, 0, 5),
            ]);
        }
    }

    /// <summary>
    /// The order of a round's cases: shuffled, seeded by the round, so that runs repeat it and no case always follows
    /// the same one (with a fixed cyclic order the raw client always followed the discard case, the one that sends the
    /// server nothing, and its server CPU per record came out a third lower than the same commands after another case).
    /// </summary>
    internal static int[] Order(int cases, int round)
    {
        int[] order = [.. Enumerable.Range(0, cases)];
        new Random(round).Shuffle(order);
        return order;
    }

    internal static Task<ConnectionMultiplexer> ConnectAsync(string endPoint) =>
        ConnectionMultiplexer.ConnectAsync($"{endPoint},asyncTimeout={TimeoutMs},syncTimeout={TimeoutMs}");

    // The raw client as a program would use it: every key as a field of one hash in HSETs of 512 fields, all sent
    // before any answer is awaited.
    private static async Task HashSetAllAsync(ConnectionMultiplexer client, string key, byte[][] keys)
    {
        IDatabase database = client.GetDatabase();
        var sends = new List<Task>(keys.Length / Chunk + 1);
        for (int start = 0; start < keys.Length; start += Chunk)
        {
            var fields = new HashEntry[Math.Min(Chunk, keys.Length - start)];
            for (int i = 0; i < fields.Length; i++)
            {
                fields[i] = new HashEntry(keys[start + i], 1);
            }

            sends.Add(database.HashSetAsync(key, fields));
        }

        await Task.WhenAll(sends);
    }

    // The sink as a run drives it, without the pipeline: open, one batch of every key with the value 1, commit, close.
    private static async Task SinkAloneAsync(string uri, byte[][] keys)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "sink");
        await using Sink sink = RedisSinkFactory.Create(parsed, new SinkContext { SinkName = "Output" });
        var writer = (RedisSink)sink;
        await sink.OpenAsync(CancellationToken.None);
        sink.BeginBatch(1_000);
        foreach (byte[] key in keys)
        {
            writer.Write(new KeyValue<long>(key, 1));
        }

        await sink.CommitBatchAsync(CancellationToken.None);
    }

    /// <summary>One sink kept open across rounds, as a running job keeps its sink: each round is a later batch of it.</summary>
    private sealed class OpenSink(string uri, byte[][] keys) : IAsyncDisposable
    {
        private readonly Sink _sink = RedisSinkFactory.Create(ConnectorUri.Parse(uri, "sink"), new SinkContext { SinkName = "Output" });
        private long _batch;

        public string Key { get; } = new Uri(uri).AbsolutePath.TrimStart('/');

        // Opens the sink and writes a first batch (unmeasured), so that every measured one finds its buffers grown.
        public async Task OpenAsync()
        {
            await _sink.OpenAsync(CancellationToken.None);
            await WriteBatchAsync();
        }

        public Task WriteBatchAsync() => WriteBatchAsync(keys);

        public async Task WriteBatchAsync(byte[][] batch)
        {
            var writer = (RedisSink)_sink;
            _sink.BeginBatch(++_batch * 1_000);
            foreach (byte[] key in batch)
            {
                writer.Write(new KeyValue<long>(key, 1));
            }

            await _sink.CommitBatchAsync(CancellationToken.None);
        }

        public ValueTask DisposeAsync() => _sink.DisposeAsync();
    }

    internal static void Check(long found, long expected, Case which)
    {
        Check(found, expected, expected, which);
    }

    /// <summary>Throws unless the case wrote or read between <paramref name="least"/> and <paramref name="most"/> records.</summary>
    internal static void Check(long found, long least, long most, Case which)
    {
        if (found < least || found > most)
        {
            throw new InvalidOperationException($"{which.Name} wrote or read {found} records, not {least}{(most > least ? "–" + most : "")}: the case did not do all its work.");
        }
    }

    /// <summary>Prints the cases' figures per record and the ratios of <paramref name="rows"/> (a case, its baseline, and what to take off the case first).</summary>
    internal static void Report(Settings settings, int warmUps, DateTime started, string loadBefore, Case[] cases, (string Name, Case Mine, Case Baseline, Case? Less)[] rows)
    {
        if (Only is not null)
        {
            Console.WriteLine($"Only the cases with '{Only}' in their name ran: no report.");
            return;
        }

        string loadAfter = File.ReadAllText("/proc/loadavg").Trim();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Measured {started:yyyy-MM-dd HH:mm}–{DateTime.UtcNow:HH:mm} UTC on {Environment.ProcessorCount} cores, .NET {Environment.Version}; load average (1, 5, 15 min) {Load(loadBefore)} before, {Load(loadAfter)} after; {settings.Rounds} rounds after {warmUps} warm-up rounds, cases in an order shuffled each round; {settings.Records:N0} records per case.");
        text.AppendLine();
        text.AppendLine("Per record, median (quartiles) over the rounds:");
        text.AppendLine();
        text.AppendLine("| Case | Client CPU µs | of which system µs | Client page faults per 1,000 | Server CPU µs | Commands per run | Bytes to the server | Bytes from the server | Server read calls per run | Allocated B (process) | GCs per run (gen 0/1/2, median) | Wall s |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Case c in cases)
        {
            double n = c.Records;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {c.Name} | {Q(c.Of(s => s.ClientCpu * 1e6 / n))} | {Q(c.Of(s => s.ClientSystem * 1e6 / n))} | {Q(c.Of(s => s.ClientFaults * 1000 / n))} | {Q(c.Of(s => s.ServerCpu * 1e6 / n))} | {Q(c.Of(s => s.Commands), "0")} | {Q(c.Of(s => s.BytesIn / n))} | {Q(c.Of(s => s.BytesOut / n))} | {Q(c.Of(s => s.ServerReads), "0")} | {Q(c.Of(s => s.Allocated / n), "0")} | {Figure.Median(c.Of(s => s.Gen0))}/{Figure.Median(c.Of(s => s.Gen1))}/{Figure.Median(c.Of(s => s.Gen2))} | {Q(c.Of(s => s.Wall), "0.000")} |");
        }

        text.AppendLine();
        text.AppendLine("Ratios, round by round (each round's cases ran back to back), median (quartiles; range):");
        text.AppendLine();
        text.AppendLine("| Ratio | Client CPU | Server CPU | Commands | Bytes to the server | Wall time |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach ((string name, Case mine, Case baseline, Case? less) in rows)
        {
            Row(text, name, mine, baseline, less);
        }

        Console.Write(text.ToString());
    }

    private static void Row(StringBuilder text, string name, Case mine, Case baseline, Case? less)
    {
        string Ratio(Func<Sample, double> measure)
        {
            double[] ratios = [.. Enumerable.Range(0, mine.Samples.Count).Select(i =>
                (measure(mine.Samples[i]) - (less is null ? 0 : measure(less.Samples[i]))) / measure(baseline.Samples[i]))];
            return $"{Q(ratios)}; {ratios.Min():0.00}–{ratios.Max():0.00}";
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {Ratio(s => s.ClientCpu)} | {(less is null ? Ratio(s => s.ServerCpu) : "")} | {(less is null ? Ratio(s => s.Commands) : "")} | {(less is null ? Ratio(s => s.BytesIn) : "")} | {(less is null ? Ratio(s => s.Wall) : "")} |");
    }

    private static string Load(string loadavg) => string.Join(", ", loadavg.Split(' ').Take(3));

    internal static string Q(double[] values, string format = "0.00")
    {
        double[] sorted = [.. values.Order()];
        return string.Create(CultureInfo.InvariantCulture,
            $"{Percentile(sorted, 0.5).ToString(format, CultureInfo.InvariantCulture)} ({Percentile(sorted, 0.25).ToString(format, CultureInfo.InvariantCulture)}–{Percentile(sorted, 0.75).ToString(format, CultureInfo.InvariantCulture)})");
    }

    private static double Percentile(double[] sorted, double p)
    {
        double at = p * (sorted.Length - 1);
        int below = (int)Math.Floor(at);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((at - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>One case's samples over the measured rounds.</summary>
    internal sealed class Case(string name, long records)
    {
        public string Name { get; } = name;

        public long Records { get; } = records;

        public List<Sample> Samples { get; } = [];

        /// <summary>The same case with <paramref name="records"/> records: the second size of a slope.</summary>
        public Case Smaller(long records) => new($"{Name} ({records:N0} records)", records);

        /// <summary>The records of sample <paramref name="i"/>: what it counted, or the case's records.</summary>
        public double RecordsOf(int i) => Samples[i].Records > 0 ? Samples[i].Records : Records;

        public void Add(Sample sample, bool warmUp)
        {
            if (!warmUp)
            {
                Samples.Add(sample);
            }
        }

        public double[] Of(Func<Sample, double> measure) => [.. Samples.Select(measure)];
    }
}

/// <summary>What one run of a case cost: this process, the server, and what travelled between them.</summary>
internal readonly record struct Sample(
    double Wall, double ClientCpu, double ServerCpu, double Commands, double BytesIn, double BytesOut, double ServerReads, double Allocated, int Gen0, int Gen1, int Gen2, double ClientSystem, double ClientFaults, double Records = 0)
{
    /// <summary>This sample less what measuring adds (the INFO commands), for the counters that it touches.</summary>
    public Sample Less(Sample overhead) => this with
    {
        Commands = Commands - overhead.Commands,
        BytesIn = BytesIn - overhead.BytesIn,
        BytesOut = BytesOut - overhead.BytesOut,
        ServerReads = ServerReads - overhead.ServerReads,
    };
}

/// <summary>Reads the counters of this process and of redis-server before and after a case.</summary>
internal sealed class ServerProbe(IDatabase database)
{
    private int _serverPid;

    public async Task InitializeAsync() =>
        _serverPid = (int)(await InfoAsync())["process_id"];

    public async Task<Sample> MeasureAsync(Func<Task> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Dictionary<string, double> before = await InfoAsync();
        long serverReadsBefore = ReadCalls(_serverPid);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        Environment.ProcessCpuUsage cpuBefore = Environment.CpuUsage;
        long faultsBefore = MinorFaults();
        long started = Stopwatch.GetTimestamp();
        await run();
        double wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Environment.ProcessCpuUsage cpuAfter = Environment.CpuUsage;
        long faults = MinorFaults() - faultsBefore;
        TimeSpan cpu = cpuAfter.TotalTime - cpuBefore.TotalTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long serverReads = ReadCalls(_serverPid) - serverReadsBefore;
        Dictionary<string, double> after = await InfoAsync();
        double Delta(string name) => after[name] - before[name];
        return new Sample(
            wall,
            cpu.TotalSeconds,
            Delta("used_cpu_user") + Delta("used_cpu_sys"),
            Delta("total_commands_processed"),
            Delta("total_net_input_bytes"),
            Delta("total_net_output_bytes"),
            serverReads,
            allocated,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2,
            (cpuAfter.PrivilegedTime - cpuBefore.PrivilegedTime).TotalSeconds,
            faults);
    }

    private async Task<Dictionary<string, double>> InfoAsync()
    {
        string info = (string)(await database.ExecuteAsync("INFO", "server", "cpu", "stats"))!;
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in info.Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && double.TryParse(line.AsSpan(colon + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                values[line[..colon]] = value;
            }
        }

        return values;
    }

    // This process's minor page faults (/proc/self/stat, field 10): memory it touched for the first time.
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }

    // The read(2)-family calls a process made: how many pieces the server read its commands in.
    private static long ReadCalls(int pid) => IoField($"/proc/{pid}/io", "syscr:");

    private static long IoField(string path, string name)
    {
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(name.Length).Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{path} has no '{name}' line; the benchmark needs Linux's per-process I/O counters.");
    }
}
