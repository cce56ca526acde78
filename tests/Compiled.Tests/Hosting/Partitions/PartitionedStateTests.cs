using System.Buffers;
using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Tests.Connectors;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// [MapWithState] on N partitions, both ways: with the state in shards by key hash, each mapped on its own partition at
/// the boundary (when the sinks below take records a partition keeps), or with every partition's records mapped by the
/// job. Either way every key sees its records of a batch in the input's order, so each key's outputs and state equal one
/// partition's, batch after batch, timeouts and removals included, across a stop and a resume from a checkpoint,
/// allocating nothing per record once warm; in shards, outputs of different keys may come in another order.
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

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ShardedCounts_MultiMegabyteFile_OnNPartitions_GiveEachWordTheOnePartitionUpdatesInOrder(int partitions)
    {
        // One batch, the state in shards: each word's updates (its count, and the hash of its line lengths in order) are
        // one partition's, in the same order; only the words' updates interleave differently.
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 85 + partitions, bytes: 4 << 20);
        (Result one, Result many) = await OneAndManyAsync(ShardedFirstWords.Definition, input, temp, partitions);
        Assert.Equal(one.Records, one.Sinks["Updates"].Count);
        Assert.Equal(one.Sinks["Updates"].Count, many.Sinks["Updates"].Count);
        SortedDictionary<string, List<string>> words = PerWord(one.Sinks["Updates"]);
        Assert.True(words.Count > 1000, $"The file has {words.Count} distinct first words; the test needs many.");
        Assert.Equal(words, PerWord(many.Sinks["Updates"]));
    }

    [Fact]
    public async Task JobsKeptRecordsForOtherShards_OverTheLimit_EndBatchesEarly_EveryWordCountedInOrder()
    {
        // The file's second half is comment lines the filter drops, so partition 1 keeps nothing: what the job (partition
        // 0) keeps of its half for shard 1 is what must be bounded. With 16 KiB and a clock that never moves, one batch
        // would hold all of it; instead the job over the limit ends the batch, and the updates come in many batches.
        using var temp = new TempDirectory();
        string input = temp.Combine("input.txt");
        byte[] words = RandomText(seed: 97, bytes: 2 << 20);
        File.WriteAllBytes(input, [.. words, .. Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("# a comment line the filter drops\n", 64_000)))]);
        const long limit = 16 << 10;
        Result one = await RunAsync(ShardedWordsBelowFilter.Definition, input, temp.Combine("one"), 1);
        Result many = await RunAsync(ShardedWordsBelowFilter.Definition, input, temp.Combine("many"), 2, configure: o => o.PartitionSinkBufferBytes = limit);
        Assert.Contains("runs on 2 partitions", many.Log, StringComparison.Ordinal);
        int batches = Directory.GetFiles(temp.Combine("many"), "Updates-*").Count(f => new FileInfo(f).Length > 0);
        Assert.True(batches >= 4, $"The updates were written in {batches} batch(es); the job holding over {limit} bytes for shard 1 must end the batch.");
        Assert.Equal(PerWord(one.Sinks["Updates"]), PerWord(many.Sinks["Updates"]));
    }

    [Theory]
    [InlineData(nameof(RunningFirstWords))]
    [InlineData(nameof(ShardedFirstWords))]
    public async Task RunningCounts_ManyShortBatches_OnThreePartitions_EndWithTheOnePartitionCountsAndSums(string pipeline)
    {
        // Batches cut by the clock: a batch holds the start of each range, so a later part of range 0 reaches a word
        // after an earlier part of range 1 (the order of the hash), but every record is mapped once, each word's counts
        // run 1, 2, 3 ... and its count and sum end as on one partition.
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 90, bytes: 12 << 20);
        (Result one, Result many) = await OneAndManyAsync(Definition(pipeline), input, temp, 3, TimeSpan.FromMilliseconds(5));
        int batches = Directory.GetFiles(temp.Combine("many"), "Updates-*.txt").Count(f => new FileInfo(f).Length > 0);
        Assert.True(batches > 1, $"The updates were written in {batches} batch(es); the test needs several.");
        Assert.Equal(one.Sinks["Updates"].Count, many.Sinks["Updates"].Count);
        Assert.Equal(Finals(one.Sinks["Updates"]), Finals(many.Sinks["Updates"]));
    }

    [Theory]
    [InlineData(nameof(ExpiringFirstWords), 2)]
    [InlineData(nameof(ExpiringFirstWords), 3)]
    [InlineData(nameof(ExpiringShardedWords), 2)]
    [InlineData(nameof(ExpiringShardedWords), 3)]
    public void TimeoutsAndRemovals_TwentyBatches_JobAndPartitions_EqualTheJobAlone(string pipeline, int partitions)
    {
        // Words come and go from batch to batch, so keys time out (after two idle batches) and come back, and a line
        // whose length is a multiple of 13 removes its word; the last batches are empty, so every state left times out
        // and is written: the outputs of every batch hold the final state too. In shards, a batch's outputs of
        // different words come in another order.
        ReadOnlySequence<byte>[] batches = Batches(seed: 100, count: 24, empty: 4, (word, line) => $"w{word}{new string('x', line % 17)} tail{line}");
        List<List<string>> one = RunBatches(Definition(pipeline), batches, 1);
        List<List<string>> many = RunBatches(Definition(pipeline), batches, partitions);
        Assert.Contains(one, batch => batch.Any(line => line.Contains(",-", StringComparison.Ordinal)));
        Assert.Contains(one, batch => batch.Any(line => line.EndsWith(",0)", StringComparison.Ordinal)));
        if (pipeline == nameof(ExpiringShardedWords))
        {
            Assert.Equal(Sorted(one), Sorted(many));
        }
        else
        {
            Assert.Equal(one, many);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void StructKeySessions_TwentyBatches_JobAndPartitions_EndEachSessionWithTheJobAlonesSumAndOrder(int partitions)
    {
        // A session's hash folds its values in order: a value out of order changes what the session ends with. The state
        // is kept in shards, so a batch's sessions end shard by shard: compared as sets per batch.
        ReadOnlySequence<byte>[] batches = Batches(seed: 110, count: 24, empty: 4, (key, line) => $"{key},{line % 1000}");
        List<List<string>> one = RunBatches(KeySessions.Definition, batches, 1);
        List<List<string>> many = RunBatches(KeySessions.Definition, batches, partitions);
        Assert.True(one.Sum(b => b.Count) > 500, $"{one.Sum(b => b.Count)} sessions ended; the test needs many.");
        Assert.Equal(Sorted(one), Sorted(many));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void InitialState_InShards_JobAndPartitions_CountFromItAsTheJobAlone(int partitions)
    {
        // The initial counts are the job's before its first batch and spread over the shards at its first boundary: a
        // seeded word's first update is 1001 whichever shard it falls in.
        ReadOnlySequence<byte>[] batches = Batches(seed: 115, count: 6, empty: 0, (word, line) => $"w{word} {line}");
        List<List<string>> one = RunBatches(SeededShardedWords.Definition, batches, 1);
        List<List<string>> many = RunBatches(SeededShardedWords.Definition, batches, partitions);
        Assert.Contains(one[0], line => line.EndsWith(",1001)", StringComparison.Ordinal));
        Assert.Equal(Sorted(one), Sorted(many));
    }

    [Fact]
    public async Task MethodThatThrows_InShardsOnTwoPartitions_FailsTheRunWithWhatItThrew()
    {
        // The three "zz" lines end the file, in partition 1's range, so the stage is called for them only as the shards are
        // mapped side by side at the boundary; the run fails with the stage's exception, as on one partition.
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 125, bytes: 2 << 20);
        File.AppendAllText(input, "zz\nzz\nzz\n");
        Assert.True(RefusingShardedWords.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [new CsvDiscardingSink()])).MapsStateInShards);

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync(RefusingShardedWords.Definition, input, temp.Combine("out"), parallelism: 2));

        Assert.Contains("The third zz is refused.", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AggregateException", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(RunningFirstWords))]
    [InlineData(nameof(ShardedFirstWords))]
    public async Task StoppedAndResumedSeveralTimes_OnThreePartitions_EndsWithTheUninterruptedState(string pipeline)
    {
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 120, bytes: 24 << 20);
        PipelineDefinition definition = Definition(pipeline);
        Result one = await RunAsync(definition, input, temp.Combine("one"), parallelism: 1);

        // Each run stopped as soon as it starts (each partition parks after the buffer in hand, and the run commits what
        // they read as its last batch), until one finds nothing left; the restarts resume on the 3 partitions.
        string checkpoint = temp.Combine("checkpoint");
        var runs = new List<long>();
        var logs = new List<string>();
        while (runs.Count < 40 && (runs.Count == 0 || runs[^1] > 0))
        {
            (long records, string log) = await RunStoppedAsync(definition, input, temp.Combine("many"), checkpoint, parallelism: 3);
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

    [Theory]
    [InlineData(nameof(RunningFirstWords))]
    [InlineData(nameof(FirstWordCounts))]
    public void RunningCounts_JobAndOnePartition_AllocateNothingPerRecordOrPerMerge(string pipeline)
    {
        // 10,000 lines whose first words come from 500: the records wait in their buffers (keys in arenas) until the
        // boundary, where the job maps them (RunningFirstWords) or each shard maps its own (FirstWordCounts); once the
        // buffers and the state have grown, nothing is allocated.
        var random = new Random(13);
        var text = new StringBuilder();
        for (int line = 0; line < 10_000; line++)
        {
            text.Append('w').Append(random.Next(500)).Append(" and ").Append('x', random.Next(20)).Append('\n');
        }

        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString()));
        PipelineDefinition definition = Definition(pipeline);

        // As CSV rows: a tuple's text (its ToString) would allocate in the job alone.
        Sink[] sinks = definition.Sinks.Select(_ => (Sink)new CsvDiscardingSink()).ToArray();
        var counters = new SourceCounters();
        var partitionCounters = new SourceCounters();
        using PipelineJob job = definition.CreateJob(new JobContext([FramingOptions.Default], [counters], sinks));
        using JobPartition partition = job.CreatePartition(new PartitionContext([FramingOptions.Default], [partitionCounters]) { Sinks = sinks });
        Assert.Equal(pipeline == nameof(FirstWordCounts), job.MapsStateInShards);

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
        Assert.Equal(2 * 42L * 10_000, ((CsvDiscardingSink)sinks[0]).Records);
        Assert.True(allocated == 0, $"200,000 lines in 10 batches on two partitions through [MapWithState] {pipeline} allocated {allocated} bytes (the least of four such runs); a partition's buffer and the mapping at the boundary must allocate nothing per record or per batch.");
    }

    private static PipelineDefinition Definition(string pipeline) => pipeline switch
    {
        nameof(RunningFirstWords) => RunningFirstWords.Definition,
        nameof(ShardedFirstWords) => ShardedFirstWords.Definition,
        nameof(ExpiringFirstWords) => ExpiringFirstWords.Definition,
        nameof(ExpiringShardedWords) => ExpiringShardedWords.Definition,
        nameof(FirstWordCounts) => FirstWordCounts.Definition,
        _ => throw new ArgumentOutOfRangeException(nameof(pipeline), pipeline, "Not a pipeline of these tests."),
    };

    // Each batch's outputs in ordinal order: a batch of a state kept in shards lists the shards' outputs one shard
    // after another.
    private static List<List<string>> Sorted(List<List<string>> batches) =>
        batches.Select(batch => batch.Order(StringComparer.Ordinal).ToList()).ToList();

    // Each word's updates, "(word,(count,sum,hash))" or "(word,count,sum,hash)", in the order written.
    private static SortedDictionary<string, List<string>> PerWord(List<string> lines)
    {
        var words = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            string word = Fields(line)[0];
            if (!words.TryGetValue(word, out List<string>? updates))
            {
                words[word] = updates = [];
            }

            updates.Add(line);
        }

        return words;
    }

    // The word, count, sum and hash of an update as either pipeline writes it.
    private static string[] Fields(string line) => line.Replace("(", "", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).Split(',');

    // Each word's last update: its count and sum, the state a run leaves it with whatever the order of its records;
    // each word's counts must run 1, 2, 3 ... in the order written (no record mapped twice or lost).
    private static SortedDictionary<string, (long Count, long Sum)> Finals(List<string> lines)
    {
        var finals = new SortedDictionary<string, (long Count, long Sum)>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            string[] fields = Fields(line);
            (long count, long sum) = (long.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[2], CultureInfo.InvariantCulture));
            long before = finals.TryGetValue(fields[0], out (long Count, long Sum) last) ? last.Count : 0;
            Assert.True(count == before + 1, $"Word {fields[0]}'s update {line} follows count {before}.");
            finals[fields[0]] = (count, sum);
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

    // One batch: range 0 through the job, range p through partition p, the shards mapped and the merges in partition
    // order, then the boundary at the batch's number (its time in seconds, as the 1 s interval gives).
    private static bool RunBatch(PipelineJob job, JobPartition[] partitions, ReadOnlySequence<byte>[] ranges, long index)
    {
        // As a run does: each partition takes what it reads from the job, then the ranges, then (a state in shards) each
        // shard mapped, then the merges.
        job.BeginBatch(new BatchInfo(index, index * 1000));
        foreach (JobPartition partition in partitions)
        {
            partition.BeginBatch(job);
        }

        job.BeginStream(0, "memory");
        bool all = job.Process(0, ranges[0], isCompleted: true).Equals(ranges[0].End);
        for (int p = 0; p < partitions.Length; p++)
        {
            partitions[p].BeginStream(0, "memory");
            all &= partitions[p].Process(0, ranges[p + 1], isCompleted: true).Equals(ranges[p + 1].End);
        }

        if (job.MapsStateInShards && partitions.Length > 0)
        {
            job.BeginShards(partitions);
            for (int shard = 0; shard <= partitions.Length; shard++)
            {
                job.MapShard(shard, partitions);
            }
        }

        foreach (JobPartition partition in partitions)
        {
            partition.MergeInto(job);
        }

        job.CompleteBatch(new BatchInfo(index, index * 1000));
        return all;
    }

    // A run of the pipeline over the input with the checkpoint, 10 ms batches on the real clock, stopped as Ctrl+C
    // stops it as soon as it starts; returns the lines it read and its log.
    private static async Task<(long Records, string Log)> RunStoppedAsync(PipelineDefinition definition, string input, string output, string checkpoint, int parallelism)
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
        foreach (SinkDeclaration sink in definition.Sinks)
        {
            options.SinkUris[sink.Name] = $"file://{output}/{sink.Name}?suffix=txt";
        }

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(definition, options);
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
