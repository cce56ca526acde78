using System.Runtime.ExceptionServices;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// A source of one stream read on several partitions: one reader, a thread of the input's own, takes the stream in
/// pieces (blocks of whole lines of a byte stream, <see cref="StreamInput"/>; batches of messages,
/// <see cref="MessageStreamInput"/>) and deals them to the partitions, each of which runs its pieces through its fused
/// loop on its own thread. What the two share is here: the dealing, the pause at a boundary, the reader's thread, its
/// failure and its stop.
/// </summary>
/// <remarks>
/// <para>
/// A piece goes to the partition with the fewest pieces pending (dealt and not yet run), the next one in turn on a tie:
/// a partition slowed by its keys or its sinks is dealt less, rather than holding up the reader as a strict turn would.
/// Each partition holds at most its share of pieces pending, and the pieces are reused: when every partition holds its
/// share, the reader stops taking the stream, and the source's own flow control (a socket's receive window, a server's
/// unread entries) slows the sender.
/// </para>
/// <para>
/// A batch is a prefix of the stream, as on one partition: when a boundary is asked for (<see cref="BoundaryAsked"/>)
/// the reader deals nothing more, every partition runs what it was dealt, and parks only then, and once the reader has
/// done what the boundary needs of it (<see cref="Settled"/>); the reader goes on when the partitions do
/// (<see cref="PartitionsGoOn"/>). When the reader fails, the first partition to see it fails the run with its error
/// once it has run what it was dealt; the others end.
/// </para>
/// </remarks>
/// <typeparam name="TPiece">What the reader deals: a block of bytes, a batch of messages.</typeparam>
internal abstract class DealingInput<TPiece> : PartitionInput
    where TPiece : class
{
    private readonly Queue<TPiece>[] _dealt;     // [p]: the pieces dealt to partition p and not yet taken
    private readonly int[] _pending;             // [p]: pieces dealt to partition p and not yet run
    private readonly int _share;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _reader;
    private int _lastDealt = -1;                 // the partition dealt last, where the next turn starts after
    private int _waiting;                        // partitions waiting for a piece
    private bool _paused;                        // a boundary was asked for: nothing is dealt until the partitions go on
    private bool _ended;                         // the reader has dealt the stream's last piece (or failed)
    private bool _stopping;
    private bool _started;
    private ExceptionDispatchInfo? _failure;     // what the reader failed with; thrown once, by the partition that sees it first

    /// <summary>
    /// The input of source <paramref name="source"/> on <paramref name="partitions"/> partitions, each holding at most
    /// <paramref name="share"/> pieces pending, read by a thread named <paramref name="readerName"/>.
    /// </summary>
    protected DealingInput(int source, int partitions, int share, string readerName)
        : base(source)
    {
        _share = share;
        _dealt = new Queue<TPiece>[partitions];
        _pending = new int[partitions];
        for (int p = 0; p < partitions; p++)
        {
            _dealt[p] = new Queue<TPiece>(share);
        }

        _reader = new Thread(static state => ((DealingInput<TPiece>)state!).ReadStream())
        {
            IsBackground = true,
            Name = readerName,
        };
    }

    /// <summary>
    /// What the reader and the partitions wait on for each other: a monitor rather than a Lock (<see cref="Monitor.Wait(object)"/>).
    /// A subclass takes it for what it shares with the partitions, and pulses it when a partition may go on.
    /// </summary>
    protected object Gate { get; } = new();

    /// <summary>How many partitions the input deals to.</summary>
    protected int Partitions => _pending.Length;

    /// <summary>Cancelled when the input is disposed: the reader's waits for the source end with it.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>Whether a boundary was asked for and the partitions have not gone on yet (under the gate).</summary>
    protected bool Paused => _paused;

    /// <summary>Whether the input is being disposed (under the gate).</summary>
    protected bool IsStopping => _stopping;

    /// <summary>The run's partitions, known once the first partition reads (before the reader starts).</summary>
    protected PartitionThreads Threads { get; private set; } = null!;

    /// <summary>
    /// True: at every boundary the partitions together have run a prefix of the stream, as one partition would have, so
    /// the job's watermark moves on to the latest event time of them all, as one partition's would.
    /// </summary>
    public override bool EveryBoundaryEndsASection => true;

    /// <summary>A boundary is asked for: the reader deals nothing more until the partitions go on, so that each batch is a prefix of the stream.</summary>
    public override void BoundaryAsked()
    {
        lock (Gate)
        {
            _paused = true;
            Monitor.PulseAll(Gate);
        }
    }

    /// <summary>The partitions go on after a boundary (or close): the reader deals again; a partition waiting for a piece looks again.</summary>
    public override void PartitionsGoOn()
    {
        lock (Gate)
        {
            _paused = false;
            Monitor.PulseAll(Gate);
        }
    }

    /// <inheritdoc />
    public sealed override bool Read(int partition, PartitionThreads threads)
    {
        lock (Gate)
        {
            if (!_started && !_stopping)
            {
                _started = true;
                Threads = threads;
                _reader.Start(this);
            }
        }

        while (true)
        {
            TPiece? piece = null;
            bool park = false;
            lock (Gate)
            {
                while (true)
                {
                    if (_dealt[partition].TryDequeue(out piece))
                    {
                        break;
                    }

                    if (_failure is { } failure)
                    {
                        // The reader failed: the first partition to see it fails the run with its error; the others end.
                        _failure = null;
                        failure.Throw();
                    }

                    if (_ended)
                    {
                        return true;
                    }

                    if (threads.Closing)
                    {
                        return false;
                    }

                    if (_paused && Settled)
                    {
                        // Everything dealt before the boundary was asked for is run: the partition parks with none pending.
                        park = true;
                        break;
                    }

                    _waiting++;
                    Monitor.Wait(Gate);
                    _waiting--;
                }
            }

            if (park)
            {
                if (!threads.ParkForBoundary(partition))
                {
                    return false;
                }

                continue;
            }

            long bytes = Run(partition, threads, piece!);
            lock (Gate)
            {
                _pending[partition]--;
                Ran(partition, piece!);
                Monitor.PulseAll(Gate);
            }

            if (!threads.CountRead(partition, bytes))
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Runs a piece dealt to <paramref name="partition"/> through its loop, on the partition's thread; returns the bytes
    /// of input it held (towards the partition's share of a batch's bytes).
    /// </summary>
    protected abstract long Run(int partition, PartitionThreads threads, TPiece piece);

    /// <summary>Under the gate, on the partition's thread: <paramref name="partition"/> has run <paramref name="piece"/>, which the reader may reuse.</summary>
    protected abstract void Ran(int partition, TPiece piece);

    /// <summary>
    /// Under the gate, with a boundary asked for: whether the reader has done what the boundary needs of it, so that a
    /// partition that has run what it was dealt may park. True by default.
    /// </summary>
    protected virtual bool Settled => true;

    /// <summary>
    /// Under the gate: whether a piece may be dealt to <paramref name="partition"/>, which holds fewer than its share
    /// pending (the reader has a piece for it). True by default.
    /// </summary>
    protected virtual bool CanDealTo(int partition) => true;

    /// <summary>
    /// The reader's thread: takes the stream and deals it, until the stream ends (return), the input is disposed (return,
    /// or an <see cref="OperationCanceledException"/> of <see cref="Stopping"/>), or the source fails (an exception the
    /// run fails with).
    /// </summary>
    protected abstract void Receive();

    /// <summary>
    /// Under the gate: the partition to deal to, waiting while a boundary is asked for or none has room (unless told not to
    /// wait, <paramref name="wait"/>); -1 when the input is being disposed, or, not waiting, when none has room now.
    /// <paramref name="sticky"/>, when not negative, is the one partition that may be dealt to.
    /// </summary>
    protected int AwaitRoom(int sticky = -1, bool wait = true)
    {
        int partition;
        while ((partition = Choose(sticky)) < 0 || _paused)
        {
            if (_stopping || !wait)
            {
                return -1;
            }

            Monitor.Wait(Gate);
        }

        return _stopping ? -1 : partition;
    }

    /// <summary>Under the gate: the partition to deal to now, -1 when none has room (with <paramref name="sticky"/>, that one or none).</summary>
    protected int Choose(int sticky = -1)
    {
        if (sticky >= 0)
        {
            return _pending[sticky] < _share && CanDealTo(sticky) ? sticky : -1;
        }

        int best = -1;
        for (int i = 1; i <= _pending.Length; i++)
        {
            int p = (_lastDealt + i) % _pending.Length;
            if (_pending[p] < _share && (best < 0 || _pending[p] < _pending[best]) && CanDealTo(p))
            {
                best = p;
            }
        }

        return best;
    }

    /// <summary>Under the gate: deals <paramref name="piece"/> to <paramref name="partition"/>, which runs it next after those it holds.</summary>
    protected void Deal(int partition, TPiece piece)
    {
        _dealt[partition].Enqueue(piece);
        _pending[partition]++;
        _lastDealt = partition;
        if (_waiting > 0)
        {
            Monitor.PulseAll(Gate);
        }
    }

    /// <summary>The reader's thread waits for what the source gives: one that completed at once costs no Task.</summary>
    protected static T Await<T>(ValueTask<T> pending) => pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();

    /// <summary>Stops the reader (a wait for the source is cancelled) and waits for its thread; then <see cref="DisposePieces"/>.</summary>
    public override void Dispose()
    {
        bool started;
        lock (Gate)
        {
            _stopping = true;
            started = _started;
            Monitor.PulseAll(Gate);
        }

        _stop.Cancel();
        if (started)
        {
            _reader.Join();
        }

        _stop.Dispose();
        DisposePieces();
    }

    /// <summary>Lets go of the pieces, once the reader has ended. Does nothing by default.</summary>
    protected virtual void DisposePieces()
    {
    }

    // The reader's thread: the stream taken and dealt; a failure is kept for the partitions, which end when it has.
    private void ReadStream()
    {
        try
        {
            Receive();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed: the run has ended.
        }
        catch (Exception error)
        {
            lock (Gate)
            {
                _failure = ExceptionDispatchInfo.Capture(error);
            }
        }
        finally
        {
            lock (Gate)
            {
                _ended = true;
                Monitor.PulseAll(Gate);
            }
        }
    }
}
