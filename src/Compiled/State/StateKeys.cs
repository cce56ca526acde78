using System.Runtime.CompilerServices;
using Compiled.Keys;

namespace Compiled;

/// <summary>
/// The key table a state store keeps its entries in, as a struct over a <see cref="StructKeyTable{TKey, TValue}"/>
/// or a <see cref="ByteKeyTable{TValue}"/>: a store takes it as a constrained struct type parameter, so its calls are
/// direct and inlined, whichever kind of key the stage has.
/// </summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TEntry">The entry kept per key.</typeparam>
public interface IStateKeys<TSelf, TKey, TEntry>
    where TSelf : struct, IStateKeys<TSelf, TKey, TEntry>
    where TKey : allows ref struct
{
    /// <summary>A new, empty table.</summary>
    static abstract TSelf Create();

    /// <summary>How many keys the table holds.</summary>
    int Count { get; }

    /// <summary>The entry of <paramref name="key"/>, added (zeroed) if the table lacks it.</summary>
    ref TEntry GetOrAdd(TKey key);

    /// <summary>The key at <paramref name="index"/> (0 to <see cref="Count"/> − 1, in order of arrival).</summary>
    TKey KeyAt(int index);

    /// <summary>The entry at <paramref name="index"/>.</summary>
    ref TEntry EntryAt(int index);

    /// <summary>Forgets every key, keeping the memory.</summary>
    void Clear();
}

/// <summary>A state store's table of struct keys.</summary>
/// <typeparam name="TKey">The key: a struct with value equality.</typeparam>
/// <typeparam name="TEntry">The entry kept per key.</typeparam>
public readonly struct StructStateKeys<TKey, TEntry> : IStateKeys<StructStateKeys<TKey, TEntry>, TKey, TEntry>
    where TKey : struct
{
    private readonly StructKeyTable<TKey, TEntry> _table;

    private StructStateKeys(StructKeyTable<TKey, TEntry> table) => _table = table;

    /// <inheritdoc />
    public static StructStateKeys<TKey, TEntry> Create() => new(new StructKeyTable<TKey, TEntry>());

    /// <inheritdoc />
    public int Count => _table.Count;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TEntry GetOrAdd(TKey key) => ref _table.GetValueRefOrAddDefault(key, out _);

    /// <inheritdoc />
    public TKey KeyAt(int index) => _table.KeyAt(index);

    /// <inheritdoc />
    public ref TEntry EntryAt(int index) => ref _table.ValueAt(index);

    /// <inheritdoc />
    public void Clear() => _table.Clear();
}

/// <summary>A state store's table of byte-span keys (each copied once into the table's arena).</summary>
/// <typeparam name="TEntry">The entry kept per key.</typeparam>
public readonly struct ByteStateKeys<TEntry> : IStateKeys<ByteStateKeys<TEntry>, ReadOnlySpan<byte>, TEntry>
{
    private readonly ByteKeyTable<TEntry> _table;

    private ByteStateKeys(ByteKeyTable<TEntry> table) => _table = table;

    /// <inheritdoc />
    public static ByteStateKeys<TEntry> Create() => new(new ByteKeyTable<TEntry>());

    /// <inheritdoc />
    public int Count => _table.Count;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TEntry GetOrAdd(ReadOnlySpan<byte> key) => ref _table.GetValueRefOrAddDefault(key, out _);

    /// <inheritdoc />
    public ReadOnlySpan<byte> KeyAt(int index) => _table.KeyAt(index);

    /// <inheritdoc />
    public ref TEntry EntryAt(int index) => ref _table.ValueAt(index);

    /// <inheritdoc />
    public void Clear() => _table.Clear();
}
