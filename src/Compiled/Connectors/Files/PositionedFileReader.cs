using System.Buffers;
using System.IO.Pipelines;

namespace Compiled.Connectors.Files;

/// <summary>
/// The bytes of a regular file as a <see cref="PipeReader"/>, read at offsets into one buffer
/// (<see cref="PositionedReadBuffer"/>), on the thread that asks: each <see cref="ReadAsync"/> after the last buffer was examined
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
    private readonly PositionedReadBuffer _reads = new(ReadBytes);
    private long _fileOffset;       // where the next read starts, in the file
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
        Buffer();
        _examinedAll = _reads.Advance(consumed, examined, _file.Name);
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
        _reads.Return();
    }

    // The unconsumed bytes, with the next block of the file after them when every byte was examined: a read that
    // always completes at once.
    private ReadResult Read()
    {
        Buffer();
        if (_cancelNext)
        {
            _cancelNext = false;
            return new ReadResult(_reads.Unconsumed, isCanceled: true, isCompleted: false);
        }

        if (_examinedAll && !_ended)
        {
            int read = _reads.Fill(_file.SafeFileHandle, _fileOffset, long.MaxValue);
            _fileOffset += read;
            _ended = read == 0;
            _examinedAll = false;
        }

        return new ReadResult(_reads.Unconsumed, isCanceled: false, isCompleted: _ended);
    }

    private byte[] Buffer() =>
        _completed
            ? throw new InvalidOperationException($"The reader of {_file.Name} was completed; nothing more can be read from it.")
            : _reads.Array;
}
