namespace Compiled.Windows;

/// <summary>
/// Decides whether a key of an incrementally kept window is emitted (the generated code implements it with the
/// stage's <c>Filter</c> method, as a struct). A key that fails is not emitted, and is forgotten once none of its
/// values are left in the window.
/// </summary>
/// <typeparam name="TKey">The key: <see cref="ReadOnlySpan{T}"/> of bytes, or a struct.</typeparam>
/// <typeparam name="TValue">The key's value over the window.</typeparam>
public interface IKeyFilter<TKey, TValue>
    where TKey : allows ref struct
{
    /// <summary>Whether <paramref name="key"/>, whose value over the window is <paramref name="value"/>, is emitted.</summary>
    bool Keep(TKey key, TValue value);
}

/// <summary>The filter of a window without <c>Filter</c>: every key is emitted and none is forgotten.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly struct KeepAll<TKey, TValue> : IKeyFilter<TKey, TValue>
    where TKey : allows ref struct
{
    /// <summary>Returns <see langword="true"/>.</summary>
    public bool Keep(TKey key, TValue value) => true;
}

/// <summary>The filter of <c>[CountByValueAndWindow]</c>: values whose count fell to zero are dropped.</summary>
/// <typeparam name="TKey">The counted value (the key) type.</typeparam>
public readonly struct NonZeroCount<TKey> : IKeyFilter<TKey, long>
    where TKey : allows ref struct
{
    /// <summary>Whether <paramref name="count"/> is not zero.</summary>
    public bool Keep(TKey key, long count) => count != 0;
}

/// <summary>Adds counts: the reduce of the counting windows.</summary>
public readonly struct AddCounts : IReducer<long>
{
    /// <summary>Returns <paramref name="a"/> + <paramref name="b"/>.</summary>
    public long Reduce(long a, long b) => a + b;
}

/// <summary>Subtracts counts: the inverse of the counting windows.</summary>
public readonly struct SubtractCounts : IReducer<long>
{
    /// <summary>Returns <paramref name="a"/> − <paramref name="b"/>.</summary>
    public long Reduce(long a, long b) => a - b;
}
