using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Compiled.Checkpoints;

/// <summary>
/// Reads one checkpoint file. The whole file is read and checked when the reader is created — magic, format
/// version, length, the file's checksum, the header's and every section's checksum, the pipeline's name — so a
/// damaged or foreign file throws <see cref="CheckpointCorruptException"/> before any state is handed out: nothing is
/// ever half-loaded.
/// </summary>
public sealed class CheckpointReader : IDisposable
{
    private byte[] _buffer;
    private readonly bool _pooled;
    private readonly int _length;
    private readonly string[] _names;
    private readonly int[] _payloadOffsets;
    private readonly int[] _payloadLengths;

    private CheckpointReader(byte[] buffer, bool pooled, int length, string origin, string? expectedPipeline)
    {
        CheckpointFormat.RequireLittleEndian();
        _buffer = buffer;
        _pooled = pooled;
        _length = length;
        Path = origin;
        var names = new List<string>();
        var offsets = new List<int>();
        var lengths = new List<int>();
        (Header, FormatVersion) = Parse(buffer.AsSpan(0, length), origin, expectedPipeline, names, offsets, lengths);
        _names = [.. names];
        _payloadOffsets = [.. offsets];
        _payloadLengths = [.. lengths];
    }

    /// <summary>The file the checkpoint was read from (or the origin given to <see cref="FromBytes"/>).</summary>
    public string Path { get; }

    /// <summary>The checkpoint's header.</summary>
    public CheckpointHeader Header { get; }

    /// <summary>The format version the file was written in.</summary>
    public uint FormatVersion { get; }

    /// <summary>The file's length in bytes.</summary>
    public int Length => _length;

    /// <summary>The names of the file's sections, in the order they were written.</summary>
    public IReadOnlyList<string> SectionNames => _names;

    /// <summary>
    /// Reads and checks the checkpoint file at <paramref name="path"/>. With <paramref name="expectedPipeline"/>, a file
    /// of another pipeline is refused as <see cref="CheckpointProblem.ForeignPipeline"/>.
    /// </summary>
    /// <exception cref="CheckpointCorruptException">The file is truncated, damaged, foreign or of an unknown version.</exception>
    public static CheckpointReader Open(string path, string? expectedPipeline = null)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        long fileLength = file.Length;
        if (fileLength > Array.MaxLength)
        {
            throw new CheckpointCorruptException(path, CheckpointProblem.Malformed, $"is {fileLength} bytes long, larger than any checkpoint this format writes");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, (int)fileLength));
        try
        {
            int read = 0;
            while (read < fileLength)
            {
                int n = file.Read(buffer, read, (int)fileLength - read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return new CheckpointReader(buffer, pooled: true, read, path, expectedPipeline);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// Reads and checks a checkpoint held in memory (a test driver's checkpoint after batch k, say). The reader keeps
    /// <paramref name="file"/>; do not change it while the reader is in use.
    /// </summary>
    /// <param name="file">The checkpoint's bytes, as <see cref="CheckpointWriter.WrittenFile"/> gave them.</param>
    /// <param name="origin">What to call the checkpoint in error messages.</param>
    /// <param name="expectedPipeline">When given, a checkpoint of another pipeline is refused.</param>
    public static CheckpointReader FromBytes(byte[] file, string origin, string? expectedPipeline = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new CheckpointReader(file, pooled: false, file.Length, origin, expectedPipeline);
    }

    /// <summary>Whether the checkpoint has a section named <paramref name="name"/>.</summary>
    public bool HasSection(string name) => Array.IndexOf(_names, name) >= 0;

    /// <summary>Gets the section <paramref name="name"/>, or returns false if the checkpoint has none of that name.</summary>
    public bool TryGetSection(string name, out Section section)
    {
        int index = Array.IndexOf(_names, name);
        if (index < 0)
        {
            section = default;
            return false;
        }

        section = new Section(this, _names[index], _buffer.AsSpan(_payloadOffsets[index], _payloadLengths[index]));
        return true;
    }

    /// <summary>Gets the section <paramref name="name"/>.</summary>
    /// <exception cref="CheckpointCorruptException">The checkpoint has no section of that name.</exception>
    public Section GetSection(string name)
    {
        if (!TryGetSection(name, out Section section))
        {
            throw new CheckpointCorruptException(Path, CheckpointProblem.MissingSection,
                $"has no section '{name}' (it has: {(_names.Length == 0 ? "none" : string.Join(", ", _names))})",
                "The checkpoint was written by a pipeline with other stateful stages; start with a new checkpoint directory, or run the pipeline version that wrote it.");
        }

        return section;
    }

    /// <summary>Returns a pooled buffer to the pool; sections read from this reader are invalid afterwards.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (_pooled && buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static (CheckpointHeader Header, uint Version) Parse(
        ReadOnlySpan<byte> file, string origin, string? expectedPipeline, List<string> names, List<int> offsets, List<int> lengths)
    {
        ReadOnlySpan<byte> magic = CheckpointFormat.Magic;
        if (file.Length < magic.Length)
        {
            throw magic.StartsWith(file)
                ? Corrupt(origin, CheckpointProblem.Truncated, $"is {file.Length} bytes long, shorter than a checkpoint header")
                : Corrupt(origin, CheckpointProblem.WrongMagic, "does not start with the checkpoint magic 'CMPLDCKP': it is not a Compiled checkpoint");
        }

        if (!file[..magic.Length].SequenceEqual(magic))
        {
            throw Corrupt(origin, CheckpointProblem.WrongMagic, "does not start with the checkpoint magic 'CMPLDCKP': it is not a Compiled checkpoint");
        }

        if (file.Length < CheckpointFormat.FingerprintOffset)
        {
            throw Corrupt(origin, CheckpointProblem.Truncated, $"is {file.Length} bytes long, shorter than a checkpoint header");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(file[CheckpointFormat.VersionOffset..]);
        if (version is 0 or > CheckpointFormat.CurrentVersion)
        {
            throw Corrupt(origin, CheckpointProblem.UnsupportedVersion,
                $"is in checkpoint format version {version}; this build of Compiled reads versions 1 to {CheckpointFormat.CurrentVersion}");
        }

        if (file.Length < CheckpointFormat.MinimumLength)
        {
            throw Corrupt(origin, CheckpointProblem.Truncated, $"is {file.Length} bytes long, shorter than the smallest complete checkpoint ({CheckpointFormat.MinimumLength} bytes)");
        }

        // The footer, then the checksum of everything before it: after this, no byte of the file can be wrong
        // except by a checksum collision, and the structure below is parsed from trusted bytes.
        int footerStart = file.Length - CheckpointFormat.FooterLength;
        ReadOnlySpan<byte> footer = file[footerStart..];
        if (!footer[..CheckpointFormat.MagicLength].SequenceEqual(CheckpointFormat.FooterMagic))
        {
            throw Corrupt(origin, CheckpointProblem.Truncated,
                $"does not end with the checkpoint footer ({file.Length} bytes read): it was cut short or its writing did not finish");
        }

        ulong statedLength = BinaryPrimitives.ReadUInt64LittleEndian(footer[(CheckpointFormat.MagicLength + 4)..]);
        if (statedLength != (ulong)file.Length)
        {
            throw Corrupt(origin, CheckpointProblem.Truncated, $"says it is {statedLength} bytes long but is {file.Length}");
        }

        int checksumStart = file.Length - CheckpointFormat.ChecksumLength;
        if (BinaryPrimitives.ReadUInt64LittleEndian(file[checksumStart..]) != CheckpointFormat.Checksum(file[..checksumStart]))
        {
            throw Corrupt(origin, CheckpointProblem.ChecksumMismatch, "fails its checksum: its bytes changed after it was written (a disk or copy fault)");
        }

        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(file[CheckpointFormat.NameLengthOffset..]);
        int headerEnd = CheckpointFormat.NameOffset + nameLength;
        if (headerEnd + CheckpointFormat.ChecksumLength > footerStart)
        {
            throw Corrupt(origin, CheckpointProblem.Malformed, $"has a pipeline name of {nameLength} bytes that runs past the end of its sections");
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(file[headerEnd..]) != CheckpointFormat.Checksum(file[..headerEnd]))
        {
            throw Corrupt(origin, CheckpointProblem.ChecksumMismatch, "fails its header checksum");
        }

        var header = new CheckpointHeader(
            Encoding.UTF8.GetString(file.Slice(CheckpointFormat.NameOffset, nameLength)),
            BinaryPrimitives.ReadUInt64LittleEndian(file[CheckpointFormat.FingerprintOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(file[CheckpointFormat.BatchNumberOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(file[CheckpointFormat.BatchTimeOffset..]));
        if (expectedPipeline is not null && !string.Equals(header.PipelineName, expectedPipeline, StringComparison.Ordinal))
        {
            throw Corrupt(origin, CheckpointProblem.ForeignPipeline,
                $"belongs to pipeline '{header.PipelineName}', not to '{expectedPipeline}'");
        }

        int position = headerEnd + CheckpointFormat.ChecksumLength;
        while (position < footerStart)
        {
            int sectionStart = position;
            if (footerStart - position < 2)
            {
                throw Corrupt(origin, CheckpointProblem.Malformed, $"has a section header cut off at byte {position}");
            }

            int sectionNameLength = BinaryPrimitives.ReadUInt16LittleEndian(file[position..]);
            position += 2;
            if (footerStart - position < (long)sectionNameLength + 8)
            {
                throw Corrupt(origin, CheckpointProblem.Malformed, $"has a section name at byte {position} that runs past the end of its sections");
            }

            string sectionName = Encoding.UTF8.GetString(file.Slice(position, sectionNameLength));
            position += sectionNameLength;
            ulong payloadLength = BinaryPrimitives.ReadUInt64LittleEndian(file[position..]);
            position += 8;
            if ((ulong)(footerStart - position) < payloadLength + CheckpointFormat.ChecksumLength)
            {
                throw Corrupt(origin, CheckpointProblem.Malformed, $"has section '{sectionName}' of {payloadLength} bytes that runs past the end of its sections");
            }

            int payloadOffset = position;
            position += (int)payloadLength;
            if (BinaryPrimitives.ReadUInt64LittleEndian(file[position..]) != CheckpointFormat.Checksum(file[sectionStart..position]))
            {
                throw Corrupt(origin, CheckpointProblem.ChecksumMismatch, $"fails the checksum of section '{sectionName}'");
            }

            position += CheckpointFormat.ChecksumLength;
            if (names.Contains(sectionName))
            {
                throw Corrupt(origin, CheckpointProblem.Malformed, $"has two sections named '{sectionName}'");
            }

            names.Add(sectionName);
            offsets.Add(payloadOffset);
            lengths.Add((int)payloadLength);
        }

        uint sectionCount = BinaryPrimitives.ReadUInt32LittleEndian(footer[CheckpointFormat.MagicLength..]);
        if (sectionCount != (uint)names.Count)
        {
            throw Corrupt(origin, CheckpointProblem.Malformed, $"says it has {sectionCount} sections but holds {names.Count}");
        }

        return (header, version);
    }

    private static CheckpointCorruptException Corrupt(string origin, CheckpointProblem problem, string detail) =>
        new(origin, problem, detail);

    /// <summary>
    /// One section of a checkpoint, read front to back. Reads mirror <see cref="CheckpointWriter.Section"/>'s writes;
    /// a read past the section's end throws <see cref="CheckpointCorruptException"/> (the stage that reads it disagrees
    /// with the one that wrote it). Keys returned as spans point into the reader's buffer and stay valid until the
    /// reader is disposed. Nothing is allocated except by <see cref="ReadString"/> and by a value's own reader.
    /// </summary>
    public ref struct Section
    {
        private readonly CheckpointReader? _reader;
        private readonly ReadOnlySpan<byte> _payload;
        private int _position;
        private int _shardCount;
        private int _shardsLeft;
        private long _entriesLeft;

        internal Section(CheckpointReader reader, string name, ReadOnlySpan<byte> payload)
        {
            _reader = reader;
            Name = name;
            _payload = payload;
        }

        /// <summary>The section's name.</summary>
        public readonly string Name { get; }

        /// <summary>The payload's length in bytes.</summary>
        public readonly int Length => _payload.Length;

        /// <summary>How many payload bytes have not been read yet.</summary>
        public readonly int Remaining => _payload.Length - _position;

        /// <summary>The shard the entry last moved to by <see cref="MoveNextEntry"/> was written in (0-based).</summary>
        public readonly int CurrentShard => _shardCount - _shardsLeft - 1;

        /// <summary>Reads the shard count that <see cref="CheckpointWriter.Section.BeginShards"/> wrote.</summary>
        public int BeginShards()
        {
            ulong count = ReadCount();
            if (count > int.MaxValue)
            {
                ThrowMalformed($"announces {count} shards");
            }

            _shardCount = (int)count;
            _shardsLeft = _shardCount;
            _entriesLeft = 0;
            return _shardCount;
        }

        /// <summary>
        /// Moves to the next keyed entry, across shard boundaries; false after the last entry of the last shard. After
        /// true, read the entry's key and then its value.
        /// </summary>
        public bool MoveNextEntry()
        {
            while (_entriesLeft == 0)
            {
                if (_shardsLeft == 0)
                {
                    return false;
                }

                ulong count = ReadCount();
                if (count > (ulong)Remaining)
                {
                    // Every entry takes at least one byte, so a larger count cannot be right.
                    ThrowMalformed($"announces {count} entries in shard {_shardCount - _shardsLeft} but has only {Remaining} bytes left");
                }

                _entriesLeft = (long)count;
                _shardsLeft--;
            }

            _entriesLeft--;
            return true;
        }

        /// <summary>Reads a byte-string key.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ReadOnlySpan<byte> ReadKey() => ReadBytes();

        /// <summary>Reads a struct key.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TKey ReadKey<TKey>() where TKey : unmanaged => ReadUnmanaged<TKey>();

        /// <summary>Reads an unmanaged value from its bytes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T ReadUnmanaged<T>() where T : unmanaged
        {
            int size = Unsafe.SizeOf<T>();
            if (Remaining < size)
            {
                ThrowPastEnd((ulong)size);
            }

            T value = MemoryMarshal.Read<T>(_payload.Slice(_position, size));
            _position += size;
            return value;
        }

        /// <summary>Reads a value through its own <see cref="ICheckpointValue{TSelf}.ReadFrom"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T ReadValue<T>() where T : ICheckpointValue<T> => T.ReadFrom(ref this);

        /// <summary>Reads a byte string written by <see cref="CheckpointWriter.Section.WriteBytes"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ReadOnlySpan<byte> ReadBytes()
        {
            ulong length = ReadCount();
            if (length > (ulong)Remaining)
            {
                ThrowPastEnd(length);
            }

            ReadOnlySpan<byte> bytes = _payload.Slice(_position, (int)length);
            _position += (int)length;
            return bytes;
        }

        /// <summary>Reads a string written by <see cref="CheckpointWriter.Section.WriteString"/>.</summary>
        public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

        /// <summary>Reads a count or length written by <see cref="CheckpointWriter.Section.WriteCount"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong ReadCount()
        {
            if (_position < _payload.Length && _payload[_position] < 0x80)
            {
                return _payload[_position++];
            }

            return ReadLongCount();
        }

        /// <summary>
        /// Checks that the whole section was read; a section with bytes left was written by a stage that stored more
        /// than this one reads, and restoring from it would be wrong.
        /// </summary>
        public readonly void End()
        {
            if (Remaining != 0)
            {
                ThrowMalformed($"has {Remaining} of its {_payload.Length} bytes left unread: the stage reading it expects another layout than the one that wrote it");
            }

            if (_shardsLeft != 0 || _entriesLeft != 0)
            {
                ThrowMalformed($"has {_entriesLeft} entries and {_shardsLeft} shards left unread");
            }
        }

        /// <summary>
        /// The error for a section whose content is wrong in a way only the stage reading it can tell (a key twice, a
        /// count out of range): a <see cref="CheckpointCorruptException"/> naming the file, the section and
        /// <paramref name="detail"/>, a sentence fragment after "section 'name' ". Throw it.
        /// </summary>
        public readonly CheckpointCorruptException Malformed(string detail) =>
            new(_reader?.Path ?? "(none)", CheckpointProblem.Malformed, $"section '{Name}' {detail}",
                "Start with a new checkpoint directory, or run the pipeline version that wrote the checkpoint.");

        private ulong ReadLongCount()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_position >= _payload.Length)
                {
                    ThrowPastEnd(1);
                }

                byte b = _payload[_position++];
                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return result;
                }
            }

            ThrowMalformed($"has a count at byte {_position} longer than ten bytes");
            return 0;
        }

        private readonly void ThrowPastEnd(ulong needed) =>
            ThrowMalformed($"is read past its end: {needed} bytes needed at byte {_position} of {_payload.Length}; the stage reading it expects another layout than the one that wrote it");

        private readonly void ThrowMalformed(string detail) => throw Malformed(detail);
    }
}
