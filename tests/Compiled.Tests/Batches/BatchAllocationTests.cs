using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.Batches;

/// <summary>
/// [Join] and [GroupByKey] allocate nothing per record once their keys are known, nor a [Union] that keeps its
/// second stream's records for the batch boundary once its buffer has grown: the generated job driven
/// directly, batch after batch of the same records, through a sink that renders each record as text.
/// </summary>
public class BatchAllocationTests
{
    private const int LinesPerBatch = 10_000;
    private const int Batches = 20;

    [Fact]
    public void Join_ByteKeys_KnownKeys_AllocatesNothingPerRecord()
    {
        var random = new Random(1);
        var lines = Enumerable.Range(0, LinesPerBatch).Select(_ => (Left: random.Next(2) == 0, Key: random.Next(200), Value: random.Next(1, 1000))).ToList();
        string text = string.Concat(lines.Select(l => $"{(l.Left ? 'L' : 'R')} key{l.Key} {l.Value}\n"));
        long pairs = lines.Where(l => l.Left).GroupBy(l => l.Key).Sum(g => (long)g.Count() * lines.Count(r => !r.Left && r.Key == g.Key));

        AssertAllocatesNothing(JoinBytesForAllocation.Definition, text, expectedRecordsPerBatch: pairs);
    }

    [Fact]
    public void Join_StructKeys_KnownKeys_AllocatesNothingPerRecord()
    {
        var random = new Random(2);
        var lines = Enumerable.Range(0, LinesPerBatch).Select(_ => (Side: random.Next(2), Key: random.Next(200), Value: random.Next(1, 1000))).ToList();
        string text = string.Concat(lines.Select(l => $"{l.Side},{l.Key},{l.Value}\n"));
        long pairs = lines.Where(l => l.Side == 0).GroupBy(l => l.Key).Sum(g => (long)g.Count() * lines.Count(r => r.Side == 1 && r.Key == g.Key));

        AssertAllocatesNothing(JoinStructsForAllocation.Definition, text, expectedRecordsPerBatch: pairs);
    }

    [Fact]
    public void GroupByKey_ByteKeys_KnownKeys_AllocatesNothingPerRecord()
    {
        var random = new Random(3);
        var lines = Enumerable.Range(0, LinesPerBatch).Select(_ => (Key: random.Next(500), Value: random.Next(1000))).ToList();
        string text = string.Concat(lines.Select(l => $"user{l.Key} {l.Value}\n"));

        AssertAllocatesNothing(GroupBytesForAllocation.Definition, text, expectedRecordsPerBatch: lines.Select(l => l.Key).Distinct().Count());
    }

    [Fact]
    public void GroupByKey_StructKeys_KnownKeys_AllocatesNothingPerRecord()
    {
        var random = new Random(4);
        var lines = Enumerable.Range(0, LinesPerBatch).Select(_ => (Key: random.Next(500), Value: random.Next(1000))).ToList();
        string text = string.Concat(lines.Select(l => $"{l.Key},{l.Value}\n"));

        AssertAllocatesNothing(GroupStructsForAllocation.Definition, text, expectedRecordsPerBatch: lines.Select(l => l.Key).Distinct().Count());
    }

    [Fact]
    public void Union_OfTwoBranches_SecondKeptForTheBoundary_AllocatesNothingPerRecord()
    {
        var random = new Random(5);
        string text = string.Concat(Enumerable.Range(0, LinesPerBatch).Select(_ => $"{(random.Next(2) == 0 ? 'L' : 'R')} key{random.Next(200)} {random.Next(1, 1000)}\n"));

        AssertAllocatesNothing(UnionBytesForAllocation.Definition, text, expectedRecordsPerBatch: LinesPerBatch);
    }

    private static void AssertAllocatesNothing(PipelineDefinition definition, string text, long expectedRecordsPerBatch)
    {
        Assert.True(expectedRecordsPerBatch > 0);
        ReadOnlySequence<byte> buffer = Segments.Split(Encoding.ASCII.GetBytes(text), 64 * 1024);
        var sink = new DiscardingSink();
        var counters = new SourceCounters();
        using PipelineJob job = definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        long index = 0;
        bool consumedAll = true;

        // The meter runs the batches once to warm up (the JIT, the key tables, the value lists and the text
        // buffer reach their size), then measures further runs and keeps the least any of them allocated.
        long allocated = AllocationMeter.LeastAllocated(() =>
        {
            for (int batch = 0; batch < Batches; batch++)
            {
                consumedAll &= RunBatch(job, buffer, ++index);
            }
        });

        Assert.True(consumedAll);
        Assert.Equal(0, counters.Malformed);
        Assert.Equal(index * LinesPerBatch, counters.Records);
        Assert.Equal(index * expectedRecordsPerBatch, sink.Records);
        Assert.True(
            allocated == 0,
            $"{Batches} batches of {LinesPerBatch:N0} lines ({Batches * expectedRecordsPerBatch:N0} records out) allocated {allocated:N0} bytes; the stage must allocate nothing per record or per batch.");
    }

    // One batch: the whole buffer as one stream, then the batch boundary. Returns whether all was consumed
    // (checked by the caller outside the measured runs: an assertion here would allocate).
    private static bool RunBatch(PipelineJob job, in ReadOnlySequence<byte> buffer, long index)
    {
        job.BeginStream(0, "memory");
        SequencePosition consumed = job.Process(0, buffer, isCompleted: true);
        job.CompleteBatch(new BatchInfo(index, index * 1000));
        return consumed.Equals(buffer.End);
    }
}
