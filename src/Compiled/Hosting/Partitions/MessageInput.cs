using Compiled.Connectors.Messages;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// A message source whose own partitions (a Kafka topic's) are spread over the run's partitions: partition 0 reads the
/// source itself, partition p the reader <see cref="MessageSource.OpenForPartitions"/> gave for it, each with the calls
/// the run's loop makes on one partition (wait, fill a batch, run it through the fused loop, tell the reader), on the
/// partition's thread into its own tables. The source keeps every reader's position, which the run checkpoints at a
/// boundary with every partition parked. A partition with no message ready waits counted as parked, so a boundary
/// never waits for messages to come.
/// </summary>
internal sealed class MessageInput : PartitionInput
{
    private readonly MessageSource[] _readers;   // [p]: what partition p reads
    private readonly MessageBatch?[] _batches;   // [p]: partition p's batch, counting into its own counters; made on its thread

    /// <summary>The input of <paramref name="source"/> (source <paramref name="index"/>) over <paramref name="readers"/>.Count + 1 partitions.</summary>
    public MessageInput(int index, MessageSource source, IReadOnlyList<MessageSource> readers)
        : base(index)
    {
        _readers = [source, .. readers];
        _batches = new MessageBatch?[_readers.Length];
    }

    /// <summary>
    /// True: the partitions take the messages of their topic partitions as they come, as one partition would take them
    /// all, so the job's watermark moves on to the latest event time of them all at every boundary, as one partition's
    /// would, and a partition whose topic partitions are idle does not hold it back.
    /// </summary>
    public override bool EveryBoundaryEndsASection => true;

    /// <inheritdoc />
    public override bool Read(int partition, PartitionThreads threads)
    {
        MessageSource reader = _readers[partition];
        MessageBatch batch = _batches[partition] ??= partition == 0
            ? reader.CreateBatch()
            : new MessageBatch(reader.Uri.Text, reader.Framing, threads.CountersOf(partition, Source));
        while (true)
        {
            // The messages ready, as many as the batch takes, through the partition's loop; the reader is asked for
            // more only once they are taken, so a slow partition slows its own reading.
            batch.Clear();
            if (reader.TryRead(batch) && batch.Count > 0)
            {
                threads.ProcessMessages(partition, Source, batch);
                reader.Taken(batch);
                if (!threads.AfterRead(partition, batch.PayloadBytes))
                {
                    return false;
                }

                continue;
            }

            // None ready: a wait that completes at once costs no Task; one that pends is waited for counted as parked.
            ValueTask<bool> wait = reader.WaitToReadAsync(CancellationToken.None);
            bool open;
            if (wait.IsCompleted)
            {
                open = wait.GetAwaiter().GetResult();
            }
            else
            {
                Task<bool> pending = wait.AsTask();
                if (!threads.AwaitInput(partition, pending))
                {
                    return false;
                }

                if (!pending.IsCompleted)
                {
                    continue;
                }

                open = pending.GetAwaiter().GetResult();
            }

            if (!open)
            {
                return true;
            }
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        foreach (MessageBatch? batch in _batches)
        {
            batch?.Dispose();
        }
    }
}
