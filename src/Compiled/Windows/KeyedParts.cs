using Compiled.Keys;

namespace Compiled.Windows;

/// <summary>One entry of a keyed window's per-batch tables, as a checkpoint captures it: the batch, a key, its value.</summary>
/// <typeparam name="TKey">The key: a struct, or a byte span (valid until the window takes in its next batch).</typeparam>
/// <typeparam name="TValue">The key's value reduced over the batch.</typeparam>
public readonly ref struct BatchEntry<TKey, TValue>
    where TKey : allows ref struct
{
    /// <summary>Pairs a batch number with a key and its value.</summary>
    public BatchEntry(long batch, TKey key, TValue value)
    {
        Batch = batch;
        Key = key;
        Value = value;
    }

    /// <summary>The number of the batch whose table holds the entry.</summary>
    public long Batch { get; }

    /// <summary>The key.</summary>
    public TKey Key { get; }

    /// <summary>The key's values of the batch, reduced.</summary>
    public TValue Value { get; }
}

/// <summary>
/// Every entry of a keyed window's per-batch tables, oldest batch first and each table's keys in their order: with
/// the window's clock, the state a checkpoint captures. Putting each entry back in this order (the window type's
/// <c>Put</c>) rebuilds the tables as they were. Allocates nothing; valid until the window takes in its next batch.
/// </summary>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TValue">The value reduced per key.</typeparam>
/// <typeparam name="TKeys">The per-batch key table.</typeparam>
public ref struct KeyedPartEntries<TKey, TValue, TKeys>
    where TKey : allows ref struct
    where TKeys : struct, IKeyTable<TKeys, TKey, TValue>
{
    private readonly WindowParts<TKeys> _parts;
    private int _part;
    private int _entry;
    private TKeys _table;

    internal KeyedPartEntries(WindowParts<TKeys> parts)
    {
        _parts = parts;
        _part = -1;
        _entry = -1;
        _table = default;
    }

    /// <summary>The current entry: its batch, key and value.</summary>
    public readonly BatchEntry<TKey, TValue> Current => new(_parts.BatchAt(_part), _table.KeyAt(_entry), _table.ValueAt(_entry));

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly KeyedPartEntries<TKey, TValue, TKeys> GetEnumerator() => this;

    /// <summary>Moves to the next entry: the table's next key, or the first key of the next batch's table that has one.</summary>
    public bool MoveNext()
    {
        while (_part < 0 || ++_entry >= _table.Count)
        {
            if (++_part >= _parts.Count)
            {
                return false;
            }

            _table = _parts[_part];
            _entry = -1;
        }

        return true;
    }
}
