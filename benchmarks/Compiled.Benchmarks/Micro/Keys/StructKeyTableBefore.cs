using System.Numerics;
using System.Runtime.CompilerServices;

namespace Compiled.Benchmarks.Micro.Keys;

// The struct-key table of the runtime before keys and values moved into the table's slots (commit e04d683), copied
// unchanged but for its name so that one benchmark run measures the old table beside the new one.

/// <summary>
/// The runtime's struct-key table as it was before keys were kept in the slots: a bucket array of entry indexes and an
/// entry array of key, hash and value, so a lookup reads the bucket, then the entry. Kept for the comparison in
/// <see cref="KeyTableZipfBenchmarks"/>.
/// </summary>
/// <typeparam name="TKey">The key: a struct with value equality.</typeparam>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public sealed class StructKeyTableBefore<TKey, TValue>
    where TKey : struct
{
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
    public StructKeyTableBefore()
        : this(16)
    {
    }

    /// <summary>Creates a table with room for <paramref name="capacity"/> keys before it first grows.</summary>
    public StructKeyTableBefore(int capacity)
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
    public void Reorder(ReadOnlySpan<int> order)
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
    public (int Buckets, int Entries) Lengths => (_buckets.Length, _entries.Length);

    /// <summary>How many buckets <see cref="Clear"/> has zeroed since the table was made: what clearing has cost.</summary>
    public long BucketsCleared { get; private set; }

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
