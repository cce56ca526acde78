using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Compiled.Connectors.Messages;

namespace Compiled.Kafka.Sink;

/// <summary>
/// The records of one batch of a transactional sink, kept until the batch commits: every key and value in one reused
/// buffer, one entry per record. Taking a record allocates nothing once the buffers have grown to a batch's size. The
/// batch can be written to a file and read back (<see cref="WriteTo"/>, <see cref="ReadFrom"/>), which is how a
/// prepared batch outlives a crash.
/// </summary>
internal sealed class KafkaBatchRecords
{
    // "CKB1": the file's first four bytes.
    private const int Magic = 0x31424B43;

    private readonly KeptBytes _bytes = new(16 * 1024, "a kafka sink's batch holds more than 2 GiB; use a shorter batch interval.");
    private Entry[] _entries = new Entry[256];

    /// <summary>How many records the batch holds.</summary>
    public int Count { get; private set; }

    /// <summary>Empties the batch, keeping the buffers.</summary>
    public void Clear()
    {
        _bytes.Clear();
        Count = 0;
    }

    /// <summary>Adds a record: its key (or none, when <paramref name="hasKey"/> is false) and its value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value)
    {
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        ref Entry entry = ref _entries[Count++];
        (entry.KeyStart, entry.KeyLength) = hasKey ? Keep(key) : (0, -1);
        (entry.ValueStart, entry.ValueLength) = Keep(value);
    }

    /// <summary>Reserves <paramref name="length"/> bytes for a value written in place (a number's text); <see cref="AddReserved"/> adds the record.</summary>
    public Span<byte> Reserve(int length) => _bytes.Reserve(length);

    /// <summary>Adds a record whose key is <paramref name="key"/> and whose value is the first <paramref name="valueLength"/> bytes of <see cref="Reserve"/>'s span.</summary>
    public void AddReserved(ReadOnlySpan<byte> key, int valueLength)
    {
        // The value was written after the bytes kept; the key goes after it, so the reserved bytes stay where they are.
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        ref Entry entry = ref _entries[Count++];
        entry.ValueStart = _bytes.Commit(valueLength);
        entry.ValueLength = valueLength;
        (entry.KeyStart, entry.KeyLength) = Keep(key);
    }

    /// <summary>Whether record <paramref name="index"/> has a key (a record that is not a pair has none).</summary>
    public bool HasKey(int index) => _entries[index].KeyLength >= 0;

    /// <summary>The key of record <paramref name="index"/> (empty when it has none), valid until the batch is cleared.</summary>
    public ReadOnlySpan<byte> Key(int index)
    {
        ref Entry entry = ref _entries[index];
        return entry.KeyLength < 0 ? default : _bytes.Slice(entry.KeyStart, entry.KeyLength);
    }

    /// <summary>The value of record <paramref name="index"/>, valid until the batch is cleared.</summary>
    public ReadOnlySpan<byte> Value(int index)
    {
        ref Entry entry = ref _entries[index];
        return _bytes.Slice(entry.ValueStart, entry.ValueLength);
    }

    /// <summary>
    /// Writes the batch of time <paramref name="batchTime"/> to <paramref name="path"/> and to the disk: first under a
    /// temporary name, flushed to the device, then renamed, so that the file under <paramref name="path"/> is whole.
    /// </summary>
    public void WriteTo(string path, long batchTime)
    {
        string temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            Span<byte> header = stackalloc byte[16];
            BinaryPrimitives.WriteInt32LittleEndian(header, Magic);
            BinaryPrimitives.WriteInt64LittleEndian(header[4..], batchTime);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], Count);
            file.Write(header);
            Span<byte> lengths = stackalloc byte[8];
            for (int i = 0; i < Count; i++)
            {
                ref Entry entry = ref _entries[i];
                BinaryPrimitives.WriteInt32LittleEndian(lengths, entry.KeyLength);
                BinaryPrimitives.WriteInt32LittleEndian(lengths[4..], entry.ValueLength);
                file.Write(lengths);
                if (entry.KeyLength > 0)
                {
                    file.Write(_bytes.Slice(entry.KeyStart, entry.KeyLength));
                }

                file.Write(_bytes.Slice(entry.ValueStart, entry.ValueLength));
            }

            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Replaces the batch with the one written to <paramref name="path"/> by <see cref="WriteTo"/>; returns its batch time.</summary>
    /// <exception cref="InvalidDataException">The file is not one <see cref="WriteTo"/> wrote whole.</exception>
    public long ReadFrom(string path)
    {
        Clear();
        byte[] data = File.ReadAllBytes(path);
        ReadOnlySpan<byte> rest = data;
        if (rest.Length < 16 || BinaryPrimitives.ReadInt32LittleEndian(rest) != Magic)
        {
            throw new InvalidDataException($"'{path}' is not a batch the kafka sink prepared; delete it if the batch it held is in the topic, or restore the checkpoint directory");
        }

        long batchTime = BinaryPrimitives.ReadInt64LittleEndian(rest[4..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(rest[12..]);
        rest = rest[16..];
        for (int i = 0; i < count; i++)
        {
            if (rest.Length < 8)
            {
                throw Truncated(path, i, count);
            }

            int keyLength = BinaryPrimitives.ReadInt32LittleEndian(rest);
            int valueLength = BinaryPrimitives.ReadInt32LittleEndian(rest[4..]);
            rest = rest[8..];
            int keyBytes = Math.Max(keyLength, 0);
            if (valueLength < 0 || rest.Length < keyBytes + valueLength)
            {
                throw Truncated(path, i, count);
            }

            Add(rest[..keyBytes], keyLength >= 0, rest.Slice(keyBytes, valueLength));
            rest = rest[(keyBytes + valueLength)..];
        }

        return batchTime;
    }

    private static InvalidDataException Truncated(string path, int index, int count) =>
        new($"'{path}' ends within record {index + 1} of {count}: the prepared batch is not whole; restore the checkpoint directory, or delete the file if the batch it held is in the topic");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (int Start, int Length) Keep(ReadOnlySpan<byte> bytes) => (_bytes.Keep(bytes), bytes.Length);

    private struct Entry
    {
        public int KeyStart;
        public int KeyLength;
        public int ValueStart;
        public int ValueLength;
    }
}
