using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Connectors.WriteAheadLog;

/// <summary>
/// A reading of a <see cref="WriteAheadLogDirectory"/> from a position, one connection after another
/// (<see cref="TryNextConnection"/>), each as a <see cref="Stream"/> of that connection's bytes that ends where the
/// connection ended. Made by <see cref="WriteAheadLogDirectory.Replay"/>; reads what the log held then.
/// </summary>
/// <remarks>
/// Every entry read is checked again (its checksum, and that each segment starts where the one before ended), so a
/// file changed since the log was opened is an <see cref="InvalidDataException"/>, not wrong data. Used from one thread.
/// </remarks>
public sealed class WriteAheadLogReplay : IDisposable
{
    private readonly SegmentView[] _segments;
    private readonly WriteAheadLogPosition _end;
    private readonly Crc32 _crc = new();
    private byte[] _payload = new byte[64 * 1024];
    private int _payloadStart;
    private int _payloadEnd;

    private int _segment = -1;
    private SafeFileHandle? _file;
    private long _fileOffset;
    private WriteAheadLogPosition _position;
    private bool _inConnection;

    internal WriteAheadLogReplay(SegmentView[] segments, WriteAheadLogPosition from, WriteAheadLogPosition end)
    {
        _segments = segments;
        _end = end;
        _position = segments.Length > 0 ? segments[0].Start : end;
        if (segments.Length > 0)
        {
            OpenSegment(0);
        }

        Seek(from);
    }

    /// <summary>Where the replay stands: the position of the next byte it would return.</summary>
    public WriteAheadLogPosition Position => _position;

    /// <summary>
    /// Returns the next connection's bytes from the replay's position: the rest of the connection the position is in,
    /// then each later one whole. Returns <see langword="false"/> at the end of what the log held. Reading the stream
    /// to its end moves the replay to the next connection; a stream not read to its end is skipped over.
    /// </summary>
    /// <param name="start">Where the stream's first byte is in the log.</param>
    /// <param name="stream">The connection's bytes (synchronous reads of the log files).</param>
    public bool TryNextConnection(out WriteAheadLogPosition start, out Stream stream)
    {
        SkipRestOfConnection();

        start = _position;
        if (_position >= _end)
        {
            stream = Stream.Null;
            return false;
        }

        _inConnection = true;
        stream = new ConnectionStream(this);
        return true;
    }

    /// <summary>Closes the segment file being read.</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    // Moves to from, which lies in the first segment or a later one: skips entries before it and keeps the rest of
    // the entry it falls in.
    private void Seek(WriteAheadLogPosition from)
    {
        while (_position < from)
        {
            if (!NextEntry(out byte kind))
            {
                throw new InvalidDataException($"The write-ahead log ends at {_position}, before {from}.");
            }

            if (kind == WriteAheadLogDirectory.EndEntry)
            {
                if (_position.Connection == from.Connection)
                {
                    throw new InvalidDataException(
                        $"The write-ahead log's connection {from.Connection} ended after {_position.Offset} bytes, before byte {from.Offset}.");
                }

                _position = new WriteAheadLogPosition(_position.Connection + 1, 0);
                continue;
            }

            int length = _payloadEnd - _payloadStart;
            if (_position.Connection == from.Connection && _position.Offset + length > from.Offset)
            {
                _payloadStart += (int)(from.Offset - _position.Offset);
                _position = from;
                return;
            }

            _position = _position with { Offset = _position.Offset + length };
            _payloadStart = _payloadEnd;
        }
    }

    // The previous stream was not read to its end: moves past the rest of its connection.
    private void SkipRestOfConnection()
    {
        while (_inConnection)
        {
            _position = _position with { Offset = _position.Offset + (_payloadEnd - _payloadStart) };
            _payloadStart = _payloadEnd;
            if (!NextEntry(out byte kind))
            {
                throw new InvalidDataException(
                    $"The write-ahead log ends inside connection {_position.Connection}, at byte {_position.Offset}, without the connection's end; the log was cut short after it was opened.");
            }

            if (kind == WriteAheadLogDirectory.EndEntry)
            {
                _position = new WriteAheadLogPosition(_position.Connection + 1, 0);
                _inConnection = false;
            }
        }
    }

    // Copies the open connection's next bytes into destination; 0 at the connection's end.
    private int ReadData(Span<byte> destination)
    {
        if (!_inConnection)
        {
            return 0;
        }

        while (_payloadStart == _payloadEnd)
        {
            if (!NextEntry(out byte kind))
            {
                throw new InvalidDataException(
                    $"The write-ahead log ends inside connection {_position.Connection}, at byte {_position.Offset}, without the connection's end; the log was cut short after it was opened.");
            }

            if (kind == WriteAheadLogDirectory.EndEntry)
            {
                _position = new WriteAheadLogPosition(_position.Connection + 1, 0);
                _inConnection = false;
                return 0;
            }
        }

        int count = Math.Min(destination.Length, _payloadEnd - _payloadStart);
        _payload.AsSpan(_payloadStart, count).CopyTo(destination);
        _payloadStart += count;
        _position = _position with { Offset = _position.Offset + count };
        return count;
    }

    // Reads the next entry (moving to the next segment at one's end) into the payload buffer; false at the log's end.
    private bool NextEntry(out byte kind)
    {
        kind = 0;
        while (_file is null || _fileOffset >= _segments[_segment].Length)
        {
            if (_segment + 1 >= _segments.Length)
            {
                return false;
            }

            OpenSegment(_segment + 1);
            if (_segments[_segment].Start != _position)
            {
                throw WriteAheadLogDirectory.Damaged(_segments[_segment].Path, 0, $"it starts at {_segments[_segment].Start}, but the log before it ends at {_position}");
            }
        }

        string path = _segments[_segment].Path;
        Span<byte> header = stackalloc byte[WriteAheadLogDirectory.EntryHeaderLength];
        if (RandomAccess.Read(_file, header, _fileOffset) != header.Length)
        {
            throw WriteAheadLogDirectory.Damaged(path, _fileOffset, "the file is shorter than when the log was opened");
        }

        kind = header[0];
        int length = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(header[1..]), int.MaxValue);
        if (kind is not (WriteAheadLogDirectory.DataEntry or WriteAheadLogDirectory.EndEntry) || length > WriteAheadLogDirectory.MaxEntryPayload)
        {
            throw WriteAheadLogDirectory.Damaged(path, _fileOffset, $"an entry has kind {kind} and length {length}, which no entry has");
        }

        if (_payload.Length < length)
        {
            _payload = new byte[length];
        }

        Span<byte> payload = _payload.AsSpan(0, length);
        if (RandomAccess.Read(_file, payload, _fileOffset + header.Length) != length)
        {
            throw WriteAheadLogDirectory.Damaged(path, _fileOffset, "the file is shorter than when the log was opened");
        }

        _crc.Reset();
        _crc.Append(header[..5]);
        _crc.Append(payload);
        if (_crc.GetCurrentHashAsUInt32() != BinaryPrimitives.ReadUInt32LittleEndian(header[5..]))
        {
            throw WriteAheadLogDirectory.Damaged(path, _fileOffset, "an entry's checksum does not match its bytes");
        }

        _fileOffset += header.Length + length;
        _payloadStart = 0;
        _payloadEnd = length;
        return true;
    }

    private void OpenSegment(int index)
    {
        _file?.Dispose();
        _segment = index;
        _file = File.OpenHandle(_segments[index].Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _fileOffset = WriteAheadLogDirectory.HeaderLength;
    }

    // A segment as the replay sees it: its file, where it starts, and how long it was when the replay began.
    internal readonly record struct SegmentView(string Path, WriteAheadLogPosition Start, long Length);

    // One connection's bytes, read synchronously from the log.
    private sealed class ConnectionStream(WriteAheadLogReplay replay) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer) => buffer.IsEmpty ? 0 : replay.ReadData(buffer);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new ValueTask<int>(Read(buffer.Span));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
