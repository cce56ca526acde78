using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Compiled.Connectors.Files;

namespace Compiled.Connectors.Tcp;

/// <summary>
/// The bytes of one <see cref="TcpSource"/> connection as a <see cref="PipeReader"/>, received into one buffer
/// (<see cref="PositionedReadBuffer"/>). While the socket holds received bytes, a read takes them at once on the thread
/// that asks, as a file is read (<see cref="PositionedFileReader"/>): no task, no pipe and no thread-pool hop per read.
/// Only when nothing has arrived does a read wait, asynchronously, on a pool thread that polls the socket: never through
/// the runtime's socket event loop, whose thread would otherwise be woken for each segment received. The reader owns the socket; it counts the bytes
/// received, and ends like a close when the peer resets the connection.
/// A reader of its own that deals the stream in blocks on partitions (<c>StreamInput</c>) receives straight into its
/// blocks instead (<see cref="TryReceiveNow"/>, <see cref="Receive"/>), not through this reader's buffer.
/// </summary>
/// <remarks>
/// A reset (RST) is how a producer that crashed or closed with unread data says goodbye: ending the reader there,
/// instead of throwing, lets the run hand over what arrived and ask for the next connection, as after an orderly close.
/// The buffer holds what was received and not yet consumed, from its front; a record longer than the buffer doubles it.
/// </remarks>
internal sealed class TcpConnectionReader : PipeReader, ITcpConnection
{
    /// <summary>The buffer's first size: how much one read takes at most while the record in hand fits.</summary>
    public const int BufferBytes = 256 * 1024;

    // How long a read waits on the run's thread for bytes before it waits asynchronously.
    private const int PollMicroseconds = 1000;

    // How long a wait for bytes on a pool thread polls at a time before it looks whether it was cancelled: 50 ms.
    private const int WaitSliceMicroseconds = 50_000;

    private readonly Socket _socket;
    private readonly string _name;
    private PositionedReadBuffer? _buffer;   // rented at the first read through the pipe (not when received into blocks)
    private CancellationTokenSource _cancelPending = new();
    private bool _examinedAll = true;   // the caller examined every byte received: the next read must bring more
    private bool _ended;                // the peer closed or reset the connection
    private bool _completed;

    /// <summary>Reads <paramref name="socket"/>, a connected socket of the source <paramref name="name"/>; the reader owns it from now on.</summary>
    public TcpConnectionReader(Socket socket, string name)
    {
        _socket = socket;
        _name = name;
    }

    /// <inheritdoc />
    public long BytesReceived { get; private set; }

    /// <inheritdoc />
    public bool WasReset { get; private set; }

    // The buffer the pipe's reads go into, rented at the first.
    private PositionedReadBuffer Reads => _buffer ??= new PositionedReadBuffer(BufferBytes);

    /// <inheritdoc />
    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        cancellationToken.ThrowIfCancellationRequested();
        if (_cancelPending.IsCancellationRequested)
        {
            // CancelPendingRead with no read waiting: the next read returns at once, marked cancelled.
            _cancelPending.Dispose();
            _cancelPending = new CancellationTokenSource();
            return new ValueTask<ReadResult>(new ReadResult(Reads.Unconsumed, isCanceled: true, isCompleted: false));
        }

        if (!_examinedAll || _ended)
        {
            return new ValueTask<ReadResult>(Result());
        }

        if (ArrivesNow())
        {
            ReceiveNow();
            return new ValueTask<ReadResult>(Result());
        }

        return ReceiveAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override bool TryRead(out ReadResult result)
    {
        ThrowIfCompleted();
        if (_examinedAll && !_ended)
        {
            result = default;
            return false;
        }

        result = Result();
        return true;
    }

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        ThrowIfCompleted();
        _examinedAll = Reads.Advance(consumed, examined, _name);
    }

    /// <inheritdoc />
    public override void CancelPendingRead() => _cancelPending.Cancel();

    /// <inheritdoc />
    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        _socket.Dispose();
        _buffer?.Return();
        _cancelPending.Dispose();
    }

    /// <inheritdoc />
    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Complete(exception);
        return default;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => CompleteAsync();

    /// <summary>
    /// Receives what the socket holds straight into <paramref name="into"/> (not empty), on this thread, if bytes (or the
    /// peer's close) come within a millisecond, as a read does; returns how many (0: the connection's end, a close or a
    /// reset), or -1 when nothing came. For a reader that receives into blocks of its own; not mixed with reads through the
    /// pipe on one connection.
    /// </summary>
    /// <exception cref="IOException">The receive failed otherwise than by a reset.</exception>
    public int TryReceiveNow(Span<byte> into)
    {
        ThrowIfCompleted();
        if (_ended)
        {
            return 0;
        }

        return ArrivesNow() ? ReceiveInto(into) : -1;
    }

    /// <summary>
    /// Waits for bytes (or the peer's close) on this thread, polling the socket in slices so that <paramref name="stop"/>
    /// ends the wait within one (<see cref="OperationCanceledException"/>), then receives them straight into
    /// <paramref name="into"/> (not empty); returns how many, 0 at the connection's end (a close or a reset).
    /// </summary>
    /// <exception cref="IOException">The receive failed otherwise than by a reset.</exception>
    public int Receive(Span<byte> into, CancellationToken stop)
    {
        ThrowIfCompleted();
        if (_ended)
        {
            return 0;
        }

        if (!WaitReadable(stop, CancellationToken.None))
        {
            stop.ThrowIfCancellationRequested();
        }

        return ReceiveInto(into);
    }

    // Receives into `into`, on this thread, counting what came: 0 is the connection's end.
    private int ReceiveInto(Span<byte> into)
    {
        int received = _socket.Receive(into, SocketFlags.None, out SocketError error);
        received = error == SocketError.Success ? received : Failed(error);
        BytesReceived += received;
        _ended = received == 0;
        return received;
    }

    // Nothing has arrived: waits for bytes (or the peer's close) on a pool thread, polling the socket in slices so that
    // CancelPendingRead or the caller's token ends the wait within one, then takes them here. Not the socket's own
    // ReceiveAsync: a socket used asynchronously once stays registered with the runtime's socket event loop, whose thread
    // is then woken for every segment that arrives, even while the run takes the bytes on its own thread.
    private async ValueTask<ReadResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        CancellationToken cancelPending = _cancelPending.Token;
        bool readable = await Task.Run(() => WaitReadable(cancelPending, cancellationToken), CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (!readable)
        {
            _cancelPending.Dispose();
            _cancelPending = new CancellationTokenSource();
            return new ReadResult(Reads.Unconsumed, isCanceled: true, isCompleted: false);
        }

        ReceiveNow();
        return Result();
    }

    // Waits, polling the socket in slices, until it has bytes (or the peer's close, or an error the receive then reports):
    // false when either token was cancelled first (a pending read's and the caller's, or the block reader's stop).
    private bool WaitReadable(CancellationToken one, CancellationToken other)
    {
        while (!one.IsCancellationRequested && !other.IsCancellationRequested)
        {
            if (Readable(WaitSliceMicroseconds, failed: true))
            {
                return true;
            }
        }

        return false;
    }

    // Whether the socket has bytes (or the peer's close) within `microseconds`; `failed` when it cannot tell (closed under
    // the read by a stop, an error of its own), which the wait on a pool thread hands to the receive to report.
    private bool Readable(int microseconds, bool failed)
    {
        try
        {
            return _socket.Poll(microseconds, SelectMode.SelectRead);
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            return failed;
        }
    }

    // Whether bytes (or the peer's close) are there now: the kernel holds some already, or they come within a millisecond
    // on this thread, which a fast sender's next segment usually takes, rather than hand the wait to the thread pool,
    // whose hop costs a busy connection more. A socket whose state the call cannot tell (closed under the read by a stop)
    // goes the waiting way, which reports it as the socket does.
    private bool ArrivesNow()
    {
        int available;
        try
        {
            available = _socket.Available;
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            available = 0;
        }

        return available > 0 || Readable(PollMicroseconds, failed: false);
    }

    // Takes what the socket holds into the buffer's room, on this thread: the caller has not examined it yet.
    private void ReceiveNow()
    {
        Reads.Received(ReceiveInto(Reads.Room().Span));
        _examinedAll = false;
    }

    // A receive's failure: a reset ends the connection as a close does; any other error is the socket's to report.
    private int Failed(SocketError error)
    {
        if (error == SocketError.ConnectionReset)
        {
            WasReset = true;
            return 0;
        }

        throw new IOException(
            $"Reading from {_name} failed: {error}. The run stops here; check the network and the server, then start the job again " +
            "(what the batch in flight had received is not read again unless the source keeps a write-ahead log: ?wal=true with --checkpoint).",
            new SocketException((int)error));
    }

    private ReadResult Result() => new(Reads.Unconsumed, isCanceled: false, isCompleted: _ended);

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException($"The reader of {_name} was completed; nothing more can be read from it.");
        }
    }
}
