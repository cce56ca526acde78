using Compiled.Connectors.Messages;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// A message source of one stream (Redis stream entries, database changes, ZeroMQ messages, a user's connector) read on
/// several partitions: one reader, a thread of the input's own, has the source fill batches of messages, with the calls
/// the run's loop makes on one partition (<see cref="MessageSource.WaitToReadAsync"/>, <see cref="MessageSource.TryRead"/>),
/// and deals them to the partitions (<see cref="DealingInput{TPiece}"/>), each of which runs its batches through its
/// fused loop on its own thread.
/// </summary>
/// <remarks>
/// <para>
/// Each partition has <see cref="BatchesPerPartition"/> batches of its own pending at most, counting into its own
/// counters, and twice as many in all: a batch is reused once it is run and the source told. A batch holds a copy of its
/// messages (<see cref="MessageBatch"/>), so it stays valid while the reader fills the next. When every partition holds
/// its share the reader asks the source for nothing, so the source holds back as it does for a slow job on one partition.
/// </para>
/// <para>
/// The source is told of the batches taken (<see cref="MessageSource.OnTaken"/>) on the reader's thread, in the order it
/// filled them, each once it and every batch before it are run. So every call to the source is on the reader's thread,
/// one at a time, as on the run's loop on one partition, and each tells the source of a prefix of what it gave. A batch
/// boundary is a prefix of the stream: the reader deals nothing more once one is asked for (a batch it is filling is
/// dealt still), and the partitions park only once every batch dealt is run and the source told of it, with the reader
/// out of the source. So the source's position, asked at the boundary, is that after the last message dealt, and no
/// message is read that the position does not hold: a restart from the checkpoint reads each message once.
/// </para>
/// </remarks>
internal sealed class MessageStreamInput : DealingInput<MessageStreamInput.Dealt>
{
    /// <summary>How many batches one partition holds at most, dealt and not yet run (the one it runs included).</summary>
    public const int BatchesPerPartition = 3;

    private readonly MessageSource _source;
    private readonly Stack<Dealt>[] _free;       // [p]: partition p's batches free to fill; the reader's alone
    private readonly Queue<Dealt> _told;         // under the gate: the batches dealt, in the order filled, of which the source is not told yet
    private bool _inSource;                      // under the gate: the reader is in a call to the source, and deals what it fills
    private Task<bool>? _sourceWait;                // the source's wait for messages, pending; the reader's alone

    /// <summary>The input of <paramref name="source"/> (source <paramref name="index"/>) on <paramref name="partitions"/> partitions.</summary>
    public MessageStreamInput(int index, MessageSource source, int partitions)
        : base(index, partitions, BatchesPerPartition, "Compiled message reader")
    {
        _source = source;
        _free = new Stack<Dealt>[partitions];
        for (int p = 0; p < partitions; p++)
        {
            _free[p] = new Stack<Dealt>(2 * BatchesPerPartition);
        }

        _told = new Queue<Dealt>(2 * BatchesPerPartition * partitions);
    }

    /// <summary>The bytes the reader's thread allocated while it read (set when it ends): what dealing costs, for the tests.</summary>
    internal long ReaderAllocatedBytes { get; private set; }

    /// <summary>The reader is out of the source, and the source was told of every batch dealt: all of them run.</summary>
    protected override bool Settled => !_inSource && _told.Count == 0;

    /// <summary>A partition is dealt to only while it has a batch of its own free.</summary>
    protected override bool CanDealTo(int partition) => _free[partition].Count > 0;

    /// <inheritdoc />
    protected override long Run(int partition, PartitionThreads threads, Dealt dealt)
    {
        threads.ProcessMessages(partition, Source, dealt.Batch);
        return dealt.Batch.PayloadBytes;
    }

    /// <summary>The batch is run: the reader tells the source of it once every batch before it is run too.</summary>
    protected override void Ran(int partition, Dealt dealt) => dealt.Ran = true;

    /// <inheritdoc />
    protected override void Receive()
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            // Each partition's batches count into its own counters, which join the source's at each boundary.
            for (int p = 0; p < Partitions; p++)
            {
                for (int b = 0; b < 2 * BatchesPerPartition; b++)
                {
                    _free[p].Push(new Dealt(new MessageBatch(_source.Uri.Text, _source.Framing, Threads.CountersOf(p, Source))));
                }
            }

            allocated = GC.GetAllocatedBytesForCurrentThread();
            while (DealOne())
            {
            }
        }
        finally
        {
            ReaderAllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        }
    }

    /// <inheritdoc />
    protected override void DisposePieces()
    {
        foreach (Stack<Dealt> free in _free)
        {
            foreach (Dealt dealt in free)
            {
                dealt.Batch.Dispose();
            }
        }

        foreach (Dealt dealt in _told)
        {
            dealt.Batch.Dispose();
        }
    }

    // One turn of the reader: the source told of the batches run; then, once a partition has room and no boundary is
    // asked for, a batch filled and dealt, or the source's wait for messages begun or ended. False when the source has
    // ended (every batch dealt run and told) or the input is disposed.
    private bool DealOne()
    {
        TellTaken();
        int partition;
        lock (Gate)
        {
            if (IsStopping)
            {
                return false;
            }

            if (FirstRan())
            {
                return true;
            }

            if (_sourceWait is { } waiting)
            {
                // A wait begun is seen through before the source is asked again; a partition finishing a batch wakes the
                // reader meanwhile, to tell the source.
                if (!waiting.IsCompleted)
                {
                    Monitor.Wait(Gate);
                    return true;
                }

                partition = -1;
            }
            else
            {
                partition = Paused ? -1 : Choose();
                if (partition < 0)
                {
                    Monitor.Wait(Gate);
                    return true;
                }

                _inSource = true;
            }
        }

        if (partition < 0)
        {
            // The wait has ended: the source has messages (read at the next turn, a boundary allowing) or has ended.
            Task<bool> ended = _sourceWait!;
            _sourceWait = null;
            return ended.GetAwaiter().GetResult() || Drain();
        }

        Dealt? filled = null;
        try
        {
            ValueTask<bool> wait = _source.WaitToReadAsync(Stopping);
            if (!wait.IsCompleted)
            {
                // Nothing to read: the reader waits for the source, or for a partition to finish a batch, on the gate.
                _sourceWait = wait.AsTask();
                _sourceWait.ContinueWith(static (_, state) => ((MessageStreamInput)state!).Wake(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return true;
            }

            if (!wait.GetAwaiter().GetResult())
            {
                return Drain();
            }

            // The partition chosen has a batch free, and keeps its room: only the reader deals.
            Dealt dealt = _free[partition].Pop();
            dealt.Batch.Clear();
            if (_source.TryRead(dealt.Batch) && dealt.Batch.Count > 0)
            {
                filled = dealt;
            }
            else
            {
                _free[partition].Push(dealt);
            }
        }
        finally
        {
            lock (Gate)
            {
                // What was filled is dealt whether or not a boundary was asked for meanwhile: the partitions park after it.
                if (filled is not null)
                {
                    filled.Partition = partition;
                    _told.Enqueue(filled);
                    Deal(partition, filled);
                }

                _inSource = false;
                Monitor.PulseAll(Gate);
            }
        }

        return true;
    }

    // The source has ended: the reader tells it of the batches dealt as they are run, and ends once all are.
    private bool Drain()
    {
        while (true)
        {
            TellTaken();
            lock (Gate)
            {
                if (_told.Count == 0 || IsStopping)
                {
                    return false;
                }

                if (!FirstRan())
                {
                    Monitor.Wait(Gate);
                }
            }
        }
    }

    // Tells the source of the batches run, in the order it filled them, up to the first not yet run, and frees them.
    private void TellTaken()
    {
        while (true)
        {
            Dealt first;
            lock (Gate)
            {
                if (!FirstRan())
                {
                    return;
                }

                first = _told.Peek();
            }

            _source.Taken(first.Batch);
            lock (Gate)
            {
                _told.Dequeue();
                first.Ran = false;
                _free[first.Partition].Push(first);
                Monitor.PulseAll(Gate);
            }
        }
    }

    // Under the gate: whether the first batch the source is not told of yet is run.
    private bool FirstRan() => _told.TryPeek(out Dealt? first) && first.Ran;

    // The source's wait has ended: the reader looks.
    private void Wake()
    {
        lock (Gate)
        {
            Monitor.PulseAll(Gate);
        }
    }

    /// <summary>A batch of messages dealt to a partition: its own, counting into its counters.</summary>
    internal sealed class Dealt(MessageBatch batch)
    {
        /// <summary>The messages.</summary>
        public MessageBatch Batch { get; } = batch;

        /// <summary>The partition it is dealt to, whose batch it is.</summary>
        public int Partition { get; set; }

        /// <summary>Whether the partition has run it (under the gate).</summary>
        public bool Ran { get; set; }
    }
}
