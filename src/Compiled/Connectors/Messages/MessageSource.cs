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

    // Called by the run's reading loop once the job has taken a batch.
    internal void Taken(MessageBatch batch) => OnTaken(batch);

    /// <summary>A message source has no byte streams: the run reads it with <see cref="WaitToReadAsync"/> and <see cref="TryRead"/>.</summary>
    /// <exception cref="InvalidOperationException">Always: read the source's messages instead.</exception>
    public sealed override ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken) =>
        throw new InvalidOperationException(
            $"Source {Uri.Text} delivers messages, not byte streams; read it with WaitToReadAsync and TryRead into a MessageBatch, as a PipelineRun does.");

    /// <summary>Creates the batch the run fills from this source: bounded by the source's limits, counting into its counters.</summary>
    public virtual MessageBatch CreateBatch() => new(Uri.Text, Framing, Counters);
}
