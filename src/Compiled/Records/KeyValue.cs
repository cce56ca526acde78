using System.Text;

namespace Compiled;

/// <summary>
/// A record with a byte-span key and a value: what <c>map(lambda word: (word, 1))</c> produces. It is a
/// <c>ref struct</c> because the key is a view of the record's bytes; a keyed stage (such as
/// <see cref="ReduceByKeyAttribute"/>) copies the key bytes once, the first time it sees the key.
/// </summary>
/// <typeparam name="TValue">The value's type.</typeparam>
public readonly ref struct KeyValue<TValue>
{
    /// <summary>Creates a pair from a key's bytes and a value.</summary>
    public KeyValue(ReadOnlySpan<byte> key, TValue value)
    {
        Key = key;
        Value = value;
    }

    /// <summary>The key's bytes, as they were in the record.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value.</summary>
    public TValue Value { get; }

    /// <summary>Splits the pair: <c>var (key, value) = pair;</c></summary>
    public void Deconstruct(out ReadOnlySpan<byte> key, out TValue value)
    {
        key = Key;
        value = Value;
    }

    /// <summary>The pair as Spark prints a Scala tuple, <c>(key,value)</c>, decoding the key as UTF-8.</summary>
    public override string ToString() => $"({Encoding.UTF8.GetString(Key)},{Value})";
}
