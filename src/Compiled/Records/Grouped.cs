using System.Text;

namespace Compiled;

/// <summary>A byte-span key and all its values of a batch or window (Spark's <c>(K, Iterable[V])</c>), as views valid during the call.</summary>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly ref struct Grouped<TValue>
{
    /// <summary>Creates a group (the generated code does this).</summary>
    public Grouped(ReadOnlySpan<byte> key, ReadOnlySpan<TValue> values)
    {
        Key = key;
        Values = values;
    }

    /// <summary>The key's bytes.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The values, in arrival order.</summary>
    public ReadOnlySpan<TValue> Values { get; }

    /// <summary>The group as <c>(key,[v1,v2])</c>, decoding the key as UTF-8.</summary>
    public override string ToString() => $"({Encoding.UTF8.GetString(Key)},[{string.Join(",", Values.ToArray())}])";
}

/// <summary>A struct key and all its values of a batch or window, the values as a view valid during the call.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly ref struct Grouped<TKey, TValue>
{
    /// <summary>Creates a group (the generated code does this).</summary>
    public Grouped(TKey key, ReadOnlySpan<TValue> values)
    {
        Key = key;
        Values = values;
    }

    /// <summary>The key.</summary>
    public TKey Key { get; }

    /// <summary>The values, in arrival order.</summary>
    public ReadOnlySpan<TValue> Values { get; }

    /// <summary>The group as <c>(key,[v1,v2])</c>.</summary>
    public override string ToString() => $"({Key},[{string.Join(",", Values.ToArray())}])";
}

/// <summary>What a <see cref="TransformAttribute"/> function gives back: the records of its output batch.</summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class RecordBuffer<T>
{
    private T[] _records = new T[64];

    /// <summary>The number of records added.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a record to the output batch.</summary>
    public void Add(T record)
    {
        if (Count == _records.Length)
        {
            Array.Resize(ref _records, _records.Length * 2);
        }

        _records[Count++] = record;
    }

    /// <summary>The records added, in order.</summary>
    public ReadOnlySpan<T> AsSpan() => _records.AsSpan(0, Count);

    /// <summary>Forgets the records, keeping the memory (the generated code clears it every batch).</summary>
    public void Clear()
    {
        if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_records, 0, Count);
        }

        Count = 0;
    }
}
