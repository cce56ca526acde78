using System.Net;
using System.Net.Sockets;
using System.Text;
using Compiled.Batching;
using Compiled.Connectors;
using Compiled.Hosting;
using Compiled.Sinks.Console;
using Compiled.Tests.Sinks;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Hosting;

/// <summary>The driver's lifecycle: binding, batch times, stopping, aborting, failing.</summary>
public class PipelineRunTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    [Fact]
    public void PipelineRun_UnknownSourceName_SaysWhichNamesExist()
    {
        var options = new PipelineRunOptions();
        options.SourceUris["Lines"] = "stdin:";
        var error = Assert.Throws<ConnectorUriException>(() => new PipelineRun(WordCountPipeline.Definition, options));
        Assert.Equal("pipeline 'WordCountPipeline' has no source or sink named 'Lines'; it has sources Input and sinks Output", error.Message);
    }

    [Fact]
    public void PipelineRun_IntervalBelowOneMillisecond_SaysWhatWasGivenAndHowToSetIt()
    {
        var options = new PipelineRunOptions { BatchInterval = TimeSpan.FromMicroseconds(500) };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineRun(WordCountPipeline.Definition, options));
        Assert.Contains("at least 1 ms, and 00:00:00.0005000 was given", error.Message, StringComparison.Ordinal);
        Assert.Contains("PipelineRunOptions.BatchInterval (--batch-interval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineRun_BadUri_FailsAtBindingBeforeAnythingRuns()
    {
        var options = new PipelineRunOptions();
        options.SinkUris["Output"] = "file:///tmp/?suffix=txt";
        Assert.Throws<ConnectorUriException>(() => new PipelineRun(WordCountPipeline.Definition, options));
    }

    [Fact]
    public async Task PipelineRun_RunsOnce()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("in.txt", "a b\n");
        var clock = new FakeTimeProvider(Start);
        await using PipelineRun run = Bind(input, temp, clock);
        await run.RunToEndAsync(clock);
        Assert.Equal(PipelineRunState.Completed, run.State);
        await Assert.ThrowsAsync<InvalidOperationException>(() => run.RunAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task PipelineRun_BatchTimesAreMultiplesOfTheInterval()
    {
        // A one-minute interval started at 12:00:00.700 ends its first batch at 12:01:00.000.
        using var temp = new TempDirectory();
        var clock = new FakeTimeProvider(Start);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var options = new PipelineRunOptions { TimeProvider = clock, BatchInterval = TimeSpan.FromMinutes(1) };
        options.SourceUris["Input"] = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);
        using TcpClient client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);

        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.UntilAsync(() => run.BatchesCompleted == 1, "the first batch is committed");
        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.UntilAsync(() => run.BatchesCompleted == 2, "the second batch is committed");

        // A stop commits the batch in flight at once, the clock standing still, under its batch time: the end of its interval.
        await stop.CancelAsync();
        await running.WaitAsync(Eventually.Limit, TestContext.Current.CancellationToken);
        Assert.Equal(3, run.BatchesCompleted);

        long first = new DateTimeOffset(2026, 3, 1, 12, 1, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        string[] names = Directory.GetFiles(Path.Combine(temp.Path, "out")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal([$"c-{first}.txt", $"c-{first + 60_000}.txt", $"c-{first + 120_000}.txt"], names);
    }

    [Fact]
    public async Task PipelineRun_BatchNumbersAreTimeOverInterval_AndEachBatchReportsItsProgress()
    {
        // Batches of one minute from 12:00:00.700: the first is 12:01:00.000, number 29539441 (its time ÷ 60,000 ms),
        // and a batch's number names the same minute in any run.
        using var temp = new TempDirectory();
        var clock = new FakeTimeProvider(Start);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var options = new PipelineRunOptions { TimeProvider = clock, BatchInterval = TimeSpan.FromMinutes(1) };
        options.SourceUris["Input"] = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        var committed = new List<BatchProgress>();
        run.BatchCommitted += committed.Add;
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);
        using TcpClient client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        byte[] text = Encoding.ASCII.GetBytes("a b\nc\n");
        await client.GetStream().WriteAsync(text, TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => run.Sources[0].Counters.Bytes == text.Length, "the text is consumed");

        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.UntilAsync(() => run.BatchesCompleted == 1, "the first batch is committed");
        await stop.CancelAsync();
        await run.FinishAsync(clock, running);

        long first = new DateTimeOffset(2026, 3, 1, 12, 1, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.Equal([(first / 60_000, first, BatchEnd.Running), ((first / 60_000) + 1, first + 60_000, BatchEnd.Stop)], committed.Select(p => (p.Number, p.Time, p.End)));
        Assert.Equal(29_539_441, committed[0].Number);
        Assert.Equal([2L], committed[0].RecordsIn);
        Assert.Equal(text.Length, committed[0].Bytes);
        Assert.Equal([0L], committed[1].RecordsIn);
        Assert.Same(committed[1], run.LastProgress);
    }

    [Fact]
    public async Task PipelineRun_InputThatEnds_EndsItsLastBatchWithEndOfInput_AndLogsItsProgress()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("in.txt", "a b\nb\n");
        var clock = new FakeTimeProvider(Start);
        var logs = new CapturingLoggerProvider();
        var options = new PipelineRunOptions { TimeProvider = clock, LoggerFactory = logs.CreateFactory() };
        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        Assert.Null(run.LastProgress);
        await run.RunToEndAsync(clock);

        BatchProgress last = Assert.IsType<BatchProgress>(run.LastProgress);
        Assert.Equal((1_772_366_401L, 1_772_366_401_000L, BatchEnd.EndOfInput, 2L, 6L), (last.Number, last.Time, last.End, last.Records, last.Bytes));
        Assert.Single(logs.Lines, l => l.Message.StartsWith("Batch 1772366401000 ms committed: 2 records, 6 bytes; emitting and committing took ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PipelineRun_StopWithAnHourLongInterval_CommitsTheBatchInFlightAtOnce_UnderItsBatchTime()
    {
        // Ten minutes into an hour-long batch, a stop does not wait the fifty minutes left: the clock never moves.
        using var temp = new TempDirectory();
        var clock = new FakeTimeProvider(Start);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var options = new PipelineRunOptions { TimeProvider = clock, BatchInterval = TimeSpan.FromHours(1) };
        options.SourceUris["Input"] = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        var committed = new List<BatchProgress>();
        run.BatchCommitted += committed.Add;
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);
        using TcpClient client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        byte[] text = Encoding.ASCII.GetBytes("a b a\n");
        await client.GetStream().WriteAsync(text, TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => run.Sources[0].Counters.Bytes == text.Length, "the text is consumed");
        clock.Advance(TimeSpan.FromMinutes(10));

        await stop.CancelAsync();
        await running.WaitAsync(Eventually.Limit, TestContext.Current.CancellationToken);

        long hourEnd = new DateTimeOffset(2026, 3, 1, 13, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        BatchProgress last = Assert.Single(committed);
        Assert.Equal((hourEnd, BatchEnd.Stop, 1L, (long)text.Length), (last.Time, last.End, last.Records, last.Bytes));
        string file = Assert.Single(Directory.GetFiles(Path.Combine(temp.Path, "out")));
        Assert.Equal($"c-{hourEnd}.txt", Path.GetFileName(file));
        Assert.Equal(PipelineRunState.Completed, run.State);
    }

    [Fact]
    public async Task PipelineRun_StandardOutputClosed_FailsWithTheReasonInOneLogLine()
    {
        // The console sink's reader went away (| head): the run fails, and the log says why in one line.
        using var temp = new TempDirectory();
        string input = temp.Write("in.txt", "a b\n");
        var clock = new FakeTimeProvider(Start);
        var logs = new CapturingLoggerProvider();
        var options = new PipelineRunOptions
        {
            TimeProvider = clock,
            LoggerFactory = logs.CreateFactory(),
            OpenStandardOutput = () => new FailingOutputStream(new IOException("Broken pipe", 32)),
        };
        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["Output"] = "console";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);

        var failure = await Assert.ThrowsAsync<PipelineFailedException>(() => run.RunToEndAsync(clock));

        Assert.True(Assert.IsType<StandardOutputException>(failure.InnerException).IsClosedByReader);
        LogLine error = Assert.Single(logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Equal(
            "Pipeline WordCountPipeline failed in batch 1772366401000 ms; that batch was not committed: " +
            "the console sink cannot write to standard output: Broken pipe (its reader has gone away); nothing more can be printed",
            error.Message);
    }

    [Fact]
    public async Task PipelineRun_StopWhileWaitingForAConnection_CommitsTheBatchAndReturns()
    {
        // Nothing listens on the port: the source keeps retrying until the stop.
        using var temp = new TempDirectory();
        int port;
        using (var reserve = new TcpListener(IPAddress.Loopback, 0))
        {
            reserve.Start();
            port = ((IPEndPoint)reserve.LocalEndpoint).Port;
        }

        var clock = new FakeTimeProvider(Start);
        var options = new PipelineRunOptions { TimeProvider = clock, BatchInterval = TimeSpan.FromHours(1) };
        options.SourceUris["Input"] = $"tcp://127.0.0.1:{port}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);
        await Eventually.UntilAsync(() => run.Sources[0].Counters.Reconnects >= 1, "a connection attempt failed");

        await stop.CancelAsync();
        await run.FinishAsync(clock, running);

        Assert.Equal(1, run.BatchesCompleted);
        Assert.Single(Directory.GetFiles(Path.Combine(temp.Path, "out")));
    }

    [Fact]
    public async Task PipelineRun_Abort_LeavesTheBatchUncommitted()
    {
        using var temp = new TempDirectory();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var options = new PipelineRunOptions { BatchInterval = TimeSpan.FromHours(1) };
        options.SourceUris["Input"] = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        using var abort = new CancellationTokenSource();
        Task running = run.RunAsync(CancellationToken.None, abort.Token);
        using TcpClient client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        byte[] text = Encoding.ASCII.GetBytes("never committed\n");
        await client.GetStream().WriteAsync(text, TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => run.Sources[0].Counters.Bytes == text.Length, "the text is consumed");

        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Eventually.Limit, TestContext.Current.CancellationToken));

        Assert.Equal(0, run.BatchesCompleted);
        string outDirectory = Path.Combine(temp.Path, "out");
        Assert.Empty(Directory.Exists(outDirectory) ? Directory.GetFiles(outDirectory, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task PipelineRun_OperatorThrows_FailsWithTheCauseAndCommitsNothing()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("in.txt", "fine\nboom here\n");
        var options = new PipelineRunOptions { TimeProvider = new FakeTimeProvider(Start) };
        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(ThrowingPipeline.Definition, options);

        var failure = await Assert.ThrowsAsync<PipelineFailedException>(() => run.RunAsync(TestContext.Current.CancellationToken));
        Assert.IsType<FormatException>(failure.InnerException);
        Assert.StartsWith("Pipeline 'ThrowingPipeline' failed in batch ", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith(": cannot parse 'boom here'", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, run.BatchesCompleted);
        Assert.Empty(Directory.GetFiles(Path.Combine(temp.Path, "out"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task PipelineRun_SkippedOversizeRecords_AreReportedInTheLog()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("in.txt", "ok\n" + new string('x', 200) + "\nfine\n");
        var clock = new FakeTimeProvider(Start);
        var logs = new CapturingLoggerProvider();
        var options = new PipelineRunOptions { TimeProvider = clock, LoggerFactory = logs.CreateFactory() };
        options.SourceUris["Input"] = $"file://{input}?maxRecordBytes=100&onOversize=skip";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        await run.RunToEndAsync(clock);

        LogLine warning = Assert.Single(logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal($"Batch 1772366401000 ms dropped 1 record longer than the limit of file://{input}?maxRecordBytes=100&onOversize=skip (maxRecordBytes=100); raise maxRecordBytes on the source URI to keep such records", warning.Message);
    }

    [Fact]
    public async Task PipelineRun_TypedSource_ParsesLinesAndCountsTheMalformed()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("numbers.txt", "1\n2\nseven\n3\n\n-1\n 4 \n");
        var clock = new FakeTimeProvider(Start);
        var logs = new CapturingLoggerProvider();
        var options = new PipelineRunOptions { TimeProvider = clock, LoggerFactory = logs.CreateFactory() };
        options.SourceUris["Numbers"] = "file://" + input;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/r?suffix=txt";
        await using var run = new PipelineRun(Remainders.Definition, options);
        await run.RunToEndAsync(clock);

        string output = Assert.Single(Directory.GetFiles(Path.Combine(temp.Path, "out")));
        Assert.Equal("(1,2)\n(2,1)\n(0,1)\n", File.ReadAllText(output));
        Assert.Equal(2, run.Sources[0].Counters.Malformed);
        LogLine warning = Assert.Single(logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        // The refused lines are counted per source and reason (a tuple's field would be named), said once; their policy is
        // skip, so the warning gives no dead-letter advice.
        Assert.Equal("Batch 1772366401000 ms refused 2 bad records (source [stage].field reason count): Numbers NumberInvalid 2; skipped by their policy (skip): counted, not kept", warning.Message);
    }

    private static PipelineRun Bind(string input, TempDirectory temp, TimeProvider clock)
    {
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        return new PipelineRun(WordCountPipeline.Definition, options);
    }
}
