using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.State;

/// <summary>
/// The stateful stages allocate nothing per record, or per batch, once their keys are known: the state tables, the
/// value lists and the spare tables they swap with keep their memory. Measured on the generated job itself, as
/// <see cref="AllocationTests"/> does, with batch numbers that increase from a large first one, as in a run (the timeouts count them).
/// </summary>
public class StateAllocationTests
{
    private const int Lines = 10_000;
    private const int Vocabulary = 500;
    private const int WarmUp = 8;
    private const int Runs = 3;
    private const int BatchesPerRun = 12;
    private const int MeasuredBatches = Runs * BatchesPerRun;

    // A batch's number is its time ÷ the interval, so a run's first batch has a large one, as here.
    private const long FirstBatch = 1_764_000_000;

    [Fact]
    public void UpdateStateByKey_ByteKeys_KnownKeys_AllocatesNothing()
    {
        // Lines of 4 words from the vocabulary; every word is in every batch's input.
        var text = new StringBuilder();
        for (int line = 0; line < Lines; line++)
        {
            text.Append('w').Append((line * 4) % Vocabulary).Append(" w").Append(((line * 4) + 1) % Vocabulary)
                .Append(" w").Append(((line * 4) + 2) % Vocabulary).Append(" w").Append(((line * 4) + 3) % Vocabulary).Append('\n');
        }

        var sink = new DiscardingSink();
        (long allocated, long records) = Measure(RunningWordCount.Definition, [sink], [Buffer(text)]);

        Assert.Equal((long)Lines * (WarmUp + MeasuredBatches), records);
        Assert.Equal((long)Vocabulary * (WarmUp + MeasuredBatches), sink.Records); // every key's state, every batch
        Assert.True(allocated == 0, $"{BatchesPerRun} batches of {Lines * 4} words through [UpdateStateByKey] allocated {allocated} bytes.");
    }

    [Fact]
    public void MapWithState_ByteKeys_KnownKeys_AllocatesNothing()
    {
        var text = new StringBuilder();
        for (int line = 0; line < Lines; line++)
        {
            text.Append("session-").Append(line % Vocabulary).Append(':').Append(line % 7 + 1).Append('\n');
        }

        var sink = new DiscardingSink();
        (long allocated, long records) = Measure(ByteSessions.Definition, [sink], [Buffer(text)]);

        Assert.Equal((long)Lines * (WarmUp + MeasuredBatches), records);
        Assert.Equal((long)Lines * (WarmUp + MeasuredBatches), sink.Records); // one output per record, no timeouts
        Assert.True(allocated == 0, $"{BatchesPerRun} batches of {Lines} records through [MapWithState] allocated {allocated} bytes.");
    }

    // Keys that time out and come back: half the keys are missing from three batches in four, so with the 2 s
    // timeout (two batches) they time out and return every cycle. The tables' memory is reused for them.
    [Fact]
    public void MapWithState_ByteKeys_KeysThatTimeOutAndComeBack_AllocateNothing()
    {
        var all = new StringBuilder();
        var half = new StringBuilder();
        for (int line = 0; line < Lines; line++)
        {
            all.Append("session-").Append(line % Vocabulary).Append(":1\n");
            half.Append("session-").Append(line % (Vocabulary / 2)).Append(":1\n");
        }

        var sink = new DiscardingSink();
        ReadOnlySequence<byte> allBuffer = Buffer(all), halfBuffer = Buffer(half);
        (long allocated, long records) = Measure(ByteSessions.Definition, [sink], [allBuffer, halfBuffer, halfBuffer, halfBuffer]);

        // Each cycle of four batches: 4 × Lines outputs for the records, and Vocabulary / 2 last calls.
        Assert.Equal((long)Lines * (WarmUp + MeasuredBatches), records);
        Assert.Equal(((long)Lines * (WarmUp + MeasuredBatches)) + ((Vocabulary / 2) * ((WarmUp + MeasuredBatches) / 4)), sink.Records);
        Assert.True(allocated == 0, $"{BatchesPerRun} batches with timeouts through [MapWithState] allocated {allocated} bytes.");
    }

    [Fact]
    public void BothStatefulStages_StructKeys_KnownKeys_AllocateNothing()
    {
        var text = new StringBuilder();
        for (int line = 0; line < Lines; line++)
        {
            text.Append(line % Vocabulary).Append(',').Append(line % 13).Append(line % 3 == 0 ? "\r\n" : "\n");
        }

        var sums = new DiscardingSink();
        var ended = new DiscardingSink();
        (long allocated, long records) = Measure(StructSessions.Definition, [sums, ended], [Buffer(text)]);

        Assert.Equal((long)Lines * (WarmUp + MeasuredBatches), records);
        Assert.Equal((long)Vocabulary * (WarmUp + MeasuredBatches), sums.Records);
        Assert.Equal(0, ended.Records);
        Assert.True(allocated == 0, $"{BatchesPerRun} batches of {Lines} records through [UpdateStateByKey] and [MapWithState] allocated {allocated} bytes.");
    }

    private static ReadOnlySequence<byte> Buffer(StringBuilder text) => Segments.Split(Encoding.UTF8.GetBytes(text.ToString()), 64 * 1024);

    // Eight batches to warm up (the JIT; the tables', arenas' and value lists' sizes, which for the keys that come
    // back take a whole cycle of time-outs and returns to reach), then three measured runs of 12 batches; the k-th
    // batch (from 0) uses buffers[k % buffers.Length]. Returns the fewest bytes a measured run allocated, and the records counted.
    private static (long Allocated, long Records) Measure(PipelineDefinition definition, Sink[] sinks, ReadOnlySequence<byte>[] buffers)
    {
        var counters = new SourceCounters();
        using PipelineJob job = definition.CreateJob(new JobContext([FramingOptions.Default], [counters], sinks));
        long index = FirstBatch - 1;
        bool consumedAll = true;
        for (int i = 0; i < WarmUp; i++)
        {
            consumedAll &= RunBatch(job, buffers, ++index);
        }

        // The least any run allocated: a rare runtime event can land in one run, an allocation per record or per
        // batch shows in every run (see AllocationMeter).
        long least = long.MaxValue;
        for (int run = 0; run < Runs; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < BatchesPerRun; i++)
            {
                consumedAll &= RunBatch(job, buffers, ++index);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(consumedAll);
        Assert.Equal(0, counters.Malformed);
        return (least, counters.Records);
    }

    // One batch: the buffer as one stream, then the batch boundary at its number. Returns whether all was consumed
    // (checked by the caller outside the measured loop: an assertion here would allocate).
    private static bool RunBatch(PipelineJob job, ReadOnlySequence<byte>[] buffers, long index)
    {
        ReadOnlySequence<byte> buffer = buffers[(index - FirstBatch) % buffers.Length];
        job.BeginStream(0, "memory");
        SequencePosition consumed = job.Process(0, buffer, isCompleted: true);
        job.CompleteBatch(new BatchInfo(index, index * 1000));
        return consumed.Equals(buffer.End);
    }
}
