namespace Compiled.PostgreSQL;

/// <summary>
/// The keyed records of one batch, as the sink receives them: each rendered as <c>(key,value)</c> text, split at its
/// last comma and kept as two byte ranges of one reused buffer. The buffers grow to the largest batch and are kept, so a
/// warm sink allocates nothing per record.
/// </summary>
internal sealed class KeyedRecordBuffer
{
    private byte[] _bytes = new byte[4096];
    private int _length;

    // Per record: the start of its key, where its value starts (the key ends one byte before), and where it ends.
    private (int Key, int Value, int End)[] _records = new (int, int, int)[256];

    /// <summary>How many records the batch holds.</summary>
    public int Count { get; private set; }

    /// <summary>Empties the buffer for the next batch.</summary>
    public void Clear()
    {
        _length = 0;
        Count = 0;
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

        if (_bytes.Length - _length < inner.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + inner.Length));
        }

        if (Count == _records.Length)
        {
            Array.Resize(ref _records, _records.Length * 2);
        }

        int start = _length;
        inner.CopyTo(_bytes.AsSpan(start));
        _length += inner.Length;
        _records[Count++] = (start, start + comma + 1, start + inner.Length);
        return true;
    }

    /// <summary>The key of record <paramref name="index"/>, as UTF-8.</summary>
    public ReadOnlyMemory<byte> KeyAt(int index)
    {
        (int key, int value, _) = _records[index];
        return _bytes.AsMemory(key, value - 1 - key);
    }

    /// <summary>The value of record <paramref name="index"/>, as UTF-8 text.</summary>
    public ReadOnlyMemory<byte> ValueAt(int index)
    {
        (_, int value, int end) = _records[index];
        return _bytes.AsMemory(value, end - value);
    }
}
