using System.Text;
using Compiled.Hosting;
using Microsoft.Extensions.Time.Testing;
using Samples.WordCount;

namespace Compiled.EndToEnd.Tests;

/// <summary>The sample's compiled word count over real files, into the real console and file sinks.</summary>
public class WordCountFileTests
{
    // 2026-01-01T00:00:00.250Z: the first batch boundary after it is 2026-01-01T00:00:01Z.
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, 250, TimeSpan.Zero);
    private const long FirstBatchTime = 1_767_225_601_000;

    [Theory]
    [InlineData(1, 2_000)]
    [InlineData(2, 20_000)]
    public async Task WordCount_File_MatchesReferenceCounts(int seed, int lines)
    {
        using var temp = new TempDirectory();
        byte[] text = Reference.RandomText(seed, lines);
        File.WriteAllBytes(temp.File("input.txt"), text);

        var options = new PipelineRunOptions { BatchInterval = TimeSpan.FromMilliseconds(100) };
        options.SourceUris["Input"] = "file://" + temp.File("input.txt");
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(WordCount.Definition, options);
        await run.RunAsync(TestContext.Current.CancellationToken);

        var batches = FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts");
        Assert.NotEmpty(batches);
        Assert.Equal(Reference.WordCounts(text), FileSinkOutput.Sum(batches.Values));
        Assert.Equal(text.Length, run.Sources[0].Counters.Bytes);
    }

    [Fact]
    public async Task WordCount_ConsoleSink_PrintsSparkPprintExactly()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("story.txt"), "the quick brown fox jumps over the lazy dog\r\n\r\nthe end of  a story");
        var output = new MemoryStream();
        var clock = new FakeTimeProvider(Start);
        var options = new PipelineRunOptions { TimeProvider = clock, OpenStandardOutput = () => output };
        options.SourceUris["Input"] = "file://" + temp.File("story.txt");
        await using var run = new PipelineRun(WordCount.Definition, options);
        await run.RunToEndAsync(clock);

        // Twelve distinct words: the first ten in the order first seen, then "...".
        Assert.Equal(
            $"""
            -------------------------------------------
            Time: {FirstBatchTime} ms
            -------------------------------------------
            (the,3)
            (quick,1)
            (brown,1)
            (fox,1)
            (jumps,1)
            (over,1)
            (lazy,1)
            (dog,1)
            (end,1)
            (of,1)
            ...


            """.Replace("\r\n", "\n"),
            Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task WordCount_FileSink_WritesSparkTuplesExactly()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("words.txt"), Encoding.UTF8.GetBytes("b a b\ncafé a b\n"));
        var clock = new FakeTimeProvider(Start);
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Input"] = "file://" + temp.File("words.txt");
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(WordCount.Definition, options);
        await run.RunToEndAsync(clock);

        string[] files = Directory.GetFiles(Path.Combine(temp.Path, "out"));
        Assert.Equal([Path.Combine(temp.Path, "out", $"counts-{FirstBatchTime}.txt")], files);
        Assert.Equal("(b,3)\n(a,2)\n(café,1)\n", Encoding.UTF8.GetString(File.ReadAllBytes(files[0])));
    }

    [Fact]
    public async Task WordCount_OversizeLine_FailsWithSourceAndOffset()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("long.txt"), "short line\n" + new string('x', 100) + "\nafter\n");
        var options = new PipelineRunOptions { TimeProvider = new FakeTimeProvider(Start), OpenStandardOutput = () => new MemoryStream() };
        options.SourceUris["Input"] = $"file://{temp.File("long.txt")}?maxRecordBytes=50";
        await using var run = new PipelineRun(WordCount.Definition, options);

        var failure = await Assert.ThrowsAsync<PipelineFailedException>(() => run.RunAsync(TestContext.Current.CancellationToken));
        var cause = Assert.IsType<Framing.RecordTooLongException>(failure.InnerException);
        Assert.Equal(11, cause.Offset);
        Assert.Contains(temp.File("long.txt"), failure.Message, StringComparison.Ordinal);
        Assert.Contains("byte offset 11", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WordCount_OversizeLine_SkippedAndCountedWhenAsked()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("long.txt"), "short line\n" + new string('x', 100) + "\nafter\n");
        var clock = new FakeTimeProvider(Start);
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Input"] = $"file://{temp.File("long.txt")}?maxRecordBytes=50&onOversize=skip";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(WordCount.Definition, options);
        await run.RunToEndAsync(clock);

        Assert.Equal(1, run.Sources[0].Counters.OversizeSkipped);
        var counts = FileSinkOutput.Sum(FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts").Values);
        Assert.Equal(new Dictionary<string, long> { ["short"] = 1, ["line"] = 1, ["after"] = 1 }, counts);
    }
}
