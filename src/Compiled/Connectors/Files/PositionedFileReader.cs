using System.Buffers;
using System.IO.Pipelines;

namespace Compiled.Connectors.Files;

/// <summary>
/// The bytes of a regular file as a <see cref="PipeReader"/>, read with <see cref="RandomAccess.Read(Microsoft.Win32.SafeHandles.SafeFileHandle, Span{byte}, long)"/>
/// at offsets into one buffer, on the thread that asks: each <see cref="ReadAsync"/> after the last buffer was examined
/// reads the next block of the file and completes at once. No task, no pipe and no thread-pool hop per read, as a
/// partition reads its byte range (<c>Hosting/Partitions/PartitionThreads</c>); a file source reads a file it can seek
/// in this way and keeps the pipe for a FIFO or a device, whose reads may wait.
/// </summary>
/// <remarks>
/// The buffer holds what was read and not yet consumed, from its front: before a read, the unconsumed tail of the last
/// one (a record not yet whole) is moved to the front, and when it fills the whole buffer (a record longer than the
/// buffer) the buffer doubles, so a buffer is always one segment. The reader ends at the first read that returns no
/// bytes: a file that grows is read up to where it ends then, as the pipe read it. Completing the reader closes the
/// file and returns the buffer to the pool.
/// </remarks>
internal sealed class PositionedFileReader : PipeReader
{
    /// <summary>How much is read at a time; also the buffer's first size.</summary>
    public const int ReadBytes = 256 * 1024;

    private readonly FileStream _file;
    private byte[]? _buffer;
    private long _fileOffset;       // where the next read starts, in the file
    private int _start;             // the first unconsumed byte in the buffer
    private int _end;               // the end of what was read into the buffer
    private bool _examinedAll;      // the caller examined every byte read: the next read must bring more
    private bool _ended;            // a read returned no bytes: the file's end
    private bool _cancelNext;       // CancelPendingRead: the next read returns at once, marked cancelled
    private bool _completed;

    /// <summary>Reads <paramref name="file"/> (one that can seek) from <paramref name="offset"/>; the reader owns it from now on.</summary>
    public PositionedFileReader(FileStream file, long offset)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        _file = file;
        _fileOffset = offset;
        _buffer = ArrayPool<byte>.Shared.Rent(ReadBytes);
        _examinedAll = true;
    }

    /// <inheritdoc />
    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<ReadResult>(Read());
    }

    /// <inheritdoc />
    public override bool TryRead(out ReadResult result)
    {
        result = Read();
        return true;
    }

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        byte[] buffer = Buffer();
        int consumedAt = IndexOf(consumed, buffer);
        int examinedAt = IndexOf(examined, buffer);
        if (consumedAt < _start || examinedAt < consumedAt || examinedAt > _end)
        {
            throw new InvalidOperationException(
                $"AdvanceTo was given positions outside the last buffer read from {_file.Name} (consumed {consumedAt}, examined {examinedAt}, " +
                $"unconsumed {_start} to {_end}); pass positions of the buffer the last read returned, consumed before examined.");
        }

        _start = consumedAt;
        _examinedAll = examinedAt == _end;
    }

    /// <inheritdoc />
    public override void CancelPendingRead() => _cancelNext = true;

    /// <inheritdoc />
    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        _file.Dispose();
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The unconsumed bytes, with the next block of the file after them when every byte was examined: a read that
    // always completes at once.
    private ReadResult Read()
    {
        byte[] buffer = Buffer();
        if (_cancelNext)
        {
            _cancelNext = false;
            return new ReadResult(new ReadOnlySequence<byte>(buffer, _start, _end - _start), isCanceled: true, isCompleted: false);
        }

        if (_examinedAll && !_ended)
        {
            buffer = Fill(buffer);
        }

        return new ReadResult(new ReadOnlySequence<byte>(buffer, _start, _end - _start), isCanceled: false, isCompleted: _ended);
    }

    // Moves the unconsumed tail to the buffer's front (into a buffer twice the size when it fills it), and reads after it.
    private byte[] Fill(byte[] buffer)
    {
        int kept = _end - _start;
        if (kept == buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(_start, kept).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            _buffer = buffer = larger;
        }
        else if (_start > 0)
        {
            buffer.AsSpan(_start, kept).CopyTo(buffer);
        }

        _start = 0;
        _end = kept;
        int read = RandomAccess.Read(_file.SafeFileHandle, buffer.AsSpan(kept), _fileOffset);
        _fileOffset += read;
        _end += read;
        _ended = read == 0;
        _examinedAll = false;
        return buffer;
    }

    private byte[] Buffer() =>
        _buffer ?? throw new InvalidOperationException($"The reader of {_file.Name} was completed; nothing more can be read from it.");

    private static int IndexOf(SequencePosition position, byte[] buffer)
    {
        if (!ReferenceEquals(position.GetObject(), buffer))
        {
            throw new InvalidOperationException("AdvanceTo was given a position of another buffer than the one the last read returned; pass positions of that buffer.");
        }

        return position.GetInteger();
    }
}
