using System.Globalization;
using System.Text;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Microsoft.Extensions.Time.Testing;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// The file sink fed per record on N partitions, as a user sees it on disk: each partition writes its own part file of
/// each batch (<c>prefix-&lt;batch time&gt;-part-0000p.suffix</c>), the parts of a batch are published together, and their
/// concatenation in name order is the one-partition file; under a checkpoint every record is in one part once, across
/// stops, restarts and a failure between the checkpoint and the parts' renames.
/// </summary>
public class PartFileTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task OneBatch_OnNPartitions_OnePartFilePerPartition_NamedInPartitionOrder_ConcatenatingToTheOnePartitionFile(int partitions)
    {
        using var temp = new TempDirectory();
        string input = ErrorLinesFile(temp, lines: 200_000, errorsUpTo: 200_000);
        Result one = await RunAsync(ErrorLines.Definition, input, temp.Combine("one"), 1);
        Result many = await RunAsync(ErrorLines.Definition, input, temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        string oneFile = Assert.Single(Directory.GetFiles(temp.Combine("one")));
        long batchTime = BatchTimeOf(Path.GetFileName(oneFile), "Output-", ".txt");
        string[] parts = Directory.GetFiles(temp.Combine("many")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(Enumerable.Range(0, partitions).Select(p => $"Output-{batchTime}-part-{p:D5}.txt"), parts);
        Assert.All(parts, p => Assert.True(new FileInfo(Path.Combine(temp.Combine("many"), p)).Length > 0, $"Part {p} is empty; each partition's range holds errors."));

        byte[] concatenated = parts.SelectMany(p => File.ReadAllBytes(Path.Combine(temp.Combine("many"), p))).ToArray();
        Assert.Equal(File.ReadAllBytes(oneFile), concatenated);
    }

    [Fact]
    public async Task OnePartition_WritesOneFilePerBatch_WithoutAPartInItsName()
    {
        using var temp = new TempDirectory();
        string input = ErrorLinesFile(temp, lines: 20_000, errorsUpTo: 20_000);
        await RunAsync(ErrorLines.Definition, input, temp.Combine("one"), 1);

        string name = Path.GetFileName(Assert.Single(Directory.GetFiles(temp.Combine("one"))));
        Assert.Matches("^Output-[0-9]+\\.txt$", name);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("&empty=skip", false)]
    public async Task PartitionsWithoutRecords_WriteAnEmptyPartByDefault_AndNoneWithEmptySkip(string sinkOptions, bool emptyPartsWritten)
    {
        // Errors only in the first tenth of the file: partitions 1 and 2 of 3 read none, as an empty batch has none.
        using var temp = new TempDirectory();
        string input = ErrorLinesFile(temp, lines: 300_000, errorsUpTo: 30_000);
        Result one = await RunAsync(ErrorLines.Definition, input, temp.Combine("one"), 1);
        Result many = await RunAsync(ErrorLines.Definition, input, temp.Combine("many"), 3, sinkOptions: sinkOptions);

        Assert.Contains("runs on 3 partitions", many.Log, StringComparison.Ordinal);
        string[] parts = Directory.GetFiles(temp.Combine("many")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(emptyPartsWritten ? 3 : 1, parts.Length);
        Assert.EndsWith("-part-00000.txt", parts[0], StringComparison.Ordinal);
        Assert.All(parts.Skip(1), p => Assert.Equal(0, new FileInfo(Path.Combine(temp.Combine("many"), p)).Length));
        Assert.Equal(one.Sinks["Output"], many.Sinks["Output"]);
    }

    [Fact]
    public async Task ManyBatches_OnTwoPartitions_EachBatchHasBothParts_SortingInBatchThenPartitionOrder()
    {
        using var temp = new TempDirectory();
        // Batches of 5 ms over a file that takes longer than that to read (about 22 MB): a quiet machine reads 7 MB in
        // one batch of 20 ms.
        string input = ErrorLinesFile(temp, lines: 1_200_000, errorsUpTo: 1_200_000);
        Result one = await RunAsync(ErrorLines.Definition, input, temp.Combine("one"), 1);
        Result many = await RunAsync(ErrorLines.Definition, input, temp.Combine("many"), 2, TimeSpan.FromMilliseconds(5));

        Assert.Contains("runs on 2 partitions", many.Log, StringComparison.Ordinal);
        string[] names = Directory.GetFiles(temp.Combine("many")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        List<(long Batch, int Part)> parsed = names.Select(PartOf).ToList();
        Assert.True(parsed.Select(p => p.Batch).Distinct().Count() > 1, "The run was one batch; the test needs several.");
        Assert.All(parsed.GroupBy(p => p.Batch), batch => Assert.Equal([0, 1], batch.Select(p => p.Part)));
        Assert.Equal(parsed.OrderBy(p => p.Batch).ThenBy(p => p.Part), parsed);
        Assert.Equal(one.Sinks["Output"].Order(StringComparer.Ordinal), many.Sinks["Output"].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WithACheckpoint_StoppedAndResumedSeveralTimes_OnTwoPartitions_WritesEveryLineOnceAcrossTheParts()
    {
        using var temp = new TempDirectory();
        string input = ErrorLinesFile(temp, lines: 1_000_000, errorsUpTo: 1_000_000);
        Result one = await RunAsync(ErrorLines.Definition, input, temp.Combine("one"), 1);
        string output = temp.Combine("many");
        string checkpoint = temp.Combine("checkpoint");

        // Each run stopped as soon as it starts, as Ctrl+C stops it: its last batch is committed; runs are started until
        // one finds nothing left, each resuming its partitions where the checkpoint says.
        var read = new List<long>();
        var logs = new StringBuilder();
        while (read.Count < 40 && (read.Count == 0 || read[^1] > 0))
        {
            (long records, string log) = await RunCheckpointedAsync(input, output, checkpoint, stopAtOnce: true);
            read.Add(records);
            logs.AppendLine(log);
        }

        string perRun = $"Lines per run: {string.Join(", ", read)}";
        Assert.True(read.Count > 2 && read[^1] == 0, $"The runs did not stop midway and then read to the end. {perRun}");
        Assert.Contains("resuming on 2 partitions", logs.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output, ".*"));
        Assert.All(Directory.GetFiles(output).Select(Path.GetFileName), name => Assert.Matches("^Output-[0-9]+-part-0000[01]\\.txt$", name!));
        Assert.Equal(one.Sinks["Output"].Order(StringComparer.Ordinal), Lines(output, "Output", sorted: true));
    }

    [Fact]
    public async Task WithACheckpoint_RenameOfAPartFailsAfterTheCheckpoint_ResumedRunPublishesThatPartOnce()
    {
        // A directory where partition 1's part of the batch is to be renamed makes that rename fail after the batch's
        // checkpoint is durable and partition 0's part is published: as a crash between the parts' commits leaves it.
        using var temp = new TempDirectory();
        string input = ErrorLinesFile(temp, lines: 200_000, errorsUpTo: 200_000);
        Result one = await RunAsync(ErrorLines.Definition, input, temp.Combine("one"), 1);
        long batchTime = BatchTimeOf(Path.GetFileName(Assert.Single(Directory.GetFiles(temp.Combine("one")))), "Output-", ".txt");
        string output = temp.Combine("many");
        string checkpoint = temp.Combine("checkpoint");
        string blocked = Path.Combine(output, $"Output-{batchTime}-part-00001.txt");
        Directory.CreateDirectory(blocked);

        await Assert.ThrowsAnyAsync<Exception>(() => RunCheckpointedAsync(input, output, checkpoint, stopAtOnce: false));
        Assert.True(File.Exists(Path.Combine(output, $"Output-{batchTime}-part-00000.txt")), "Partition 0's part was not published before the rename of partition 1's failed.");
        Assert.True(File.Exists(Path.Combine(output, $".Output-{batchTime}-part-00001.txt.tmp")), "Partition 1's prepared part is gone; the restart needs it.");

        Directory.Delete(blocked);
        (long records, string log) = await RunCheckpointedAsync(input, output, checkpoint, stopAtOnce: false);

        Assert.Equal(0, records);
        Assert.Contains($"committed Output-{batchTime}-part-00001.txt, which an earlier run prepared", log, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output, ".*"));
        Assert.Equal(one.Sinks["Output"], Lines(output, "Output", sorted: false));
    }

    [Fact]
    public async Task WithACheckpoint_CheckpointNotWrittenAfterThePartsArePrepared_ResumedRunWritesEachRecordOnce()
    {
        // A directory where the batch's checkpoint is to be renamed makes its write fail after both parts are prepared:
        // the batch is not done, so nothing of it may appear. A process killed there (SIGKILL) would also leave the two
        // prepared parts under their hidden names, which are planted here as it leaves them; the restart, which finds no
        // checkpoint recording the batch, must delete them and write the batch again from its input, once.
        using var temp = new TempDirectory();
        string input = ErrorLinesFile(temp, lines: 200_000, errorsUpTo: 200_000);
        Result one = await RunAsync(ErrorLines.Definition, input, temp.Combine("one"), 1);
        string oneFile = Assert.Single(Directory.GetFiles(temp.Combine("one")));
        long batchTime = BatchTimeOf(Path.GetFileName(oneFile), "Output-", ".txt");
        string output = temp.Combine("many");
        string checkpoint = temp.Combine("checkpoint");
        string blocked = Path.Combine(checkpoint, $"checkpoint-{batchTime}");
        Directory.CreateDirectory(blocked);

        await Assert.ThrowsAnyAsync<Exception>(() => RunCheckpointedAsync(input, output, checkpoint, stopAtOnce: false));
        Assert.Empty(Directory.GetFiles(output));
        for (int p = 0; p < 2; p++)
        {
            File.Copy(oneFile, Path.Combine(output, $".Output-{batchTime}-part-{p:D5}.txt.tmp"));
        }

        Directory.Delete(blocked);
        (long records, string log) = await RunCheckpointedAsync(input, output, checkpoint, stopAtOnce: false);

        Assert.Equal(one.Records, records);
        Assert.Contains("deleted from", log, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output, ".*"));
        Assert.Equal(2, Directory.GetFiles(output).Length);
        Assert.Equal(one.Sinks["Output"], Lines(output, "Output", sorted: false));
    }

    // A run of ErrorLines over the input on 2 partitions with the checkpoint: on a clock that does not move (one batch
    // for the whole input), or on the real clock in 10 ms batches stopped as Ctrl+C stops it as soon as it starts.
    private static async Task<(long Records, string Log)> RunCheckpointedAsync(string input, string output, string checkpoint, bool stopAtOnce)
    {
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new PipelineRunOptions { LoggerFactory = logs.CreateFactory(), Parallelism = 2, Checkpoint = checkpoint };
        if (stopAtOnce)
        {
            options.BatchInterval = TimeSpan.FromMilliseconds(10);
        }
        else
        {
            options.TimeProvider = clock;
        }

        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["Output"] = $"file://{output}/Output?suffix=txt";
        await using var run = new PipelineRun(ErrorLines.Definition, options);
        if (stopAtOnce)
        {
            using var stop = new CancellationTokenSource();
            await stop.CancelAsync();
            await run.RunAsync(stop.Token);
        }
        else
        {
            await run.RunToEndAsync(clock);
        }

        return (run.Sources[0].Counters.Records, string.Join("\n", logs.Lines.Select(l => l.Message)));
    }

    // Numbered lines, "<n> ERROR w<k>" up to line errorsUpTo (two in three of them) and "<n> ok w<k>" after and between.
    private static string ErrorLinesFile(TempDirectory temp, int lines, int errorsUpTo)
    {
        var random = new Random(lines + errorsUpTo);
        var text = new StringBuilder();
        for (int i = 0; i < lines; i++)
        {
            text.Append(i.ToString(CultureInfo.InvariantCulture)).Append(i < errorsUpTo && random.Next(3) != 0 ? " ERROR " : " ok ");
            text.Append('w').Append(random.Next(1000)).Append('\n');
        }

        string path = temp.Combine("lines.txt");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static long BatchTimeOf(string name, string start, string end) =>
        long.Parse(name.AsSpan(start.Length, name.Length - start.Length - end.Length), CultureInfo.InvariantCulture);

    // "Output-<batch>-part-<p>.txt" read back.
    private static (long Batch, int Part) PartOf(string? name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(name!, "^Output-([0-9]+)-part-([0-9]{5})\\.txt$");
        Assert.True(match.Success, $"'{name}' is not a part file's name");
        return (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }
}
