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

        // Two batches to warm up (the JIT compiles the loop, the key table reaches its size), then four runs of 25 batches of
        // 10,000 lines (1,000,000 lines), and the fewest bytes one run allocated.
        long allocated = JobBatches.LeastAllocated(job, buffer, out bool consumedAll);

        Assert.True(consumedAll);
        Assert.Equal(102L * 10_000, counters.Records);
        Assert.Equal(102L * 500, sink.Records);
        Assert.True(allocated == 0, $"250,000 lines in 25 batches allocated {allocated} bytes (the least of four such runs); the fused loop must allocate nothing per record or per batch.");
    }
}
