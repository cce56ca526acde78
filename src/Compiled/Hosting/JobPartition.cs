using System.Buffers;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Framing;
using Compiled.Hosting.Partitions;
using Compiled.Sinks;
using Compiled.Sinks.Partitions;

namespace Compiled.Hosting;

/// <summary>
/// One more partition of a job's per-record part: its own framers, its own per-batch tables and counts, and the same
/// fused loop over them, run on a thread of its own. The job itself is partition 0; a run on N partitions creates N - 1
/// of these (<see cref="PipelineJob.CreatePartition"/>). At each batch boundary, with every partition parked between two
/// buffers, the run folds each into the job (<see cref="MergeInto"/>, in partition order), then the job's boundary runs
/// once, as on one partition. Calls are per buffer and per batch, never per record.
/// </summary>
public abstract class JobPartition : IDisposable
{
    /// <summary>Starts a new stream (a byte range of a file) of source <paramref name="source"/> in this partition.</summary>
    public abstract void BeginStream(int source, string streamName);

    /// <summary>
    /// Starts a byte range of a file that begins <paramref name="offset"/> bytes into it, so that a bad record's report
    /// gives its offset in the file. By default the offset is not kept (<see cref="BeginStream(int, string)"/>).
    /// </summary>
    public virtual void BeginStream(int source, string streamName, long offset) => BeginStream(source, streamName);

    /// <summary>
    /// Runs every whole record in <paramref name="buffer"/> through this partition's fused loop, and the final record too
    /// when <paramref name="isCompleted"/>. Returns how far the buffer was consumed, as <see cref="PipelineJob.Process"/>.
    /// </summary>
    public abstract SequencePosition Process(int source, in ReadOnlySequence<byte> buffer, bool isCompleted);

    /// <summary>
    /// Runs each message of <paramref name="batch"/>, its payload as one record, through this partition's fused loop of
    /// source <paramref name="source"/>, as <see cref="PipelineJob.ProcessMessages"/> does for the job: the messages of the
    /// partitions of a message source (a Kafka topic's) this partition reads.
    /// </summary>
    /// <exception cref="NotSupportedException">The partition was not generated with a loop over messages; regenerate the pipeline with this version of Compiled.</exception>
    public virtual void ProcessMessages(int source, MessageBatch batch) =>
        throw new NotSupportedException(
            $"Partition {Index} of this job cannot take messages of source {source}: its code was generated without a loop over messages; rebuild the pipeline with this version of Compiled, or run it with --parallelism 1.");

    /// <summary>
    /// Folds what this partition collected in the batch into <paramref name="job"/>'s per-batch tables and counts (the
    /// user's reduce for a keyed reduce, sums for counts), then empties its own. A key the job's tables do not hold yet
    /// is added after the keys they hold, in this partition's first-seen order.
    /// </summary>
    public abstract void MergeInto(PipelineJob job);

    /// <summary>The partition's number: 1 for the first after the job's own (partition 0), and so on.</summary>
    public int Index { get; internal set; }

    /// <summary>Whether the partition has read all its ranges: it gives no more records.</summary>
    public bool HasEnded { get; internal set; }

    /// <summary>
    /// Before the partition takes in a batch (the first, and each after the job completed the one before): takes what it
    /// reads from the job for the batch, such as the watermark its records are judged late against. Does nothing by default.
    /// </summary>
    public virtual void BeginBatch(PipelineJob job)
    {
    }

    /// <summary>Returns the framers' pooled buffers.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns the framers' pooled buffers.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// What a <see cref="JobPartition"/> is bound to: each source's framing limits, the partition's own counters, and the
/// job's sinks, for which it takes buffers of its own (<see cref="SinkBuffer"/>) when its fused loop writes to them.
/// </summary>
/// <param name="Framing">Each source's framing limits, in declaration order.</param>
/// <param name="Counters">The partition's own counters, one per source; the run adds them to the sources' counters at each batch boundary.</param>
public sealed record PartitionContext(IReadOnlyList<FramingOptions> Framing, IReadOnlyList<SourceCounters> Counters)
{
    /// <summary>Where the partition's sources and guarded stages report bad records: the run's ledger, shared by every partition.</summary>
    public BadRecordLedger BadRecords { get; init; } = new();

    /// <summary>Which partition this is (1 and on; 0 is the job itself): the part of a sink that writes in parts (<see cref="Sink.PartWriter"/>) it writes.</summary>
    public int Partition { get; init; } = 1;

    /// <summary>How many partitions the run has; a sink that writes in parts (<see cref="Sink.WriteInParts"/>) is asked with it when a partition first takes its buffer. 1 (none asked) unless given.</summary>
    public int Partitions { get; init; } = 1;

    /// <summary>The job's sinks, in declaration order, which the partition's sink buffers stand in for; empty when none are given.</summary>
    public IReadOnlyList<Sink> Sinks { get; init; } = [];

    /// <summary>The sink buffers this partition took (<see cref="SinkBuffer"/>), in the order it took them.</summary>
    public IReadOnlyList<PartitionSinkBuffer> SinkBuffers => _sinkBuffers;

    private readonly List<PartitionSinkBuffer> _sinkBuffers = [];
    private readonly List<IPartitionBuffer> _buffers = [];

    /// <summary>
    /// A buffer that stands in for the job's sink <paramref name="sink"/> in this partition: the partition's fused loop
    /// writes its records there, and its merge drains them into the job's sink at the boundary, after the records of the
    /// partitions before it; or, when the sink writes in parts, it passes them at once to the partition's part writer.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The context was given no sink of that index (<see cref="Sinks"/>).</exception>
    public PartitionSinkBuffer SinkBuffer(int sink)
    {
        if ((uint)sink >= (uint)Sinks.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(sink), sink, $"The partition's context holds {Sinks.Count} sinks; give it the job's sinks (PartitionContext.Sinks) for a pipeline whose fused loop writes to a sink.");
        }

        // A sink that writes a part per partition is asked so before the run's first batch, which the partitions are created before.
        Sink target = Sinks[sink];
        Sink? part = Partitions > 1 && target.WriteInParts(Partitions) ? target.PartWriter(Partition) : null;
        var buffer = new PartitionSinkBuffer(target, part);
        _sinkBuffers.Add(buffer);
        return buffer;
    }

    /// <summary>
    /// Counts <paramref name="buffer"/>, which the partition keeps of a batch until the boundary (the input of a
    /// <c>[MapWithState]</c> stage), towards <see cref="BufferedBytes"/>, and returns it.
    /// </summary>
    public T Keep<T>(T buffer)
        where T : class, IPartitionBuffer
    {
        ArgumentNullException.ThrowIfNull(buffer);
        _buffers.Add(buffer);
        return buffer;
    }

    /// <summary>How many bytes this partition's sink buffers, and the other buffers it keeps (<see cref="Keep{T}"/>), hold for the batch.</summary>
    public long BufferedBytes
    {
        get
        {
            long bytes = 0;
            foreach (PartitionSinkBuffer buffer in _sinkBuffers)
            {
                bytes += buffer.BufferedBytes;
            }

            foreach (IPartitionBuffer buffer in _buffers)
            {
                bytes += buffer.BufferedBytes;
            }

            return bytes;
        }
    }
}
