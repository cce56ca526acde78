using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.EventTimeTests;

/// <summary>Windows that close because their feed went idle allocate nothing per batch, quiet or not, once warm.</summary>
public class IdleAllocationTests
{
    private const int Keys = 500;
    private const int LinesPerBurst = 10_000;

    [Fact]
    public void WindowsClosedByIdleness_SteadyState_AllocateNothingPerBatch()
    {
        // Cycles of three 1s batches: a burst of 10,000 "time user" lines over 500 users, its event times filling one
        // 10s window up to its last millisecond (the watermark stops 1ms short of the window's end), then two quiet
        // batches: at the second the feed (2s idle timeout) is idle, the watermark moves on 2s and the window closes.
        const int warmUp = 5;
        const int measured = 40;
        var random = new Random(17);
        var bursts = new ReadOnlySequence<byte>[warmUp + measured];
        for (int c = 0; c < bursts.Length; c++)
        {
            var text = new StringBuilder();
            for (int line = 0; line < LinesPerBurst; line++)
            {
                long time = (c * 40_000L) + (line * 9_999L / (LinesPerBurst - 1));
                text.Append(time).Append(" u").Append(line < Keys ? line : random.Next(Keys)).Append('\n');
            }

            bursts[c] = Segments.Split(Encoding.ASCII.GetBytes(text.ToString()), 64 * 1024);
        }

        var sink = new DiscardingSink();
        var counters = new SourceCounters();
        var context = new JobContext([FramingOptions.Default], [counters], [(Sink)sink]);
        using PipelineJob job = ByteBursts.Definition.CreateJob(context);
        long batch = 0;
        bool consumedAll = true;
        bool closedWhenIdle = true;

        // One cycle: the burst, a quiet batch that closes nothing, a quiet batch that closes the burst's window.
        void Cycle(int c)
        {
            long before = sink.Records;
            job.BeginStream(0, "memory");
            consumedAll &= job.Process(0, bursts[c], isCompleted: true).Equals(bursts[c].End);
            batch++;
            job.CompleteBatch(new BatchInfo(batch, batch * 1000));
            batch++;
            job.CompleteBatch(new BatchInfo(batch, batch * 1000));
            closedWhenIdle &= sink.Records == before;
            batch++;
            job.CompleteBatch(new BatchInfo(batch, batch * 1000));
            closedWhenIdle &= sink.Records == before + Keys;
        }

        for (int c = 0; c < warmUp; c++)
        {
            Cycle(c);
        }

        // Four runs of 10 cycles, and the fewest bytes any of them allocated (see AllocationMeter).
        const int runs = 4;
        long allocated = long.MaxValue;
        for (int run = 0; run < runs; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int c = warmUp + (run * measured / runs); c < warmUp + ((run + 1) * measured / runs); c++)
            {
                Cycle(c);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(consumedAll);
        Assert.Equal((long)bursts.Length * LinesPerBurst, counters.Records);
        Assert.Equal(0, context.Metrics.LateRecords);
        Assert.True(closedWhenIdle, "Each burst's window must close at the second quiet batch after it, by idleness, and not before.");
        Assert.Equal((long)bursts.Length * Keys, sink.Records);
        Assert.True(allocated == 0, $"{measured / runs} cycles of a burst and two quiet batches, each closing a window of {Keys} users by idleness, allocated {allocated} bytes; must be 0 once warm.");
    }
}
