using System.Net;
using System.Net.Sockets;
using Compiled.Hosting;

namespace Compiled.EndToEnd.Tests;

/// <summary>A word count over the union of two sources: two sockets, or two files.</summary>
[Pipeline(BatchInterval = "100ms")]
public static partial class TwoInputWords
{
    [Source(Default = "tcp://localhost:9001")]
    public static partial Lines Left();

    [Source(Default = "tcp://localhost:9002")]
    public static partial Lines Right();

    [Union(Input = nameof(Left), Other = nameof(Right))]
    public static partial ReadOnlySpan<byte> Both(ReadOnlySpan<byte> line);

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line);

    [CountByValue]
    public static ReadOnlySpan<byte> Word(ReadOnlySpan<byte> word) => word;

    [Sink(Default = "console")]
    public static partial void Counts(ReadOnlySpan<byte> word, long count);
}

/// <summary>
/// Two sources read side by side by one run: each is framed on its own (a line split across reads of one socket
/// is never mixed with the other's bytes), and the run ends when both have ended.
/// </summary>
public class TwoSourceTests
{
    [Fact]
    public void TestDriver_ABatchPerSource_CountedTogether()
    {
        using var test = new TwoInputWords.TestDriver();
        test.Left.Batch("a b a", "c").Batch("d");
        test.Right.Batch("b", "").Batch().Batch("a a");
        test.Run();

        Assert.Equal(
            [
                "100: a=2 b=2 c=1",
                "200: d=1",
                "300: a=2",
            ],
            test.Counts.Batches.Select(b => $"{b.Time}: " + string.Join(" ", b.Records.Order().Select(r => $"{r.Key}={r.Value}"))));
    }

    [Fact]
    public async Task TwoSockets_WrittenAtTheSameTime_CountedTogether()
    {
        using var temp = new TempDirectory();
        using var left = new TcpListener(IPAddress.Loopback, 0);
        using var right = new TcpListener(IPAddress.Loopback, 0);
        left.Start();
        right.Start();
        byte[] leftText = Reference.RandomText(seed: 31, lines: 3_000);
        byte[] rightText = Reference.RandomText(seed: 32, lines: 3_000);

        var options = new PipelineRunOptions();
        options.SourceUris["Left"] = $"tcp://127.0.0.1:{Port(left)}";
        options.SourceUris["Right"] = $"tcp://127.0.0.1:{Port(right)}";
        options.SinkUris["Counts"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(TwoInputWords.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);

        // Both peers write at once, in small irregular chunks, so that reads of the two sockets interleave.
        await Task.WhenAll(ServeAsync(left, leftText, seed: 33), ServeAsync(right, rightText, seed: 34));
        await RunningPipeline.WaitUntilAsync(() => run.Sources[0].Counters.Bytes == leftText.Length && run.Sources[1].Counters.Bytes == rightText.Length, running);
        await stop.CancelAsync();
        await running.WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);

        var expected = FileSinkOutput.Sum([Reference.WordCounts(leftText), Reference.WordCounts(rightText)]);
        Assert.Equal(expected, FileSinkOutput.Sum(FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts").Values));
        Assert.Equal(PipelineRunState.Completed, run.State);
    }

    [Fact]
    public async Task TwoFiles_TheRunEndsWhenBothHaveEnded()
    {
        using var temp = new TempDirectory();
        byte[] leftText = Reference.RandomText(seed: 35, lines: 2_000);
        byte[] rightText = Reference.RandomText(seed: 36, lines: 50);
        string leftFile = Path.Combine(temp.Path, "left.txt");
        string rightFile = Path.Combine(temp.Path, "right.txt");
        await File.WriteAllBytesAsync(leftFile, leftText, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(rightFile, rightText, TestContext.Current.CancellationToken);

        var options = new PipelineRunOptions();
        options.SourceUris["Left"] = $"file://{leftFile}";
        options.SourceUris["Right"] = $"file://{rightFile}";
        options.SinkUris["Counts"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(TwoInputWords.Definition, options);
        await run.RunAsync(TestContext.Current.CancellationToken).WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);

        var expected = FileSinkOutput.Sum([Reference.WordCounts(leftText), Reference.WordCounts(rightText)]);
        Assert.Equal(expected, FileSinkOutput.Sum(FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts").Values));
        Assert.Equal(leftText.Length, run.Sources[0].Counters.Bytes);
        Assert.Equal(rightText.Length, run.Sources[1].Counters.Bytes);
    }

    [Fact]
    public async Task Executable_ASourceWithoutItsName_IsAnErrorThatSaysHowToNameIt()
    {
        // Through the command line: with two sources, --source must say which one it binds.
        var error = new StringWriter();
        int exit = await PipelineProgram.RunAsync(TwoInputWords.Definition, ["--source", "file:///tmp/x.txt"], error, configure: null);
        Assert.Equal(2, exit);
        Assert.Contains("this pipeline has 2 sources; write --source NAME=URI with NAME one of Left, Right", error.ToString());
    }

    private static async Task ServeAsync(TcpListener listener, byte[] text, int seed)
    {
        using TcpClient connection = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        NetworkStream stream = connection.GetStream();
        var random = new Random(seed);
        for (int offset = 0; offset < text.Length;)
        {
            int size = Math.Min(text.Length - offset, random.Next(1, 700));
            await stream.WriteAsync(text.AsMemory(offset, size), TestContext.Current.CancellationToken);
            offset += size;
            if (random.Next(10) == 0)
            {
                await Task.Delay(1, TestContext.Current.CancellationToken);
            }
        }
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;
}
