using System.Buffers;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Framing;
using Compiled.Sinks;

namespace Compiled.Hosting;

/// <summary>
/// The generated part of a running pipeline: its framers, its fused per-record loop and its per-batch
/// state. The driver calls it from one thread: <see cref="BeginBatch"/> before a batch's first record,
/// <see cref="BeginStream(int, string)"/> when a stream of a source starts, <see cref="Process"/> for each buffer read (or <see cref="ProcessMessages"/> for each batch of a message source), and
/// <see cref="CompleteBatch"/> at each batch boundary. Calls are per buffer and per batch, never per record.
/// </summary>
public abstract class PipelineJob : IDisposable
{
    private IReadOnlyList<SinkDeclaration>? _sinks;
    private long _intervalMilliseconds;

    /// <summary>
    /// A batch begins: every record read from now until <see cref="CompleteBatch"/> belongs to <paramref name="batch"/>.
    /// Called once per batch, before its first record, with the reason <see cref="BatchEnd.Running"/>. A job whose
    /// state is placed by batch number (the ring of a window, the batch a state entry was last updated in) takes
    /// the number from here, so that a run whose first batch is not batch 1 places it right. Does nothing by default.
    /// </summary>
    public virtual void BeginBatch(in BatchInfo batch)
    {
    }

    /// <summary>Starts a new stream of source <paramref name="source"/> (0-based, in declaration order).</summary>
    public abstract void BeginStream(int source, string streamName);

    /// <summary>
    /// Starts a byte range of a file of source <paramref name="source"/> that begins <paramref name="offset"/> bytes into
    /// it (on partitions, the job's own partition's part of a section after the first), so that a bad record's report
    /// gives its offset in the file. By default the offset is not kept (<see cref="BeginStream(int, string)"/>).
    /// </summary>
    public virtual void BeginStream(int source, string streamName, long offset) => BeginStream(source, streamName);

    /// <summary>
    /// Runs every whole record in <paramref name="buffer"/> through the fused loop, and the final record too
    /// when <paramref name="isCompleted"/>. Returns how far the buffer was consumed.
    /// </summary>
    public abstract SequencePosition Process(int source, in ReadOnlySequence<byte> buffer, bool isCompleted);

    /// <summary>
    /// Runs every message of <paramref name="batch"/>, in order, through the fused loop of source <paramref name="source"/>
    /// (0-based, in declaration order), each payload as one record: as a line of a <c>Lines</c> source, parsed as a line
    /// of a <c>Lines&lt;T&gt;</c> source. One call per batch of messages, never per message.
    /// </summary>
    public abstract void ProcessMessages(int source, MessageBatch batch);

    /// <summary>
    /// Emits what the batch aggregated to the sinks and clears the batch's state; windowed stages move their
    /// window on and emit when <paramref name="batch"/>'s number is a multiple of their slide.
    /// </summary>
    public abstract void CompleteBatch(in BatchInfo batch);

    /// <summary>
    /// Whether sink <paramref name="sink"/> (0-based, in declaration order) receives <paramref name="batch"/>: the
    /// batch coordinator begins and commits only the sinks that do, and it is the only caller. It asks when the batch
    /// begins, and again, for the sinks that did not receive it, when the batch ends the run (a window emits once more
    /// at the end of a bounded input). By default a sink receives every batch, and the sink of a windowed stream every
    /// slide of its window: when the batch number is a multiple of the slide in batches. A generated job with windows
    /// answers for their sinks from the windows themselves.
    /// </summary>
    /// <exception cref="InvalidOperationException">The job was not created by <see cref="PipelineDefinition.CreateJob"/>, so it does not know its sinks.</exception>
    public virtual bool ReceivesBatch(int sink, in BatchInfo batch)
    {
        if (_sinks is null)
        {
            throw new InvalidOperationException(
                "This job was not created by PipelineDefinition.CreateJob, so it does not know which of its sinks receive a batch; create it with the pipeline's Definition.CreateJob(context).");
        }

        return _sinks[sink].SlideMilliseconds is not { } slide || batch.Index % (slide / _intervalMilliseconds) == 0;
    }

    /// <summary>
    /// Writes the state the job keeps across batches (state stores, windows, sessions, event-time windows,
    /// watermarks) to <paramref name="checkpoint"/>, one section per stateful stage, named <c>state/</c> and the
    /// stage's name. Called between batches, never with a batch in flight. A job without such state writes nothing,
    /// the default.
    /// </summary>
    public virtual void WriteState(CheckpointWriter checkpoint)
    {
    }

    /// <summary>
    /// Restores the state <see cref="WriteState"/> wrote, into a job that has run no batch yet. The caller has checked
    /// that the checkpoint's state layout is this pipeline's. A job without such state reads nothing, the default.
    /// </summary>
    /// <exception cref="CheckpointCorruptException">A section is missing or does not read as the stage's state.</exception>
    public virtual void ReadState(CheckpointReader checkpoint)
    {
    }

    /// <summary>
    /// In a run on several partitions, whether the job's own partition (partition 0, which its own loop reads) has read all
    /// its ranges: what a watermark merged from the partitions needs, so that a range that has ended holds nothing back.
    /// </summary>
    public bool RangeEnded { get; internal set; }

    /// <summary>
    /// Creates one more partition of the job's per-record part (the job itself is partition 0), for a run on several
    /// partitions. Only a job whose pipeline declares <see cref="PipelineDefinition.MaxParallelism"/> above 1 creates them.
    /// </summary>
    /// <exception cref="NotSupportedException">The pipeline runs on one partition only.</exception>
    public virtual JobPartition CreatePartition(PartitionContext context) =>
        throw new NotSupportedException("This job runs on one partition only: its pipeline's Definition declares MaxParallelism 1 (SinglePartitionReason says why); run it with Parallelism 1.");

    /// <summary>
    /// Whether the job, on several partitions, keeps a <c>[MapWithState]</c> stage's state in shards by key hash, one per
    /// partition: at each boundary, before the partitions are merged, <see cref="BeginShards"/> runs once and then
    /// <see cref="MapShard"/> once per shard, each on a thread of its own.
    /// </summary>
    public virtual bool MapsStateInShards => false;

    /// <summary>
    /// At a boundary on several partitions, before the shards are mapped: the first time, spreads the state the job holds
    /// (restored from a checkpoint, or initial state) over the shards. Does nothing by default.
    /// </summary>
    /// <param name="partitions">The job's partitions, partition 1 first.</param>
    public virtual void BeginShards(IReadOnlyList<JobPartition> partitions)
    {
    }

    /// <summary>
    /// At a boundary on several partitions: maps the records every partition kept for shard <paramref name="shard"/>
    /// (partition 0's, then 1's, ...) with that shard's state, and runs what each call gives through the stages below
    /// the stage on the loop of the partition that holds the shard (the job for shard 0), into its tables and sink
    /// buffers, which the merge then folds into the job's. Shards are mapped side by side; each touches only its own.
    /// </summary>
    /// <param name="shard">The shard, from 0 to the number of partitions less one.</param>
    /// <param name="partitions">The job's partitions, partition 1 first.</param>
    public virtual void MapShard(int shard, IReadOnlyList<JobPartition> partitions)
    {
    }

    /// <summary>
    /// On several partitions, how many bytes the job holds of the batch for the other shards of its <c>[MapWithState]</c>
    /// stages (records it read whose keys another partition's shard maps at the boundary). It counts towards
    /// <see cref="PipelineRunOptions.PartitionSinkBufferBytes"/> as a partition's kept records do: the job over it ends the
    /// batch early. Read on the thread that runs the job's loop. None by default.
    /// </summary>
    public virtual long KeptBytes => 0;

    /// <summary>
    /// Why this job, bound to its sinks, runs on one partition although its pipeline can be split, or
    /// <see langword="null"/>: a sink its fused loop writes to takes records as they are (<c>IRecordWriter</c>, the Parquet
    /// sink's columns) of a type a partition cannot keep until the batch boundary. The run says it as it says any other
    /// reason for one partition.
    /// </summary>
    public virtual string? SinglePartitionReason => null;

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

    // Called by PipelineDefinition.CreateJob: what the default ReceivesBatch decides by.
    internal void Declare(IReadOnlyList<SinkDeclaration> sinks, TimeSpan batchInterval)
    {
        _sinks = sinks;
        _intervalMilliseconds = (long)batchInterval.TotalMilliseconds;
    }
}

/// <summary>Why a batch ended where it did.</summary>
public enum BatchEnd
{
    /// <summary>Its time came and the run goes on: the next batch follows.</summary>
    Running,

    /// <summary>Every source's input ended (a file, a glob, standard input): it is the run's last batch.</summary>
    EndOfInput,

    /// <summary>The run was stopped (Ctrl+C, SIGTERM, a cancelled token): it is the run's last batch, and the input had not ended.</summary>
    Stop,

    /// <summary>
    /// The run was stopped and keeps a checkpoint: it is the run's last batch, committed like any other, and the windows
    /// and sessions still open are not emitted but kept in the checkpoint, for the restart to continue.
    /// </summary>
    Suspend,
}

/// <summary>
/// One batch: its number, its time (the end of its interval, Unix ms) and why it ended. Batch times are multiples
/// of the batch interval, counted from the Unix epoch as Spark aligns its zero time, and a batch's number is its
/// time ÷ the interval; so a number names the same interval in every run, and a run's first batch is seldom 1.
/// The test driver runs batch k at k × the interval, so its batches are 1, 2, ...
/// </summary>
/// <param name="Index">The batch's number: <see cref="Time"/> ÷ the batch interval. Windows emit when it is a multiple of their slide in batches, so their slides are aligned to the epoch, not to the run's start.</param>
/// <param name="Time">The batch time in Unix milliseconds.</param>
/// <param name="End">Why the batch ended: the run goes on, its input ended, or it was stopped.</param>
public readonly record struct BatchInfo(long Index, long Time, BatchEnd End = BatchEnd.Running)
{
    /// <summary>Whether it is the last batch of the run: the input ended, or the run was stopped or suspended.</summary>
    public bool IsLast => End != BatchEnd.Running;

    /// <summary>
    /// Whether the batch emits the windows and sessions still open: it ends the input, or it ends a run that keeps no
    /// checkpoint (<see cref="BatchEnd.Stop"/>). A suspended run keeps them for its restart.
    /// </summary>
    public bool FlushesWindows => End is BatchEnd.EndOfInput or BatchEnd.Stop;
}

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

    /// <summary>
    /// Where the job's sources and guarded stages report bad records: counted per source, stage or field and reason, and
    /// written to the run's dead-letter sink. By default a ledger without one.
    /// </summary>
    public BadRecordLedger BadRecords { get; init; } = new();

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
