namespace Compiled.Connectors.Messages;

/// <summary>
/// A source that delivers messages (Kafka records, Redis stream entries, database changes, ZeroMQ frames) rather than
/// byte streams for a framer to cut: each message's payload is one record, handed to the pipeline's fused loop as it
/// is (a <c>Lines</c> source's line; a <c>Lines&lt;T&gt;</c> source parses it as a line), with its key, timestamp
/// and the source's position after it alongside.
/// </summary>
/// <remarks>
/// <para>
/// On one partition the run reads a message source on its loop, one batch of messages at a time: it waits for
/// <see cref="WaitToReadAsync"/>, clears its <see cref="MessageBatch"/> and has <see cref="TryRead"/> fill it, runs the
/// whole batch through the job in one call, then tells the source with <see cref="OnTaken"/>. The source is asked for
/// more only once the job has taken what it gave, so a slow job slows the reading (backpressure) and memory stays
/// bounded by the batch; a source that prefetches bounds its own buffer.
/// </para>
/// <para>
/// <see cref="TryRead"/>, <see cref="OnTaken"/>, <see cref="Source.GetPosition"/> and
/// <see cref="Source.CheckpointedAsync"/> are then called on the run's loop, one at a time; a batch boundary falls only
/// between two message batches, never inside one. So a replayable message source reports as its position that after
/// the last message of the last batch taken (<see cref="MessageBatch.LastPosition"/>, or, for a source of several
/// partitions, each partition's last), and resumes after it.
/// </para>
/// <para>
/// <b>On several partitions</b> (<c>--parallelism N</c>), a source of one stream (the default: <see cref="HasPartitionsOfItsOwn"/>
/// is false) is read by one reader, a thread of the run's own, that has it fill batches and deals them to the run's
/// partitions, each running its batches on its own thread. <see cref="WaitToReadAsync"/>, <see cref="TryRead"/> and
/// <see cref="OnTaken"/> are all called on that reader's thread, one at a time; the source is asked for more before the
/// batches it gave are run (up to a few per partition, each a copy of its messages), and told of each with
/// <see cref="OnTaken"/> in the order it gave them, once it and every one before it have run, which may be while a wait
/// it began is pending. At a batch boundary every batch the source gave has been run and taken (a boundary waits for
/// that), so the position after the last one taken is also that after the last one given.
/// <see cref="Source.GetPosition"/>, <see cref="Source.CheckpointedAsync"/> and <see cref="Source.BatchCommittedAsync"/>
/// are called on the run's loop then, while the reader calls nothing (a wait may be pending, as on one partition). A
/// source that cannot be read so overrides <see cref="PartitionsFor"/> to give 1.
/// </para>
/// </remarks>
public abstract class MessageSource : Source
{
    /// <summary>Creates a message source for <paramref name="uri"/>; the URI's <c>maxRecordBytes</c> and <c>onOversize</c> bound each payload.</summary>
    protected MessageSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
    }

    /// <summary>
    /// Waits until messages can be read (<see langword="true"/>) or the source has ended, as a bounded source does, and
    /// will give no more (<see langword="false"/>). Cancelling <paramref name="cancellationToken"/> stops the wait with an
    /// <see cref="OperationCanceledException"/>. After <see langword="true"/> the run calls <see cref="TryRead"/>.
    /// </summary>
    public abstract ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Adds the messages that are ready to <paramref name="batch"/> (empty when called), without waiting, while it is not
    /// full (<see cref="MessageBatch.IsFull"/>); returns whether it added any. The job takes them as soon as this
    /// returns.
    /// </summary>
    public abstract bool TryRead(MessageBatch batch);

    /// <summary>
    /// The job has run every message of <paramref name="batch"/> through its loop: the source's position is now that
    /// after the batch's last message. On one partition, called on the run's loop after each batch, before the next
    /// <see cref="TryRead"/>; on several, on the reader's thread for each batch in the order it was filled, once it and
    /// every one before it have run (see the remarks on the class). Always before the <see cref="Source.GetPosition"/>
    /// of the boundary after it. Does nothing by default.
    /// </summary>
    protected virtual void OnTaken(MessageBatch batch)
    {
    }

    // Called by the run's reading loop (or a partition's thread) once the job has taken a batch.
    internal void Taken(MessageBatch batch) => OnTaken(batch);

    /// <summary>A message source has no byte streams: the run reads it with <see cref="WaitToReadAsync"/> and <see cref="TryRead"/>.</summary>
    /// <exception cref="InvalidOperationException">Always: read the source's messages instead.</exception>
    public sealed override ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException(
            $"Source {Uri.Text} delivers messages, not byte streams; read it with WaitToReadAsync and TryRead into a MessageBatch, as a PipelineRun does.");

    /// <summary>
    /// How many of a run's partitions this source can be read on, at most <paramref name="wanted"/>, and, when fewer, why
    /// (for the run's log). By default as many as asked for: the source's messages come in one stream, which one reader
    /// reads and deals in batches to the run's partitions (see the remarks on the class). A source that cannot be read
    /// so (its calls must come from one thread that the run does not own) returns 1 and why. A source of several
    /// partitions of its own (a Kafka topic's) spreads them over the run's partitions instead: it overrides this,
    /// <see cref="HasPartitionsOfItsOwn"/> and <see cref="OpenForPartitions"/>.
    /// </summary>
    public virtual (int Partitions, string? Reason) PartitionsFor(int wanted) => (wanted, null);

    /// <summary>
    /// Whether the source has partitions of its own (a Kafka topic's), which <see cref="OpenForPartitions"/> spreads over
    /// a run's partitions, each read on its partition's thread. False by default: the source delivers its messages in one
    /// stream, which a run on several partitions deals to them in batches.
    /// </summary>
    public virtual bool HasPartitionsOfItsOwn => false;

    /// <summary>
    /// Opens the source for a run on <paramref name="count"/> partitions (no more than <see cref="PartitionsFor"/> gave),
    /// before it reads anything: partition 0 reads this source itself, and partition p reads element p - 1 of the list
    /// returned, each on a thread of its own, with the same calls as the run's loop makes on one partition
    /// (<see cref="WaitToReadAsync"/>, <see cref="TryRead"/>, then <see cref="OnTaken"/>). This source stays the one the run
    /// checkpoints and commits: its <see cref="Source.GetPosition"/> holds every reader's position, asked while every
    /// partition is parked at a batch boundary, and its <see cref="Source.CheckpointedAsync"/>,
    /// <see cref="Source.BatchCommittedAsync"/> and <see cref="Source.DisposeAsync"/> serve the readers too.
    /// </summary>
    /// <exception cref="NotSupportedException">Not overridden: a run calls it only when <see cref="HasPartitionsOfItsOwn"/> is true, which a source sets together with this.</exception>
    public virtual IReadOnlyList<MessageSource> OpenForPartitions(int count) =>
        throw new NotSupportedException(
            $"Source {Uri.Text} says it has partitions of its own to spread over a run's partitions but does not open them: a source whose " +
            "HasPartitionsOfItsOwn is true overrides OpenForPartitions (and PartitionsFor); leave HasPartitionsOfItsOwn false to have a run deal its one stream to its partitions.");

    /// <summary>Creates the batch the run fills from this source: bounded by the source's limits, counting into its counters.</summary>
    public virtual MessageBatch CreateBatch() => new(Uri.Text, Framing, Counters);
}
