using System.Globalization;
using Compiled.Keys;
using Compiled.Sinks;

namespace Compiled.PostgreSQL;

/// <summary>
/// The keyed records of one batch: each record's key and value text, side by side in one reused buffer. Records are
/// looked up by their key, as they are added (<see cref="IndexAsAdded"/>) or all at once by
/// <see cref="MarkReplacedRecords"/>: a record whose key came earlier in the batch marks the earlier one replaced (the
/// last record of a key wins) and is marked a repeat, so the records not replaced are the batch's distinct keys and the
/// upsert needs no sort to pick one per key, and a sink that sends each key when it first comes knows which keys to send
/// again. The buffers and the key table grow to the largest batch and are kept, so a warm sink allocates nothing per
/// record.
/// </summary>
internal sealed class KeyedRecordBuffer
{
    private byte[] _bytes = new byte[4096];
    private int _length;
    private Entry[] _records = new Entry[256];
    private readonly byte[] _numberText = new byte[20];

    // The latest record of each key in the batch, kept up to date as records are added; kept, with its memory, across batches.
    private readonly ByteKeyTable<int> _latestOfKey = new();

    /// <summary>How many records the batch holds, replaced ones included.</summary>
    public int Count { get; private set; }

    // How many records, from the first, have been looked up by their key.
    private int _indexed;

    /// <summary>How many records of the batch repeat a key that came earlier in it, among those looked up by their key so far.</summary>
    public int Repeats { get; private set; }

    /// <summary>Whether each record is looked up by its key as it is added; if not, <see cref="MarkReplacedRecords"/> does it when asked.</summary>
    public bool IndexAsAdded { get; set; } = true;

    /// <summary>Empties the buffer for the next batch.</summary>
    public void Clear()
    {
        _length = 0;
        Count = 0;
        Repeats = 0;
        _indexed = 0;
        _latestOfKey.Clear();
    }

    /// <summary>
    /// Adds a record rendered as <c>(key,value)</c>, split where <see cref="PairText.CommaIndex"/> splits it (the last
    /// comma outside the value's parentheses), as the other sinks that write a key and a value split it. Returns
    /// <see langword="false"/> when the record is not in that form.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> record)
    {
        int comma = PairText.CommaIndex(record);
        if (comma < 0)
        {
            return false;
        }

        Add(record[1..comma], record[(comma + 1)..^1]);
        return true;
    }

    /// <summary>
    /// Adds a record of <paramref name="key"/> whose value is the whole number <paramref name="value"/>, kept as the
    /// number: an integer column takes it as it is (<see cref="TryGetNumber"/>), and only another column's text is
    /// made of it, when the batch is written (<see cref="ValueAt"/>).
    /// </summary>
    public void Add(ReadOnlySpan<byte> key, long value)
    {
        Add(key, ReadOnlySpan<byte>.Empty);
        _records[Count - 1].SetNumber(value);
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
        if (IndexAsAdded)
        {
            MarkReplacedRecords();
        }
    }

    /// <summary>
    /// Looks up by its key each record not looked up yet, marking the records that a later record of their key replaces
    /// and the records that repeat a key. Each key is looked up once, with the runtime's key table, compared byte for byte.
    /// </summary>
    public void MarkReplacedRecords()
    {
        for (; _indexed < Count; _indexed++)
        {
            Entry entry = _records[_indexed];
            ref int latest = ref _latestOfKey.GetValueRefOrAddDefault(_bytes.AsSpan(entry.Key, entry.Value - entry.Key), out bool seen);
            if (seen)
            {
                _records[latest].Replaced = true;
                _records[_indexed].Repeat = true;
                Repeats++;
            }

            latest = _indexed;
        }
    }

    /// <summary>Whether a later record of the batch with the same key replaces record <paramref name="index"/> (among the records looked up by their key).</summary>
    public bool IsReplaced(int index) => _records[index].Replaced;

    /// <summary>Whether record <paramref name="index"/> repeats a key that came earlier in the batch.</summary>
    public bool IsRepeat(int index) => _records[index].Repeat;

    /// <summary>The key of record <paramref name="index"/>, as UTF-8.</summary>
    public ReadOnlyMemory<byte> KeyAt(int index)
    {
        Entry entry = _records[index];
        return _bytes.AsMemory(entry.Key, entry.Value - entry.Key);
    }

    /// <summary>
    /// The value of record <paramref name="index"/>, as UTF-8 text; for a record added as a number, its decimal text,
    /// valid until the next call.
    /// </summary>
    public ReadOnlyMemory<byte> ValueAt(int index)
    {
        Entry entry = _records[index];
        if (entry.IsNumber)
        {
            entry.Number.TryFormat(_numberText, out int written, default, CultureInfo.InvariantCulture);
            return _numberText.AsMemory(0, written);
        }

        return _bytes.AsMemory(entry.Value, entry.End - entry.Value);
    }

    /// <summary>The value of record <paramref name="index"/> if it was added as a whole number.</summary>
    public bool TryGetNumber(int index, out long number)
    {
        Entry entry = _records[index];
        number = entry.Number;
        return entry.IsNumber;
    }

    // A record: its key is _bytes[Key..Value], its value text _bytes[Value..End], or, added as a number, Number.
    private struct Entry(int key, int value, int end)
    {
        public readonly int Key = key;
        public readonly int Value = value;
        public readonly int End = end;
        public bool Replaced;
        public bool Repeat;

        public long Number { get; private set; }

        public bool IsNumber { get; private set; }

        public void SetNumber(long number)
        {
            Number = number;
            IsNumber = true;
        }
    }
}
