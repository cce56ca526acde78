using System.Text;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Compiled.Tests.Shared;
using Microsoft.Extensions.Time.Testing;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// A run on N partitions (<see cref="PipelineRunOptions.Parallelism"/>) gives exactly the one-partition result, in the
/// same order: the files are split into byte ranges cut at line ends, each partition's tables are merged at the
/// boundary in partition order, and no line is lost or read twice, whatever the lines look like at the cuts.
/// </summary>
public class PartitionedRunTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task WordCount_MultiMegabyteFile_OnNPartitions_EqualsOnePartition(int partitions)
    {
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: partitions, bytes: 4 << 20);
        (Result one, Result many) = await OneAndManyAsync(WordCountPipeline.Definition, input, temp, partitions);
        Assert.True(one.Sinks["Output"].Count > 1000, $"The file has {one.Sinks["Output"].Count} distinct words; the test needs many.");
        Assert.Equal(one.Sinks["Output"], many.Sinks["Output"]);
        Assert.Equal(one.Records, many.Records);
        Assert.Equal(new FileInfo(input).Length, many.Bytes);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task CountByValueCountAndReduce_MultiMegabyteFile_OnNPartitions_EqualOnePartition(int partitions)
    {
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 10 + partitions, bytes: 3 << 20);
        (Result one, Result many) = await OneAndManyAsync(WordStatistics.Definition, input, temp, partitions);
        foreach (string sink in new[] { "LengthCounts", "LineTotals", "LongestWords" })
        {
            Assert.NotEmpty(one.Sinks[sink]);
            Assert.Equal(one.Sinks[sink], many.Sinks[sink]);
        }

        Assert.Equal(one.Records, many.Records);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task CombineByKey_MultiMegabyteFile_OnNPartitions_EqualsOnePartition(int partitions)
    {
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 20 + partitions, bytes: 3 << 20);
        (Result one, Result many) = await OneAndManyAsync(LetterStatistics.Definition, input, temp, partitions);
        Assert.NotEmpty(one.Sinks["Combined"]);
        Assert.Equal(one.Sinks["Combined"], many.Sinks["Combined"]);
    }

    // Contents whose lines straddle the cuts of 2 and 3 ranges in every way: lines longer than a range, than a partition's
    // read buffer and than the search for a cut; a last line without '\n'; CRLF; no bytes; fewer lines than partitions.
    public static TheoryData<string> Straddling => new()
    {
        "long lines",
        "last line without newline",
        "crlf",
        "empty file",
        "one line",
        "two lines, no final newline",
        "only newlines",
        "one long line between short ones",
    };

    [Theory]
    [MemberData(nameof(Straddling))]
    public async Task WordCount_LinesStraddlingTheCuts_NothingLostOrDoubled(string shape)
    {
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        byte[] content = Content(shape);
        File.WriteAllBytes(input, content);

        Result one = await RunAsync(WordCountPipeline.Definition, input, temp.Combine("one"), parallelism: 1);
        foreach (int partitions in new[] { 2, 3, 7 })
        {
            Result many = await RunAsync(WordCountPipeline.Definition, input, temp.Combine("many" + partitions), partitions);
            Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
            Assert.Equal(one.Sinks["Output"], many.Sinks["Output"]);
            Assert.Equal(one.Records, many.Records);
            Assert.Equal(content.Length, many.Bytes);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task WordCount_PatternOfSeveralFiles_OnNPartitions_EqualsOnePartitionInOrder(int partitions)
    {
        // The files of a pattern are laid end to end in the source's order and cut as one: files smaller than a range,
        // an empty file, a file without a final newline and one larger than several ranges. A key first seen late in
        // one file and early in the next must still come out where one partition puts it.
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("in"));
        File.WriteAllText(temp.Combine("in/a.txt"), "late early\nx y\n");
        File.WriteAllText(temp.Combine("in/b.txt"), "");
        File.WriteAllText(temp.Combine("in/c.txt"), "first\nsecond third");
        File.WriteAllBytes(temp.Combine("in/d.txt"), RandomText(seed: 40 + partitions, bytes: 1 << 20));
        File.WriteAllText(temp.Combine("in/e.txt"), "early first tail\n");
        long bytes = Directory.GetFiles(temp.Combine("in")).Sum(f => new FileInfo(f).Length);

        Result one = await RunAsync(WordCountPipeline.Definition, temp.Combine("in/*.txt"), temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(WordCountPipeline.Definition, temp.Combine("in/*.txt"), temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.Equal(["(late,1)", "(early,2)", "(x,1)", "(y,1)", "(first,2)", "(second,1)"], one.Sinks["Output"].Take(6));
        Assert.Equal(one.Sinks["Output"], many.Sinks["Output"]);
        Assert.Equal(one.Records, many.Records);
        Assert.Equal(bytes, many.Bytes);
    }

    [Fact]
    public async Task WordCount_ManyShortBatches_OnThreePartitions_SumToTheOnePartitionCounts()
    {
        // A real clock and 20 ms batches: boundaries fall while the partitions read, so they park, merge and go on
        // many times; summed over the batches, the counts are the one-partition counts.
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        File.WriteAllBytes(input, RandomText(seed: 5, bytes: 6 << 20));

        Result one = await RunAsync(WordCountPipeline.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(WordCountPipeline.Definition, input, temp.Combine("many"), parallelism: 3, batchInterval: TimeSpan.FromMilliseconds(20));

        Assert.Contains("runs on 3 partitions", many.Log, StringComparison.Ordinal);
        Assert.Equal(Sums(one.Sinks["Output"]), Sums(many.Sinks["Output"]));
        Assert.Equal(one.Records, many.Records);
    }

    [Fact]
    public async Task PipelineWithPerRecordSink_AskedForThreePartitions_RunsOnThreeInInputOrder()
    {
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        File.WriteAllText(input, "ok\nERROR one\nfine\nERROR two\nERROR three\n");

        Result one = await RunAsync(ErrorLines.Definition, input, temp.Combine("one"), parallelism: 1);
        Result asked = await RunAsync(ErrorLines.Definition, input, temp.Combine("asked"), parallelism: 3);

        Assert.Contains("runs on 3 partitions", asked.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("runs on one partition", one.Log, StringComparison.Ordinal);
        Assert.Equal(["ERROR one", "ERROR two", "ERROR three"], asked.Sinks["Output"]);
        Assert.Equal(one.Sinks["Output"], asked.Sinks["Output"]);
    }

    [Fact]
    public async Task WordCount_FromStandardInput_AskedForTwoPartitions_DealsItsLinesToThem()
    {
        using var temp = new TempDirectory();
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new PipelineRunOptions { TimeProvider = clock, Parallelism = 2, LoggerFactory = logs.CreateFactory() };
        options.OpenStandardInput = () => new MemoryStream(Encoding.UTF8.GetBytes("a b a\n"));
        options.SinkUris["Output"] = $"file://{temp.Path}/out/Output?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        await run.RunToEndAsync(clock);

        Assert.Contains(logs.Lines, line => line.Message.Contains("runs on 2 partitions: one reader receives stdin: and deals blocks of whole lines to them", StringComparison.Ordinal));
        Assert.Equal(["(a,2)", "(b,1)"], Lines(Path.Combine(temp.Path, "out"), "Output", sorted: true));
    }

    [Fact]
    public async Task WordCount_ParallelismLeftToItsDefault_TakesACorePerFourMebibytesOfInput()
    {
        // Unset, the run takes one partition per core, but no more than its input has 4 MiB for: 9 MiB is two
        // partitions' worth, 1 MiB one (which logs nothing about partitions).
        using var temp = new TempDirectory();
        string large = temp.Combine("large.txt");
        string small = temp.Combine("small.txt");
        File.WriteAllBytes(large, RandomText(seed: 50, bytes: 9 << 20));
        File.WriteAllBytes(small, RandomText(seed: 51, bytes: 1 << 20));

        Result one = await RunAsync(WordCountPipeline.Definition, large, temp.Combine("one"), parallelism: 1);
        Result byDefault = await RunAsync(WordCountPipeline.Definition, large, temp.Combine("default"), parallelism: null);
        Result smallByDefault = await RunAsync(WordCountPipeline.Definition, small, temp.Combine("small"), parallelism: null);

        int expected = Math.Min(PipelineRunOptions.DefaultParallelism, 2);
        if (expected > 1)
        {
            Assert.Contains($"runs on {expected} partitions", byDefault.Log, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("partitions", byDefault.Log, StringComparison.Ordinal);
        }

        Assert.Equal(one.Sinks["Output"], byDefault.Sinks["Output"]);
        Assert.DoesNotContain("partition", smallByDefault.Log, StringComparison.Ordinal);
        Assert.NotEmpty(smallByDefault.Sinks["Output"]);
    }

    [Fact]
    public async Task SmallInput_ParallelismLeftToItsDefault_RunsOnOneWithoutAWord()
    {
        // A small input runs on one partition by default, and only a run that asked for partitions is told why it did
        // not get them; by default the reason is at Debug level.
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        File.WriteAllText(input, "ok\nERROR one\n");

        Result byDefault = await RunAsync(ErrorLines.Definition, input, temp.Combine("default"), parallelism: null);

        Assert.DoesNotContain("partition", byDefault.Log, StringComparison.Ordinal);
        Assert.Equal(["ERROR one"], byDefault.Sinks["Output"]);
    }

    [Fact]
    public async Task StageDeclaredInOrder_AskedForThreePartitions_LogsWhyAndSeesEveryRecordInTurn()
    {
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 5, bytes: 2 << 20);
        NumberedLines.Restart();
        Result run = await RunAsync(NumberedLines.Definition, input, temp.Combine("out"), 3);

        Assert.Contains("runs on one partition: stage [Map] Numbered declares InOrder", run.Log, StringComparison.Ordinal);
        Assert.Equal([run.Records.ToString(System.Globalization.CultureInfo.InvariantCulture)], run.Sinks["LastOut"]);
    }

    [Fact]
    public void Parallelism_BelowOneOrAboveTheLimit_IsRefused()
    {
        var options = new PipelineRunOptions();
        Assert.Equal(Math.Min(Environment.ProcessorCount, PipelineRunOptions.MaxParallelism), options.Parallelism);
        Assert.False(options.ParallelismIsSet);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Parallelism = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Parallelism = PipelineRunOptions.MaxParallelism + 1);
    }

    [Fact]
    public void Definitions_SayWhichPipelinesSplit()
    {
        Assert.Equal(int.MaxValue, WordCountPipeline.Definition.MaxParallelism);
        Assert.Null(WordCountPipeline.Definition.SinglePartitionReason);
        Assert.Equal(int.MaxValue, WordStatistics.Definition.MaxParallelism);
        Assert.Equal(int.MaxValue, LetterStatistics.Definition.MaxParallelism);
        Assert.Equal(int.MaxValue, WordOrders.Definition.MaxParallelism);
        Assert.Equal(int.MaxValue, WindowStatistics.Definition.MaxParallelism);
        Assert.Equal(int.MaxValue, UserWindows.Definition.MaxParallelism);
        Assert.Equal(int.MaxValue, SplitStreams.Definition.MaxParallelism);
        Assert.Equal(int.MaxValue, OrdersAndRefunds.Definition.MaxParallelism);
        Assert.Equal(1, NumberedLines.Definition.MaxParallelism);
        Assert.Equal("stage [Map] Numbered declares InOrder: its method sees the records one at a time, in the order they arrive", NumberedLines.Definition.SinglePartitionReason);
        Assert.Equal(int.MaxValue, Totals.Definition.MaxParallelism);
        Assert.Equal(int.MaxValue, ErrorLines.Definition.MaxParallelism);
    }


    private static byte[] Content(string shape)
    {
        string longLine = string.Join(' ', Enumerable.Range(0, 60_000).Select(i => "x" + (i % 977)));
        return Encoding.ASCII.GetBytes(shape switch
        {
            "long lines" => string.Join('\n', Enumerable.Range(0, 5).Select(i => longLine + " line" + i)) + "\n",
            "last line without newline" => "a b c\nd e f\ng h i\nlast words here",
            "crlf" => "a b\r\nc d\r\n\r\ne f a\r\nb\r\n",
            "empty file" => "",
            "one line" => "just one line of words\n",
            "two lines, no final newline" => "first line\nsecond",
            "only newlines" => "\n\n\n\n\n\n\n",
            "one long line between short ones" => "a\nb\n" + longLine + "\nc\nd\n",
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "No such content shape; add it to Content."),
        });
    }
}
