using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Compiled.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Benchmarks.Connectors;

/// <summary>What the run measures: how many records, how many rounds, where its files go.</summary>
/// <param name="Records">Records of each pass-through case (keys, messages).</param>
/// <param name="Lines">Lines of each word-count case (8 words each, from 10,000 distinct words).</param>
/// <param name="Rounds">Rounds measured, after one warm-up round; in each, every case of a connector runs once, in turn, so that load hits them alike.</param>
/// <param name="Directory">A temporary directory for the input files and the file sink's output.</param>
internal sealed record Settings(int Records, int Lines, int Rounds, string Directory);

/// <summary>The times of one case over the rounds, and what they mean.</summary>
/// <param name="Connector">The system: Redis, PostgreSQL, ZeroMQ.</param>
/// <param name="Case">What ran: the raw client, the pass-through pipeline, the word count.</param>
/// <param name="Records">Records per round (for a word count, input lines).</param>
/// <param name="Baseline">The figure this one is compared with (the raw client, or the same pipeline without the connector).</param>
internal sealed record Figure(string Connector, string Case, long Records, Figure? Baseline = null)
{
    /// <summary>Each round's wall-clock seconds.</summary>
    public List<double> Seconds { get; } = [];

    /// <summary>Each round's CPU seconds (user + system) of this process: the client, or the pipeline and its connector.</summary>
    public List<double> ClientCpuSeconds { get; } = [];

    /// <summary>Each round's CPU seconds of the server's processes, when the connector's benchmark can read them (<see cref="ServerCpu"/>).</summary>
    public List<double> ServerCpuSeconds { get; } = [];

    /// <summary>Reads the CPU seconds the server's processes have used so far, or is null when they cannot be read.</summary>
    public Func<double>? ServerCpu { get; init; }

    /// <summary>Each round's bytes allocated in the whole process, per record.</summary>
    public List<double> BytesPerRecord { get; } = [];

    /// <summary>The median of the rounds' seconds, leaving out the first round (the warm-up: JIT, connections, server caches).</summary>
    public double MedianSeconds => Median(Seconds.Skip(1));

    /// <summary>The median of the measured rounds' allocation per record, leaving out the warm-up round.</summary>
    public double MedianBytesPerRecord => Median(BytesPerRecord.Skip(1));

    /// <summary>Records per second at the median time.</summary>
    public double RecordsPerSecond => Records / MedianSeconds;

    /// <summary>Runs <paramref name="round"/> once, timing it and counting what the process allocated.</summary>
    public Task MeasureAsync(Func<Task> round) => MeasureAsync(async () =>
    {
        await round();
        return Stopwatch.GetTimestamp();
    });

    /// <summary>
    /// Runs <paramref name="round"/> once, timing it up to the <see cref="Stopwatch"/> timestamp it returns (when its
    /// last record arrived, before it tears down what it started), and counting what the process allocated.
    /// </summary>
    public async Task MeasureAsync(Func<Task<long>> round)
    {
        GC.Collect();
        using Process self = Process.GetCurrentProcess();
        double serverCpu = ServerCpu?.Invoke() ?? 0;
        TimeSpan clientCpu = self.TotalProcessorTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        long started = Stopwatch.GetTimestamp();
        long ended = await round();
        Seconds.Add(Stopwatch.GetElapsedTime(started, ended).TotalSeconds);
        BytesPerRecord.Add((GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)Records);
        self.Refresh();
        ClientCpuSeconds.Add((self.TotalProcessorTime - clientCpu).TotalSeconds);
        if (ServerCpu is { } server)
        {
            ServerCpuSeconds.Add(server() - serverCpu);
        }

        Console.Error.WriteLine(
            $"  {Connector}, {Case}: {Seconds[^1]:0.000} s, {Records / Seconds[^1]:N0} records/s, CPU {ClientCpuSeconds[^1]:0.00} s" +
            (ServerCpu is null ? "" : $" + server {ServerCpuSeconds[^1]:0.00} s"));
    }

    /// <summary>
    /// This case's records/s over its baseline's, round by round (the warm-up round left out): the median and the
    /// range. Cases of one round ran back to back, so a round's ratio is less bent by the machine's load than the
    /// ratio of two medians.
    /// </summary>
    public (double Median, double Least, double Most) RoundRatios()
    {
        Figure baseline = Baseline ?? throw new InvalidOperationException($"{Case} has no baseline.");
        double[] ratios = [.. Seconds.Zip(baseline.Seconds, (mine, theirs) => Records / mine / (baseline.Records / theirs)).Skip(1)];
        return (Median(ratios), ratios.Min(), ratios.Max());
    }

    /// <summary>
    /// This case's CPU seconds per record (this process's, plus the server's when measured) over its baseline's, round
    /// by round (the warm-up round left out): how much more CPU the case spends for the same work, as quartiles.
    /// </summary>
    public (double Q1, double Median, double Q3) CpuRatios()
    {
        Figure baseline = Baseline ?? throw new InvalidOperationException($"{Case} has no baseline.");
        double[] ratios = [.. Enumerable.Range(1, Seconds.Count - 1).Select(i => CpuPerRecord(i) / baseline.CpuPerRecord(i))];
        return Quartiles(ratios);
    }

    /// <summary>The rounds' ratios to the baseline (as <see cref="RoundRatios"/>) as quartiles.</summary>
    public (double Q1, double Median, double Q3) RoundRatioQuartiles()
    {
        Figure baseline = Baseline ?? throw new InvalidOperationException($"{Case} has no baseline.");
        return Quartiles([.. Seconds.Zip(baseline.Seconds, (mine, theirs) => Records / mine / (baseline.Records / theirs)).Skip(1)]);
    }

    /// <summary>The median of the measured rounds' CPU seconds of this process.</summary>
    public double MedianClientCpuSeconds => Median(ClientCpuSeconds.Skip(1));

    /// <summary>The median of the measured rounds' CPU seconds of the server, or NaN when not measured.</summary>
    public double MedianServerCpuSeconds => ServerCpuSeconds.Count > 1 ? Median(ServerCpuSeconds.Skip(1)) : double.NaN;

    private double CpuPerRecord(int round) =>
        (ClientCpuSeconds[round] + (ServerCpuSeconds.Count > round ? ServerCpuSeconds[round] : 0)) / Records;

    /// <summary>The first quartile, the median and the third quartile (linear between the sorted values).</summary>
    public static (double Q1, double Median, double Q3) Quartiles(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        double At(double p)
        {
            double position = p * (sorted.Length - 1);
            int below = (int)Math.Floor(position);
            int above = Math.Min(below + 1, sorted.Length - 1);
            return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
        }

        return (At(0.25), At(0.5), At(0.75));
    }

    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

/// <summary>Helpers the connectors' benchmarks share.</summary>
internal static class Harness
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A loopback TCP port free now and not given before in this run: a socket of an earlier round that still tries to
    /// deliver what it queued (ZeroMQ reconnects) must not find a later round's socket on its port.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (Given.Add(port))
            {
                return port;
            }
        }
    }

    /// <summary>The keys of a pass-through: <c>key0000000</c>, <c>key0000001</c>, ... one per line of a file.</summary>
    public static byte[][] Keys(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Encoding.ASCII.GetBytes("key" + i.ToString("D7", CultureInfo.InvariantCulture)))];

    /// <summary>Lines of 8 words drawn (fixed seed) from 10,000 distinct words <c>w0</c> to <c>w9999</c>.</summary>
    public static byte[][] WordLines(int count)
    {
        var random = new Random(42);
        var lines = new byte[count][];
        var line = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            line.Clear();
            for (int w = 0; w < 8; w++)
            {
                line.Append(w == 0 ? "w" : " w").Append(random.Next(10_000).ToString(CultureInfo.InvariantCulture));
            }

            lines[i] = Encoding.ASCII.GetBytes(line.ToString());
        }

        return lines;
    }

    /// <summary>Writes <paramref name="lines"/> to a file, one a line; returns its path.</summary>
    public static string WriteFile(Settings settings, string name, byte[][] lines)
    {
        string path = Path.Combine(settings.Directory, name);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        foreach (byte[] line in lines)
        {
            file.Write(line);
            file.WriteByte((byte)'\n');
        }

        return path;
    }

    /// <summary>
    /// Runs a pipeline over a bounded input to its end on a fake clock, so that the whole input is one batch whose
    /// sink commits once; fails if the run does not complete.
    /// </summary>
    public static async Task RunBoundedAsync(PipelineDefinition definition, string source, string sink)
    {
        var clock = new FakeTimeProvider(Start);
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Input"] = source;
        options.SinkUris["Output"] = sink;
        await using var run = new PipelineRun(definition, options);
        Task running = run.RunAsync();
        while (run.State != PipelineRunState.Finishing && !running.IsCompleted)
        {
            await Task.Delay(1);
        }

        clock.Advance(run.BatchInterval);
        await running;
        if (run.State != PipelineRunState.Completed)
        {
            throw new InvalidOperationException($"The run of {definition.Name} from {source} to {sink} ended {run.State}.");
        }
    }

    /// <summary>
    /// Runs the cases of one round, in order in an even round and in reverse in an odd one: whatever runs first after
    /// the previous round (a server that grows its memory again, a collection) is spread evenly over the cases.
    /// </summary>
    public static async Task RoundAsync(int round, params (Figure Figure, Func<Task> Case)[] cases)
    {
        IEnumerable<(Figure Figure, Func<Task> Case)> order = round % 2 == 0 ? cases : cases.Reverse();
        foreach ((Figure figure, Func<Task> run) in order)
        {
            await figure.MeasureAsync(run);
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, looking every 5 ms (a finer poll costs the measured process CPU of
    /// its own), failing after 5 minutes with <paramref name="what"/>.
    /// </summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        long started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }

            await Task.Delay(5);
        }
    }
}
