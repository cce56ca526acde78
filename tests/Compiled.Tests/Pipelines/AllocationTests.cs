using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;

namespace Compiled.Tests.Pipelines;

/// <summary>The fused loop allocates nothing per record once its keys are known.</summary>
public class AllocationTests
{
    [Fact]
    public void WordCount_MillionLinesWithKnownKeys_AllocatesNothingPerRecord()
    {
        // 10,000 lines of 8 words from a 500-word vocabulary, in a buffer of several segments.
        var random = new Random(7);
        var text = new StringBuilder();
        for (int line = 0; line < 10_000; line++)
        {
            for (int word = 0; word < 8; word++)
            {
                text.Append(word == 0 ? "" : " ").Append("w").Append(random.Next(500));
            }

            text.Append(line % 3 == 0 ? "\r\n" : "\n");
        }

        ReadOnlySequence<byte> buffer = Segments.Split(Encoding.ASCII.GetBytes(text.ToString()), 64 * 1024);
        var sink = new DiscardingSink();
        var counters = new SourceCounters();
        using PipelineJob job = WordCountPipeline.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));

        // Warm up: the JIT compiles the loop and the key table reaches its size.
        Assert.True(RunBatch(job, buffer));
        Assert.True(RunBatch(job, buffer));

        const int batches = 100; // 100 batches × 10,000 lines = 1,000,000 lines
        bool consumedAll = true;
        // Four runs of 25 batches, and the fewest bytes any of them allocated: a rare runtime event can land in one
        // run, an allocation per record or per batch shows in every one (see AllocationMeter).
        const int runs = 4;
        long allocated = long.MaxValue;
        for (int run = 0; run < runs; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int batch = 0; batch < batches / runs; batch++)
            {
                consumedAll &= RunBatch(job, buffer);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(consumedAll);
        Assert.Equal(102L * 10_000, counters.Records);
        Assert.Equal(102L * 500, sink.Records);
        Assert.True(allocated == 0, $"250,000 lines in 25 batches allocated {allocated} bytes (the least of four such runs); the fused loop must allocate nothing per record or per batch.");
    }

    // One batch: the whole buffer as one stream, then the batch boundary. Returns whether all was consumed
    // (checked by the caller outside the measured loop: an assertion here would allocate).
    private static bool RunBatch(PipelineJob job, in ReadOnlySequence<byte> buffer)
    {
        job.BeginStream(0, "memory");
        SequencePosition consumed = job.Process(0, buffer, isCompleted: true);
        job.CompleteBatch(new Compiled.Hosting.BatchInfo(1, 1000));
        return consumed.Equals(buffer.End);
    }
}
