using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Testing;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// A sink the fused loop writes to, on N partitions: each extra partition keeps its records of a batch in a buffer of its
/// own, and the merge writes them to the job's sink after those of the partitions before it, so that a batch's output is
/// the one-partition output, in the input's order; a partition whose buffers fill ends the batch early.
/// </summary>
public class PartitionedSinkTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TextSink_FilteredLines_MultiMegabyteFile_OnNPartitions_EqualsOnePartitionInOrder(int partitions)
    {
        using var temp = new TempDirectory();
        string input = NumberedLinesFile(temp, lines: 200_000);
        (Result one, Result many) = await OneAndManyAsync(ErrorLines.Definition, input, temp, partitions);

        Assert.True(one.Sinks["Output"].Count > 50_000, $"Only {one.Sinks["Output"].Count} lines were kept; the test needs many.");
        Assert.Equal(one.Sinks["Output"], many.Sinks["Output"]);
        AssertAscending(many.Sinks["Output"]);
        Assert.Equal(one.Records, many.Records);
    }

    [Theory]
    [InlineData(2, "")]
    [InlineData(3, "")]
    [InlineData(2, "&format=csv")]
    [InlineData(3, "&format=csv")]
    [InlineData(2, "&format=json")]
    [InlineData(3, "&format=json")]
    public async Task TypedRecords_FilterThenMap_AsTextCsvOrJson_OnNPartitions_EqualsOnePartitionInOrder(int partitions, string format)
    {
        using var temp = new TempDirectory();
        string input = BidsFile(temp, bids: 150_000);
        Result one = await RunAsync(BidSelection.Definition, input, temp.Combine("one"), 1, sinkOptions: format);
        Result many = await RunAsync(BidSelection.Definition, input, temp.Combine("many"), partitions, sinkOptions: format);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        List<string> rows = one.Sinks["Output"].Where(l => !l.StartsWith("auction", StringComparison.Ordinal)).ToList();
        Assert.True(rows.Count > 15_000, $"Only {rows.Count} bids were selected; the test needs many.");
        Assert.Equal(one.Sinks["Output"], Concatenated(many.Sinks["Output"], format, partitions));
    }

    [Theory]
    [InlineData(2, "&format=csv")]
    [InlineData(3, "&format=json")]
    public async Task TypedRecords_MapOnly_AsCsvOrJson_OnNPartitions_EqualsOnePartitionInOrder(int partitions, string format)
    {
        using var temp = new TempDirectory();
        string input = BidsFile(temp, bids: 120_000);
        Result one = await RunAsync(BidsInEuros.Definition, input, temp.Combine("one"), 1, sinkOptions: format);
        Result many = await RunAsync(BidsInEuros.Definition, input, temp.Combine("many"), partitions, sinkOptions: format);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.True(one.Sinks["Output"].Count >= 120_000);
        Assert.Equal(one.Sinks["Output"], Concatenated(many.Sinks["Output"], format, partitions));
    }

    [Theory]
    [InlineData(2, "")]
    [InlineData(3, "&format=json")]
    [InlineData(3, "&format=csv")]
    public async Task KeyedPairs_OnNPartitions_EqualOnePartitionInOrder(int partitions, string format)
    {
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 60 + partitions, bytes: 3 << 20);
        Result one = await RunAsync(WordLengths.Definition, input, temp.Combine("one"), 1, sinkOptions: format);
        Result many = await RunAsync(WordLengths.Definition, input, temp.Combine("many"), partitions, sinkOptions: format);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.True(one.Sinks["Output"].Count > 100_000);
        Assert.Equal(one.Sinks["Output"], Concatenated(many.Sinks["Output"], format, partitions));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TypedWriter_TakesRecordsAsTheyAre_OnNPartitions_EqualsOnePartitionInOrder(int partitions)
    {
        // A sink that takes (auction, price) tuples as they are, as the test driver's captures and typed stores do: each
        // extra partition keeps its tuples until the merge, which hands them to the job's sink after the ranges before.
        using var temp = new TempDirectory();
        byte[] input = File.ReadAllBytes(BidsFile(temp, bids: 150_000));
        List<(long Auction, long Price)> one = await CaptureAsync(input, 1);
        List<(long Auction, long Price)> many = await CaptureAsync(input, partitions);

        Assert.True(one.Count > 15_000, $"Only {one.Count} bids were selected; the test needs many.");
        Assert.Equal(one, many);
    }

    [Fact]
    public void TypedWriterOfViews_KeepsTheJobOnOnePartitionAndSaysWhy()
    {
        // A word pair's key is a view into the partition's read buffer, which is reused before the boundary: such records
        // cannot be kept, so a job whose sink takes them as they are says why it runs on one partition; the same job
        // writing text to a file splits.
        var counters = new SourceCounters();
        using PipelineJob typed = WordLengths.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [new KeyValueCapture<long>("Output")]));
        using PipelineJob text = WordLengths.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [new DiscardingSink()]));

        Assert.Equal(int.MaxValue, WordLengths.Definition.MaxParallelism);
        Assert.Equal("sink Output takes its records as they are (KeyValue<long>), which hold views into a buffer a partition reuses, so a partition cannot keep them until the batch boundary", typed.SinglePartitionReason);
        Assert.Null(text.SinglePartitionReason);
    }

    // Runs BidSelection over the input in one batch into a capture of typed records: the job reads the first of
    // `partitions` ranges (cut at line ends) and each partition the next, then the partitions merge in order.
    private static async Task<List<(long Auction, long Price)>> CaptureAsync(byte[] input, int partitions)
    {
        var capture = new RecordCapture<(long Auction, long Price)>("Output");
        var counters = new SourceCounters();
        using PipelineJob job = BidSelection.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [capture]));
        var extra = new List<JobPartition>();
        for (int p = 1; p < partitions; p++)
        {
            extra.Add(job.CreatePartition(new PartitionContext([FramingOptions.Default], [new SourceCounters()]) { Sinks = [capture] }));
        }

        capture.BeginBatch(1000);
        int start = 0;
        for (int p = 0; p < partitions; p++)
        {
            int end = p == partitions - 1 ? input.Length : Array.IndexOf(input, (byte)'\n', input.Length * (p + 1) / partitions) + 1;
            var range = new System.Buffers.ReadOnlySequence<byte>(input, start, end - start);
            if (p == 0)
            {
                job.BeginStream(0, "bids");
                Assert.Equal(range.End, job.Process(0, range, isCompleted: true));
            }
            else
            {
                extra[p - 1].BeginStream(0, "bids");
                Assert.Equal(range.End, extra[p - 1].Process(0, range, isCompleted: true));
            }

            start = end;
        }

        foreach (JobPartition partition in extra)
        {
            partition.MergeInto(job);
            partition.Dispose();
        }

        job.CompleteBatch(new BatchInfo(1, 1000));
        await capture.CommitBatchAsync(TestContext.Current.CancellationToken);
        return capture.Output.Records.ToList();
    }

    [Fact]
    public async Task ManyShortBatches_OnTwoPartitions_SameRecordsAsOnePartition()
    {
        // Batches cut by the real clock every 20 ms divide the records differently, but none is lost or written twice.
        using var temp = new TempDirectory();
        string input = BidsFile(temp, bids: 300_000);
        Result one = await RunAsync(BidsInEuros.Definition, input, temp.Combine("one"), 1);
        Result many = await RunAsync(BidsInEuros.Definition, input, temp.Combine("many"), 2, TimeSpan.FromMilliseconds(20));

        Assert.Contains("runs on 2 partitions", many.Log, StringComparison.Ordinal);
        Assert.Equal(one.Sinks["Output"].Order(StringComparer.Ordinal), many.Sinks["Output"].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PartitionBufferOverItsLimit_EndsBatchesEarly_NothingLostAndBatchesBounded()
    {
        // The console takes every record from one thread, so partition 1 keeps its records for it until the boundary.
        // With 256 KiB a partition and a clock that never moves, one batch would hold the whole input; instead a
        // partition over its limit ends the batch, so the buffers are written out and the output comes in many batches.
        using var temp = new TempDirectory();
        string input = NumberedLinesFile(temp, lines: 300_000);
        const long limit = 256 << 10;
        string printed = temp.Combine("stdout.txt");
        Result one = await RunAsync(ErrorLines.Definition, input, temp.Combine("one"), 1);
        Result many = await RunAsync(ErrorLines.Definition, input, temp.Combine("many"), 2, configure: o =>
        {
            o.PartitionSinkBufferBytes = limit;
            o.SinkUris["Output"] = "console:?num=100000000";
            o.OpenStandardOutput = () => File.Create(printed);
        });

        List<List<string>> batches = PrintedBatches.Of(File.ReadAllText(printed));
        Assert.Equal(one.Sinks["Output"].Order(StringComparer.Ordinal), batches.SelectMany(b => b).Order(StringComparer.Ordinal));
        long output = new FileInfo(printed).Length;
        Assert.True(batches.Count >= output / 2 / (2 * limit), $"{batches.Count} batches for {output} bytes of output: a partition holding over {limit} bytes must end the batch.");

        // Within each batch, partition 0's lines come first, then partition 1's: each part in the input's order.
        foreach (List<string> batch in batches)
        {
            List<long> numbers = batch.Select(LineNumber).ToList();
            int descents = numbers.Zip(numbers.Skip(1)).Count(p => p.Second < p.First);
            Assert.True(descents <= 1, $"A batch has {descents} places where the input's order goes back; at most one (where partition 1's lines follow partition 0's) is expected.");
        }
    }

    [Fact]
    public async Task LateSink_ManyShortBatches_OnTwoPartitions_WritesEveryLateRecordOnce()
    {
        // Times wander back by up to 4 s against a lateness of 1 s: which records are late depends on where batches cut,
        // but every record the run counts late is in the late sink once, whichever partition judged it, and every other
        // record is counted in a window.
        using var temp = new TempDirectory();
        var random = new Random(80);
        var text = new StringBuilder();
        long time = 1_700_000_000_000;
        for (int i = 0; i < 200_000; i++)
        {
            time += random.Next(3);
            text.Append(time - random.Next(4000)).Append(" u").Append(random.Next(100)).Append(' ').Append(i).Append('\n');
        }

        string input = temp.Combine("events.txt");
        File.WriteAllText(input, text.ToString());
        Result many = await RunAsync(LateLines.Definition, input, temp.Combine("many"), 2, TimeSpan.FromMilliseconds(20));

        Assert.Contains("runs on 2 partitions", many.Log, StringComparison.Ordinal);
        long counted = System.Text.RegularExpressions.Regex.Matches(many.Log, @"had (\d+) late")
            .Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        List<string> late = many.Sinks["TooLate"];
        Assert.True(late.Count > 0, "No record was late; the test needs some.");
        Assert.Equal(counted, late.Count);
        Assert.Equal(late.Count, late.Distinct(StringComparer.Ordinal).Count());
        long windowed = many.Sinks["TumblingOut"].Sum(l => long.Parse(l[(l.LastIndexOf(',') + 1)..^1], CultureInfo.InvariantCulture));
        Assert.Equal(200_000, windowed + late.Count);
    }

    [Fact]
    public void PartitionSinkBufferBytes_BelowOne_IsRefused()
    {
        var options = new PipelineRunOptions();
        Assert.Equal(64L << 20, options.PartitionSinkBufferBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.PartitionSinkBufferBytes = 0);
    }

    // The lines of a batch's part files, in name order, as one file would hold them: as CSV, each part is a document of
    // its own and starts with the header row (checked here), which one file has once.
    private static List<string> Concatenated(List<string> parts, string format, int partitions)
    {
        if (format != "&format=csv")
        {
            return parts;
        }

        string header = parts[0];
        Assert.Equal(partitions, parts.Count(l => l == header));
        return [header, .. parts.Where(l => l != header)];
    }

    // Lines "<n> ERROR ..." (two in three) and "<n> ok ...", numbered from 0, so that order can be checked.
    [Fact]
    public async Task PartitionFailing_WhileAnotherRunsABufferThatFillsItsSinkBuffers_FailsTheRun_WithoutHanging()
    {
        // Partition 0's range starts with a line its filter throws on; partition 1's first buffer holds lines for the
        // console, kept until the boundary (over a limit of 1 byte), and a line that holds it up half a second. The run
        // closes the partitions while partition 1 is in that buffer; after it, partition 1 asks for a boundary, which
        // must not park it for good: the run fails with the stage's error.
        using var temp = new TempDirectory();
        var text = new StringBuilder();
        for (int i = 0; i < 2_000; i++)
        {
            string word = i == 5 ? "boom" : i == 1_010 ? "slow" : "line";
            text.Append(word).Append(' ').Append(i.ToString("D5", CultureInfo.InvariantCulture)).Append('\n');
        }

        string input = temp.Write("lines.txt", text.ToString());
        Task<Result> run = RunAsync(SlowOrFailingLines.Definition, input, temp.Combine("many"), 2, configure: o =>
        {
            o.PartitionSinkBufferBytes = 1;
            o.SinkUris["Output"] = "console:?num=100000000";
            o.OpenStandardOutput = () => File.Create(temp.Combine("stdout.txt"));
        });

        PipelineFailedException failed = await Assert.ThrowsAsync<PipelineFailedException>(() => run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Contains("A line starting with boom is refused", failed.Message, StringComparison.Ordinal);
    }

    private static string NumberedLinesFile(TempDirectory temp, int lines)
    {
        var random = new Random(lines);
        var text = new StringBuilder();
        for (int i = 0; i < lines; i++)
        {
            text.Append(i.ToString(CultureInfo.InvariantCulture)).Append(random.Next(3) == 0 ? " ok " : " ERROR ");
            text.Append('w').Append(random.Next(1000)).Append('\n');
        }

        string path = temp.Combine("lines.txt");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    // Bids "auction,bidder,price,time", one a line.
    private static string BidsFile(TempDirectory temp, int bids)
    {
        var random = new Random(bids);
        var text = new StringBuilder();
        for (int i = 0; i < bids; i++)
        {
            text.Append(random.Next(1000, 2000)).Append(',').Append(random.Next(100_000)).Append(',')
                .Append(random.Next(1, 1_000_000)).Append(',').Append(1_700_000_000_000L + i).Append('\n');
        }

        string path = temp.Combine("bids.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static long LineNumber(string line) => long.Parse(line.AsSpan(0, line.IndexOf(' ')), CultureInfo.InvariantCulture);

    private static void AssertAscending(List<string> lines)
    {
        for (int i = 1; i < lines.Count; i++)
        {
            Assert.True(LineNumber(lines[i - 1]) < LineNumber(lines[i]), $"Line {i} ({lines[i]}) comes after {lines[i - 1]}: the output must keep the input's order.");
        }
    }
}
