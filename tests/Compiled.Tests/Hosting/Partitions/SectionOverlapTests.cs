using System.Globalization;
using System.Text;
using Compiled.Connectors.Files;
using Compiled.Hosting;
using Compiled.Hosting.Partitions;
using Compiled.Tests.Connectors;
using Compiled.Tests.Sinks;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Win32.SafeHandles;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// Partitions that read the next section while the run's loop completes the batch of the last: partition 0 runs apart
/// from the job's state, every partition's records reach the job at the boundary, and the watermark the partitions judge
/// the next section against is moved on before they go on. The output is one partition's, each batch holds its section's
/// records only, and the positions a checkpoint takes are those at the boundary however far the partitions have read on.
/// </summary>
public class SectionOverlapTests
{
    private const string ReadsOn = "the partitions read the next section while the batch of the last is emitted and committed";

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EventWindows_ReadOnWhileEachBatchCompletes_EqualOnePartitionInOrder(int partitions)
    {
        using var temp = new TempDirectory();
        string input = temp.Write("events.txt", Events(seed: partitions, bytes: 3 << 20, padding: false));

        Result one = await RunAsync(PaddedWindows.Definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(PaddedWindows.Definition, input, temp.Combine("many"), partitions, configure: options => options.MaxBatchBytes = 128 << 10);

        Assert.Contains(ReadsOn, many.Log, StringComparison.Ordinal);
        Assert.True(one.Sinks["CountsOut"].Count > 10_000, $"The windows hold {one.Sinks["CountsOut"].Count} user counts; the test needs many.");
        Assert.Equal(one.Sinks["CountsOut"], many.Sinks["CountsOut"]);
        Assert.Equal(one.Records, many.Records);
        Assert.Equal(one.Bytes, many.Bytes);
    }

    [Fact]
    public async Task LateRecords_AreJudgedAgainstTheWatermarkAtTheSectionBefore_AndEachBatchPrintsItsOwnSectionsOnly()
    {
        // Times wander back by up to 60 s against a lateness of 1 s. A line of section s is late when it is more than 1 s
        // older than the latest time of sections 0..s-1: the watermark the batch before moved on to, which the partitions
        // must judge by although they read section s while that batch completes. The late lines go to the console,
        // which no partition writes a part of its own of: partition 0's are kept until the boundary, as partition 1's.
        using var temp = new TempDirectory();
        var random = new Random(31);
        var text = new StringBuilder();
        long time = 1_700_000_000_000;
        for (int line = 0; text.Length < 1 << 20; line++)
        {
            time += random.Next(20);
            long at = random.Next(5) == 0 ? time - random.Next(60_000) : time;
            text.Append(at).Append(" u").Append(line).Append('\n');
        }

        string all = text.ToString();
        string input = temp.Write("events.txt", all);
        const int sectionBytes = 64 << 10;
        long[] sectionEnds = SectionEnds(input, all.Length, partitions: 2, sectionBytes);

        // The late lines one partition judging by each section's start would find, per section.
        var expected = new List<List<string>>();
        long latest = long.MinValue;
        int start = 0;
        foreach (long end in sectionEnds)
        {
            var late = new List<string>();
            long latestBefore = latest;
            foreach (string line in all[start..(int)end].Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                long at = long.Parse(line.AsSpan(0, line.IndexOf(' ')), CultureInfo.InvariantCulture);
                latest = Math.Max(latest, at);
                if (latestBefore != long.MinValue && at < latestBefore - 1_000)
                {
                    late.Add(line);
                }
            }

            expected.Add(late);
            start = (int)end;
        }

        string printed = temp.Combine("late.txt");
        Result many = await RunAsync(LateLines.Definition, input, temp.Combine("many"), 2, configure: options =>
        {
            options.MaxBatchBytes = sectionBytes;
            options.SinkUris["TooLate"] = "console:?num=100000000";
            options.OpenStandardOutput = () => File.Create(printed);
        });

        Assert.Contains(ReadsOn, many.Log, StringComparison.Ordinal);
        Assert.True(expected.Sum(static l => l.Count) > 500, $"Only {expected.Sum(static l => l.Count)} lines are late; the test needs many.");
        List<List<string>> batches = PrintedBatches.Of(File.ReadAllText(printed));
        Assert.Equal(expected.Where(static l => l.Count > 0), batches.Where(static b => b.Count > 0));
    }

    [Fact]
    public async Task StoppedAfterBatches_WithACheckpoint_AndResumed_CountsEveryLineOnce_AndEmitsOnePartitionsWindows()
    {
        // The run is stopped when its third batch commits, and resumed until the input is read; its partitions read on
        // while each batch completes, the checkpoint taking the positions of the boundary.
        using var temp = new TempDirectory();
        string input = temp.Write("events.txt", Events(seed: 7, bytes: 2 << 20, padding: false));
        Result one = await RunAsync(PaddedWindows.Definition, input, temp.Combine("one"), parallelism: 1);

        string checkpoint = temp.Combine("checkpoint");
        var records = new List<long>();
        string firstLog = "";
        for (int run = 0; run < 20 && (records.Count == 0 || records[^1] > 0); run++)
        {
            (long read, string log) = await RunStoppedAsync(input, temp.Combine("many"), checkpoint, stopAfter: 3);
            records.Add(read);
            firstLog = run == 0 ? log : firstLog;
        }

        string perRun = $"Lines per run: {string.Join(", ", records)}";
        Assert.Contains(ReadsOn, firstLog, StringComparison.Ordinal);
        Assert.True(records.Count >= 3, $"The input was read in fewer than three runs. {perRun}");
        Assert.True(records[^1] == 0, $"Twenty runs did not read the whole input. {perRun}");
        Assert.Equal(one.Records, records.Sum());
        Assert.Equal(one.Sinks["CountsOut"], Lines(temp.Combine("many"), "CountsOut", sorted: false));
    }

    [Fact]
    public void PositionsLeft_AreThoseAtTheLastBoundary_HoweverFarThePartitionsReadOn()
    {
        // A partition's records up to byte 30 are in the batch at the boundary; it reads on to its next piece meanwhile.
        // What a checkpoint holds is what was left at the boundary.
        using var temp = new TempDirectory();
        string path = temp.Write("a.txt", new string('x', 99) + "\n");
        using SafeFileHandle handle = File.OpenHandle(path);
        var files = new PartitionedFiles([new PartitionedFile(path, handle, 100, 0)], [
            [(0, 0, 40), (0, 60, 80)],
            [(0, 40, 60), (0, 80, 100)],
        ]);

        Assert.Equal([(0, 0L, 40L), (0, 60L, 80L)], files.Remaining(0));
        files.Consumed(0, 0, 30);
        files.MarkBoundary();
        files.Consumed(0, 1, 70);
        files.Consumed(1, 1, 90);
        Assert.Equal([(0, 30L, 40L), (0, 60L, 80L)], files.Remaining(0));
        Assert.Equal([(0, 40L, 60L), (0, 80L, 100L)], files.Remaining(1));

        files.MarkBoundary();
        Assert.Equal([(0, 70L, 80L)], files.Remaining(0));
        Assert.Equal([(0, 90L, 100L)], files.Remaining(1));
    }

    [Fact]
    public async Task BatchFailingToComplete_WhileThePartitionsReadOn_FailsTheRun_WithoutHanging()
    {
        // Section 0 holds only lines the filter drops, so it ends its batch with no partition over its sink buffer limit
        // (1 byte), and the partitions read section 1 while the batch completes. The console fails the batch's write;
        // partition 1 is then held up by the first line of its part of section 1, and after that buffer asks for a
        // boundary, which must not park it for good once the run closes the partitions: the run fails with the write's error.
        using var temp = new TempDirectory();
        const int lines = 20_000;
        const int lineBytes = 11; // "skip 00000\n"
        const long sectionBytes = 64 << 10;
        // Where the run cuts the input: the lines are all of one length, so the cuts are those of the same lines unmarked.
        string path = temp.Write("lines.txt", string.Concat(Enumerable.Range(0, lines).Select(static i => $"line {i:D5}\n")));
        long sectionEnd, slowAt;
        using (SafeFileHandle handle = File.OpenHandle(path))
        {
            FileRanges ranges = FileRanges.Split([(handle, (long)lines * lineBytes)], partitions: 2, sectionBytes);
            sectionEnd = ranges.End(1);
            slowAt = ranges.Start(3);
        }

        var input = new StringBuilder();
        for (int i = 0; i < lines; i++)
        {
            long at = (long)i * lineBytes;
            string word = at < sectionEnd ? "skip" : at == slowAt ? "slow" : "line";
            input.Append(word).Append(' ').Append(i.ToString("D5", CultureInfo.InvariantCulture)).Append('\n');
        }

        File.WriteAllText(path, input.ToString());
        Assert.Contains("slow", File.ReadAllText(path), StringComparison.Ordinal);
        Task<Result> run = RunAsync(SlowOrFailingLines.Definition, path, temp.Combine("many"), 2, configure: options =>
        {
            options.MaxBatchBytes = sectionBytes;
            options.PartitionSinkBufferBytes = 1;
            options.SinkUris["Output"] = "console:?num=100000000";
            options.OpenStandardOutput = () => new FailingOutputStream(new IOException("The device is full."));
        });

        Exception failed = await Assert.ThrowsAnyAsync<Exception>(() => run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.IsNotType<TimeoutException>(failed);
        Assert.Contains("The device is full.", failed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordsRefusedWhileThePartitionsReadOn_CountInTheBatchOfTheirSection()
    {
        // Every fifth line is refused by a stage that skips it. The console takes its time with each batch, so the
        // partitions refuse lines of the next section while the batch completes: those are the next batch's, and each
        // batch counts its own section's.
        using var temp = new TempDirectory();
        var text = new StringBuilder();
        for (int i = 0; i < 40_000; i++)
        {
            text.Append(i % 5 == 0 ? "bad " : "good ").Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        string all = text.ToString();
        string input = temp.Write("lines.txt", all);
        const int sectionBytes = 64 << 10;
        var expected = new List<long>();
        int start = 0;
        foreach (long end in SectionEnds(input, all.Length, partitions: 2, sectionBytes))
        {
            expected.Add(all[start..(int)end].Split('\n').Count(static line => line.StartsWith("bad", StringComparison.Ordinal)));
            start = (int)end;
        }

        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new PipelineRunOptions { LoggerFactory = logs.CreateFactory(), TimeProvider = clock, Parallelism = 2, MaxBatchBytes = sectionBytes };
        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["Output"] = "console:?num=1";
        options.OpenStandardOutput = () => new SlowOutputStream();
        var refused = new List<long>();
        await using (var run = new PipelineRun(SkippedBadLines.Definition, options))
        {
            run.BatchCommitted += progress => refused.Add(progress.BadRecords.Sum(static count => count.Count));
            await run.RunToEndAsync(clock);
        }

        Assert.Contains(ReadsOn, string.Join("\n", logs.Lines.Select(static l => l.Message)), StringComparison.Ordinal);
        Assert.True(expected.Count >= 4, $"The input makes {expected.Count} sections; the test needs several.");
        Assert.Equal(expected, refused.Where(static count => count > 0));
    }

    [Fact]
    public async Task DeadLetters_WithACheckpoint_WhileThePartitionsReadOn_AreWrittenOnceEach_AcrossStopsAndResumes()
    {
        // Every seventh line is refused into the dead-letter file. The console takes its time with each batch, so the
        // partitions refuse lines of the next section while a batch completes: their letters are written with their own
        // batch, not with the one completing, so a run stopped after any batch and resumed writes each letter once.
        using var temp = new TempDirectory();
        var text = new StringBuilder();
        var bad = new List<string>();
        for (int i = 0; i < 30_000; i++)
        {
            string line = (i % 7 == 0 ? "bad " : "good ") + i.ToString(CultureInfo.InvariantCulture);
            text.Append(line).Append('\n');
            if (i % 7 == 0)
            {
                bad.Add(line);
            }
        }

        string input = temp.Write("lines.txt", text.ToString());
        string checkpoint = temp.Combine("checkpoint");
        var records = new List<long>();
        string firstLog = "";
        for (int run = 0; run < 40 && (records.Count == 0 || records[^1] > 0); run++)
        {
            using var logs = new CapturingLoggerProvider();
            var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
            var options = new PipelineRunOptions { LoggerFactory = logs.CreateFactory(), TimeProvider = clock, Parallelism = 2, MaxBatchBytes = 16 << 10, Checkpoint = checkpoint };
            options.SourceUris["Input"] = "file://" + input;
            options.SinkUris["Output"] = "console:?num=1";
            options.OpenStandardOutput = () => new SlowOutputStream();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            await using var pipeline = new PipelineRun(DeadLetteredBadLines.Definition, options);
            int committed = 0;
            pipeline.BatchCommitted += _ =>
            {
                if (++committed == 3)
                {
                    stop.Cancel();
                }
            };

            await pipeline.FinishAsync(clock, pipeline.RunAsync(stop.Token));
            records.Add(pipeline.Sources[0].Counters.Records);
            firstLog = run == 0 ? string.Join("\n", logs.Lines.Select(static l => l.Message)) : firstLog;
        }

        string perRun = $"Lines per run: {string.Join(", ", records)}";
        Assert.Contains(ReadsOn, firstLog, StringComparison.Ordinal);
        Assert.True(records.Count >= 3 && records[^1] == 0, $"The input was not read to its end in several runs. {perRun}");
        Assert.Equal(30_000, records.Sum());
        List<string> letters = [.. File.ReadAllLines(Path.Combine(checkpoint, "dead-letters.jsonl"))
            .Select(static letter => System.Text.Json.JsonDocument.Parse(letter).RootElement.GetProperty("record").GetString()!)];
        Assert.True(letters.Count == bad.Count && letters.Order(StringComparer.Ordinal).SequenceEqual(bad.Order(StringComparer.Ordinal)),
            $"{letters.Count} letters for {bad.Count} bad lines; each must be written once. {perRun}");
    }

    // Runs PaddedWindows on 2 partitions with 64 KiB sections and a checkpoint, stopped when its batch `stopAfter`
    // commits (or at the end of its input); returns the lines it read and its log.
    private static async Task<(long Records, string Log)> RunStoppedAsync(string input, string output, string checkpoint, int stopAfter)
    {
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new PipelineRunOptions
        {
            LoggerFactory = logs.CreateFactory(),
            TimeProvider = clock,
            Parallelism = 2,
            Checkpoint = checkpoint,
            MaxBatchBytes = 64 << 10,
        };
        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["CountsOut"] = $"file://{output}/CountsOut?suffix=txt";

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await using var run = new PipelineRun(PaddedWindows.Definition, options);
        int committed = 0;
        run.BatchCommitted += _ =>
        {
            if (++committed == stopAfter)
            {
                stop.Cancel();
            }
        };

        await run.FinishAsync(clock, run.RunAsync(stop.Token));
        string log = string.Join("\n", logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Information).Select(l => l.Message));
        return (run.Sources[0].Counters.Records, log);
    }

    // Where each section of a file cut as the run cuts it ends (bytes from its start).
    private static long[] SectionEnds(string path, long length, int partitions, long sectionBytes)
    {
        using SafeFileHandle handle = File.OpenHandle(path);
        FileRanges ranges = FileRanges.Split([(handle, length)], partitions, sectionBytes);
        var ends = new long[ranges.Count / partitions];
        for (int s = 0; s < ends.Length; s++)
        {
            ends[s] = ranges.End((s * partitions) + partitions - 1);
        }

        return ends;
    }

    // "millis user 1" lines, times rising a few ms a line.
    private static string Events(int seed, int bytes, bool padding)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes + 64);
        long time = 1_700_000_000_000;
        while (text.Length < bytes)
        {
            time += random.Next(5);
            text.Append(time).Append(" u").Append(random.Next(400)).Append(" 1");
            if (padding && random.Next(50) == 0)
            {
                text.Append(new string('p', random.Next(1_000)));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    // Standard output that takes its time with each write, as a slow terminal does.
    private sealed class SlowOutputStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Thread.Sleep(20);

        public override void Write(ReadOnlySpan<byte> buffer) => Thread.Sleep(20);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
