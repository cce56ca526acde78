using System.Runtime.CompilerServices;
using Compiled.Checkpoints;

namespace Compiled.Keys;

/// <summary>
/// A keyed table, as a struct over a <see cref="StructKeyTable{TKey, TValue}"/> or a <see cref="ByteKeyTable{TValue}"/>:
/// the state stores and the keyed windows take it as a constrained struct type parameter, so their calls are direct
/// and inlined, whichever kind of key the stage has.
/// </summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
/// <typeparam name="TKey">The key: a struct, a string, or a byte span.</typeparam>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public interface IKeyTable<TSelf, TKey, TValue>
    where TSelf : struct, IKeyTable<TSelf, TKey, TValue>
    where TKey : allows ref struct
{
    /// <summary>A new, empty table.</summary>
    static abstract TSelf Create();

    /// <summary>A new, empty table with room for <paramref name="capacity"/> keys before it first grows.</summary>
    static abstract TSelf Create(int capacity);

    /// <summary>How many keys the table holds.</summary>
    int Count { get; }

    /// <summary>The value of <paramref name="key"/>, added (zeroed) if the table lacks it.</summary>
    ref TValue GetOrAdd(TKey key);

    /// <summary>The value of <paramref name="key"/>, added (zeroed, <paramref name="exists"/> false) if the table lacks it.</summary>
    ref TValue GetOrAdd(TKey key, out bool exists);

    /// <summary>The value of <paramref name="key"/>, or a null reference (<see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>) if the table lacks it.</summary>
    ref TValue Find(TKey key);

    /// <summary>The key at <paramref name="index"/> (0 to <see cref="Count"/> − 1, in order of arrival).</summary>
    TKey KeyAt(int index);

    /// <summary>The value at <paramref name="index"/>.</summary>
    ref TValue ValueAt(int index);

    /// <summary>Forgets every key, keeping the memory.</summary>
    void Clear();

    /// <summary>
    /// Puts the entries in a new order without hashing a key again: entry <c>order[k]</c> becomes entry k
    /// (<paramref name="order"/> is a permutation of 0 to <see cref="Count"/> − 1).
    /// </summary>
    void Reorder(ReadOnlySpan<int> order);

    /// <summary>Writes <paramref name="key"/> as the key of a keyed checkpoint entry (see <see cref="KeyedSections"/>).</summary>
    static abstract void WriteKey(TKey key, ref CheckpointWriter.Section section);

    /// <summary>Reads a key that <see cref="WriteKey"/> wrote; a byte key is valid while the checkpoint's reader is.</summary>
    static abstract TKey ReadKey(ref CheckpointReader.Section section);

    /// <summary>The checkpoint shard of <paramref name="key"/> among <paramref name="shardCount"/> (<see cref="KeyShards"/>).</summary>
    static abstract int ShardOf(TKey key, int shardCount);
}

/// <summary>A keyed table of keys that compare by value: structs, strings (ordinal) and <see cref="Utf8Text"/> (copied once per new key).</summary>
/// <typeparam name="TKey">The key: a struct with value equality, a string, or a <see cref="Utf8Text"/>.</typeparam>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public readonly struct StructKeys<TKey, TValue> : IKeyTable<StructKeys<TKey, TValue>, TKey, TValue>
{
    private readonly StructKeyTable<TKey, TValue> _table;

    private StructKeys(StructKeyTable<TKey, TValue> table) => _table = table;

    /// <inheritdoc />
    public static StructKeys<TKey, TValue> Create() => new(new StructKeyTable<TKey, TValue>());

    /// <inheritdoc />
    public static StructKeys<TKey, TValue> Create(int capacity) => new(new StructKeyTable<TKey, TValue>(capacity));

    /// <inheritdoc />
    public void Reorder(ReadOnlySpan<int> order) => _table.Reorder(order);

    /// <summary>The table itself, which the fused loop writes into directly.</summary>
    public StructKeyTable<TKey, TValue> Table => _table;

    /// <inheritdoc />
    public int Count => _table.Count;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetOrAdd(TKey key) => ref _table.GetValueRefOrAddDefault(key, out _);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetOrAdd(TKey key, out bool exists) => ref _table.GetValueRefOrAddDefault(key, out exists);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue Find(TKey key) => ref _table.GetValueRefOrNullRef(key);

    /// <inheritdoc />
    public TKey KeyAt(int index) => _table.KeyAt(index);

    /// <inheritdoc />
    public ref TValue ValueAt(int index) => ref _table.ValueAt(index);

    /// <inheritdoc />
    public void Clear() => _table.Clear();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteKey(TKey key, ref CheckpointWriter.Section section) => CheckpointValues<TKey>.WriteKey(in key, ref section);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TKey ReadKey(ref CheckpointReader.Section section) => CheckpointValues<TKey>.ReadKey(ref section);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ShardOf(TKey key, int shardCount) => KeyShards.OfKey(in key, shardCount);

    /// <summary>Wraps an existing table (an event-time window's).</summary>
    internal static StructKeys<TKey, TValue> Over(StructKeyTable<TKey, TValue> table) => new(table);
}

/// <summary>A keyed table of byte-span keys (each copied once into the table's arena).</summary>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public readonly struct ByteKeys<TValue> : IKeyTable<ByteKeys<TValue>, ReadOnlySpan<byte>, TValue>
{
    private readonly ByteKeyTable<TValue> _table;

    private ByteKeys(ByteKeyTable<TValue> table) => _table = table;

    /// <inheritdoc />
    public static ByteKeys<TValue> Create() => new(new ByteKeyTable<TValue>());

    /// <inheritdoc />
    public static ByteKeys<TValue> Create(int capacity) => new(new ByteKeyTable<TValue>(capacity));

    /// <inheritdoc />
    public void Reorder(ReadOnlySpan<int> order) => _table.Reorder(order);

    /// <summary>The table itself, which the fused loop writes into directly.</summary>
    public ByteKeyTable<TValue> Table => _table;

    /// <inheritdoc />
    public int Count => _table.Count;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetOrAdd(ReadOnlySpan<byte> key) => ref _table.GetValueRefOrAddDefault(key, out _);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetOrAdd(ReadOnlySpan<byte> key, out bool exists) => ref _table.GetValueRefOrAddDefault(key, out exists);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue Find(ReadOnlySpan<byte> key) => ref _table.GetValueRefOrNullRef(key);

    /// <inheritdoc />
    public ReadOnlySpan<byte> KeyAt(int index) => _table.KeyAt(index);

    /// <inheritdoc />
    public ref TValue ValueAt(int index) => ref _table.ValueAt(index);

    /// <inheritdoc />
    public void Clear() => _table.Clear();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteKey(ReadOnlySpan<byte> key, ref CheckpointWriter.Section section) => section.WriteKey(key);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> ReadKey(ref CheckpointReader.Section section) => section.ReadKey();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ShardOf(ReadOnlySpan<byte> key, int shardCount) => KeyShards.Of(key, shardCount);

    /// <summary>Wraps an existing table (an event-time window's).</summary>
    internal static ByteKeys<TValue> Over(ByteKeyTable<TValue> table) => new(table);
}
