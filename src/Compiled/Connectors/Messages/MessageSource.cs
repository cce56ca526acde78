namespace Compiled.Connectors.Messages;

/// <summary>
/// A source that delivers messages (Kafka records, Redis stream entries, database changes, ZeroMQ frames) rather than
/// byte streams for a framer to cut: each message's payload is one record, handed to the pipeline's fused loop as it
/// is (a <c>Lines</c> source's line; a <c>Lines&lt;T&gt;</c> source parses it as a line), with its key, timestamp
/// and the source's position after it alongside.
/// </summary>
/// <remarks>
/// <para>
/// The run reads a message source on its loop, one batch of messages at a time: it waits for
/// <see cref="WaitToReadAsync"/>, clears its <see cref="MessageBatch"/> and has <see cref="TryRead"/> fill it, runs the
/// whole batch through the job in one call, then tells the source with <see cref="OnTaken"/>. The source is asked for
/// more only once the job has taken what it gave, so a slow job slows the reading (backpressure) and memory stays
/// bounded by the batch; a source that prefetches bounds its own buffer.
/// </para>
/// <para>
/// <see cref="TryRead"/>, <see cref="OnTaken"/>, <see cref="Source.GetPosition"/> and
/// <see cref="Source.CheckpointedAsync"/> are called on the run's loop, one at a time; a batch boundary falls only
/// between two message batches, never inside one. So a replayable message source reports as its position that after
/// the last message of the last batch taken (<see cref="MessageBatch.LastPosition"/>, or, for a source of several
/// partitions, each partition's last), and resumes after it.
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
    /// after the batch's last message. Called on the run's loop after each batch, before the next <see cref="TryRead"/>
    /// and before any <see cref="Source.GetPosition"/>. Does nothing by default.
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
    /// (for the run's log). By default one: the source's messages come in one stream, which is not split. A source of
    /// several partitions of its own (a Kafka topic's) can spread them over the run's partitions: it overrides this and
    /// <see cref="OpenForPartitions"/>.
    /// </summary>
    public virtual (int Partitions, string? Reason) PartitionsFor(int wanted) =>
        (1, $"source {Uri.Text} delivers its messages in one stream, which is not split into partitions");

    /// <summary>
    /// Opens the source for a run on <paramref name="count"/> partitions (no more than <see cref="PartitionsFor"/> gave),
    /// before it reads anything: partition 0 reads this source itself, and partition p reads element p - 1 of the list
    /// returned, each on a thread of its own, with the same calls as the run's loop makes on one partition
    /// (<see cref="WaitToReadAsync"/>, <see cref="TryRead"/>, then <see cref="OnTaken"/>). This source stays the one the run
    /// checkpoints and commits: its <see cref="Source.GetPosition"/> holds every reader's position, asked while every
    /// partition is parked at a batch boundary, and its <see cref="Source.CheckpointedAsync"/>,
    /// <see cref="Source.BatchCommittedAsync"/> and <see cref="Source.DisposeAsync"/> serve the readers too.
    /// </summary>
    /// <exception cref="NotSupportedException">The source is read on one partition (<see cref="PartitionsFor"/> gives 1).</exception>
    public virtual IReadOnlyList<MessageSource> OpenForPartitions(int count) =>
        throw new NotSupportedException($"Source {Uri.Text} is read on one partition; run the pipeline with --parallelism 1.");

    /// <summary>Creates the batch the run fills from this source: bounded by the source's limits, counting into its counters.</summary>
    public virtual MessageBatch CreateBatch() => new(Uri.Text, Framing, Counters);
}
