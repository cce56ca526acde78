using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Tests.Connectors;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// [MapWithState] on N partitions: each more partition keeps the stage's records of a batch, and at the boundary the job
/// maps them with its state after the records of the ranges before, so every key sees its records in the input's order,
/// and the state, the outputs and what is below the stage equal one partition's, batch after batch, timeouts and
/// removals included, across a stop and a resume from a checkpoint, allocating nothing per record once warm.
/// </summary>
public class PartitionedStateTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RunningCounts_MultiMegabyteFile_OnNPartitions_EqualOnePartitionInItsOrder(int partitions)
    {
        // One batch: every update, in the input's order, and the largest count per word, in first-seen order.
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 80 + partitions, bytes: 4 << 20);
        (Result one, Result many) = await OneAndManyAsync(RunningFirstWords.Definition, input, temp, partitions);
        Assert.Equal(one.Records, one.Sinks["Updates"].Count);
        Assert.True(one.Sinks["Mosts"].Count > 1000, $"The file has {one.Sinks["Mosts"].Count} distinct first words; the test needs many.");
        Assert.Equal(one.Sinks["Updates"], many.Sinks["Updates"]);
        Assert.Equal(one.Sinks["Mosts"], many.Sinks["Mosts"]);
    }

    [Fact]
    public async Task RunningCounts_ManyShortBatches_OnThreePartitions_EndWithTheOnePartitionCountsAndSums()
    {
        // Batches cut by the clock: a batch holds the start of each range, so a later part of range 0 reaches a word
        // after an earlier part of range 1 (the order of the hash), but every record is mapped once, each word's counts
        // run 1, 2, 3 ... and its count and sum end as on one partition.
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 90, bytes: 6 << 20);
        (Result one, Result many) = await OneAndManyAsync(RunningFirstWords.Definition, input, temp, 3, TimeSpan.FromMilliseconds(20));
        int batches = Directory.GetFiles(temp.Combine("many"), "Updates-*.txt").Count(f => new FileInfo(f).Length > 0);
        Assert.True(batches > 1, $"The updates were written in {batches} batch(es); the test needs several.");
        Assert.Equal(one.Sinks["Updates"].Count, many.Sinks["Updates"].Count);
        Assert.Equal(Finals(one.Sinks["Updates"]), Finals(many.Sinks["Updates"]));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TimeoutsAndRemovals_TwentyBatches_JobAndPartitions_EqualTheJobAlone(int partitions)
    {
        // Words come and go from batch to batch, so keys time out (after two idle batches) and come back, and a line
        // whose length is a multiple of 13 removes its word; the last batches are empty, so every state left times out
        // and is written: the outputs of every batch, in order, hold the final state too.
        ReadOnlySequence<byte>[] batches = Batches(seed: 100, count: 24, empty: 4, (word, line) => $"w{word}{new string('x', line % 17)} tail{line}");
        List<List<string>> one = RunBatches(ExpiringFirstWords.Definition, batches, 1);
        List<List<string>> many = RunBatches(ExpiringFirstWords.Definition, batches, partitions);
        Assert.Contains(one, batch => batch.Any(line => line.Contains(",-", StringComparison.Ordinal)));
        Assert.Contains(one, batch => batch.Any(line => line.EndsWith(",0)", StringComparison.Ordinal)));
        Assert.Equal(one, many);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void StructKeySessions_TwentyBatches_JobAndPartitions_EndEachSessionWithTheJobAlonesSumAndOrder(int partitions)
    {
        // A session's hash folds its values in order: a value out of order changes what the session ends with.
        ReadOnlySequence<byte>[] batches = Batches(seed: 110, count: 24, empty: 4, (key, line) => $"{key},{line % 1000}");
        List<List<string>> one = RunBatches(KeySessions.Definition, batches, 1);
        List<List<string>> many = RunBatches(KeySessions.Definition, batches, partitions);
        Assert.True(one.Sum(b => b.Count) > 500, $"{one.Sum(b => b.Count)} sessions ended; the test needs many.");
        Assert.Equal(one, many);
    }

    [Fact]
    public async Task StoppedAndResumedSeveralTimes_OnThreePartitions_EndsWithTheUninterruptedState()
    {
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 120, bytes: 24 << 20);
        Result one = await RunAsync(RunningFirstWords.Definition, input, temp.Combine("one"), parallelism: 1);

        // Each run stopped as soon as it starts (each partition parks after the buffer in hand, and the run commits what
        // they read as its last batch), until one finds nothing left; the restarts resume on the 3 partitions.
        string checkpoint = temp.Combine("checkpoint");
        var runs = new List<long>();
        var logs = new List<string>();
        while (runs.Count < 40 && (runs.Count == 0 || runs[^1] > 0))
        {
            (long records, string log) = await RunStoppedAsync(input, temp.Combine("many"), checkpoint, parallelism: 3);
            runs.Add(records);
            logs.Add(log);
        }

        string perRun = $"Lines per run: {string.Join(", ", runs)}";
        Assert.True(runs.Count(r => r > 0) >= 3, $"The input was read in fewer than three runs; the test needs the state carried across two resumes. {perRun}");
        Assert.Contains("runs on 3 partitions", logs[0], StringComparison.Ordinal);
        Assert.Equal(one.Records, runs.Sum());

        // Every line mapped once over all the runs, and each word's count and sum as the uninterrupted run leaves them.
        List<string> resumed = Lines(temp.Combine("many"), "Updates", sorted: false);
        Assert.Equal(one.Sinks["Updates"].Count, resumed.Count);
        Assert.Equal(Finals(one.Sinks["Updates"]), Finals(resumed));
    }

    [Fact]
    public void RunningCounts_JobAndOnePartition_AllocateNothingPerRecordOrPerMerge()
    {
        // 10,000 lines whose first words come from 500: the partition's records wait in its buffer (keys in its arena)
        // and the job maps them at the merge; once the buffer and the state have grown, nothing is allocated.
        var random = new Random(13);
        var text = new StringBuilder();
        for (int line = 0; line < 10_000; line++)
        {
            text.Append('w').Append(random.Next(500)).Append(" and ").Append('x', random.Next(20)).Append('\n');
        }

        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString()));
        // As CSV rows: a tuple's text (its ToString) would allocate in the job alone.
        var updates = new CsvDiscardingSink();
        var mosts = new CsvDiscardingSink();
        var counters = new SourceCounters();
        var partitionCounters = new SourceCounters();
        using PipelineJob job = RunningFirstWords.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [updates, mosts]));
        using JobPartition partition = job.CreatePartition(new PartitionContext([FramingOptions.Default], [partitionCounters]) { Sinks = [updates, mosts] });

        // Made once: a collection made in the measured loop would be counted.
        JobPartition[] partitions = [partition];
        ReadOnlySequence<byte>[] ranges = [buffer, buffer];
        long index = 1;
        Assert.True(RunBatch(job, partitions, ranges, index++));
        Assert.True(RunBatch(job, partitions, ranges, index++));

        long allocated = long.MaxValue;
        bool consumedAll = true;
        for (int run = 0; run < 4; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int batch = 0; batch < 10; batch++)
            {
                consumedAll &= RunBatch(job, partitions, ranges, index++);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(consumedAll);
        Assert.Equal(42L * 10_000, counters.Records);
        Assert.Equal(42L * 10_000, partitionCounters.Records);
        Assert.Equal(2 * 42L * 10_000, updates.Records);
        Assert.True(allocated == 0, $"200,000 lines in 10 batches on two partitions through [MapWithState] allocated {allocated} bytes (the least of four such runs); a partition's buffer and its merge must allocate nothing per record or per batch.");
    }

    // Each word's last "(word,(count,sum,hash))" update: its count and sum, the state a run leaves it with whatever the
    // order of its records; each word's counts must run 1, 2, 3 ... in the order written (no record mapped twice or lost).
    private static SortedDictionary<string, (long Count, long Sum)> Finals(List<string> lines)
    {
        var finals = new SortedDictionary<string, (long Count, long Sum)>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            int open = line.LastIndexOf(",(", StringComparison.Ordinal);
            string word = line[1..open];
            long[] state = line[(open + 2)..^2].Split(',').Select(long.Parse).ToArray();
            long before = finals.TryGetValue(word, out (long Count, long Sum) last) ? last.Count : 0;
            Assert.True(state[0] == before + 1, $"Word {word}'s update {line} follows count {before}.");
            finals[word] = (state[0], state[1]);
        }

        return finals;
    }

    // 'count' batches of lines (the last 'empty' of them empty), each line made by 'line(key, n)' from a key of 300 of
    // which about two in five are in a given batch, so that keys go idle for batches and come back.
    private static ReadOnlySequence<byte>[] Batches(int seed, int count, int empty, Func<int, int, string> line)
    {
        var random = new Random(seed);
        var batches = new ReadOnlySequence<byte>[count];
        for (int b = 0; b < count; b++)
        {
            var text = new StringBuilder();
            for (int n = 0; b < count - empty && n < 3000; n++)
            {
                int key = random.Next(300);
                if ((key * 7 + b) % 5 >= 3)
                {
                    text.Append(line(key, random.Next(100_000))).Append('\n');
                }
            }

            batches[b] = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString()));
        }

        return batches;
    }

    // Runs the batches through the job and 'partitions' - 1 more partitions, each batch's lines cut into that many
    // ranges at line ends (range p to partition p); returns what the sink was given, batch by batch.
    private static List<List<string>> RunBatches(PipelineDefinition definition, ReadOnlySequence<byte>[] batches, int partitions)
    {
        var sink = new CapturingSink();
        using PipelineJob job = definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [sink]));
        var more = new JobPartition[partitions - 1];
        for (int p = 0; p < more.Length; p++)
        {
            more[p] = job.CreatePartition(new PartitionContext([FramingOptions.Default], [new SourceCounters()]) { Sinks = [sink] });
        }

        var written = new List<List<string>>();
        for (int b = 0; b < batches.Length; b++)
        {
            Assert.True(RunBatch(job, more, Ranges(batches[b], partitions), b + 1));
            written.Add(sink.TakeBatch());
        }

        foreach (JobPartition partition in more)
        {
            partition.Dispose();
        }

        return written;
    }

    // A buffer cut into 'count' ranges at line ends, as a file is.
    private static ReadOnlySequence<byte>[] Ranges(ReadOnlySequence<byte> buffer, int count)
    {
        byte[] bytes = buffer.ToArray();
        var ranges = new ReadOnlySequence<byte>[count];
        int start = 0;
        for (int p = 0; p < count; p++)
        {
            int end = p == count - 1 ? bytes.Length : Math.Max(start, (int)((long)bytes.Length * (p + 1) / count));
            while (end < bytes.Length && end > 0 && bytes[end - 1] != (byte)'\n')
            {
                end++;
            }

            ranges[p] = new ReadOnlySequence<byte>(bytes, start, end - start);
            start = end;
        }

        return ranges;
    }

    // One batch: range 0 through the job, range p through partition p, the merges in partition order, then the
    // boundary at the batch's number (its time in seconds, as the 1 s interval gives).
    private static bool RunBatch(PipelineJob job, JobPartition[] partitions, ReadOnlySequence<byte>[] ranges, long index)
    {
        job.BeginStream(0, "memory");
        bool all = job.Process(0, ranges[0], isCompleted: true).Equals(ranges[0].End);
        for (int p = 0; p < partitions.Length; p++)
        {
            partitions[p].BeginStream(0, "memory");
            all &= partitions[p].Process(0, ranges[p + 1], isCompleted: true).Equals(ranges[p + 1].End);
        }

        foreach (JobPartition partition in partitions)
        {
            partition.MergeInto(job);
        }

        job.CompleteBatch(new BatchInfo(index, index * 1000));
        return all;
    }

    // A run of RunningFirstWords over the input with the checkpoint, 10 ms batches on the real clock, stopped as Ctrl+C
    // stops it as soon as it starts; returns the lines it read and its log.
    private static async Task<(long Records, string Log)> RunStoppedAsync(string input, string output, string checkpoint, int parallelism)
    {
        using var logs = new CapturingLoggerProvider();
        var options = new PipelineRunOptions
        {
            LoggerFactory = logs.CreateFactory(),
            Parallelism = parallelism,
            BatchInterval = TimeSpan.FromMilliseconds(10),
            Checkpoint = checkpoint,
        };
        options.SourceUris["Input"] = "file://" + input;
        foreach (SinkDeclaration sink in RunningFirstWords.Definition.Sinks)
        {
            options.SinkUris[sink.Name] = $"file://{output}/{sink.Name}?suffix=txt";
        }

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(RunningFirstWords.Definition, options);
        await stop.CancelAsync();
        await run.RunAsync(stop.Token);
        string log = string.Join("\n", logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Information).Select(l => l.Message));
        return (run.Sources[0].Counters.Records, log);
    }

    // A sink that counts the CSV rows it is given.
    private sealed class CsvDiscardingSink : Sink
    {
        public CsvDiscardingSink()
            : base(ConnectorUri.Parse("console?format=csv", "sink"), new SinkContext()) => TakeFormat();

        public long Records { get; private set; }

        public override void BeginBatch(long batchTimeMs)
        {
        }

        public override void Write(ReadOnlySpan<byte> record) => Records++;

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
    }

    // A sink that keeps each record it is given as text, batch by batch.
    private sealed class CapturingSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext())
    {
        private List<string> _batch = [];

        public override void BeginBatch(long batchTimeMs)
        {
        }

        public override void Write(ReadOnlySpan<byte> record) => _batch.Add(Encoding.UTF8.GetString(record));

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;

        public List<string> TakeBatch()
        {
            List<string> batch = _batch;
            _batch = [];
            return batch;
        }
    }
}
