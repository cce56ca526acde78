using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Compiled.Batching;
using Compiled.Connectors;
using Compiled.Connectors.Tcp;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Tests.Framing;
using Compiled.Tests.Pipelines;
using Compiled.Tests.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Connectors;

/// <summary>
/// A connection that ends in the middle of a line: the bytes after its last line end are a partial record. A tcp
/// source keeps it (as Spark's socket receiver does) or, with <c>onPartial=skip</c>, drops it; either way it is
/// counted and the batch's warning says so. A file's or standard input's last line without a line end is an
/// ordinary record.
/// </summary>
public class TcpPartialRecordTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    [Fact]
    public async Task Tcp_ConnectionClosedMidLine_KeepsThePartialRecord_CountsAndWarns()
    {
        (string output, BatchProgress progress, SourceCounters counters, LogLine? warning, string uri) = await RunAsync("a b\nc", "");

        Assert.Equal("(a,1)\n(b,1)\n(c,1)\n", output);
        Assert.Equal(1, counters.PartialRecords);
        Assert.Equal(1, progress.PartialRecords);
        Assert.Equal(2, progress.Records);   // lines: "a b" and "c"
        Assert.Equal(
            $"Batch {progress.Time} ms had 1 record cut short by the end of its connection (the bytes after the last line end) from {uri} (kept); " +
            "onPartial=skip on the source URI drops such records, onPartial=keep keeps them",
            warning!.Message);
    }

    [Fact]
    public async Task Tcp_OnPartialSkip_DropsThePartialRecord_CountsAndWarns()
    {
        (string output, BatchProgress progress, SourceCounters counters, LogLine? warning, string uri) = await RunAsync("a b\nc", "?onPartial=skip");

        Assert.Equal("(a,1)\n(b,1)\n", output);
        Assert.Equal(1, counters.PartialRecords);
        Assert.Equal(1, progress.PartialRecords);
        Assert.Equal(1, progress.Records);   // lines: "a b"
        Assert.Contains($"1 record cut short by the end of its connection (the bytes after the last line end) from {uri}?onPartial=skip (dropped); ", warning!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_ConnectionClosedAfterALineEnd_HasNoPartialRecord()
    {
        (string output, BatchProgress progress, SourceCounters counters, LogLine? warning, _) = await RunAsync("a b\nc\n", "", expectWarning: false);

        Assert.Equal("(a,1)\n(b,1)\n(c,1)\n", output);
        Assert.Equal(0, counters.PartialRecords);
        Assert.Equal(0, progress.PartialRecords);
        Assert.Null(warning);
    }

    [Theory]
    [InlineData("tcp://localhost:9999?onPartial=drop", "option 'onPartial=drop' of source URI 'tcp://localhost:9999?onPartial=drop' is not valid; write keep or skip")]
    [InlineData("stdin:?onPartial=skip", "has an unknown option 'onPartial'")]
    public void OnPartial_IsAnOptionOfTcpOnly_WithTwoValues(string uri, string message)
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource(uri, new SourceContext()));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnPartial_DefaultsToKeep()
    {
        var source = new TcpSource(ConnectorUri.Parse("tcp://localhost:9999", "source"), new SourceContext());
        Assert.Equal(PartialRecordPolicy.Keep, source.Framing.Partial);
        Assert.Equal(PartialRecordPolicy.LastLine, FramingOptions.Default.Partial);
    }

    [Theory]
    [InlineData(PartialRecordPolicy.LastLine, "a|b|c", 0)]
    [InlineData(PartialRecordPolicy.Keep, "a|b|c", 1)]
    [InlineData(PartialRecordPolicy.Skip, "a|b", 1)]
    public void Framer_StreamEndingMidLine_FollowsThePolicy(PartialRecordPolicy policy, string expected, long partial)
    {
        var counters = new SourceCounters();
        using var framer = new LineFramer(new FramingOptions(Partial: policy), counters);
        framer.Reset("stream");
        var records = new List<byte[]>();
        var consumer = new CollectingConsumer(records);
        byte[] bytes = "a\nb\nc"u8.ToArray();

        // The partial record straddles two segments, and the stream's end comes in a read of its own.
        framer.Frame(TestSegment.Chunked(bytes, 3), isCompleted: false, ref consumer);
        Assert.Equal(4, framer.Offset);
        framer.Frame(new ReadOnlySequence<byte>(bytes, 4, 1), isCompleted: true, ref consumer);

        Assert.Equal(expected, string.Join('|', records.Select(Encoding.ASCII.GetString)));
        Assert.Equal(partial, counters.PartialRecords);
        Assert.Equal(5, counters.Bytes);
    }

    // Serves `text` on one connection and closes it; the run reads it into one batch and is stopped once it has
    // reconnected. Returns the batch's output, its progress, the source's counters and the run's one warning.
    private static async Task<(string Output, BatchProgress Progress, SourceCounters Counters, LogLine? Warning, string Uri)> RunAsync(
        string text, string query, bool expectWarning = true)
    {
        using var temp = new TempDirectory();
        var clock = new FakeTimeProvider(Start);
        var logs = new CapturingLoggerProvider();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        string uri = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var options = new PipelineRunOptions { TimeProvider = clock, LoggerFactory = logs.CreateFactory(), BatchInterval = TimeSpan.FromMinutes(1) };
        options.SourceUris["Input"] = uri + query;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);
        using (TcpClient client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken))
        {
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(text), TestContext.Current.CancellationToken);
        }

        // The source reconnects once it has handed over the closed connection's bytes.
        using TcpClient second = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => run.Sources[0].Counters.Bytes == text.Length, "the text is consumed");
        await stop.CancelAsync();
        await run.FinishAsync(clock, running);

        string output = File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(temp.Path, "out"))));
        LogLine[] warnings = logs.Lines.Where(l => l.Level == LogLevel.Warning).ToArray();
        LogLine? warning = expectWarning ? Assert.Single(warnings) : warnings.SingleOrDefault();
        return (output, run.LastProgress!, run.Sources[0].Counters, warning, uri);
    }
}
