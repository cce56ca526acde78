using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Hosting.Partitions;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// A partition's side of a byte stream read on partitions (<see cref="StreamInput"/>): taking a dealt block, running it
/// through the fused loop and handing the block back allocates nothing once the blocks exist and the keys are known.
/// The partition's side is run on the test's thread, so that its allocations are the thread's; the reader's thread,
/// which copies the stream into the blocks, is not measured.
/// </summary>
public class StreamInputAllocationTests
{
    [Fact]
    public void WordCount_PartitionSide_AllocatesNothingPerBlock()
    {
        // 200,000 lines of 8 words from a 500-word vocabulary (about 6 MiB, some 25 blocks), and the first 100 KB of them (one block).
        var random = new Random(13);
        var text = new StringBuilder();
        for (int line = 0; line < 200_000; line++)
        {
            for (int word = 0; word < 8; word++)
            {
                text.Append(word == 0 ? "" : " ").Append('w').Append(random.Next(500));
            }

            text.Append('\n');
        }

        byte[] large = Encoding.ASCII.GetBytes(text.ToString());
        byte[] small = large[..(large.AsSpan(0, 100_000).LastIndexOf((byte)'\n') + 1)];
        var counters = new SourceCounters();
        var context = new JobContext([FramingOptions.Default], [counters], [new DiscardingSink()]);
        using PipelineJob job = WordCountPipeline.Definition.CreateJob(context);

        // The first read knows every key; then the least of three reads of each size.
        ReadOnThisThread(job, context, large);
        long smallest = long.MaxValue;
        long largest = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            smallest = Math.Min(smallest, ReadOnThisThread(job, context, small));
            largest = Math.Min(largest, ReadOnThisThread(job, context, large));
        }

        long blocks = (large.Length - small.Length) / StreamInput.BlockBytes;
        Assert.Equal((4L * 200_000) + (3L * small.AsSpan().Count((byte)'\n')), counters.Records);
        Assert.True(largest - smallest <= 0,
            $"reading {large.Length} bytes allocated {largest} bytes on the partition's thread, and {small.Length} bytes {smallest}: " +
            $"{largest - smallest} bytes for some {blocks} blocks more; taking, running and handing back a block must allocate nothing.");
    }

    [Fact]
    public void PartitionsNeverStarted_AreDisposedWithoutWaitingForTheirThreads()
    {
        // A run that fails between creating its partitions and starting them (a sink that will not open) disposes them:
        // their threads, background threads never started, are not joined.
        var context = new JobContext([FramingOptions.Default], [new SourceCounters()], [new DiscardingSink()]);
        using PipelineJob job = WordCountPipeline.Definition.CreateJob(context);
        Source source = ConnectorRegistry.CreateSource("stdin:", new SourceContext { OpenStandardInput = () => new MemoryStream("a b\n"u8.ToArray()) });
        var input = new StreamInput(0, source, partitions: 2);
        var threads = new PartitionThreads(job, context, [source], [input], 2, "never started", long.MaxValue, static () => { });
        threads.Dispose();
    }

    // Reads the text as standard input through a stream input of one partition, that partition's side on this thread;
    // returns the bytes this thread allocated while it did.
    private static long ReadOnThisThread(PipelineJob job, JobContext context, byte[] text)
    {
        Source source = ConnectorRegistry.CreateSource("stdin:", new SourceContext { OpenStandardInput = () => new MemoryStream(text) });
        // The partitions' threads are never started: this thread reads partition 0's side (one partition: all of it).
        using var input = new StreamInput(0, source, partitions: 1);
        var threads = new PartitionThreads(job, context, [source], [input], 1, "allocation test", long.MaxValue, static () => { });
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(input.Read(0, threads));
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
