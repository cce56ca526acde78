using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>A partition's fused loop, and its merge into the job at the boundary, allocate nothing once the keys are known.</summary>
public class PartitionAllocationTests
{
    [Fact]
    public void WordCount_JobAndOnePartition_AllocateNothingPerRecordOrPerMerge()
    {
        // 10,000 lines of 8 words from a 500-word vocabulary, one buffer per partition per batch.
        var random = new Random(11);
        var text = new StringBuilder();
        for (int line = 0; line < 10_000; line++)
        {
            for (int word = 0; word < 8; word++)
            {
                text.Append(word == 0 ? "" : " ").Append('w').Append(random.Next(500));
            }

            text.Append('\n');
        }

        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString()));
        var sink = new DiscardingSink();
        var counters = new SourceCounters();
        var partitionCounters = new SourceCounters();
        using PipelineJob job = WordCountPipeline.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        using JobPartition partition = job.CreatePartition(new PartitionContext([FramingOptions.Default], [partitionCounters]));

        Assert.True(RunBatch(job, partition, buffer));
        Assert.True(RunBatch(job, partition, buffer));

        const int runs = 4;
        long allocated = long.MaxValue;
        bool consumedAll = true;
        for (int run = 0; run < runs; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int batch = 0; batch < 10; batch++)
            {
                consumedAll &= RunBatch(job, partition, buffer);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(consumedAll);
        Assert.Equal(42L * 10_000, counters.Records);
        Assert.Equal(42L * 10_000, partitionCounters.Records);
        Assert.Equal(42L * 500, sink.Records);
        Assert.True(allocated == 0, $"200,000 lines in 10 batches on two partitions allocated {allocated} bytes (the least of four such runs); a partition's loop and its merge must allocate nothing per record or per batch.");
    }

    [Theory]
    [InlineData("text")]
    [InlineData("csv")]
    [InlineData("json")]
    public void SinkFedPerRecord_JobAndOnePartition_AllocateNothingPerRecordOrPerMerge(string format)
    {
        // 10,000 bids, two in three on a selected auction: the partition's rows wait in its sink buffer until the merge
        // writes them to the job's sink; once the buffer has grown to a batch's size, nothing is allocated.
        var random = new Random(12);
        var text = new StringBuilder();
        for (int bid = 0; bid < 10_000; bid++)
        {
            text.Append(random.Next(1000, 2000)).Append(',').Append(random.Next(100_000)).Append(',').Append(random.Next(1, 1_000_000)).Append(',').Append(1_700_000_000_000L + bid).Append('\n');
        }

        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString()));
        var sink = new FormattedDiscardingSink(format);
        var counters = new SourceCounters();
        var partitionCounters = new SourceCounters();
        using PipelineJob job = BidSelection.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        using JobPartition partition = job.CreatePartition(new PartitionContext([FramingOptions.Default], [partitionCounters]) { Sinks = [sink] });

        Assert.True(RunBatch(job, partition, buffer));
        Assert.True(RunBatch(job, partition, buffer));
        long perBatch = sink.Records / 2;

        long allocated = long.MaxValue;
        bool consumedAll = true;
        for (int run = 0; run < 4; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int batch = 0; batch < 10; batch++)
            {
                consumedAll &= RunBatch(job, partition, buffer);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(consumedAll);
        Assert.True(perBatch > 2_000, $"{perBatch} rows a batch; the test needs many.");
        Assert.Equal(perBatch * 42, sink.Records);
        Assert.True(allocated == 0, $"10 batches of 20,000 bids on two partitions, written as {format}, allocated {allocated} bytes (the least of four such runs); a partition's sink buffer and its merge must allocate nothing per record or per batch.");
    }

    [Theory]
    [InlineData("text")]
    [InlineData("csv")]
    public async Task FileSinkInParts_JobAndOnePartition_WriteTheirPartsAllocatingNothingPerRecord(string format)
    {
        // The file sink on 2 partitions: the job writes part 0 and the partition its own part 1, each through its own
        // reused buffer, as records come. Opening and publishing a batch's files allocates (handles, names); writing the
        // records of a batch, once warm, does not.
        using var temp = new Compiled.Tests.Connectors.TempDirectory();
        var random = new Random(13);
        var text = new StringBuilder();
        for (int bid = 0; bid < 10_000; bid++)
        {
            text.Append(random.Next(1000, 2000)).Append(',').Append(random.Next(100_000)).Append(',').Append(random.Next(1, 1_000_000)).Append(',').Append(1_700_000_000_000L + bid).Append('\n');
        }

        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString()));
        await using var sink = new Compiled.Sinks.Files.FileSink(ConnectorUri.Parse($"file://{temp.Path}/bids?suffix=txt&format={format}", "sink"), new SinkContext());
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        var counters = new SourceCounters();
        using PipelineJob job = BidSelection.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        using JobPartition partition = job.CreatePartition(new PartitionContext([FramingOptions.Default], [new SourceCounters()]) { Sinks = [sink], Partition = 1, Partitions = 2 });
        Assert.Equal(2, sink.Parts);

        long allocated = long.MaxValue;
        for (int batch = 1; batch <= 6; batch++)
        {
            // The batch's records twice, through the job and the partition into their parts: the second time is measured.
            sink.BeginBatch(batch * 1000L);
            job.BeginStream(0, "memory");
            partition.BeginStream(0, "memory");
            Assert.Equal(buffer.End, job.Process(0, buffer, isCompleted: true));
            Assert.Equal(buffer.End, partition.Process(0, buffer, isCompleted: true));
            job.BeginStream(0, "memory");
            partition.BeginStream(0, "memory");
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool all = job.Process(0, buffer, isCompleted: true).Equals(buffer.End);
            all &= partition.Process(0, buffer, isCompleted: true).Equals(buffer.End);
            partition.MergeInto(job);
            long batchAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(all);
            job.CompleteBatch(new BatchInfo(batch, batch * 1000L));
            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
            if (batch > 2)
            {
                allocated = Math.Min(allocated, batchAllocated);
            }
        }

        string part0 = File.ReadAllText(Path.Combine(temp.Path, "bids-6000-part-00000.txt"));
        string part1 = File.ReadAllText(Path.Combine(temp.Path, "bids-6000-part-00001.txt"));
        Assert.Equal(part0, part1);
        Assert.True(part0.Split('\n').Length > 1_000, "The parts hold few rows; the test needs many.");
        Assert.True(allocated == 0, $"20,000 bids written as {format} to two part files allocated {allocated} bytes (the least of four warm batches); writing a part must allocate nothing per record.");
        Assert.Equal(part0, File.ReadAllText(Path.Combine(temp.Path, "bids-5000-part-00000.txt")));
    }

    // A sink that counts what it is given, in the format its URI asks for.
    private sealed class FormattedDiscardingSink : Sink
    {
        public FormattedDiscardingSink(string format)
            : base(ConnectorUri.Parse("console?format=" + format, "sink"), new SinkContext()) => TakeFormat();

        public long Records { get; private set; }

        public override void BeginBatch(long batchTimeMs)
        {
        }

        public override void Write(ReadOnlySpan<byte> record) => Records++;

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
    }

    // One batch: the buffer through the job (partition 0) and through the partition, the merge, then the boundary.
    private static bool RunBatch(PipelineJob job, JobPartition partition, in ReadOnlySequence<byte> buffer)
    {
        job.BeginStream(0, "memory");
        partition.BeginStream(0, "memory");
        bool all = job.Process(0, buffer, isCompleted: true).Equals(buffer.End);
        all &= partition.Process(0, buffer, isCompleted: true).Equals(buffer.End);
        partition.MergeInto(job);
        job.CompleteBatch(new BatchInfo(1, 1000));
        return all;
    }
}
