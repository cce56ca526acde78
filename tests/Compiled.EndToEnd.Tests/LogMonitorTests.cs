using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Sketches;
using Compiled.Testing;
using Microsoft.Extensions.Time.Testing;
using Samples.LogMonitor;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The LogMonitor sample over an access log whose traffic the test made up and knows request by request: every
/// batch's window must show each endpoint's requests per second, 5xx share and response-time percentiles as the
/// test works them out from the known requests, the percentiles within the sketch's relative accuracy of the exact
/// ones; untimed requests and malformed lines counted, none lost.
/// </summary>
[Collection(Collection)]
public partial class LogMonitorTests
{
    /// <summary>
    /// The tests that run the monitor in this process, one at a time: the endpoints it keeps rows for are the
    /// process's (<see cref="LogMonitor.Endpoints"/>).
    /// </summary>
    public const string Collection = "LogMonitor in process";

    private const int WindowBatches = LogMonitor.WindowSeconds; // a 10s window of 1s batches

    // Every test starts with the budget of a fresh process.
    public LogMonitorTests() => LogMonitor.Endpoints.Reset(LogMonitor.DefaultMaxEndpoints);

    [Fact]
    public void LogMonitor_TestDriver_EveryWindowMatchesTheKnownTraffic()
    {
        // 14 batches: the window fills over the first 10, then slides, and the endpoint seen only in batches 1
        // and 2 leaves it at batch 12.
        KnownTraffic traffic = KnownTraffic.Generate(seed: 42, batches: 14);
        using var test = new LogMonitor.TestDriver();
        foreach (List<string> lines in traffic.Lines)
        {
            test.Input.Batch([.. lines]);
        }

        test.Run();

        Assert.Equal(traffic.Lines.Count, test.Output.Batches.Count);
        for (int batch = 1; batch <= traffic.Lines.Count; batch++)
        {
            OutputBatch<string> output = test.Output.Batches[batch - 1];
            Assert.Equal(batch * 1000L, output.Time);
            AssertWindow(traffic, batch, output.Records);
        }

        Assert.DoesNotContain(test.Output.Batches[^1].Records, row => row.StartsWith("GET /api/legacy ", StringComparison.Ordinal));
        Assert.Contains(test.Output.Batches[10].Records, row => row.StartsWith("GET /api/legacy ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogMonitor_Tcp_EachBatchWindowMatchesTheKnownTraffic()
    {
        // A real loopback socket, the test being the server, and a fake clock, so that the test decides which
        // lines fall in which batch: each batch's lines are all read before the clock moves past its end.
        KnownTraffic traffic = KnownTraffic.Generate(seed: 7, batches: 3);
        using var temp = new TempDirectory();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        // The run's first batch is batch 1 (time 1000 ms), so the window's ring starts where a test driver's does.
        var clock = FakeClockRun.StartingAtBatch(1, TimeSpan.FromSeconds(1));

        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Input"] = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/endpoints?suffix=txt";
        await using var run = new PipelineRun(LogMonitor.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);
        using TcpClient connection = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        NetworkStream stream = connection.GetStream();
        string outDirectory = Path.Combine(temp.Path, "out");

        long sent = 0;
        for (int batch = 1; batch <= traffic.Lines.Count; batch++)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(string.Concat(traffic.Lines[batch - 1].Select(line => line + "\n")));
            await WriteInIrregularChunksAsync(stream, bytes, seed: batch);
            sent += bytes.Length;
            await RunningPipeline.WaitUntilAsync(() => run.Sources[0].Counters.Bytes == sent, running);
            clock.Advance(TimeSpan.FromSeconds(1));
            await RunningPipeline.WaitUntilAsync(() => Directory.Exists(outDirectory) && Directory.GetFiles(outDirectory, "endpoints-*.txt").Length == batch, running);
        }

        // A stop commits the batch in flight (empty) at its time: the window still holds the three batches.
        await stop.CancelAsync();
        await run.FinishAsync(clock, running);

        string[] files = [.. Directory.GetFiles(outDirectory, "endpoints-*.txt").Order(StringComparer.Ordinal)];
        Assert.Equal(traffic.Lines.Count + 1, files.Length);
        for (int batch = 1; batch <= files.Length; batch++)
        {
            Assert.EndsWith($"endpoints-{batch * 1000}.txt", files[batch - 1], StringComparison.Ordinal);
            AssertWindow(traffic, batch, File.ReadAllLines(files[batch - 1], Encoding.UTF8));
        }
    }

    [Fact]
    public async Task LogMonitor_Executable_NoArgumentsReportsTheBundledLogAndExitsZero()
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync(Repo.LogMonitorExecutable, [], Repo.LogMonitorDirectory);

        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");

        // The bundled file is read in a batch or two (on a busy machine it can straddle a boundary); the run takes
        // well under the 10 s window, so the last table covers every line of the file.
        string[] lines = output.Split('\n');
        Assert.Equal("-------------------------------------------", lines[0]);
        int lastHeader = Array.FindLastIndex(lines, line => line.StartsWith("Time: ", StringComparison.Ordinal));
        Assert.Matches(@"^Time: \d+000 ms$", lines[lastHeader]);
        Assert.Equal("-------------------------------------------", lines[lastHeader + 1]);
        string[] rows = [.. lines.Skip(lastHeader + 2).Where(line => line.Length > 0)];
        Assert.Equal(12, rows.Length);
        Row[] endpoints = [.. rows.Where(row => !row.StartsWith(LogMonitorRows.MalformedLabel, StringComparison.Ordinal)).Select(LogMonitorRows.Parse)];
        Assert.Equal(11, endpoints.Length);
        Assert.Equal(3647, endpoints.Sum(row => row.Requests));
        Assert.Equal(20, endpoints.Sum(row => row.Untimed));
        Assert.Equal(3, LogMonitorRows.ParseMalformed(Assert.Single(rows, row => row.StartsWith(LogMonitorRows.MalformedLabel, StringComparison.Ordinal))));
        Assert.Equal(3650, File.ReadAllLines(Path.Combine(Repo.LogMonitorDirectory, "input", "access.log")).Length);
        Assert.Contains("Pipeline LogMonitor starting", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogMonitor_Executable_HalfSecondBatches_ReportsEveryLineAtTheEndOfTheInput()
    {
        // At 500ms the window slides every 2 batches. The bundled file is read in a batch or two, and the run ends
        // when its time comes, most often between two slides: the window still emits once at the end of the input,
        // so the last table covers every line read.
        var (exitCode, output, error) = await ChildProcess.RunAsync(Repo.LogMonitorExecutable, ["--batch-interval", "500ms"], Repo.LogMonitorDirectory);

        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        string[] lines = output.Split('\n');
        int lastHeader = Array.FindLastIndex(lines, line => line.StartsWith("Time: ", StringComparison.Ordinal));
        Assert.True(lastHeader > 0, $"The run printed no table; standard output:\n{output}\nstandard error:\n{error}");
        Assert.Matches(@"^Time: \d+[05]00 ms$", lines[lastHeader]);
        string[] rows = [.. lines.Skip(lastHeader + 2).Where(line => line.Length > 0)];
        Row[] endpoints = [.. rows.Where(row => !row.StartsWith(LogMonitorRows.MalformedLabel, StringComparison.Ordinal)).Select(LogMonitorRows.Parse)];
        Assert.Equal(11, endpoints.Length);
        Assert.Equal(3647, endpoints.Sum(row => row.Requests));
        Assert.Equal(3, LogMonitorRows.ParseMalformed(Assert.Single(rows, row => row.StartsWith(LogMonitorRows.MalformedLabel, StringComparison.Ordinal))));
    }

    [Fact]
    public void LogMonitor_KnownEndpoints_AllocatesNothingPerLineOrBatch()
    {
        // Batches 3 to 14 of the known traffic (the endpoint of batches 1 and 2 is not in them), again and again:
        // once the window is full and its keys are known, parsing, the sketches, the window and the rows as text
        // allocate nothing. Measured on the generated job itself, with a sink that only counts the rows.
        KnownTraffic traffic = KnownTraffic.Generate(seed: 42, batches: 14);
        ReadOnlySequence<byte>[] buffers = [.. traffic.Lines.Skip(2).Select(lines => new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(string.Concat(lines.Select(line => line + "\n")))))];
        var sink = new CountingSink();
        LogMonitorInProcess.SteadyState measured = LogMonitorInProcess.MeasureSteadyState(buffers, sink);

        Assert.True(measured.ConsumedAll);
        Assert.Equal(measured.Batches * 4, sink.Rows - sink.MalformedRows); // the four endpoints other than /api/legacy, in every window
        Assert.True(measured.LeastAllocated == 0, $"{buffers.Length} batches of {buffers.Sum(b => b.Length)} bytes of access log allocated {measured.LeastAllocated} bytes.");
    }

    [Fact]
    public void LogMonitor_Readme_ShowsThePipelineAsWritten()
    {
        // Each block of the README's LogMonitor code (blocks are separated by an empty line) is in LogMonitor.cs, as
        // it is there but for the indentation; if either changes, the other must change with it.
        string readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        string source = Dedent(File.ReadAllText(Path.Combine(Repo.LogMonitorDirectory, "LogMonitor.cs")));
        int how = readme.IndexOf("**How.**", StringComparison.Ordinal);
        Assert.True(how >= 0, "The README has no LogMonitor '**How.**' paragraph.");
        int start = readme.IndexOf("```csharp\n", how, StringComparison.Ordinal) + "```csharp\n".Length;
        string code = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        string[] blocks = code.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, blocks.Length);
        foreach (string block in blocks)
        {
            Assert.Contains(Dedent(block), source, StringComparison.Ordinal);
        }

        static string Dedent(string text) => string.Join('\n', text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(line => line.Trim()));
    }

    // Checks batch 'batch' (1-based) of the output against the known requests of its window: batches
    // max(1, batch - 9) to batch (a batch after the known ones is empty).
    private static void AssertWindow(KnownTraffic traffic, int batch, IEnumerable<string> rows)
    {
        int first = Math.Max(1, batch - WindowBatches + 1);
        var requests = new List<KnownTraffic.Request>();
        int malformed = 0;
        for (int b = first; b <= Math.Min(batch, traffic.Requests.Count); b++)
        {
            requests.AddRange(traffic.Requests[b - 1]);
            malformed += traffic.Malformed[b - 1];
        }

        var expected = requests.GroupBy(r => r.Endpoint, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int malformedRows = 0;
        foreach (string text in rows)
        {
            if (text.StartsWith(LogMonitorRows.MalformedLabel, StringComparison.Ordinal))
            {
                malformedRows++;
                Assert.True(malformed == LogMonitorRows.ParseMalformed(text), $"batch {batch}: {malformed} malformed lines expected in the window; the row says: {text}");
                continue;
            }

            Row row = LogMonitorRows.Parse(text);
            Assert.True(seen.Add(row.Endpoint), $"batch {batch}: endpoint '{row.Endpoint}' has two rows");
            Assert.True(expected.TryGetValue(row.Endpoint, out List<KnownTraffic.Request>? known), $"batch {batch}: endpoint '{row.Endpoint}' had no request in the window, yet has a row: {text}");
            string where = $"batch {batch}, {row.Endpoint}: {text}";

            int errors = known.Count(r => r.Status >= 500);
            Assert.True(known.Count == row.Requests, $"{where}: {known.Count} requests expected");
            Assert.True(errors == row.Errors, $"{where}: {errors} 5xx expected");
            Assert.True(Format((double)known.Count / WindowBatches, "F1") == row.RequestsPerSecond, $"{where}: {known.Count / (double)WindowBatches} req/s expected");
            Assert.True(Format(100.0 * errors / known.Count, "F2") == row.ErrorPercent, $"{where}: a 5xx share of {100.0 * errors / known.Count}% expected");

            long[] latencies = [.. known.Where(r => r.LatencyMicroseconds is not null).Select(r => r.LatencyMicroseconds!.Value).Order()];
            Assert.True(known.Count - latencies.Length == row.Untimed, $"{where}: {known.Count - latencies.Length} untimed requests expected");
            AssertQuantile(latencies, 0.50, row.P50Ms, where);
            AssertQuantile(latencies, 0.95, row.P95Ms, where);
            AssertQuantile(latencies, 0.99, row.P99Ms, where);
        }

        Assert.True(expected.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(seen), $"batch {batch}: rows for [{string.Join(", ", seen.Order())}], requests in the window for [{string.Join(", ", expected.Keys.Order())}]");
        Assert.True((malformed > 0 ? 1 : 0) == malformedRows, $"batch {batch}: {malformed} malformed lines in the window, {malformedRows} malformed rows");
    }

    // The sketch promises the value of rank floor(q (n - 1)) within its relative accuracy; the row prints
    // milliseconds with three decimals, so half a microsecond of rounding on top.
    private static void AssertQuantile(long[] sorted, double q, double? reportedMs, string where)
    {
        if (sorted.Length == 0)
        {
            Assert.True(reportedMs is null, $"{where}: no request was timed, so p{q * 100} should be '-'");
            return;
        }

        long exact = sorted[(int)Math.Floor(q * (sorted.Length - 1))];
        Assert.True(reportedMs is not null, $"{where}: p{q * 100} missing, {exact} us expected");
        double reported = reportedMs.Value * 1000;
        double tolerance = (QuantileSketch.RelativeAccuracy * exact) + 0.5;
        Assert.True(Math.Abs(reported - exact) <= tolerance, $"{where}: p{q * 100} is {reported} us, the exact value is {exact} us (tolerance {tolerance} us)");
    }

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static async Task WriteInIrregularChunksAsync(NetworkStream stream, byte[] bytes, int seed)
    {
        var random = new Random(seed);
        for (int offset = 0; offset < bytes.Length;)
        {
            int size = Math.Min(bytes.Length - offset, random.Next(4) == 0 ? random.Next(1, 8) : random.Next(1, 3000));
            await stream.WriteAsync(bytes.AsMemory(offset, size), TestContext.Current.CancellationToken);
            offset += size;
        }

        await stream.FlushAsync(TestContext.Current.CancellationToken);
    }

}

/// <summary>A sink that counts the rows it is given as text, and the malformed-lines rows among them.</summary>
internal sealed class CountingSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext())
{
    public long Rows { get; private set; }

    public long MalformedRows { get; private set; }

    public override void BeginBatch(long batchTimeMs)
    {
    }

    public override void Write(ReadOnlySpan<byte> record)
    {
        Rows++;
        if (record.StartsWith("(malformed) "u8))
        {
            MalformedRows++;
        }
    }

    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
}

/// <summary>One endpoint row of the monitor's table, as printed.</summary>
internal sealed record Row(string Endpoint, string RequestsPerSecond, string ErrorPercent, long Errors, long Requests, double? P50Ms, double? P95Ms, double? P99Ms, long Untimed);

/// <summary>Reads the rows the monitor prints.</summary>
internal static partial class LogMonitorRows
{
    public const string MalformedLabel = "(malformed) ";

    public const string OtherLabel = "(other)";

    public static Row Parse(string text)
    {
        Match match = EndpointRow().Match(text);
        Assert.True(match.Success, $"not an endpoint row: '{text}'");
        return new Row(
            match.Groups["endpoint"].Value,
            match.Groups["rate"].Value,
            match.Groups["percent"].Value,
            long.Parse(match.Groups["errors"].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups["requests"].Value, CultureInfo.InvariantCulture),
            Milliseconds(match.Groups["p50"].Value),
            Milliseconds(match.Groups["p95"].Value),
            Milliseconds(match.Groups["p99"].Value),
            long.Parse(match.Groups["untimed"].Value, CultureInfo.InvariantCulture));
    }

    public static long ParseMalformed(string text)
    {
        Match match = MalformedRow().Match(text);
        Assert.True(match.Success, $"not a malformed-lines row: '{text}'");
        return long.Parse(match.Groups["lines"].Value, CultureInfo.InvariantCulture);
    }

    private static double? Milliseconds(string text) => text == "-" ? null : double.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<endpoint>[A-Z]+ \S+|\(other\)) +(?<rate>\d+\.\d) req/s +5xx +(?<percent>\d+\.\d\d)% +(?<errors>\d+)/(?<requests>\d+) +p50 +(?<p50>\d+\.\d{3}|-) ms +p95 +(?<p95>\d+\.\d{3}|-) ms +p99 +(?<p99>\d+\.\d{3}|-) ms +untimed (?<untimed>\d+)$")]
    private static partial Regex EndpointRow();

    [GeneratedRegex(@"^\(malformed\) +\d+\.\d lines/s +(?<lines>\d+) lines in 10 s that are not access-log lines$")]
    private static partial Regex MalformedRow();
}

/// <summary>
/// Made-up access-log traffic, known request by request: each batch's lines, and for each line the endpoint, status
/// and response time it stands for (or that it is malformed). The lines mix the formats the monitor reads: the
/// Combined Log Format with Apache's %D (microseconds), the Common Log Format with nginx's $request_time (seconds to
/// the millisecond), an explicit unit, no time at all, and "-"; paths with and without a query string. Deterministic
/// for a seed.
/// </summary>
internal sealed class KnownTraffic
{
    private static readonly Endpoint[] Endpoints =
    [
        new("GET", "/api/orders", PerSecond: 40, ErrorShare: 0.05, MinMicroseconds: 2_000, MaxMicroseconds: 200_000),
        new("POST", "/api/checkout", PerSecond: 7, ErrorShare: 0.2, MinMicroseconds: 50_000, MaxMicroseconds: 3_000_000),
        new("GET", "/static/app.js", PerSecond: 60, ErrorShare: 0, MinMicroseconds: 100, MaxMicroseconds: 20_000),
        new("GET", "/healthz", PerSecond: 5, ErrorShare: 0, MinMicroseconds: 50, MaxMicroseconds: 500),
        new("GET", "/api/legacy", PerSecond: 12, ErrorShare: 0.5, MinMicroseconds: 1_000, MaxMicroseconds: 10_000, LastBatch: 2),
    ];

    // Lines that are not access-log lines: a TLS handshake on the plain port, a line cut short, an empty line,
    // a response time that is not one, a status that is not one, a lower-case method.
    private static readonly string[] MalformedLines =
    [
        "192.0.2.55 - - [01/Jan/2026:00:00:00 +0000] \"\\x16\\x03\\x01\\x00\\xF4\\x01\\x00\" 400 226 \"-\" \"-\" 83",
        "203.0.113.9 - - [01/Jan/2026:00:00:00 +0000] \"GET /api/orders?id=3&so",
        "",
        "203.0.113.9 - - [01/Jan/2026:00:00:00 +0000] \"GET /api/orders HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\" 12x",
        "203.0.113.9 - - [01/Jan/2026:00:00:00 +0000] \"GET /api/orders HTTP/1.1\" 999 512 1234",
        "203.0.113.9 - - [01/Jan/2026:00:00:00 +0000] \"get /api/orders HTTP/1.1\" 200 512 1234",
    ];

    private KnownTraffic()
    {
    }

    /// <summary>Each batch's lines, in the order they arrive.</summary>
    public List<List<string>> Lines { get; } = [];

    /// <summary>Each batch's requests: the well-formed lines.</summary>
    public List<List<Request>> Requests { get; } = [];

    /// <summary>Each batch's count of malformed lines.</summary>
    public List<int> Malformed { get; } = [];

    public static KnownTraffic Generate(int seed, int batches)
    {
        var random = new Random(seed);
        var traffic = new KnownTraffic();
        for (int batch = 1; batch <= batches; batch++)
        {
            var lines = new List<string>();
            var requests = new List<Request>();
            string time = new DateTimeOffset(2026, 1, 1, 0, 0, batch % 60, TimeSpan.Zero).ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";
            foreach (Endpoint endpoint in Endpoints.Where(e => batch <= e.LastBatch))
            {
                // The rate varies a little from batch to batch, so the window's sums are not all the same.
                int count = endpoint.PerSecond + random.Next(-3, 4);
                for (int i = 0; i < count; i++)
                {
                    int status = random.NextDouble() < endpoint.ErrorShare ? (random.Next(3) == 0 ? 503 : 500) : random.Next(10) == 0 ? 404 : 200;
                    long microseconds = (long)Math.Round(endpoint.MinMicroseconds * Math.Pow((double)endpoint.MaxMicroseconds / endpoint.MinMicroseconds, random.NextDouble()));
                    string target = endpoint.Path + (random.Next(3) == 0 ? $"?id={random.Next(1000)}&sort=price" : "");
                    string head = $"203.0.113.{random.Next(1, 255)} - - [{time}] \"{endpoint.Method} {target} HTTP/1.1\" {status} {random.Next(100, 20_000)}";
                    const string Combined = " \"https://shop.example.com/\" \"Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0\"";
                    int format = random.Next(20);
                    long? latency = microseconds;
                    string line;
                    if (format < 10)
                    {
                        line = $"{head}{Combined} {microseconds}";                                  // Apache %D
                    }
                    else if (format < 14)
                    {
                        latency = Math.Max(1, (long)Math.Round(microseconds / 1000.0)) * 1000;      // nginx $request_time
                        line = $"{head} {(latency.Value / 1e6).ToString("0.000", CultureInfo.InvariantCulture)}";
                    }
                    else if (format < 17)
                    {
                        line = $"{head}{Combined} {(microseconds / 1000.0).ToString("0.000", CultureInfo.InvariantCulture)}ms";
                    }
                    else if (format < 19)
                    {
                        latency = null;
                        line = format == 17 ? $"{head}{Combined}" : head;                           // no time
                    }
                    else
                    {
                        latency = null;
                        line = $"{head}{Combined} -";
                    }

                    lines.Add(line);
                    requests.Add(new Request($"{endpoint.Method} {endpoint.Path}", status, latency));
                }
            }

            int malformed = random.Next(0, 3);
            for (int i = 0; i < malformed; i++)
            {
                lines.Add(MalformedLines[random.Next(MalformedLines.Length)]);
            }

            // Interleaved, as a busy server writes them.
            traffic.Lines.Add([.. lines.OrderBy(_ => random.Next())]);
            traffic.Requests.Add(requests);
            traffic.Malformed.Add(malformed);
        }

        return traffic;
    }

    /// <summary>A request a line stands for: its endpoint (method and path), status and response time in microseconds (null: the line gives none).</summary>
    public sealed record Request(string Endpoint, int Status, long? LatencyMicroseconds);

    private sealed record Endpoint(string Method, string Path, int PerSecond, double ErrorShare, long MinMicroseconds, long MaxMicroseconds, int LastBatch = int.MaxValue);
}
