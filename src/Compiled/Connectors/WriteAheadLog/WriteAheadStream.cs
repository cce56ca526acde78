using System.Runtime.CompilerServices;

namespace Compiled.Connectors.WriteAheadLog;

/// <summary>
/// The stream a source with a write-ahead log is read through: every byte read from the underlying stream (a
/// connection) is appended to the log before it is returned, and the end of the underlying stream is recorded as the
/// end of the log's open connection. So the job never sees a byte that the log does not hold.
/// </summary>
/// <remarks>
/// A zero-byte read (the pipe reader's way of waiting for data without holding a buffer) returns 0 without meaning the
/// end, so it is passed through and records nothing. Only the <see cref="Memory{T}"/> overload of <c>ReadAsync</c> is
/// adapted, because that is the one <see cref="System.IO.Pipelines.PipeReader"/> calls; the others are refused.
/// </remarks>
internal sealed class WriteAheadStream : Stream
{
    private readonly Stream _inner;
    private readonly WriteAheadLogDirectory _log;
    private bool _ended;

    /// <summary>Reads <paramref name="inner"/> (owned: disposed with this stream) into <paramref name="log"/>'s open connection.</summary>
    public WriteAheadStream(Stream inner, WriteAheadLogDirectory log)
    {
        _inner = inner;
        _log = log;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    // The pooling builder keeps a read that completes asynchronously from allocating a state machine box.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.IsEmpty || _ended)
        {
            return read;
        }

        if (read > 0)
        {
            _log.Append(buffer.Span[..read]);
        }
        else
        {
            _ended = true;
            _log.EndConnection();
        }

        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("A write-ahead stream is read through ReadAsync(Memory<byte>).");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
