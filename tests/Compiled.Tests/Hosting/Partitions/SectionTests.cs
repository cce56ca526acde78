using System.Text;
using Compiled.Connectors.Files;
using Compiled.Hosting;
using Compiled.Hosting.Partitions;
using Compiled.Tests.Connectors;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Win32.SafeHandles;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// Partitions that read the input a section at a time (<c>MaxBatchBytes</c> on N partitions): the files are cut into
/// sections of a batch's bytes, each split into one range per partition; a partition that has read its part of a section
/// waits for the others and the batch ends, so the partitions move through the input (and its event time) together. Each
/// batch's records, partition by partition, are in the input's order, so event windows give exactly what one partition
/// gives, and they close as the input goes instead of waiting for the end of a partition that started behind.
/// </summary>
public class SectionTests
{
    [Theory]
    [InlineData(2, 100)]
    [InlineData(3, 64)]
    [InlineData(2, 1)]
    [InlineData(4, 7)]
    public void Split_IntoSections_CutsOnlyAtLineStarts_AndRangeSTimesNPlusPIsPartitionPsPartOfSectionS(int partitions, int sectionBytes)
    {
        using var temp = new TempDirectory();
        var text = new StringBuilder();
        var random = new Random(sectionBytes);
        while (text.Length < 1000)
        {
            text.Append(new string('x', random.Next(40))).Append('\n');
        }

        byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
        string path = temp.Combine("input.txt");
        File.WriteAllBytes(path, bytes);
        using SafeFileHandle handle = File.OpenHandle(path);
        FileRanges ranges = FileRanges.Split([(handle, bytes.Length)], partitions, sectionBytes);

        Assert.Equal(0, ranges.Count % partitions);
        Assert.True(ranges.Count / partitions >= bytes.Length / Math.Max(sectionBytes, 50), $"{ranges.Count / partitions} sections of {sectionBytes} bytes for {bytes.Length} bytes");
        Assert.Equal(0, ranges.Start(0));
        Assert.Equal(bytes.Length, ranges.End(ranges.Count - 1));
        for (int range = 1; range < ranges.Count; range++)
        {
            long cut = ranges.Start(range);
            Assert.Equal(ranges.End(range - 1), cut);
            Assert.True(cut == bytes.Length || bytes[cut - 1] == (byte)'\n', $"cut {range} at {cut} is not just after a '\\n'");
        }

        // Each section (but the last) ends at the first line start at or after its even end.
        for (int section = 0; section < (ranges.Count / partitions) - 1; section++)
        {
            long end = ranges.End(((section + 1) * partitions) - 1);
            Assert.True(end >= (long)(section + 1) * sectionBytes || end == bytes.Length, $"section {section} ends at {end}, before {(section + 1) * sectionBytes}");
        }
    }

    [Fact]
    public void Sections_OfPiecesTakenInTheInputsOrder_StartWhereThePartitionGoesBack()
    {
        // Two files of 20 bytes. One range per partition (partition 0 all of file 0 and [0,5) of file 1, partition 1 the
        // rest): one section. Then partition 0 reads [0,10) of file 0, partition 1 [0,5) of file 1 (section 0), partition
        // 0 [5,8) (a second section, where the partition goes back from 1 to 0), partition 1 [8,12) and [12,20) (its part
        // of a third section whose part of partition 0 is empty, which continues the second: the partition does not go back).
        using var temp = new TempDirectory();
        PartitionedFile[] files = [Opened(temp, "a.txt"), Opened(temp, "b.txt")];
        try
        {
            var ranges = new PartitionedFiles(files, [
                [(0, 0, 20), (1, 0, 5)],
                [(1, 5, 20)],
            ]);
            Assert.Equal(1, ranges.Sections);

            var split = new PartitionedFiles(files, [
                [(0, 0, 10), (1, 5, 8)],
                [(1, 0, 5), (1, 8, 12), (1, 12, 20)],
            ]);
            Assert.Equal(2, split.Sections);
            Assert.Equal(0, split.SectionOf(0, 0));
            Assert.Equal(0, split.SectionOf(1, 0));
            Assert.Equal(1, split.SectionOf(0, 1));
            Assert.Equal(1, split.SectionOf(1, 1));
            Assert.Equal(1, split.SectionOf(1, 2));
        }
        finally
        {
            foreach (PartitionedFile file in files)
            {
                file.Handle.Dispose();
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EventWindows_ReadASectionAtATime_EqualOnePartitionInOrder_AndCloseAsTheInputGoes(int partitions)
    {
        // Times rise through the file, so with one byte range per partition the last partition starts far ahead in event
        // time and the job's watermark (the partition furthest behind) holds its windows to the end of the input. Read a
        // section at a time, the windows close section by section: the last batch emits only the last few.
        using var temp = new TempDirectory();
        string input = temp.Combine("events.txt");
        File.WriteAllText(input, Events(seed: 80 + partitions, bytes: 4 << 20));

        Result one = await RunAsync(UserWindows.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(UserWindows.Definition, input, temp.Combine("many"), partitions, configure: options => options.MaxBatchBytes = 256 << 10);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.Contains($"reads its input a section of 262144 bytes at a time", many.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("late", many.Log, StringComparison.OrdinalIgnoreCase);
        Assert.True(one.Sinks["SlidingOut"].Count > 10_000, $"The windows hold {one.Sinks["SlidingOut"].Count} user counts; the test needs many.");

        // The windows, each with its keys in the order one partition first saw them, in order of their end.
        foreach (string sink in new[] { "TumblingOut", "SlidingOut", "AmountsOut" })
        {
            Assert.Equal(one.Sinks[sink], many.Sinks[sink]);
        }

        Assert.Equal(one.Sinks["SessionsOut"].Order(StringComparer.Ordinal), many.Sinks["SessionsOut"].Order(StringComparer.Ordinal));

        // 16 sections of 256 KiB: the windows are emitted in most batches, and the last holds a small part of them.
        string[] batches = BatchFiles(temp.Combine("many"), "SlidingOut");
        int emitting = batches.Count(file => new FileInfo(file).Length > 0);
        Assert.True(emitting >= 12, $"The windows were emitted in {emitting} of {batches.Length} batches; read a section at a time, they close as the input goes.");
        int last = File.ReadAllLines(batches[^1]).Length;
        Assert.True(last < one.Sinks["SlidingOut"].Count / 5, $"The last batch emitted {last} of {one.Sinks["SlidingOut"].Count} user counts; the windows must not wait for the end of the input.");
    }

    [Fact]
    public async Task AtASectionsEnd_TheWatermarkIsOnePartitions_EveryWindowEndingByTheSectionsLatestTimeIsEmitted()
    {
        // Times rise 10 ms a line. The first batch is the first section (64 KiB), read half by each partition; at its end
        // the watermark is its latest time, as on one partition, not partition 0's (the middle of the section): the
        // batch emits every window that ends by then.
        using var temp = new TempDirectory();
        var text = new StringBuilder();
        long time = 1_700_000_000_000;
        for (int line = 0; text.Length < 1 << 20; line++)
        {
            text.Append(time + (line * 10L)).Append(" u").Append(line % 97).Append(" 1\n");
        }

        string input = temp.Write("events.txt", text.ToString());
        await RunAsync(PaddedWindows.Definition, input, temp.Combine("many"), 2, configure: options => options.MaxBatchBytes = 64 << 10);

        // The section's last line: the one that holds byte 65,535 (the cut is the line start at or after 65,536).
        string all = text.ToString();
        int lastLine = all.LastIndexOf('\n', 65_535 - 1) + 1;
        long latest = long.Parse(all[lastLine..all.IndexOf(' ', lastLine)], System.Globalization.CultureInfo.InvariantCulture);
        long lastEnd = latest - (latest % 2_000);   // the last window end (every 2 s) at or before the section's latest time
        string first = File.ReadAllText(BatchFiles(temp.Combine("many"), "CountsOut")[0]);
        Assert.Contains($"{lastEnd}),", first, StringComparison.Ordinal);
        Assert.DoesNotContain($"{lastEnd + 2_000}),", first, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1700000000000 u1 2.5\n")]
    [InlineData("1700000000000 u1 2.5\n1700000000400 u2 1\n1700000020000 u1 3\n")]
    public async Task APartitionWithNoRecords_InAnyOrAllSections_DoesNotHoldTheRunBack(string content)
    {
        // Fewer lines than partitions: partitions 1 and 2 (or all) have nothing to read, end at once, and the run ends.
        using var temp = new TempDirectory();
        string input = temp.Write("events.txt", content);

        Result one = await RunAsync(UserWindows.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(UserWindows.Definition, input, temp.Combine("many"), 3, configure: options => options.MaxBatchBytes = 64 << 10)
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        foreach (SinkDeclaration sink in UserWindows.Definition.Sinks)
        {
            Assert.Equal(one.Sinks[sink.Name], many.Sinks[sink.Name]);
        }
    }

    [Fact]
    public async Task LinesLongerThanASection_LeaveSectionsEmptyForSomePartitions_AndTheRunEqualsOnePartition()
    {
        // Lines of 100-300 KB among short ones: a section's cut falls after such a line, so some partitions have no part
        // of a section, or a part of two; the partitions still read the input in its order, section by section.
        using var temp = new TempDirectory();
        var random = new Random(11);
        var text = new StringBuilder();
        long time = 1_700_000_000_000;
        while (text.Length < 2 << 20)
        {
            time += random.Next(5);
            string padding = random.Next(200) == 0 ? new string('p', random.Next(100_000, 300_000)) : "";
            text.Append(time).Append(" u").Append(random.Next(500)).Append(' ').Append(random.Next(100)).Append(padding).Append('\n');
        }

        string input = temp.Write("events.txt", text.ToString());
        Result one = await RunAsync(PaddedWindows.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(PaddedWindows.Definition, input, temp.Combine("many"), 3, configure: options => options.MaxBatchBytes = 64 << 10)
            .WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);

        Assert.True(one.Sinks["CountsOut"].Count > 1000, $"The windows hold {one.Sinks["CountsOut"].Count} user counts; the test needs many.");
        Assert.Equal(one.Sinks["CountsOut"], many.Sinks["CountsOut"]);
    }

    [Fact]
    public async Task StoppedAndResumedSeveralTimes_ReadingSections_EmitsOnePartitionsWindowsInOrder()
    {
        // Each run stopped as soon as it starts commits what the partitions read as its last batch, with a checkpoint of
        // the windows' panes, the watermark and each partition's pieces of the sections left; the next run reads them
        // section by section again. Over all the runs, the windows are one uninterrupted partition's, in order.
        using var temp = new TempDirectory();
        var text = new StringBuilder();
        var random = new Random(21);
        long time = 1_700_000_000_000;
        while (text.Length < 2 << 20)
        {
            time += random.Next(5);
            text.Append(time).Append(" u").Append(random.Next(300)).Append(" 1\n");
        }

        string input = temp.Write("events.txt", text.ToString());
        Result one = await RunAsync(PaddedWindows.Definition, input, temp.Combine("one"), parallelism: 1);

        string checkpoint = temp.Combine("checkpoint");
        var records = new List<long>();
        var logs = new List<string>();
        while (records.Count < 60 && (records.Count == 0 || records[^1] > 0))
        {
            (long read, string log) = await RunResumedAsync(input, temp.Combine("many"), checkpoint, stopAtOnce: true);
            records.Add(read);
            logs.Add(log);
        }

        // A stopped run keeps its open windows for the next; the last, left to run, finds the input read and emits them.
        (long rest, _) = await RunResumedAsync(input, temp.Combine("many"), checkpoint, stopAtOnce: false);
        records.Add(rest);

        string perRun = $"Lines per run: {string.Join(", ", records)}";
        Assert.True(records[^1] == 0, $"Sixty runs did not read the whole input. {perRun}");
        Assert.True(logs.Skip(1).Count(l => l.Contains("resuming on 2 partitions", StringComparison.Ordinal)) >= 2, $"Fewer than two runs resumed partitions midway. {perRun}");
        Assert.Equal(one.Records, records.Sum());
        Assert.Equal(one.Sinks["CountsOut"], Lines(temp.Combine("many"), "CountsOut", sorted: false));
    }

    // Runs PaddedWindows on 2 partitions with 64 KiB sections and a checkpoint, stopped as soon as it starts or left to the
    // end of the input; returns the lines it read and its log.
    private static async Task<(long Records, string Log)> RunResumedAsync(string input, string output, string checkpoint, bool stopAtOnce)
    {
        using var logs = new CapturingLoggerProvider();
        var options = new PipelineRunOptions
        {
            LoggerFactory = logs.CreateFactory(),
            Parallelism = 2,
            BatchInterval = TimeSpan.FromMilliseconds(10),
            Checkpoint = checkpoint,
            MaxBatchBytes = 64 << 10,
        };
        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["CountsOut"] = $"file://{output}/CountsOut?suffix=txt";

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(PaddedWindows.Definition, options);
        if (stopAtOnce)
        {
            await stop.CancelAsync();
        }

        await run.RunAsync(stop.Token);
        string log = string.Join("\n", logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Information).Select(l => l.Message));
        return (run.Sources[0].Counters.Records, log);
    }

    [Fact]
    public async Task BadLines_InEverySection_AreDeadLetteredWithTheirOffsetsInTheFile()
    {
        // 64 KiB sections over about 400 KB: partition 0 reads its part of each section from inside the file too, and its
        // letters, as partition 1's, give each bad line's offset in the file, not in the part.
        var random = new Random(12);
        var text = new StringBuilder();
        var expected = new List<(long Offset, string Line)>();
        for (int i = 0; i < 50_000; i++)
        {
            string line = random.Next(100) == 0 ? "7,x" + i : $"{random.Next(1, 20)},{random.Next(1, 996)}";
            if (line.Contains('x', StringComparison.Ordinal))
            {
                expected.Add((text.Length, line));
            }

            text.Append(line).Append('\n');
        }

        using var temp = new TempDirectory();
        string input = temp.Write("orders.txt", text.ToString());
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 2, 0, 0, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, DeadLetters = temp.Combine("dead.jsonl"), Parallelism = 2, MaxBatchBytes = 64 << 10 };
        options.SourceUris["Orders"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/cents?suffix=txt";
        await using var run = new PipelineRun(Compiled.Tests.Records.DeadLetters.GuardedCentsPerCustomer.Definition, options);
        await run.RunToEndAsync(clock);

        var letters = File.ReadAllLines(temp.Combine("dead.jsonl")).Select(l =>
        {
            using var letter = System.Text.Json.JsonDocument.Parse(l);
            return (letter.RootElement.GetProperty("offset").GetInt64(), letter.RootElement.GetProperty("record").GetString()!);
        }).OrderBy(l => l.Item1).ToList();
        Assert.True(expected.Count(e => e.Offset > 3 * 65_536) > 100, "The test needs bad lines past the first sections.");
        Assert.Equal(expected, letters);
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

    private static PartitionedFile Opened(TempDirectory temp, string name)
    {
        string path = temp.Write(name, new string('x', 19) + "\n");
        SafeFileHandle handle = File.OpenHandle(path);
        return new PartitionedFile(path, handle, 20, 0);
    }
}

/// <summary>
/// "millis user count" lines, some padded after the count with a long run of letters: per user, the lines per 10 s
/// window every 2 s (kept as panes).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class PaddedWindows
{
    [Source]
    public static partial Lines Input();

    [EventTime(Lateness = "0")]
    public static long At(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')], System.Globalization.CultureInfo.InvariantCulture);

    [Map]
    public static KeyValue<long> User(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> rest = line[(line.IndexOf((byte)' ') + 1)..];
        return new(rest[..rest.IndexOf((byte)' ')], 1);
    }

    [EventWindow(Size = "10s", Slide = "2s")]
    public static long Counts(long a, long b) => a + b;

    [Sink]
    public static partial void CountsOut(Windowed<long> counts);
}
