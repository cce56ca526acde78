using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Compiled.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Hosting;

/// <summary>
/// What a run writes to its log, read as an operator reads it: each line names a source or stream once, and counts
/// read as English ("1 record", "2 records").
/// </summary>
public class RunLogTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    [Fact]
    public async Task RunLog_Stdin_NamesStandardInputOnce_AndCountsInTheSingular()
    {
        using var temp = new TempDirectory();
        var clock = new FakeTimeProvider(Start);
        var logs = new CapturingLoggerProvider();
        var options = new PipelineRunOptions { TimeProvider = clock, LoggerFactory = logs.CreateFactory() };
        options.OpenStandardInput = () => new MemoryStream(Encoding.ASCII.GetBytes("a\n"));
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        await run.RunToEndAsync(clock);

        string[] lines = logs.Lines.Select(l => l.Message).ToArray();
        Assert.Contains("Reading stdin:", lines);
        Assert.Contains("Finished reading stdin:", lines);
        Assert.Contains("2 bytes consumed in all from stdin:", lines);
        Assert.Contains("stdin: end of input after 2 bytes", lines);
        Assert.Contains(lines, l => l.StartsWith("Pipeline WordCountPipeline: input stdin: ended after 1 record (2 bytes, 0 oversize records skipped); ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Batch 1772366401000 ms committed: 1 record, 2 bytes; ", StringComparison.Ordinal));
        Assert.Contains("Pipeline WordCountPipeline stopped after 1 batch and 1 record", lines);
        AssertEachNamedOnce(lines, "stdin:");
    }

    [Fact]
    public async Task RunLog_Tcp_NamesTheConnectionOnce_AndCountsInTheSingular()
    {
        using var temp = new TempDirectory();
        var clock = new FakeTimeProvider(Start);
        var logs = new CapturingLoggerProvider();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        string uri = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var options = new PipelineRunOptions { TimeProvider = clock, LoggerFactory = logs.CreateFactory(), BatchInterval = TimeSpan.FromMinutes(1) };
        options.SourceUris["Input"] = uri;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);
        using (TcpClient client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken))
        {
            // One byte, one (empty) record, and the server closes: the source reconnects and waits for the next.
            await client.GetStream().WriteAsync("\n"u8.ToArray(), TestContext.Current.CancellationToken);
        }

        using TcpClient second = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => run.Sources[0].Counters.Streams == 2, "the run reads the second connection");
        await stop.CancelAsync();
        await run.FinishAsync(clock, running);

        string[] lines = logs.Lines.Select(l => l.Message).ToArray();
        Assert.Equal(2, lines.Count(l => l == $"Reading {uri}"));
        Assert.Contains($"Finished reading {uri}", lines);
        Assert.Contains($"1 byte consumed in all from {uri}", lines);
        Assert.Contains($"{uri}: the server closed the connection after 1 byte; reconnecting", lines);
        Assert.Contains("Pipeline WordCountPipeline stopped after 1 batch and 1 record", lines);
        AssertEachNamedOnce(lines, uri);
    }

    // No line names the same source twice, and none runs a name ending in ':' into a ': ' of its own.
    private static void AssertEachNamedOnce(string[] lines, string name)
    {
        foreach (string line in lines)
        {
            Assert.True(Regex.Count(line, Regex.Escape(name)) <= 1, $"'{name}' is named more than once in: {line}");
            Assert.DoesNotContain("::", line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(lines, l => Regex.IsMatch(l, @"(^|\D)1 (records|bytes|batches|lines|files|attempts)\b"));
    }
}
