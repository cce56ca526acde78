using System.Text;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Compiled.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

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
        string input = temp.Combine("input.txt");
        File.WriteAllBytes(input, RandomText(seed: partitions, bytes: 4 << 20));

        Result one = await RunAsync(WordCountPipeline.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(WordCountPipeline.Definition, input, temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
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
        string input = temp.Combine("input.txt");
        File.WriteAllBytes(input, RandomText(seed: 10 + partitions, bytes: 3 << 20));

        Result one = await RunAsync(WordStatistics.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(WordStatistics.Definition, input, temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
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
        string input = temp.Combine("input.txt");
        File.WriteAllBytes(input, RandomText(seed: 20 + partitions, bytes: 3 << 20));

        Result one = await RunAsync(LetterStatistics.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(LetterStatistics.Definition, input, temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.NotEmpty(one.Sinks["Combined"]);
        Assert.Equal(one.Sinks["Combined"], many.Sinks["Combined"]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task GroupByKeyAndUpdateStateByKey_MultiMegabyteFile_OnNPartitions_KeepTheInputsOrderPerKey(int partitions)
    {
        // Each word's values folded in order: a value out of the input's order changes the hash.
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        File.WriteAllBytes(input, RandomText(seed: 30 + partitions, bytes: 4 << 20));

        Result one = await RunAsync(WordOrders.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(WordOrders.Definition, input, temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.True(one.Sinks["Groups"].Count > 1000, $"The file has {one.Sinks["Groups"].Count} distinct first words; the test needs many.");
        Assert.Equal(one.Sinks["Groups"], many.Sinks["Groups"]);
        Assert.Equal(one.Sinks["States"], many.Sinks["States"]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EveryKindOfWindow_MultiMegabyteFile_OnNPartitions_EqualsOnePartition(int partitions)
    {
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        File.WriteAllBytes(input, RandomText(seed: 50 + partitions, bytes: 3 << 20));

        Result one = await RunAsync(WindowStatistics.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(WindowStatistics.Definition, input, temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.True(one.Sinks["MergedOut"].Count > 1000, $"The window holds {one.Sinks["MergedOut"].Count} distinct words; the test needs many.");
        Assert.True(one.Sinks["RecentLinesOut"].Count > 10_000, $"The window holds {one.Sinks["RecentLinesOut"].Count} lines; the test needs many.");
        foreach (SinkDeclaration sink in WindowStatistics.Definition.Sinks)
        {
            Assert.NotEmpty(one.Sinks[sink.Name]);
            Assert.Equal(one.Sinks[sink.Name], many.Sinks[sink.Name]);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EventWindows_MultiMegabyteFile_OnNPartitions_EqualOnePartition(int partitions)
    {
        // One batch: every window is emitted at the end of the input, with its keys in the order one partition saw them.
        using var temp = new TempDirectory();
        string input = temp.Combine("events.txt");
        File.WriteAllText(input, Events(seed: 60 + partitions, bytes: 4 << 20));

        Result one = await RunAsync(UserWindows.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(UserWindows.Definition, input, temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.True(one.Sinks["SlidingOut"].Count > 10_000, $"The windows hold {one.Sinks["SlidingOut"].Count} user counts; the test needs many.");
        foreach (SinkDeclaration sink in UserWindows.Definition.Sinks)
        {
            Assert.Equal(one.Sinks[sink.Name], many.Sinks[sink.Name]);
        }
    }

    [Fact]
    public async Task EventWindows_ManyShortBatches_OnThreePartitions_EmitEachWindowOnceWithTheOnePartitionValues()
    {
        // Times wander back by less than the lateness, so no record is late however the batches cut the input: each
        // window is emitted once, in whichever batch the merged watermark passes its end, with the one-partition value.
        using var temp = new TempDirectory();
        string input = temp.Combine("events.txt");
        File.WriteAllText(input, Events(seed: 70, bytes: 6 << 20));

        Result one = await RunAsync(UserWindows.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(UserWindows.Definition, input, temp.Combine("many"), 3, TimeSpan.FromMilliseconds(20));

        Assert.Contains("runs on 3 partitions", many.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("late", many.Log, StringComparison.OrdinalIgnoreCase);
        int emitting = Directory.GetFiles(temp.Combine("many"), "TumblingOut-*.txt").Count(f => new FileInfo(f).Length > 0);
        Assert.True(emitting > 1, $"The windows were emitted in {emitting} batch(es); the merged watermark must pass windows before the input ends.");
        foreach (string sink in new[] { "TumblingOut", "SlidingOut", "SessionsOut" })
        {
            Assert.Equal(one.Sinks[sink].Order(StringComparer.Ordinal), many.Sinks[sink].Order(StringComparer.Ordinal));
        }
    }

    // About 'bytes' bytes of "millis user amount" lines over 2,000 users, times rising 1 ms a line on average and
    // wandering back by up to a second (less than the pipeline's lateness of 2 s).
    private static string Events(int seed, int bytes)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes + 64);
        long time = 1_700_000_000_000;
        while (text.Length < bytes)
        {
            time += random.Next(3);
            text.Append(time - random.Next(1000)).Append(" u").Append(random.Next(2000)).Append(' ')
                .Append((random.Next(10_000) / 4.0).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TwoStreamsOfOneSource_CogroupUnionAndTransformWith_OnNPartitions_EqualOnePartition(int partitions)
    {
        // Each stream folded in order, per key and over the batch: a value out of the input's order changes a hash.
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        File.WriteAllBytes(input, RandomText(seed: 80 + partitions, bytes: 3 << 20));

        Result one = await RunAsync(SplitStreams.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(SplitStreams.Definition, input, temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.True(one.Sinks["Counts"].Count > 50, $"The union counted {one.Sinks["Counts"].Count} (letter, length) pairs; the test needs many.");
        foreach (SinkDeclaration sink in SplitStreams.Definition.Sinks)
        {
            Assert.NotEmpty(one.Sinks[sink.Name]);
            Assert.Equal(one.Sinks[sink.Name], many.Sinks[sink.Name]);
        }
    }

    [Fact]
    public async Task UpdateStateByKey_ManyShortBatches_OnThreePartitions_EndsWithTheOnePartitionCounts()
    {
        // Batches cut by time divide the records differently on 3 partitions, but each key's count over the run is the same.
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        File.WriteAllBytes(input, RandomText(seed: 40, bytes: 6 << 20));

        Result one = await RunAsync(WordOrders.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(WordOrders.Definition, input, temp.Combine("many"), 3, TimeSpan.FromMilliseconds(20));

        Assert.Contains("runs on 3 partitions", many.Log, StringComparison.Ordinal);
        Assert.Equal(Counts(one.Sinks["States"]), Counts(LastBatch(temp.Combine("many"), "States")));
    }

    // Each "(word,(count, hash))" line's word and count.
    private static SortedDictionary<string, long> Counts(List<string> lines)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            int open = line.LastIndexOf(",(", StringComparison.Ordinal);
            int comma = line.IndexOf(',', open + 2);
            counts[line[1..open]] = long.Parse(line[(open + 2)..comma], System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    }

    // The lines of a sink's last batch file.
    private static List<string> LastBatch(string directory, string sink) =>
        [.. File.ReadAllText(Directory.GetFiles(directory, sink + "-*.txt").Order(StringComparer.Ordinal).Last(), Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

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
    public async Task PipelineWithPerRecordSink_AskedForThreePartitions_LogsWhyAndRunsOnOne()
    {
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        File.WriteAllText(input, "ok\nERROR one\nfine\nERROR two\nERROR three\n");

        Result one = await RunAsync(ErrorLines.Definition, input, temp.Combine("one"), parallelism: 1);
        Result asked = await RunAsync(ErrorLines.Definition, input, temp.Combine("asked"), parallelism: 3);

        Assert.Contains("runs on one partition: stage [Sink] Output writes each record as it arrives", asked.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("runs on one partition", one.Log, StringComparison.Ordinal);
        Assert.Equal(["ERROR one", "ERROR two", "ERROR three"], asked.Sinks["Output"]);
        Assert.Equal(one.Sinks["Output"], asked.Sinks["Output"]);
    }

    [Fact]
    public async Task WordCount_FromStandardInput_AskedForTwoPartitions_LogsWhyAndRunsOnOne()
    {
        using var temp = new TempDirectory();
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new PipelineRunOptions { TimeProvider = clock, Parallelism = 2, LoggerFactory = logs.CreateFactory() };
        options.OpenStandardInput = () => new MemoryStream(Encoding.UTF8.GetBytes("a b a\n"));
        options.SinkUris["Output"] = $"file://{temp.Path}/out/Output?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        await run.RunToEndAsync(clock);

        Assert.Contains(logs.Lines, line => line.Message.Contains("runs on one partition: source stdin: is not a file", StringComparison.Ordinal));
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
    public async Task PipelineWithPerRecordSink_ParallelismLeftToItsDefault_RunsOnOneWithoutAWord()
    {
        // Only a run that asked for partitions is told why it did not get them; by default the reason is at Debug level.
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        File.WriteAllText(input, "ok\nERROR one\n");

        Result byDefault = await RunAsync(ErrorLines.Definition, input, temp.Combine("default"), parallelism: null);

        Assert.DoesNotContain("partition", byDefault.Log, StringComparison.Ordinal);
        Assert.Equal(["ERROR one"], byDefault.Sinks["Output"]);
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
        Assert.Equal(1, Totals.Definition.MaxParallelism);
        Assert.Equal("stage [Sink] BigOrders writes each record as it arrives, so its output's order is the input's", Totals.Definition.SinglePartitionReason);
    }

    private sealed record Result(Dictionary<string, List<string>> Sinks, long Records, long Bytes, string Log);

    // Runs a pipeline over a file (or a pattern), on the given partitions or (null) the default, on a clock that does not move unless a batch interval is given (then on
    // the real clock), each sink into files of its own; returns each sink's lines in the order written, the source's
    // counters and the log (Information and above).
    private static async Task<Result> RunAsync(PipelineDefinition definition, string input, string output, int? parallelism, TimeSpan? batchInterval = null)
    {
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new PipelineRunOptions { LoggerFactory = logs.CreateFactory() };
        if (parallelism is { } explicitly)
        {
            options.Parallelism = explicitly;
        }

        if (batchInterval is { } interval)
        {
            options.BatchInterval = interval;
        }
        else
        {
            options.TimeProvider = clock;
        }

        options.SourceUris[definition.Sources[0].Name] = "file://" + input;
        foreach (SinkDeclaration sink in definition.Sinks)
        {
            options.SinkUris[sink.Name] = $"file://{output}/{sink.Name}?suffix=txt";
        }

        await using var run = new PipelineRun(definition, options);
        if (batchInterval is null)
        {
            await run.RunToEndAsync(clock);
        }
        else
        {
            await run.RunAsync(TestContext.Current.CancellationToken);
        }

        var sinks = definition.Sinks.ToDictionary(s => s.Name, s => Lines(output, s.Name, sorted: false));
        string log = string.Join("\n", logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Information).Select(l => l.Message));
        return new Result(sinks, run.Sources[0].Counters.Records, run.Sources[0].Counters.Bytes, log);
    }

    // The lines a file sink wrote, over all its batches' files in batch order.
    private static List<string> Lines(string directory, string sink, bool sorted)
    {
        var lines = new List<string>();
        if (Directory.Exists(directory))
        {
            foreach (string file in Directory.GetFiles(directory, sink + "-*.txt").Order(StringComparer.Ordinal))
            {
                lines.AddRange(File.ReadAllText(file, Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        if (sorted)
        {
            lines.Sort(StringComparer.Ordinal);
        }

        return lines;
    }

    // "(word,count)" lines summed per word over all batches.
    private static SortedDictionary<string, long> Sums(List<string> lines)
    {
        var sums = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            int comma = line.LastIndexOf(',');
            string word = line[1..comma];
            sums[word] = sums.GetValueOrDefault(word) + long.Parse(line[(comma + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        }

        return sums;
    }

    // About 'bytes' bytes of lines of 0 to 20 words from a vocabulary of 20,000, some lines CRLF, some empty.
    private static byte[] RandomText(int seed, int bytes)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes + 256);
        while (text.Length < bytes)
        {
            int words = random.Next(21);
            for (int w = 0; w < words; w++)
            {
                text.Append(w == 0 ? "" : " ").Append('w').Append(random.Next(20_000));
            }

            text.Append(random.Next(10) == 0 ? "\r\n" : "\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
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
