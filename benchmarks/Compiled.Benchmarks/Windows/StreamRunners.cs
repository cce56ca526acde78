using System.Buffers;
using Compiled.Benchmarks.Input;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;

namespace Compiled.Benchmarks.Windows;

/// <summary>One way of running a stream batch by batch: a generated job, or a hand-written loop.</summary>
public abstract class BatchVariant : IDisposable
{
    /// <summary>Frames and processes one batch's buffer (one read of a stream that goes on).</summary>
    public abstract void Process(in ReadOnlySequence<byte> buffer);

    /// <summary>The boundary of batch <paramref name="index"/> (1-based, increasing).</summary>
    public abstract void CompleteBatch(long index);

    /// <summary>Records behind the watermark so far (event-time variants).</summary>
    public virtual long LateRecords => 0;

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the job.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>A generated job, driven as the batch coordinator drives it: one stream, <c>BeginBatch</c> before a batch's records, <c>Process</c> per read, <c>CompleteBatch</c> per batch.</summary>
public sealed class JobVariant : BatchVariant
{
    private readonly PipelineJob _job;
    private readonly JobContext _context;

    /// <summary>Creates the job of <paramref name="definition"/> writing to <paramref name="sink"/>, batches of one second.</summary>
    public JobVariant(PipelineDefinition definition, Sink sink)
    {
        _context = new JobContext([FramingOptions.Default], [new SourceCounters()], [sink], TimeSpan.FromSeconds(1));
        _job = definition.CreateJob(_context);
        _job.BeginStream(0, "memory");
        _job.BeginBatch(Batch(1));
    }

    /// <inheritdoc />
    public override long LateRecords => _context.Metrics.LateRecords;

    /// <summary>The records framed so far.</summary>
    public long Records => _context.Counters[0].Records;

    /// <inheritdoc />
    public override void Process(in ReadOnlySequence<byte> buffer)
    {
        SequencePosition consumed = _job.Process(0, buffer, isCompleted: false);
        if (!consumed.Equals(buffer.End))
        {
            Throw();
        }
    }

    /// <inheritdoc />
    public override void CompleteBatch(long index)
    {
        _job.CompleteBatch(Batch(index));
        _job.BeginBatch(Batch(index + 1));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => _job.Dispose();

    // Batch k of one-second batches: time k s (in ms), so its number, time ÷ interval, is k.
    private static BatchInfo Batch(long index) => new(index, index * 1000);

    private static void Throw() => throw new InvalidOperationException("The job did not consume the whole batch.");
}

/// <summary><see cref="HandWrittenSlidingSum"/> as a <see cref="BatchVariant"/>.</summary>
public sealed class HandWrittenSlidingVariant(int length, IRecordWriter<KeyValue<long>> sink) : BatchVariant
{
    private readonly HandWrittenSlidingSum _sum = new(length, sink);

    /// <inheritdoc />
    public override void Process(in ReadOnlySequence<byte> buffer) => _sum.Process(buffer);

    /// <inheritdoc />
    public override void CompleteBatch(long index) => _sum.CompleteBatch();
}

/// <summary><see cref="HandWrittenTableSlidingSum"/> as a <see cref="BatchVariant"/>.</summary>
public sealed class HandWrittenTableSlidingVariant(int length, IRecordWriter<KeyValue<long>> sink) : BatchVariant
{
    private readonly HandWrittenTableSlidingSum _sum = new(length, sink);

    /// <inheritdoc />
    public override void Process(in ReadOnlySequence<byte> buffer) => _sum.Process(buffer);

    /// <inheritdoc />
    public override void CompleteBatch(long index) => _sum.CompleteBatch();
}

/// <summary><see cref="HandWrittenEventTimeCount"/> as a <see cref="BatchVariant"/>.</summary>
public sealed class HandWrittenEventVariant(IRecordWriter<Windowed<long>> sink) : BatchVariant
{
    private readonly HandWrittenEventTimeCount _count = new(sink);

    /// <inheritdoc />
    public override long LateRecords => _count.Late;

    /// <inheritdoc />
    public override void Process(in ReadOnlySequence<byte> buffer) => _count.Process(buffer);

    /// <inheritdoc />
    public override void CompleteBatch(long index) => _count.CompleteBatch();
}

/// <summary><see cref="HandWrittenMinuteCount"/> as a <see cref="BatchVariant"/>.</summary>
public sealed class HandWrittenMinuteVariant(IRecordWriter<Windowed<long>> sink) : BatchVariant
{
    private readonly HandWrittenMinuteCount _count = new(sink);

    /// <inheritdoc />
    public override void Process(in ReadOnlySequence<byte> buffer) => _count.Process(buffer);

    /// <inheritdoc />
    public override void CompleteBatch(long index) => _count.CompleteBatch(index);
}

/// <summary>The sliding-window variants, by name (the names <c>profile</c> and <c>windows</c> take).</summary>
public static class SlidingVariants
{
    /// <summary>Every variant: the floor, the three generated windows and the two hand-written ones (Dictionary; the runtime's table).</summary>
    public static readonly string[] Names = ["floor", "merged", "inverse", "inverse-unfiltered", "hand-written", "hand-written-table"];

    /// <summary>Creates variant <paramref name="name"/> for a window of <paramref name="length"/> batches (10 or 30).</summary>
    public static BatchVariant Create(string name, int length, Sink sink)
    {
        if (length is not (10 or 30))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The benchmark pipelines have windows of 10 or 30 batches.");
        }

        return name switch
        {
            "floor" => new JobVariant(BatchSum.Definition, sink),
            "merged" => new JobVariant(length == 10 ? SlidingSumMerged.Definition : SlidingSumMerged30.Definition, sink),
            "inverse" => new JobVariant(length == 10 ? SlidingSumInverse.Definition : SlidingSumInverse30.Definition, sink),
            "inverse-unfiltered" => new JobVariant(length == 10 ? SlidingSumInverseUnfiltered.Definition : SlidingSumInverseUnfiltered30.Definition, sink),
            "hand-written" => new HandWrittenSlidingVariant(length, (IRecordWriter<KeyValue<long>>)sink),
            "hand-written-table" => new HandWrittenTableSlidingVariant(length, (IRecordWriter<KeyValue<long>>)sink),
            _ => throw new ArgumentException($"No sliding variant '{name}'; one of {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}

/// <summary>The event-time variants, by name.</summary>
public static class EventVariants
{
    /// <summary>Every variant: the floor, the generated event-time count, the hand-written one, and the ablation (<see cref="HandWrittenMinuteCount"/>).</summary>
    public static readonly string[] Names = ["event-floor", "event-compiled", "event-hand-written", "event-minute-table"];

    /// <summary>Creates variant <paramref name="name"/>.</summary>
    public static BatchVariant Create(string name, Sink sink) => name switch
    {
        "event-floor" => new JobVariant(EventLinesCount.Definition, sink),
        "event-compiled" => new JobVariant(EventTimeCount.Definition, sink),
        "event-hand-written" => new HandWrittenEventVariant((IRecordWriter<Windowed<long>>)sink),
        "event-minute-table" => new HandWrittenMinuteVariant((IRecordWriter<Windowed<long>>)sink),
        _ => throw new ArgumentException($"No event-time variant '{name}'; one of {string.Join(", ", Names)}.", nameof(name)),
    };
}

/// <summary>A variant fed the batches of a <see cref="KeyedStream"/> in order, round and round: batch k (from 1) is the stream's batch (k - 1) mod 64.</summary>
public sealed class SlidingRunner(KeyedStream input, BatchVariant variant)
{
    /// <summary>The variant.</summary>
    public BatchVariant Variant { get; } = variant;

    /// <summary>Batches run so far.</summary>
    public long Index { get; private set; }

    /// <summary>The buffer the next batch will process.</summary>
    public ReadOnlySequence<byte> NextBuffer => input.Sequences[Index % KeyedStream.Batches];

    /// <summary>Runs the next batch.</summary>
    public void RunBatch()
    {
        Process();
        Complete();
    }

    /// <summary>The first half of the next batch: its lines.</summary>
    public void Process() => Variant.Process(NextBuffer);

    /// <summary>The second half: the batch boundary.</summary>
    public void Complete() => Variant.CompleteBatch(++Index);
}

/// <summary>
/// A variant fed an <see cref="EventStream"/>: batch k (from 1) holds second k - 1 of event time. The stream keeps one
/// period in memory, so a run moves it to the period of its next batch first (<see cref="Prepare"/>, outside what is measured).
/// </summary>
public sealed class EventRunner(EventStream input, BatchVariant variant)
{
    /// <summary>The variant.</summary>
    public BatchVariant Variant { get; } = variant;

    /// <summary>Batches run so far.</summary>
    public long Index { get; private set; }

    /// <summary>The period of the next batch.</summary>
    public long NextPeriod => Index / EventStream.BatchesPerPeriod;

    /// <summary>Moves the stream to the next batch's period (rewriting its timestamps if need be).</summary>
    public void Prepare() => input.MoveTo(NextPeriod);

    /// <summary>Runs the next batch; the stream must be at its period.</summary>
    public void RunBatch()
    {
        Process();
        Complete();
    }

    /// <summary>The first half of the next batch: its lines. The stream must be at its period.</summary>
    public void Process() => Variant.Process(Buffer());

    /// <summary>The second half: the batch boundary.</summary>
    public void Complete() => Variant.CompleteBatch(++Index);

    /// <summary>Runs the rest of the current period (all of it when at its start), moving the stream first.</summary>
    public void RunPeriod()
    {
        Prepare();
        do
        {
            RunBatch();
        }
        while (Index % EventStream.BatchesPerPeriod != 0);
    }

    private ReadOnlySequence<byte> Buffer()
    {
        if (input.Period != NextPeriod)
        {
            throw new InvalidOperationException($"The event stream holds period {input.Period}; batch {Index + 1} is in period {NextPeriod}.");
        }

        return input.Sequences[Index % EventStream.BatchesPerPeriod];
    }
}
