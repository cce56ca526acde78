using System.Globalization;
using System.Runtime.InteropServices;

namespace Compiled.PostgreSQL;

/// <summary>
/// The keyed records of one batch: each record's key and value text, side by side in one reused buffer. Once the batch
/// is complete, <see cref="MarkReplacedRecords"/> marks each record that a later record of its key replaces (the last
/// record of a key wins), so the records left are the batch's distinct keys and the upsert needs no sort to pick one per
/// key. The buffers and the key index grow to the largest batch and are kept, so a warm sink allocates nothing per
/// record.
/// </summary>
internal sealed class KeyedRecordBuffer
{
    // A per-process seed, so that which keys share a slot cannot be chosen by whoever writes the input.
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    private byte[] _bytes = new byte[4096];
    private int _length;
    private Entry[] _records = new Entry[256];

    // The key index MarkReplacedRecords builds, once per batch and in one pass: open addressing with linear probing over
    // the first power of two at least twice the record count. A slot holds a key's 32-bit hash in its high half and the
    // index + 1 of the latest record of that key so far in its low half (0 = empty), so that a probe compares keys' bytes
    // only when their hashes match.
    private ulong[] _slots = [];
    private bool _marked;

    /// <summary>How many records the batch holds, replaced ones included.</summary>
    public int Count { get; private set; }

    /// <summary>Empties the buffer for the next batch.</summary>
    public void Clear()
    {
        _length = 0;
        Count = 0;
        _marked = false;
    }

    /// <summary>
    /// Adds a record rendered as <c>(key,value)</c>: the key is everything between the opening parenthesis and the last
    /// comma, the value everything after it. Returns <see langword="false"/> when the record is not in that form.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> record)
    {
        if (record.Length < 3 || record[0] != (byte)'(' || record[^1] != (byte)')')
        {
            return false;
        }

        ReadOnlySpan<byte> inner = record[1..^1];
        int comma = inner.LastIndexOf((byte)',');
        if (comma < 0)
        {
            return false;
        }

        Add(inner[..comma], inner[(comma + 1)..]);
        return true;
    }

    /// <summary>Adds a record of <paramref name="key"/> whose value is the whole number <paramref name="value"/>, kept as its decimal text.</summary>
    public void Add(ReadOnlySpan<byte> key, long value)
    {
        Span<byte> text = stackalloc byte[20];
        value.TryFormat(text, out int written, default, CultureInfo.InvariantCulture);
        Add(key, text[..written]);
    }

    /// <summary>Adds a record of <paramref name="key"/> and the value text <paramref name="value"/>.</summary>
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int size = key.Length + value.Length;
        if (_bytes.Length - _length < size)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + size));
        }

        if (Count == _records.Length)
        {
            Array.Resize(ref _records, _records.Length * 2);
        }

        int start = _length;
        key.CopyTo(_bytes.AsSpan(start));
        value.CopyTo(_bytes.AsSpan(start + key.Length));
        _length += size;
        _records[Count++] = new Entry(start, start + key.Length, start + size);
        _marked = false;
    }

    /// <summary>
    /// Marks each record that a later record of the same key (compared byte for byte) replaces. Done once per batch,
    /// after its last record: each key is hashed once, and the index is sized for the whole batch, so it never grows
    /// midway.
    /// </summary>
    public void MarkReplacedRecords()
    {
        if (_marked)
        {
            return;
        }

        int size = 1;
        while (size < Count * 2)
        {
            size <<= 1;
        }

        if (_slots.Length < size)
        {
            _slots = new ulong[size];
        }
        else
        {
            Array.Clear(_slots, 0, size);
        }

        int mask = size - 1;
        for (int index = 0; index < Count; index++)
        {
            ReadOnlySpan<byte> key = KeySpan(index);
            _records[index].Replaced = false;
            uint hash = Hash(key);
            ulong mine = ((ulong)hash << 32) | (uint)(index + 1);
            int slot = (int)(hash & (uint)mask);
            while (true)
            {
                ulong held = _slots[slot];
                if (held == 0)
                {
                    _slots[slot] = mine;
                    break;
                }

                if ((uint)(held >> 32) == hash)
                {
                    int earlier = (int)(uint)held - 1;
                    if (KeySpan(earlier).SequenceEqual(key))
                    {
                        _records[earlier].Replaced = true;
                        _slots[slot] = mine;
                        break;
                    }
                }

                slot = (slot + 1) & mask;
            }
        }

        _marked = true;
    }

    /// <summary>Whether a later record of the batch with the same key replaces record <paramref name="index"/> (as <see cref="MarkReplacedRecords"/> found).</summary>
    public bool IsReplaced(int index) => _records[index].Replaced;

    /// <summary>The key of record <paramref name="index"/>, as UTF-8.</summary>
    public ReadOnlyMemory<byte> KeyAt(int index)
    {
        Entry entry = _records[index];
        return _bytes.AsMemory(entry.Key, entry.Value - entry.Key);
    }

    /// <summary>The value of record <paramref name="index"/>, as UTF-8 text.</summary>
    public ReadOnlyMemory<byte> ValueAt(int index)
    {
        Entry entry = _records[index];
        return _bytes.AsMemory(entry.Value, entry.End - entry.Value);
    }

    private ReadOnlySpan<byte> KeySpan(int index)
    {
        Entry entry = _records[index];
        return _bytes.AsSpan(entry.Key, entry.Value - entry.Key);
    }

    // Eight bytes at a time, each folded in by a multiply and a shift (the mixing steps of SplitMix64).
    private static uint Hash(ReadOnlySpan<byte> key)
    {
        ulong hash = Seed ^ (ulong)key.Length;
        while (key.Length >= sizeof(ulong))
        {
            hash = (hash ^ MemoryMarshal.Read<ulong>(key)) * 0xBF58476D1CE4E5B9UL;
            hash ^= hash >> 31;
            key = key[sizeof(ulong)..];
        }

        ulong tail = 0;
        for (int i = 0; i < key.Length; i++)
        {
            tail |= (ulong)key[i] << (8 * i);
        }

        hash = (hash ^ tail) * 0x94D049BB133111EBUL;
        hash ^= hash >> 29;
        return (uint)(hash >> 32);
    }

    // A record: its key is _bytes[Key..Value], its value text _bytes[Value..End].
    private struct Entry(int key, int value, int end)
    {
        public readonly int Key = key;
        public readonly int Value = value;
        public readonly int End = end;
        public bool Replaced;
    }
}
