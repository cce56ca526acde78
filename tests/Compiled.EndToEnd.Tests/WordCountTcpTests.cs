using System.Net;
using System.Net.Sockets;
using Compiled.Hosting;
using Microsoft.Extensions.Time.Testing;
using Samples.WordCount;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The sample's compiled word count reading a real TCP socket, as Spark's socketTextStream reads from
/// <c>nc -lk 9999</c>: the test is the server and writes text in irregular chunks.
/// </summary>
public class WordCountTcpTests
{
    [Fact]
    public async Task WordCount_Tcp_MatchesReferenceCounts()
    {
        using var temp = new TempDirectory();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        byte[] text = Reference.RandomText(seed: 3, lines: 5_000);

        var options = new PipelineRunOptions { BatchInterval = TimeSpan.FromMilliseconds(100) };
        options.SourceUris["Input"] = $"tcp://127.0.0.1:{Port(listener)}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(WordCount.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);

        using (TcpClient connection = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken))
        {
            await WriteInIrregularChunksAsync(connection.GetStream(), text, seed: 4);
        }

        // The peer closed: everything sent is framed (the last line has no newline) once the bytes are consumed.
        await RunningPipeline.WaitUntilAsync(() => run.Sources[0].Counters.Bytes == text.Length, running);
        await stop.CancelAsync();
        await running.WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);

        var batches = FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts");
        Assert.Equal(Reference.WordCounts(text), FileSinkOutput.Sum(batches.Values));
    }

    [Fact]
    public async Task WordCount_Tcp_ReconnectsAndCountsBothConnections()
    {
        using var temp = new TempDirectory();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        byte[] first = Reference.RandomText(seed: 5, lines: 500);
        byte[] second = Reference.RandomText(seed: 6, lines: 500);

        var options = new PipelineRunOptions { BatchInterval = TimeSpan.FromMilliseconds(100) };
        options.SourceUris["Input"] = $"tcp://127.0.0.1:{Port(listener)}?reconnectDelay=50ms";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(WordCount.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);

        using (TcpClient connection = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken))
        {
            await WriteInIrregularChunksAsync(connection.GetStream(), first, seed: 7);
        }

        using (TcpClient connection = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken))
        {
            await WriteInIrregularChunksAsync(connection.GetStream(), second, seed: 8);
        }

        await RunningPipeline.WaitUntilAsync(() => run.Sources[0].Counters.Bytes == first.Length + second.Length, running);
        await stop.CancelAsync();
        await running.WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);

        var expected = FileSinkOutput.Sum([Reference.WordCounts(first), Reference.WordCounts(second)]);
        Assert.Equal(expected, FileSinkOutput.Sum(FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts").Values));
        Assert.True(run.Sources[0].Counters.Reconnects >= 1);
    }

    [Fact]
    public async Task WordCount_Tcp_EachBatchHoldsWhatArrivedInItsInterval()
    {
        // On a fake clock the test decides when each batch ends: the text sent before a boundary must be
        // counted in that batch and in no other.
        using var temp = new TempDirectory();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, 100, TimeSpan.Zero));

        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Input"] = $"tcp://127.0.0.1:{Port(listener)}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(WordCount.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);
        using TcpClient connection = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        NetworkStream stream = connection.GetStream();
        string outDirectory = Path.Combine(temp.Path, "out");

        var sent = new List<byte[]>();
        long total = 0;
        for (int batch = 0; batch < 4; batch++)
        {
            // Batch 2 gets nothing: an empty batch is still a batch, with an empty output.
            byte[] text = batch == 2 ? [] : Reference.RandomText(seed: 10 + batch, lines: 200);
            if (text.Length > 0)
            {
                // Each chunk ends in a newline, so all of it is counted before the boundary.
                text = [.. text, (byte)'\n'];
                await WriteInIrregularChunksAsync(stream, text, seed: 20 + batch);
            }

            sent.Add(text);
            total += text.Length;
            await RunningPipeline.WaitUntilAsync(() => run.Sources[0].Counters.Bytes == total, running);
            clock.Advance(TimeSpan.FromSeconds(1));
            await RunningPipeline.WaitUntilAsync(() => Directory.Exists(outDirectory) && Directory.GetFiles(outDirectory, "counts-*.txt").Length == batch + 1, running);
        }

        // A stop commits the batch in flight when its time comes.
        await stop.CancelAsync();
        await run.FinishAsync(clock, running);

        var batches = FileSinkOutput.Batches(outDirectory, "counts");
        long[] times = [.. batches.Keys];
        Assert.Equal(5, times.Length); // four cut by the clock, one (empty) finished by the stop
        Assert.Equal(1_767_225_601_000, times[0]);
        for (int batch = 0; batch < 4; batch++)
        {
            Assert.Equal(times[0] + (batch * 1000), times[batch]);
            Assert.Equal(Reference.WordCounts(sent[batch]), batches[times[batch]]);
        }

        Assert.Empty(batches[times[4]]);
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    private static async Task WriteInIrregularChunksAsync(NetworkStream stream, byte[] text, int seed)
    {
        var random = new Random(seed);
        for (int offset = 0; offset < text.Length;)
        {
            int size = Math.Min(text.Length - offset, random.Next(4) == 0 ? random.Next(1, 8) : random.Next(1, 3000));
            await stream.WriteAsync(text.AsMemory(offset, size), TestContext.Current.CancellationToken);
            offset += size;
            if (random.Next(20) == 0)
            {
                await Task.Delay(random.Next(1, 5), TestContext.Current.CancellationToken);
            }
        }

        await stream.FlushAsync(TestContext.Current.CancellationToken);
    }
}
