using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Connectors.WriteAheadLog;

/// <summary>
/// A write-ahead log of received data: what a source that cannot be read again (a TCP connection) received, appended
/// to segment files before the job sees it, so that after a crash the data is replayed from the log instead of lost.
/// The log keeps each connection's bytes and where each connection ended, so a replay cuts records exactly as the
/// first reading did.
/// </summary>
/// <remarks>
/// <para>
/// <b>Format</b> (version 1, integers little-endian). The log is a directory of segment files
/// <c>segment-&lt;sequence&gt;.wal</c> (twelve digits, from 1), each one a header then entries:
/// <code>
/// header  magic "CMPLDWAL" (8) · version u32 · start connection i64 · start offset i64 · checksum u32 (CRC-32 of the 28 bytes before it)
/// entry   kind u8 (1: data of the open connection, 2: end of the open connection) · payload length u32
///         · checksum u32 (CRC-32 of kind, length and payload) · payload
/// </code>
/// The header's start is the <see cref="WriteAheadLogPosition"/> of its first entry, so a segment can be read after
/// the ones before it were deleted, and segments that do not follow each other are found.
/// </para>
/// <para>
/// <b>Durability.</b> An entry is written with one write call and no buffering in the process, so once
/// <see cref="Append"/> returns the data is in the operating system's hands and survives the process being killed
/// (SIGKILL); it is not flushed to the disk itself, so a power loss may lose the last data received, as it loses what
/// the socket had received and not yet delivered.
/// </para>
/// <para>
/// <b>Recovery</b> (<see cref="Open"/>). Every segment is read and checked. The last one may end in a torn entry (the
/// process died in the middle of writing it): the file is cut back to its last whole entry, with a warning. A damaged
/// entry or header anywhere else, or segments that do not follow each other, is an <see cref="InvalidDataException"/>
/// naming the file, the byte and what is wrong. A connection that was open when the process died is ended, as the
/// connection itself was.
/// </para>
/// <para>
/// <b>Trimming.</b> <see cref="TrimBefore"/> deletes whole segments that lie before a position, never the segment
/// being written.
/// </para>
/// <para>
/// Appends, trimming and the start of a replay may come from different threads (a receive completes on a pool thread
/// while the run trims between batches): they take a lock. One connection is written at a time.
/// </para>
/// </remarks>
public sealed partial class WriteAheadLogDirectory : IDisposable
{
    /// <summary>The size at which a new segment is started, unless <see cref="Open"/> is given another.</summary>
    public const long DefaultSegmentBytes = 16 * 1024 * 1024;

    /// <summary>The largest payload an entry may have; a larger append is split into several entries.</summary>
    public const int MaxEntryPayload = 1024 * 1024;

    internal const int HeaderLength = 32;
    internal const int EntryHeaderLength = 9;
    internal const uint FormatVersion = 1;
    internal const byte DataEntry = 1;
    internal const byte EndEntry = 2;

    private const string SegmentPrefix = "segment-";
    private const string SegmentSuffix = ".wal";

    private readonly Lock _lock = new();
    private readonly List<Segment> _segments;
    private readonly long _segmentBytes;
    private readonly ILogger _log;
    private readonly Crc32 _crc = new();
    private byte[] _scratch = new byte[64 * 1024 + EntryHeaderLength];

    private SafeFileHandle? _active;
    private WriteAheadLogPosition _end;
    private bool _connectionOpen;
    private bool _disposed;

    private WriteAheadLogDirectory(string path, long segmentBytes, ILogger log, List<Segment> segments)
    {
        Path = path;
        _segmentBytes = segmentBytes;
        _log = log;
        _segments = segments;
    }

    /// <summary>The log's directory (full path).</summary>
    public string Path { get; }

    /// <summary>The first position the log still holds: the start of its oldest segment.</summary>
    public WriteAheadLogPosition Start
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count > 0 ? _segments[0].Start : _end;
            }
        }
    }

    /// <summary>The position after the last byte written: the next connection's start when none is open.</summary>
    public WriteAheadLogPosition End
    {
        get
        {
            lock (_lock)
            {
                return _end;
            }
        }
    }

    /// <summary>The segment files, oldest first (full paths).</summary>
    public IReadOnlyList<string> SegmentFiles
    {
        get
        {
            lock (_lock)
            {
                return _segments.Select(s => s.Path).ToArray();
            }
        }
    }

    /// <summary>
    /// Opens the log in <paramref name="path"/>, creating the directory if it is missing: reads and checks every
    /// segment, cuts a torn last entry off, and ends a connection that was open when the writing process died.
    /// </summary>
    /// <param name="path">The log's directory.</param>
    /// <param name="segmentBytes">The size at which a new segment is started (at least 4 KiB).</param>
    /// <param name="logger">Where a torn entry that was cut off is reported.</param>
    /// <exception cref="InvalidDataException">A segment other than the last is damaged, or segments do not follow each other.</exception>
    /// <exception cref="IOException">The directory or a segment cannot be created, read or written.</exception>
    public static WriteAheadLogDirectory Open(string path, long segmentBytes = DefaultSegmentBytes, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, 4096);
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot create the write-ahead log directory '{full}': {error.Message} Give the job a checkpoint directory it can write to.", error);
        }

        var segments = new List<Segment>();
        foreach (string file in Directory.EnumerateFiles(full, SegmentPrefix + "*" + SegmentSuffix))
        {
            if (SequenceOf(System.IO.Path.GetFileName(file)) is { } sequence)
            {
                segments.Add(new Segment(file, sequence, default));
            }
        }

        segments.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var log = new WriteAheadLogDirectory(full, segmentBytes, logger ?? NullLogger.Instance, segments);
        log.Recover();
        return log;
    }

    /// <summary>
    /// Starts a new connection and returns its start: ends the open connection first if there is one (its reader
    /// went away without reading its end).
    /// </summary>
    public WriteAheadLogPosition BeginConnection()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_connectionOpen)
            {
                WriteEntry(EndEntry, default);
            }

            return _end;
        }
    }

    /// <summary>Appends <paramref name="data"/>, received on the open connection, to the log.</summary>
    /// <exception cref="IOException">The log cannot be written.</exception>
    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            while (data.Length > 0)
            {
                int length = Math.Min(data.Length, MaxEntryPayload);
                WriteEntry(DataEntry, data[..length]);
                data = data[length..];
            }
        }
    }

    /// <summary>Records that the open connection ended (the peer closed or reset it). The next data starts the next connection.</summary>
    /// <exception cref="IOException">The log cannot be written.</exception>
    public void EndConnection()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            WriteEntry(EndEntry, default);
        }
    }

    /// <summary>
    /// Reads the log again from <paramref name="from"/>, one connection after another, up to the log's
    /// <see cref="End"/> as it is now. Every connection before that end must have ended (as they have after
    /// <see cref="Open"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="from"/> is before <see cref="Start"/> or after <see cref="End"/>.</exception>
    public WriteAheadLogReplay Replay(WriteAheadLogPosition from)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            WriteAheadLogPosition start = _segments.Count > 0 ? _segments[0].Start : _end;
            if (from < start || from > _end)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(from), from, $"The write-ahead log in '{Path}' holds {start} to {_end}; {from} is outside it.");
            }

            // The segment the position is in: the last one that starts at or before it.
            int first = 0;
            while (first + 1 < _segments.Count && _segments[first + 1].Start <= from)
            {
                first++;
            }

            var snapshot = _segments.Skip(first).Select(s => new WriteAheadLogReplay.SegmentView(s.Path, s.Start, s.Length)).ToArray();
            return new WriteAheadLogReplay(snapshot, from, _end);
        }
    }

    /// <summary>
    /// Deletes the segments that lie wholly before <paramref name="position"/> (whose successor starts at or before it),
    /// never the last one. Returns how many were deleted.
    /// </summary>
    public int TrimBefore(WriteAheadLogPosition position)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            int deleted = 0;
            while (_segments.Count > 1 && _segments[1].Start <= position)
            {
                File.Delete(_segments[0].Path);
                _segments.RemoveAt(0);
                deleted++;
            }

            return deleted;
        }
    }

    /// <summary>Closes the segment being written. What was appended stays in the log.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _active?.Dispose();
            _active = null;
        }
    }

    // Reads every segment: checks headers, entries and continuity, cuts a torn tail off the last one, reopens the last
    // for appending and ends a connection left open.
    private void Recover()
    {
        WriteAheadLogPosition position = new(0, 0);
        bool open = false;
        for (int i = 0; i < _segments.Count; i++)
        {
            Segment segment = _segments[i];
            bool last = i == _segments.Count - 1;
            using SafeFileHandle handle = File.OpenHandle(segment.Path, FileMode.Open, last ? FileAccess.ReadWrite : FileAccess.Read);
            long length = RandomAccess.GetLength(handle);
            if (ReadHeader(handle, length) is not { } start)
            {
                if (!last)
                {
                    throw Damaged(segment.Path, 0, "its header is missing or damaged");
                }

                // The process died while starting this segment: nothing in it was ever handed on.
                handle.Dispose();
                File.Delete(segment.Path);
                _segments.RemoveAt(i);
                LogTornSegmentDeleted(segment.Path);
                break;
            }

            if (i > 0 && start != position)
            {
                throw Damaged(segment.Path, 0, $"it starts at {start}, but the segment before it ends at {position}: a segment between them is missing");
            }

            position = start;
            segment.Start = start;
            long offset = HeaderLength;
            while (offset < length)
            {
                if (ReadEntry(handle, offset, length, out byte kind, out int payloadLength) is { } problem)
                {
                    if (!last)
                    {
                        throw Damaged(segment.Path, offset, problem);
                    }

                    RandomAccess.SetLength(handle, offset);
                    LogTornEntryCut(segment.Path, offset, length - offset, problem);
                    length = offset;
                    break;
                }

                offset += EntryHeaderLength + payloadLength;
                if (kind == DataEntry)
                {
                    position = position with { Offset = position.Offset + payloadLength };
                    open = true;
                }
                else
                {
                    position = new WriteAheadLogPosition(position.Connection + 1, 0);
                    open = false;
                }
            }

            segment.Length = length;
        }

        _end = position;
        _connectionOpen = open;
        if (_segments.Count > 0)
        {
            Segment last = _segments[^1];
            _active = File.OpenHandle(last.Path, FileMode.Open, FileAccess.Write, FileShare.Read);
        }

        if (open)
        {
            // The connection ended with the process that received it.
            WriteEntry(EndEntry, default);
        }
    }

    // Writes one entry with one write call, starting a new segment first when the current one is full.
    private void WriteEntry(byte kind, ReadOnlySpan<byte> payload)
    {
        if (_active is null || _segments[^1].Length >= _segmentBytes)
        {
            StartSegment();
        }

        int total = EntryHeaderLength + payload.Length;
        if (_scratch.Length < total)
        {
            _scratch = new byte[Math.Max(total, _scratch.Length * 2)];
        }

        Span<byte> entry = _scratch.AsSpan(0, total);
        entry[0] = kind;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[1..], (uint)payload.Length);
        payload.CopyTo(entry[EntryHeaderLength..]);
        _crc.Reset();
        _crc.Append(entry[..5]);
        _crc.Append(payload);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[5..], _crc.GetCurrentHashAsUInt32());

        Segment segment = _segments[^1];
        RandomAccess.Write(_active!, entry, segment.Length);
        segment.Length += total;
        if (kind == DataEntry)
        {
            _end = _end with { Offset = _end.Offset + payload.Length };
            _connectionOpen = true;
        }
        else
        {
            _end = new WriteAheadLogPosition(_end.Connection + 1, 0);
            _connectionOpen = false;
        }
    }

    private void StartSegment()
    {
        long sequence = _segments.Count > 0 ? _segments[^1].Sequence + 1 : 1;
        string path = System.IO.Path.Join(Path, SegmentPrefix + sequence.ToString("D12", CultureInfo.InvariantCulture) + SegmentSuffix);
        Span<byte> header = stackalloc byte[HeaderLength];
        WriteHeader(header, _end);
        SafeFileHandle handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        try
        {
            RandomAccess.Write(handle, header, 0);
        }
        catch
        {
            handle.Dispose();
            File.Delete(path);
            throw;
        }

        _active?.Dispose();
        _active = handle;
        _segments.Add(new Segment(path, sequence, _end) { Length = HeaderLength });
    }

    internal static void WriteHeader(Span<byte> header, WriteAheadLogPosition start)
    {
        "CMPLDWAL"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], start.Connection);
        BinaryPrimitives.WriteInt64LittleEndian(header[20..], start.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], Crc32.HashToUInt32(header[..28]));
    }

    // The segment's start, or null when its header is short, of another format, or damaged.
    internal static WriteAheadLogPosition? ReadHeader(SafeFileHandle handle, long length)
    {
        if (length < HeaderLength)
        {
            return null;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        if (RandomAccess.Read(handle, header, 0) != HeaderLength
            || !header[..8].SequenceEqual("CMPLDWAL"u8)
            || BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) != FormatVersion
            || BinaryPrimitives.ReadUInt32LittleEndian(header[28..]) != Crc32.HashToUInt32(header[..28]))
        {
            return null;
        }

        long connection = BinaryPrimitives.ReadInt64LittleEndian(header[12..]);
        long offset = BinaryPrimitives.ReadInt64LittleEndian(header[20..]);
        return connection < 0 || offset < 0 ? null : new WriteAheadLogPosition(connection, offset);
    }

    // Checks the entry at offset; returns what is wrong with it, or null when it is whole and its checksum holds.
    private string? ReadEntry(SafeFileHandle handle, long offset, long length, out byte kind, out int payloadLength)
    {
        kind = 0;
        payloadLength = 0;
        if (length - offset < EntryHeaderLength)
        {
            return $"the last entry's header is cut short ({length - offset} of {EntryHeaderLength} bytes)";
        }

        Span<byte> header = stackalloc byte[EntryHeaderLength];
        RandomAccess.Read(handle, header, offset);
        kind = header[0];
        uint claimed = BinaryPrimitives.ReadUInt32LittleEndian(header[1..]);
        if (kind is not (DataEntry or EndEntry) || claimed > MaxEntryPayload || (kind == EndEntry && claimed != 0))
        {
            return $"an entry has kind {kind} and length {claimed}, which no entry has";
        }

        payloadLength = (int)claimed;
        if (length - offset - EntryHeaderLength < payloadLength)
        {
            return $"the last entry is cut short ({length - offset - EntryHeaderLength} of {payloadLength} bytes)";
        }

        if (_scratch.Length < payloadLength)
        {
            _scratch = new byte[payloadLength];
        }

        Span<byte> payload = _scratch.AsSpan(0, payloadLength);
        RandomAccess.Read(handle, payload, offset + EntryHeaderLength);
        _crc.Reset();
        _crc.Append(header[..5]);
        _crc.Append(payload);
        return _crc.GetCurrentHashAsUInt32() == BinaryPrimitives.ReadUInt32LittleEndian(header[5..])
            ? null
            : "an entry's checksum does not match its bytes";
    }

    internal static InvalidDataException Damaged(string path, long offset, string problem) =>
        new($"The write-ahead log segment '{path}' is damaged at byte {offset}: {problem}. The data in it cannot be replayed; " +
            "move the checkpoint directory away and start from a new one (the data received since the last checkpoint is then lost), or restore the file from a copy.");

    private static long? SequenceOf(string name)
    {
        if (!name.StartsWith(SegmentPrefix, StringComparison.Ordinal) || !name.EndsWith(SegmentSuffix, StringComparison.Ordinal))
        {
            return null;
        }

        ReadOnlySpan<char> digits = name.AsSpan(SegmentPrefix.Length, name.Length - SegmentPrefix.Length - SegmentSuffix.Length);
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9') && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : null;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Write-ahead log segment {Path}: cut off {Bytes} bytes at byte {Offset} that the process was writing when it died: {Problem}")]
    private partial void LogTornEntryCut(string path, long offset, long bytes, string problem);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Write-ahead log segment {Path} was being started when the process died and holds nothing; deleted")]
    private partial void LogTornSegmentDeleted(string path);

    private sealed class Segment(string path, long sequence, WriteAheadLogPosition start)
    {
        public string Path { get; } = path;

        public long Sequence { get; } = sequence;

        public WriteAheadLogPosition Start { get; set; } = start;

        public long Length { get; set; }
    }
}
