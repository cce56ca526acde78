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
