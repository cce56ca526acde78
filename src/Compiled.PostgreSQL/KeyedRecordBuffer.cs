namespace Compiled.PostgreSQL;

/// <summary>
/// The keyed records of one batch, as the sink receives them: each rendered as <c>(key,value)</c> text, split at its
/// last comma and kept as two byte ranges of one reused buffer. A record whose key an earlier record of the batch had
/// replaces it (the last record of a key wins), so the records left are the batch's distinct keys and the upsert needs no
/// sort to pick one per key. The buffers and the key index grow to the largest batch and are kept, so a warm sink
/// allocates nothing per record.
/// </summary>
internal sealed class KeyedRecordBuffer
{
    private byte[] _bytes = new byte[4096];
    private int _length;

    // Per record: the start of its key, where its value starts (the key ends one byte before), where it ends, and whether
    // a later record of the same key replaced it.
    private Entry[] _records = new Entry[256];

    // Open addressing, linear probing: each slot holds a record's index + 1 (0 = empty) and points at the latest record
    // of one key. Its length is a power of two at least twice the record count, so a probe ends at an empty slot soon.
    private int[] _slots = new int[512];

    /// <summary>How many records the batch holds, replaced ones included.</summary>
    public int Count { get; private set; }

    /// <summary>How many distinct keys the batch holds: the records that no later record of their key replaced.</summary>
    public int DistinctCount { get; private set; }

    /// <summary>Empties the buffer for the next batch.</summary>
    public void Clear()
    {
        if (Count > 0)
        {
            Array.Clear(_slots);
        }

        _length = 0;
        Count = 0;
        DistinctCount = 0;
    }

    /// <summary>
    /// Adds a record rendered as <c>(key,value)</c>: the key is everything between the opening parenthesis and the last
    /// comma, the value everything after it. An earlier record of the same key (compared byte for byte) is replaced.
    /// Returns <see langword="false"/> when the record is not in that form.
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

        if (_bytes.Length - _length < inner.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + inner.Length));
        }

        if (Count == _records.Length)
        {
            Array.Resize(ref _records, _records.Length * 2);
        }

        if (Count * 2 >= _slots.Length)
        {
            GrowSlots();
        }

        int start = _length;
        inner.CopyTo(_bytes.AsSpan(start));
        _length += inner.Length;
        int index = Count++;
        _records[index] = new Entry(start, start + comma + 1, start + inner.Length);

        ReadOnlySpan<byte> key = inner[..comma];
        int mask = _slots.Length - 1;
        int slot = Hash(key) & mask;
        while (true)
        {
            int held = _slots[slot] - 1;
            if (held < 0)
            {
                _slots[slot] = index + 1;
                DistinctCount++;
                return true;
            }

            if (KeyAt(held).Span.SequenceEqual(key))
            {
                _records[held].Replaced = true;
                _slots[slot] = index + 1;
                return true;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Whether a later record of the batch with the same key replaced record <paramref name="index"/>.</summary>
    public bool IsReplaced(int index) => _records[index].Replaced;

    /// <summary>The key of record <paramref name="index"/>, as UTF-8.</summary>
    public ReadOnlyMemory<byte> KeyAt(int index)
    {
        Entry entry = _records[index];
        return _bytes.AsMemory(entry.Key, entry.Value - 1 - entry.Key);
    }

    /// <summary>The value of record <paramref name="index"/>, as UTF-8 text.</summary>
    public ReadOnlyMemory<byte> ValueAt(int index)
    {
        Entry entry = _records[index];
        return _bytes.AsMemory(entry.Value, entry.End - entry.Value);
    }

    private static int Hash(ReadOnlySpan<byte> key)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        return hash.ToHashCode();
    }

    // Doubles the key index and puts the latest record of each key back in it (a replaced record is in no slot).
    private void GrowSlots()
    {
        _slots = new int[_slots.Length * 2];
        int mask = _slots.Length - 1;
        for (int index = 0; index < Count; index++)
        {
            if (_records[index].Replaced)
            {
                continue;
            }

            int slot = Hash(KeyAt(index).Span) & mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            _slots[slot] = index + 1;
        }
    }

    private struct Entry(int key, int value, int end)
    {
        public readonly int Key = key;
        public readonly int Value = value;
        public readonly int End = end;
        public bool Replaced;
    }
}
