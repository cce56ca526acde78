using System.Buffers;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Sinks;

namespace Compiled.Hosting;

/// <summary>
/// The generated part of a running pipeline: its framers, its fused per-record loop and its per-batch
/// state. The driver calls it from one thread: <see cref="BeginStream"/> when a stream of a source starts,
/// <see cref="Process"/> for each buffer read, and <see cref="CompleteBatch"/> at each batch boundary.
/// Calls are per buffer and per batch, never per record.
/// </summary>
public abstract class PipelineJob : IDisposable
{
    /// <summary>Starts a new stream of source <paramref name="source"/> (0-based, in declaration order).</summary>
    public abstract void BeginStream(int source, string streamName);

    /// <summary>
    /// Runs every whole record in <paramref name="buffer"/> through the fused loop, and the final record too
    /// when <paramref name="isCompleted"/>. Returns how far the buffer was consumed.
    /// </summary>
    public abstract SequencePosition Process(int source, in ReadOnlySequence<byte> buffer, bool isCompleted);

    /// <summary>
    /// Emits what the batch aggregated to the sinks and clears the batch's state; windowed stages move their
    /// window on and emit when <paramref name="batch"/> is a multiple of their slide.
    /// </summary>
    public abstract void CompleteBatch(in BatchInfo batch);

    /// <summary>Releases pooled buffers.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases pooled buffers.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>One batch: its number since the run started (1, 2, ...) and its time (the end of its interval, Unix ms).</summary>
/// <param name="Index">The batch's number: the first batch of a run is 1. Windows emit when it is a multiple of their slide.</param>
/// <param name="Time">The batch time in Unix milliseconds.</param>
/// <param name="IsLast">Whether it is the last batch of the run (the input ended, or the run was stopped): event-time windows still open are emitted.</param>
public readonly record struct BatchInfo(long Index, long Time, bool IsLast = false);

/// <summary>Counts that a job keeps beside its sources' counters.</summary>
public sealed class JobMetrics
{
    /// <summary>Records behind the watermark of an event-time stage: dropped, or sent to its late sink.</summary>
    public long LateRecords { get; set; }
}

/// <summary>What a job is bound to: each source's framing limits and counters, each sink, and the batch interval.</summary>
public sealed class JobContext
{
    /// <summary>Creates a context; lists are in the pipeline's declaration order.</summary>
    /// <param name="framing">Each source's framing limits.</param>
    /// <param name="counters">Each source's counters.</param>
    /// <param name="sinks">Each sink.</param>
    /// <param name="batchInterval">The batch interval in force, which sizes windows; <see langword="default"/> for the pipeline's declared one.</param>
    public JobContext(IReadOnlyList<FramingOptions> framing, IReadOnlyList<SourceCounters> counters, IReadOnlyList<Sink> sinks, TimeSpan batchInterval = default)
    {
        ArgumentNullException.ThrowIfNull(framing);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(sinks);
        if (framing.Count != counters.Count)
        {
            throw new ArgumentException("There must be one set of counters per source.", nameof(counters));
        }

        Framing = framing;
        Counters = counters;
        Sinks = sinks;
        BatchInterval = batchInterval;
    }

    /// <summary>Counts the job keeps: late records.</summary>
    public JobMetrics Metrics { get; } = new();

    /// <summary>The batch interval in force; <see cref="TimeSpan.Zero"/> until <see cref="PipelineDefinition.CreateJob"/> fills in the declared one.</summary>
    public TimeSpan BatchInterval { get; internal set; }

    /// <summary>Each source's framing limits.</summary>
    public IReadOnlyList<FramingOptions> Framing { get; }

    /// <summary>Each source's counters.</summary>
    public IReadOnlyList<SourceCounters> Counters { get; }

    /// <summary>Each sink.</summary>
    public IReadOnlyList<Sink> Sinks { get; }
}
