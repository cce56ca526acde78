using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Compiled.Checkpoints;

/// <summary>
/// Writes one checkpoint file into a memory buffer: a header, named sections, a footer (see <see cref="CheckpointFormat"/>
/// for the layout). <see cref="CheckpointDirectory.Write(CheckpointWriter)"/> then puts the bytes on disk atomically.
/// </summary>
/// <remarks>
/// One writer is meant to be kept by a job and reused for every checkpoint: <see cref="Begin"/> starts over in the
/// same buffer, so once the buffer has grown to the size of a checkpoint, writing the next one allocates nothing
/// per entry or per section beyond the section names' check for duplicates. The buffer is rented from
/// <see cref="ArrayPool{T}.Shared"/> and returned by <see cref="Dispose"/>.
/// <code>
/// writer.Begin(new CheckpointHeader("WordCount", fingerprint, batchNumber, batchTime));
/// var section = writer.BeginSection("Count");
/// section.BeginShards(1);
/// section.BeginShard(table.Count);
/// foreach (var entry in table) { section.WriteKey(entry.Key); section.WriteUnmanaged(entry.Value); }
/// section.End();
/// directory.Write(writer);
/// </code>
/// </remarks>
public sealed class CheckpointWriter : IDisposable
{
    private const int InitialCapacity = 64 * 1024;

    private byte[] _buffer;
    private int _length;
    private State _state;
    private CheckpointHeader _header;
    private readonly HashSet<string> _sectionNames = new(StringComparer.Ordinal);
    private int _sectionCount;
    private int _sectionStart;
    private int _payloadLengthOffset;
    private string _sectionName = "";

    // Keyed entries of the open section: how many shards were announced and begun, and how many entries the
    // current shard announced and has received. -1 when the section holds no sharded entries.
    private int _shardsAnnounced = -1;
    private int _shardsBegun;
    private long _entriesAnnounced;
    private long _entriesWritten;

    /// <summary>Creates a writer with a buffer of <paramref name="initialCapacity"/> bytes, grown as needed.</summary>
    public CheckpointWriter(int initialCapacity = InitialCapacity)
    {
        CheckpointFormat.RequireLittleEndian();
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, CheckpointFormat.MinimumLength));
    }

    private enum State
    {
        Idle,
        Open,
        InSection,
        Complete,
    }

    /// <summary>The header of the checkpoint being written or last written.</summary>
    public CheckpointHeader Header => _header;

    /// <summary>The bytes of the finished file; valid after <see cref="Complete"/> until the next <see cref="Begin"/>.</summary>
    public ReadOnlySpan<byte> WrittenFile
    {
        get
        {
            if (_state != State.Complete)
            {
                throw new InvalidOperationException("The checkpoint is not complete: call Complete() after its last section.");
            }

            return _buffer.AsSpan(0, _length);
        }
    }

    /// <summary>Starts a new checkpoint in the writer's buffer, discarding whatever it held.</summary>
    public void Begin(CheckpointHeader header)
    {
        ArgumentNullException.ThrowIfNull(header.PipelineName);
        int nameLength = Encoding.UTF8.GetByteCount(header.PipelineName);
        if (nameLength > ushort.MaxValue)
        {
            throw new ArgumentException($"The pipeline name is {nameLength} bytes of UTF-8; a checkpoint holds at most {ushort.MaxValue}.", nameof(header));
        }

        _header = header;
        _length = 0;
        _sectionNames.Clear();
        _sectionCount = 0;
        _shardsAnnounced = -1;

        Span<byte> head = Reserve(CheckpointFormat.NameOffset + nameLength);
        CheckpointFormat.Magic.CopyTo(head);
        BinaryPrimitives.WriteUInt32LittleEndian(head[CheckpointFormat.VersionOffset..], CheckpointFormat.CurrentVersion);
        BinaryPrimitives.WriteUInt64LittleEndian(head[CheckpointFormat.FingerprintOffset..], header.LayoutFingerprint);
        BinaryPrimitives.WriteInt64LittleEndian(head[CheckpointFormat.BatchNumberOffset..], header.BatchNumber);
        BinaryPrimitives.WriteInt64LittleEndian(head[CheckpointFormat.BatchTimeOffset..], header.BatchTime);
        BinaryPrimitives.WriteUInt16LittleEndian(head[CheckpointFormat.NameLengthOffset..], (ushort)nameLength);
        Encoding.UTF8.GetBytes(header.PipelineName, head[CheckpointFormat.NameOffset..]);
        AppendChecksumFrom(0);
        _state = State.Open;
    }

    /// <summary>
    /// Opens the section <paramref name="name"/> (one per stateful stage, and one each for source positions and sink
    /// commits). Write its payload through the returned section and close it with <see cref="Section.End"/>.
    /// </summary>
    public Section BeginSection(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_state != State.Open)
        {
            throw new InvalidOperationException(_state == State.InSection
                ? $"Section '{_sectionName}' is still open: call End() on it before beginning section '{name}'."
                : "No checkpoint is open: call Begin(header) first.");
        }

        int nameLength = Encoding.UTF8.GetByteCount(name);
        if (nameLength > ushort.MaxValue)
        {
            throw new ArgumentException($"Section name is {nameLength} bytes of UTF-8; a checkpoint holds at most {ushort.MaxValue}.", nameof(name));
        }

        if (!_sectionNames.Add(name))
        {
            throw new ArgumentException($"The checkpoint already has a section named '{name}'; section names must be unique.", nameof(name));
        }

        _sectionStart = _length;
        _sectionName = name;
        Span<byte> head = Reserve(2 + nameLength + 8);
        BinaryPrimitives.WriteUInt16LittleEndian(head, (ushort)nameLength);
        Encoding.UTF8.GetBytes(name, head[2..]);
        _payloadLengthOffset = _sectionStart + 2 + nameLength;
        _shardsAnnounced = -1;
        _state = State.InSection;
        return new Section(this);
    }

    /// <summary>Writes the footer; the file is then in <see cref="WrittenFile"/>.</summary>
    public ReadOnlySpan<byte> Complete()
    {
        if (_state != State.Open)
        {
            throw new InvalidOperationException(_state == State.InSection
                ? $"Section '{_sectionName}' is still open: call End() on it before completing the checkpoint."
                : "No checkpoint is open: call Begin(header) first.");
        }

        int footerStart = _length;
        Span<byte> footer = Reserve(CheckpointFormat.FooterLength - CheckpointFormat.ChecksumLength);
        CheckpointFormat.FooterMagic.CopyTo(footer);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[CheckpointFormat.MagicLength..], (uint)_sectionCount);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[(CheckpointFormat.MagicLength + 4)..], (ulong)(footerStart + CheckpointFormat.FooterLength));
        AppendChecksumFrom(0);
        _state = State.Complete;
        return _buffer.AsSpan(0, _length);
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        _state = State.Idle;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EndSection()
    {
        if (_state != State.InSection)
        {
            throw new InvalidOperationException("No section is open.");
        }

        if (_shardsAnnounced >= 0)
        {
            CheckShardFinished();
            if (_shardsBegun != _shardsAnnounced)
            {
                throw new InvalidOperationException(
                    $"Section '{_sectionName}' announced {_shardsAnnounced} shards but began {_shardsBegun}; begin every announced shard, even an empty one.");
            }
        }

        int payloadStart = _payloadLengthOffset + 8;
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_payloadLengthOffset), (ulong)(_length - payloadStart));
        AppendChecksumFrom(_sectionStart);
        _sectionCount++;
        _state = State.Open;
    }

    private void CheckShardFinished()
    {
        if (_shardsBegun > 0 && _entriesWritten != _entriesAnnounced)
        {
            throw new InvalidOperationException(
                $"Shard {_shardsBegun - 1} of section '{_sectionName}' announced {_entriesAnnounced} entries but {_entriesWritten} keys were written.");
        }
    }

    private void AppendChecksumFrom(int start)
    {
        ReadOnlySpan<byte> covered = _buffer.AsSpan(start, _length - start);
        ulong checksum = CheckpointFormat.Checksum(covered);
        BinaryPrimitives.WriteUInt64LittleEndian(Reserve(CheckpointFormat.ChecksumLength), checksum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }

        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int count)
    {
        if (_state == State.Idle && _buffer.Length == 0)
        {
            throw new ObjectDisposedException(nameof(CheckpointWriter));
        }

        long needed = (long)_length + count;
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"A checkpoint would exceed {Array.MaxLength} bytes, the largest file this format writes in one buffer; split the state across more stages or shards.");
        }

        long doubled = Math.Max(needed, Math.Min((long)_buffer.Length * 2, Array.MaxLength));
        byte[] larger = ArrayPool<byte>.Shared.Rent((int)doubled);
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    /// <summary>
    /// The open section of a checkpoint: the stage writes its state here. Each method appends to the file; nothing is
    /// allocated. Keyed state goes as <see cref="BeginShards"/>, then per shard <see cref="BeginShard"/> and its entries,
    /// each a key (<see cref="WriteKey(ReadOnlySpan{byte})"/> or <see cref="WriteKey{TKey}"/>) followed by its value
    /// (<see cref="WriteUnmanaged{T}"/> or <see cref="WriteValue{T}"/>).
    /// </summary>
    public ref struct Section
    {
        private readonly CheckpointWriter _writer;

        internal Section(CheckpointWriter writer) => _writer = writer;

        /// <summary>The section's name.</summary>
        public readonly string Name => _writer._sectionName;

        /// <summary>
        /// Announces that the keyed entries that follow are split into <paramref name="shardCount"/> shards. A section may
        /// hold several sets of keyed entries one after another: announce the next set once every shard of the last one
        /// is written.
        /// </summary>
        public readonly void BeginShards(int shardCount)
        {
            CheckpointWriter w = Writer;
            if (shardCount < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(shardCount), shardCount, "A shard count cannot be negative.");
            }

            if (w._shardsAnnounced >= 0)
            {
                // A section may hold several sets of keyed entries (a window's table per batch), one after another.
                w.CheckShardFinished();
                if (w._shardsBegun != w._shardsAnnounced)
                {
                    throw new InvalidOperationException(
                        $"Section '{w._sectionName}' announced {w._shardsAnnounced} shards but began {w._shardsBegun}; begin every announced shard of a set of keyed entries before the next set.");
                }
            }

            w._shardsAnnounced = shardCount;
            w._shardsBegun = 0;
            WriteCount((ulong)shardCount);
        }

        /// <summary>Starts the next shard, which will hold exactly <paramref name="entryCount"/> entries.</summary>
        public readonly void BeginShard(long entryCount)
        {
            CheckpointWriter w = Writer;
            if (entryCount < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(entryCount), entryCount, "An entry count cannot be negative.");
            }

            if (w._shardsAnnounced < 0)
            {
                throw new InvalidOperationException($"Section '{w._sectionName}': call BeginShards(count) before BeginShard.");
            }

            w.CheckShardFinished();
            if (w._shardsBegun == w._shardsAnnounced)
            {
                throw new InvalidOperationException($"Section '{w._sectionName}' announced {w._shardsAnnounced} shards; this would be one more.");
            }

            w._shardsBegun++;
            w._entriesAnnounced = entryCount;
            w._entriesWritten = 0;
            WriteCount((ulong)entryCount);
        }

        /// <summary>Writes a byte-string key: its length (varint) and its bytes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void WriteKey(ReadOnlySpan<byte> key)
        {
            CheckpointWriter w = Writer;
            w._entriesWritten++;
            WriteBytes(key);
        }

        /// <summary>Writes a struct key as its bytes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void WriteKey<TKey>(in TKey key) where TKey : unmanaged
        {
            Writer._entriesWritten++;
            WriteUnmanaged(in key);
        }

        /// <summary>Writes an unmanaged value as its in-memory bytes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void WriteUnmanaged<T>(in T value) where T : unmanaged
        {
            Span<byte> destination = Writer.Reserve(Unsafe.SizeOf<T>());
            MemoryMarshal.Write(destination, in value);
        }

        /// <summary>Writes a value through its own <see cref="ICheckpointValue{TSelf}.WriteTo"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void WriteValue<T>(in T value) where T : ICheckpointValue<T> => T.WriteTo(in value, ref this);

        /// <summary>Writes a byte string: its length (varint) and its bytes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void WriteBytes(ReadOnlySpan<byte> bytes)
        {
            WriteCount((uint)bytes.Length);
            bytes.CopyTo(Writer.Reserve(bytes.Length));
        }

        /// <summary>Writes a string as UTF-8: its byte length (varint) and its bytes.</summary>
        public readonly void WriteString(string value)
        {
            ArgumentNullException.ThrowIfNull(value);
            int length = Encoding.UTF8.GetByteCount(value);
            WriteCount((uint)length);
            Encoding.UTF8.GetBytes(value, Writer.Reserve(length));
        }

        /// <summary>Writes a non-negative count or length as a varint (7 bits a byte, 1 byte below 128).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void WriteCount(ulong count)
        {
            CheckpointWriter w = Writer;
            if (count < 0x80)
            {
                w.Reserve(1)[0] = (byte)count;
                return;
            }

            Span<byte> destination = w.Reserve(10);
            int written = 0;
            while (count >= 0x80)
            {
                destination[written++] = (byte)(count | 0x80);
                count >>= 7;
            }

            destination[written++] = (byte)count;
            w._length -= 10 - written;
        }

        /// <summary>Closes the section: writes its length and checksum.</summary>
        public readonly void End() => Writer.EndSection();

        private readonly CheckpointWriter Writer
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                CheckpointWriter w = _writer ?? throw new InvalidOperationException("This section was not begun by CheckpointWriter.BeginSection.");
                if (w._state != State.InSection)
                {
                    ThrowClosed();
                }

                return w;
            }
        }

        private static void ThrowClosed() =>
            throw new InvalidOperationException("The section was ended; begin a new one with CheckpointWriter.BeginSection.");
    }
}
