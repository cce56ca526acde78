using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// A tumbling [EventWindow], and a sliding one kept as panes, allocate nothing per record once their keys are known, while
/// windows open and close.
/// </summary>
public class EventTimeAllocationTests
{
    private const int Keys = 500;
    private const int LinesPerBatch = 10_000;
    private const long EventMsPerBatch = 10_000; // each batch moves event time on by one window

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void TumblingOrSlidingEventWindow_SteadyState_AllocatesNothingPerRecord(bool asText, bool sliding)
    {
        // 110 batches of 10,000 "time user" lines over 500 users; event time runs 10s a batch, out of order by up to 4s
        // (under the 5s lateness), so each batch boundary closes one window and the next batches open new ones.
        const int warmUp = 10;
        const int measured = 100;
        var random = new Random(11);
        var buffers = new ReadOnlySequence<byte>[warmUp + measured];
        for (int b = 0; b < buffers.Length; b++)
        {
            var text = new StringBuilder();
            for (int line = 0; line < LinesPerBatch; line++)
            {
                long front = (b * EventMsPerBatch) + (line * EventMsPerBatch / LinesPerBatch);
                long time = Math.Max(b * EventMsPerBatch, front - random.Next(4000)); // never behind the previous batch's watermark
                text.Append(time).Append(" u").Append(line < Keys ? line : random.Next(Keys)).Append('\n');
            }

            buffers[b] = Segments.Split(Encoding.ASCII.GetBytes(text.ToString()), 64 * 1024);
        }

        // The sink takes the Windowed<long> records as they are (as the test driver's captures do), or their text
        // "([start,end),user,count)" as the console and file sinks do.
        ICountingSink sink = asText ? new TextCounter() : new WindowedCounter();
        var counters = new SourceCounters();
        var context = new JobContext([FramingOptions.Default], [counters], [(Sink)sink]);
        // Sliding: 10s windows every 2s, kept as 2s panes, so each batch closes 5 windows.
        using PipelineJob job = (sliding ? SlidingByteClicks.Definition : ByteClicks.Definition).CreateJob(context);
        int windowsPerBatch = sliding ? 5 : 1;

        // Warm up: the JIT compiles the loop; the window tables, their spares and the sink's text buffer reach their size.
        bool consumedAll = true;
        for (int b = 0; b < warmUp; b++)
        {
            consumedAll &= RunBatch(job, buffers[b], b + 1);
        }

        long windowsBefore = sink.Records;
        long totalBefore = sink.Total;
        // Four runs of 25 batches, and the fewest bytes any of them allocated: a rare runtime event can land in one
        // run, an allocation per record or per window shows in every one (see AllocationMeter).
        const int runs = 4;
        long allocated = long.MaxValue;
        for (int run = 0; run < runs; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int b = warmUp + (run * measured / runs); b < warmUp + ((run + 1) * measured / runs); b++)
            {
                consumedAll &= RunBatch(job, buffers[b], b + 1);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(consumedAll);
        Assert.Equal((long)buffers.Length * LinesPerBatch, counters.Records);
        Assert.Equal(0, context.Metrics.LateRecords);

        // Every measured batch closed one window of all 500 users (5 when sliding): the windows did come and go.
        // Sliding, each line is counted in 5 windows; those closed in the measured batches hold the measured lines but
        // for the edges, where a window holds lines of a batch before or after them (fewer than a batch's in all).
        Assert.Equal((long)measured * Keys * windowsPerBatch, sink.Records - windowsBefore);
        long counted = sink.Total - totalBefore;
        long lines = (long)measured * LinesPerBatch * windowsPerBatch;
        Assert.True(sliding ? Math.Abs(counted - lines) < LinesPerBatch * windowsPerBatch : counted == lines, $"the windows closed in the measured batches counted {counted:N0} lines; {lines:N0} expected");
        Assert.True(allocated == 0, $"{measured / runs * LinesPerBatch:N0} lines in {measured / runs} batches, closing {measured / runs} windows, allocated {allocated} bytes; an event-time window must allocate nothing per record or per window once warm.");
    }

    // One batch: the buffer as one stream, then the batch boundary. Returns whether all was consumed.
    private static bool RunBatch(PipelineJob job, in ReadOnlySequence<byte> buffer, long index)
    {
        job.BeginStream(0, "memory");
        SequencePosition consumed = job.Process(0, buffer, isCompleted: true);
        job.CompleteBatch(new BatchInfo(index, index * 1000));
        return consumed.Equals(buffer.End);
    }

    private interface ICountingSink
    {
        long Records { get; }

        long Total { get; }
    }

    // Counts the windowed records it is given, and adds up their values.
    private sealed class WindowedCounter() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext()), IRecordWriter<Windowed<long>>, ICountingSink
    {
        public long Records { get; private set; }

        public long Total { get; private set; }

        public void Write(Windowed<long> record)
        {
            Records++;
            Total += record.Value;
        }

        public override void BeginBatch(long batchTimeMs)
        {
        }

        public override void Write(ReadOnlySpan<byte> record) => throw new InvalidOperationException("The job should write Windowed<long> records as they are.");

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
    }

    // Counts the text records it is given, "([start,end),user,count)", and adds up their counts.
    private sealed class TextCounter() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext()), ICountingSink
    {
        public long Records { get; private set; }

        public long Total { get; private set; }

        public override void BeginBatch(long batchTimeMs)
        {
        }

        public override void Write(ReadOnlySpan<byte> record)
        {
            Records++;
            ReadOnlySpan<byte> count = record[(record.LastIndexOf((byte)',') + 1)..^1];
            Total += long.Parse(count, provider: System.Globalization.CultureInfo.InvariantCulture);
        }

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
    }
}
