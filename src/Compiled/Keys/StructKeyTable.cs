using System.Numerics;
using System.Runtime.CompilerServices;
using Compiled.Checkpoints;

namespace Compiled.Keys;

/// <summary>
/// An open-addressing hash table from struct keys (numbers, enums, user structs) to values, for keyed
/// stages whose key is not a byte span. Entries are kept in the order their keys were first seen, and that
/// is the order of <see cref="KeyAt"/> / <see cref="ValueAt"/>. <see cref="Clear"/> keeps the memory.
/// </summary>
/// <remarks>
/// <para>
/// Keys are compared and hashed through <see cref="EqualityComparer{T}.Default"/>, which the JIT turns into
/// direct calls for enums and for structs that implement <see cref="IEquatable{T}"/>: nothing is boxed as long
/// as such a struct also overrides <c>GetHashCode</c> (tuples, record structs and the primitive types do). A
/// struct that inherits <see cref="ValueType.GetHashCode"/> is boxed on every lookup: override it (the
/// generator warns, CMP0025).
/// </para>
/// <para>
/// Memory follows recent use, not the high-water mark, as in <see cref="ByteKeyTable{TValue}"/>.
/// <see cref="Clear"/> zeroes only the buckets the batch's keys took (each entry keeps its hash, so its
/// bucket is found by probing again) when they are fewer than one in 128 buckets, and the whole array
/// otherwise. When 8 batches in a row (empty ones included) have used less than an eighth of the table
/// (keys against the half of the buckets the load allows), it shrinks: the buckets to four times the most
/// keys of those 8 batches (rounded up to a power of two) and the entries to twice those keys, never below
/// what the constructor's capacity gave. A batch as large as the largest of the 8 then fills the table to
/// between a quarter and a half, so a batch pattern that repeats within 8 batches settles and allocates
/// nothing. <see cref="GetValueRefOrAddDefault"/> does nothing of this: the bookkeeping is all in
/// <see cref="Clear"/>.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key: a struct with value equality.</typeparam>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public sealed class StructKeyTable<TKey, TValue> : ICheckpointTable
    where TKey : struct
{
    /// <inheritdoc />
    void ICheckpointTable.WriteCheckpoint(ref CheckpointWriter.Section section, ref int[]? scratch) =>
        KeyedSections.Write<StructKeys<TKey, TValue>, TKey, TValue, PlainEntries<TValue>>(StructKeys<TKey, TValue>.Over(this), ref section, ref scratch);

    /// <inheritdoc />
    void ICheckpointTable.ReadCheckpoint(ref CheckpointReader.Section section)
    {
        if (Count != 0)
        {
            throw new InvalidOperationException($"A checkpoint is read only into an empty table; this one holds {Count} keys.");
        }

        KeyedSections.ReadInto<StructKeys<TKey, TValue>, TKey, TValue, PlainEntries<TValue>>(ref section, StructKeys<TKey, TValue>.Over(this));
    }

    private const int MinimumBuckets = 16;

    // Clear zeroes bucket by bucket when fewer than one bucket in this many is taken. Measured: zeroing the
    // whole array costs about 0.05 ns a bucket; finding an entry's bucket again from its stored hash (likely
    // a cache miss in a large table) costs 1 to 5 ns, so bucket by bucket wins below one in about 100.
    private const int SparseClearRatio = 128;

    // The table shrinks after this many batches in a row that used less than 1/SmallUseRatio of it.
    private const int ShrinkAfterBatches = 8;
    private const int SmallUseRatio = 8;

    private readonly int _initialBuckets;
    private readonly int _initialEntries;
    private int[] _buckets;     // entry index + 1; 0 is empty
    private Entry[] _entries;
    private int _count;
    private int _mask;

    // The run of batches that used little of the table, and the most keys one of them used.
    private int _smallBatches;
    private int _smallBatchesMostKeys;

    /// <summary>
    /// Creates a small table (room for 16 keys) that grows as keys come: windows keep one table per batch of their
    /// length, so an hour of one-second batches must not start with an hour of large tables.
    /// </summary>
    public StructKeyTable()
        : this(16)
    {
    }

    /// <summary>Creates a table with room for <paramref name="capacity"/> keys before it first grows.</summary>
    public StructKeyTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        int buckets = (int)Math.Max(MinimumBuckets, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity) * 2));
        _buckets = new int[buckets];
        _mask = buckets - 1;
        _entries = new Entry[Math.Max(8, capacity)];
        _initialBuckets = _buckets.Length;
        _initialEntries = _entries.Length;
    }

    /// <summary>The number of keys in the table.</summary>
    public int Count => _count;

    /// <summary>
    /// Puts the entries in a new order: entry <c>order[k]</c> becomes entry k (<paramref name="order"/> is a permutation
    /// of 0 to <see cref="Count"/> − 1). No key is hashed again: the buckets are renumbered. For a restore that reads
    /// entries in another order than the table had them.
    /// </summary>
    internal void Reorder(ReadOnlySpan<int> order)
    {
        var entries = new Entry[_entries.Length];
        var newIndex = new int[_count];
        for (int k = 0; k < _count; k++)
        {
            entries[k] = _entries[order[k]];
            newIndex[order[k]] = k;
        }

        int[] buckets = _buckets;
        for (int slot = 0; slot < buckets.Length; slot++)
        {
            if (buckets[slot] != 0)
            {
                buckets[slot] = newIndex[buckets[slot] - 1] + 1;
            }
        }

        _entries = entries;
    }

    /// <summary>The lengths of the bucket and entry arrays: the memory the table holds.</summary>
    internal (int Buckets, int Entries) Lengths => (_buckets.Length, _entries.Length);

    /// <summary>How many buckets <see cref="Clear"/> has zeroed since the table was made: what clearing has cost.</summary>
    internal long BucketsCleared { get; private set; }

    /// <summary>
    /// Returns a reference to the value of <paramref name="key"/>, adding the key with a default value if it
    /// is new (<paramref name="exists"/> is then <see langword="false"/>). Valid until the next addition.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetValueRefOrAddDefault(TKey key, out bool exists)
    {
        uint hash = Spread(EqualityComparer<TKey>.Default.GetHashCode(key));
        int[] buckets = _buckets;
        int mask = _mask;
        int slot = (int)hash & mask;
        while (true)
        {
            int index = buckets[slot] - 1;
            if (index < 0)
            {
                break;
            }

            ref Entry entry = ref _entries[index];
            if (entry.Hash == hash && EqualityComparer<TKey>.Default.Equals(entry.Key, key))
            {
                exists = true;
                return ref entry.Value;
            }

            slot = (slot + 1) & mask;
        }

        exists = false;
        return ref Add(key, hash, slot);
    }

    /// <summary>Returns a reference to the value of <paramref name="key"/>, or a null reference if the key is absent (test with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>).</summary>
    public ref TValue GetValueRefOrNullRef(TKey key)
    {
        uint hash = Spread(EqualityComparer<TKey>.Default.GetHashCode(key));
        int[] buckets = _buckets;
        int mask = _mask;
        int slot = (int)hash & mask;
        while (true)
        {
            int index = buckets[slot] - 1;
            if (index < 0)
            {
                return ref Unsafe.NullRef<TValue>();
            }

            ref Entry entry = ref _entries[index];
            if (entry.Hash == hash && EqualityComparer<TKey>.Default.Equals(entry.Key, key))
            {
                return ref entry.Value;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>The key of entry <paramref name="index"/> (0-based, in first-seen order).</summary>
    public TKey KeyAt(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            ThrowIndex(index);
        }

        return _entries[index].Key;
    }

    /// <summary>The value of entry <paramref name="index"/> (0-based, in first-seen order).</summary>
    public ref TValue ValueAt(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            ThrowIndex(index);
        }

        return ref _entries[index].Value;
    }

    /// <summary>
    /// Removes every key, ending a batch: the memory is kept for the next batch, unless the last batches
    /// have used only a small part of it (see the remarks).
    /// </summary>
    public void Clear()
    {
        int count = _count;
        if (count != 0)
        {
            if (count < _buckets.Length / SparseClearRatio)
            {
                ClearTakenBuckets();
                BucketsCleared += count;
            }
            else
            {
                Array.Clear(_buckets);
                BucketsCleared += _buckets.Length;
            }

            if (RuntimeHelpers.IsReferenceOrContainsReferences<TKey>() || RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
            {
                Array.Clear(_entries, 0, count);
            }

            _count = 0;
        }

        ShrinkAfterSmallBatches(count);
    }

    // Zeroes the bucket of each entry, probing from its hash. Buckets zeroed before it may have opened gaps
    // on its probe path, so the probe looks for the entry's index rather than stopping at an empty bucket.
    private void ClearTakenBuckets()
    {
        int[] buckets = _buckets;
        int mask = _mask;
        for (int index = 0; index < _count; index++)
        {
            int slot = (int)_entries[index].Hash & mask;
            while (buckets[slot] != index + 1)
            {
                slot = (slot + 1) & mask;
            }

            buckets[slot] = 0;
        }
    }

    // Counts the batch that just ended toward a shrink if it used a small part of a table larger than it
    // started, and shrinks it after a run of such batches. Called with the table already empty.
    private void ShrinkAfterSmallBatches(int keys)
    {
        if (_buckets.Length <= _initialBuckets || (long)keys * 2 * SmallUseRatio >= _buckets.Length)
        {
            _smallBatches = 0;
            _smallBatchesMostKeys = 0;
            return;
        }

        _smallBatchesMostKeys = Math.Max(_smallBatchesMostKeys, keys);
        if (++_smallBatches < ShrinkAfterBatches)
        {
            return;
        }

        int buckets = (int)Math.Max(_initialBuckets, BitOperations.RoundUpToPowerOf2((uint)_smallBatchesMostKeys * 4));
        _buckets = new int[buckets];
        _mask = buckets - 1;
        int entries = Math.Max(_initialEntries, _smallBatchesMostKeys * 2);
        if (entries < _entries.Length)
        {
            _entries = new Entry[entries];
        }

        _smallBatches = 0;
        _smallBatchesMostKeys = 0;
    }

    // A multiply-shift mix: a struct's GetHashCode is often the value itself, which would fill runs of buckets.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Spread(int hashCode) => (uint)(((ulong)(uint)hashCode * 0x9E3779B97F4A7C15UL) >> 32);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref TValue Add(TKey key, uint hash, int slot)
    {
        if ((_count + 1) * 2 > _buckets.Length)
        {
            Resize(_buckets.Length * 2);
            slot = (int)hash & _mask;
            while (_buckets[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }
        }

        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        int index = _count++;
        ref Entry entry = ref _entries[index];
        entry.Key = key;
        entry.Hash = hash;
        entry.Value = default!;
        _buckets[slot] = index + 1;
        return ref entry.Value;
    }

    private void Resize(int size)
    {
        var buckets = new int[size];
        int mask = size - 1;
        for (int index = 0; index < _count; index++)
        {
            int slot = (int)_entries[index].Hash & mask;
            while (buckets[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            buckets[slot] = index + 1;
        }

        _buckets = buckets;
        _mask = mask;
    }

    private static void ThrowIndex(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");

    private struct Entry
    {
        public TKey Key;
        public uint Hash;
        public TValue Value;
    }
}
