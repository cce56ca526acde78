using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Benchmarks.Micro.Keys;

// The key table and hash of the runtime before short keys moved into the table's slots (commit e04d683), copied
// unchanged but for their names so that one benchmark run measures the old table beside the new one.

/// <summary>
/// The runtime's byte-key table as it was before short keys were kept in the slots: a bucket array of hash and entry
/// index, an entry array of key offset, length and value, and every key's bytes in an arena, so a lookup reads the
/// bucket, then the entry, then the key's bytes. Kept for the comparison in <see cref="KeyTableZipfBenchmarks"/>.
/// </summary>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public sealed class ByteKeyTableBefore<TValue>
{
    private const int MinimumBuckets = 16;

    // Clear zeroes bucket by bucket when fewer than one bucket in this many is taken. Measured: zeroing the
    // whole array costs about 0.1 ns a bucket; finding a key's bucket again (hash its bytes, probe, likely a
    // cache miss in a large table) costs 5 to 25 ns, so bucket by bucket wins below one in about 250.
    private const int SparseClearRatio = 256;

    // The table shrinks after this many batches in a row that used less than 1/SmallUseRatio of it.
    private const int ShrinkAfterBatches = 8;
    private const int SmallUseRatio = 8;

    private readonly int _initialBuckets;
    private readonly int _initialEntries;
    private readonly int _initialArena;
    private Bucket[] _buckets;
    private Entry[] _entries;
    private byte[] _arena;
    private int _count;
    private int _arenaUsed;
    private int _mask;

    // The run of batches that used little of the table, and the most keys and key bytes one of them used.
    private int _smallBatches;
    private int _smallBatchesMostKeys;
    private int _smallBatchesMostBytes;

    /// <summary>
    /// Creates a small table (room for 16 keys) that grows as keys come: windows keep one table per batch of their
    /// length, so an hour of one-second batches must not start with an hour of large tables.
    /// </summary>
    public ByteKeyTableBefore()
        : this(16)
    {
    }

    /// <summary>Creates a table with room for <paramref name="capacity"/> keys before it first grows.</summary>
    public ByteKeyTableBefore(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        int buckets = (int)Math.Max(MinimumBuckets, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity) * 2));
        _buckets = new Bucket[buckets];
        _mask = buckets - 1;
        _entries = new Entry[Math.Max(8, capacity)];
        _arena = new byte[Math.Max(64, capacity * 8)];
        _initialBuckets = _buckets.Length;
        _initialEntries = _entries.Length;
        _initialArena = _arena.Length;
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

        Bucket[] buckets = _buckets;
        for (int slot = 0; slot < buckets.Length; slot++)
        {
            int index = buckets[slot].EntryPlusOne - 1;
            if (index >= 0)
            {
                buckets[slot].EntryPlusOne = newIndex[index] + 1;
            }
        }

        _entries = entries;
    }

    /// <summary>The lengths of the bucket, entry and key-byte arrays: the memory the table holds.</summary>
    public (int Buckets, int Entries, int Arena) Lengths => (_buckets.Length, _entries.Length, _arena.Length);

    /// <summary>How many buckets <see cref="Clear"/> has zeroed since the table was made: what clearing has cost.</summary>
    public long BucketsCleared { get; private set; }

    /// <summary>
    /// Returns a reference to the value of <paramref name="key"/>, adding the key with a default value if it
    /// is new (<paramref name="exists"/> is then <see langword="false"/>). The reference is valid until the
    /// next call that adds a key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetValueRefOrAddDefault(ReadOnlySpan<byte> key, out bool exists)
    {
        uint hash = KeyHashBefore.Of(key);
        Bucket[] buckets = _buckets;
        int mask = _mask;
        int slot = (int)hash & mask;
        while (true)
        {
            ref Bucket bucket = ref buckets[slot];
            int index = bucket.EntryPlusOne - 1;
            if (index < 0)
            {
                break;
            }

            if (bucket.Hash == hash)
            {
                ref Entry entry = ref _entries[index];
                if (_arena.AsSpan(entry.KeyOffset, entry.KeyLength).SequenceEqual(key))
                {
                    exists = true;
                    return ref entry.Value;
                }
            }

            slot = (slot + 1) & mask;
        }

        exists = false;
        return ref Add(key, hash, slot);
    }

    /// <summary>Returns a reference to the value of <paramref name="key"/>, or a null reference if the key is absent (test with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>).</summary>
    public ref TValue GetValueRefOrNullRef(ReadOnlySpan<byte> key)
    {
        uint hash = KeyHashBefore.Of(key);
        int slot = (int)hash & _mask;
        while (true)
        {
            ref Bucket bucket = ref _buckets[slot];
            int index = bucket.EntryPlusOne - 1;
            if (index < 0)
            {
                return ref Unsafe.NullRef<TValue>();
            }

            if (bucket.Hash == hash)
            {
                ref Entry entry = ref _entries[index];
                if (_arena.AsSpan(entry.KeyOffset, entry.KeyLength).SequenceEqual(key))
                {
                    return ref entry.Value;
                }
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>The key of entry <paramref name="index"/> (0-based, in first-seen order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> KeyAt(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            ThrowIndex(index);
        }

        ref Entry entry = ref _entries[index];
        return new ReadOnlySpan<byte>(_arena, entry.KeyOffset, entry.KeyLength);
    }

    /// <summary>The value of entry <paramref name="index"/> (0-based, in first-seen order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
        int arenaUsed = _arenaUsed;
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

            if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
            {
                Array.Clear(_entries, 0, count);
            }

            _count = 0;
            _arenaUsed = 0;
        }

        ShrinkAfterSmallBatches(count, arenaUsed);
    }

    // Zeroes the bucket of each entry, found by probing for the key's hash again. The bucket is on the probe
    // path from the key's home slot; buckets zeroed before it may have opened gaps on that path, so the probe
    // looks for the entry's index rather than stopping at an empty bucket.
    private void ClearTakenBuckets()
    {
        Bucket[] buckets = _buckets;
        int mask = _mask;
        for (int index = 0; index < _count; index++)
        {
            ref Entry entry = ref _entries[index];
            int slot = (int)KeyHashBefore.Of(new ReadOnlySpan<byte>(_arena, entry.KeyOffset, entry.KeyLength)) & mask;
            while (buckets[slot].EntryPlusOne != index + 1)
            {
                slot = (slot + 1) & mask;
            }

            buckets[slot] = default;
        }
    }

    // Counts the batch that just ended toward a shrink if it used a small part of a table larger than it
    // started, and shrinks it after a run of such batches. Called with the table already empty.
    private void ShrinkAfterSmallBatches(int keys, int bytes)
    {
        bool small = (_buckets.Length > _initialBuckets && (long)keys * 2 * SmallUseRatio < _buckets.Length)
            || (_arena.Length > _initialArena && (long)bytes * SmallUseRatio < _arena.Length);
        if (!small)
        {
            _smallBatches = 0;
            _smallBatchesMostKeys = 0;
            _smallBatchesMostBytes = 0;
            return;
        }

        _smallBatchesMostKeys = Math.Max(_smallBatchesMostKeys, keys);
        _smallBatchesMostBytes = Math.Max(_smallBatchesMostBytes, bytes);
        if (++_smallBatches < ShrinkAfterBatches)
        {
            return;
        }

        int buckets = (int)Math.Max(_initialBuckets, BitOperations.RoundUpToPowerOf2((uint)_smallBatchesMostKeys * 4));
        if (buckets < _buckets.Length)
        {
            _buckets = new Bucket[buckets];
            _mask = buckets - 1;
        }

        int entries = Math.Max(_initialEntries, _smallBatchesMostKeys * 2);
        if (entries < _entries.Length)
        {
            _entries = new Entry[entries];
        }

        int arena = (int)Math.Max(_initialArena, Math.Min(Array.MaxLength, _smallBatchesMostBytes * 2L));
        if (arena < _arena.Length)
        {
            _arena = new byte[arena];
        }

        _smallBatches = 0;
        _smallBatchesMostKeys = 0;
        _smallBatchesMostBytes = 0;
    }

    // A new key: copy its bytes into the arena and take the empty bucket the probe ended on.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref TValue Add(ReadOnlySpan<byte> key, uint hash, int slot)
    {
        if ((_count + 1) * 2 > _buckets.Length)
        {
            Resize(_buckets.Length * 2);
            slot = FindEmpty(_buckets, _mask, hash);
        }

        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        if (_arena.Length - _arenaUsed < key.Length)
        {
            Array.Resize(ref _arena, (int)Math.Min(Array.MaxLength, Math.Max((long)_arena.Length * 2, (long)_arenaUsed + key.Length)));
        }

        key.CopyTo(_arena.AsSpan(_arenaUsed));
        int index = _count++;
        ref Entry entry = ref _entries[index];
        entry.KeyOffset = _arenaUsed;
        entry.KeyLength = key.Length;
        entry.Value = default!;
        _arenaUsed += key.Length;
        _buckets[slot] = new Bucket { Hash = hash, EntryPlusOne = index + 1 };
        return ref entry.Value;
    }

    private void Resize(int size)
    {
        var buckets = new Bucket[size];
        int mask = size - 1;
        foreach (Bucket bucket in _buckets)
        {
            if (bucket.EntryPlusOne != 0)
            {
                buckets[FindEmpty(buckets, mask, bucket.Hash)] = bucket;
            }
        }

        _buckets = buckets;
        _mask = mask;
    }

    private static int FindEmpty(Bucket[] buckets, int mask, uint hash)
    {
        int slot = (int)hash & mask;
        while (buckets[slot].EntryPlusOne != 0)
        {
            slot = (slot + 1) & mask;
        }

        return slot;
    }

    private static void ThrowIndex(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");

    [StructLayout(LayoutKind.Sequential)]
    private struct Bucket
    {
        public uint Hash;
        public int EntryPlusOne;
    }

    private struct Entry
    {
        public int KeyOffset;
        public int KeyLength;
        public TValue Value;
    }
}

/// <summary>The runtime's key hash before short keys were hashed from two words (see <see cref="ByteKeyTableBefore{TValue}"/>).</summary>
public static class KeyHashBefore
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15UL;
    private const ulong Mixer = 0xBF58476D1CE4E5B9UL;
    private static readonly ulong s_seed = (ulong)Random.Shared.NextInt64();

    /// <summary>Hashes <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Of(ReadOnlySpan<byte> key)
    {
        ulong hash = s_seed ^ ((ulong)key.Length * Multiplier);
        ref byte start = ref MemoryMarshal.GetReference(key);
        int length = key.Length;
        int offset = 0;
        while (length - offset >= 8)
        {
            hash = Mix(hash ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, offset)));
            offset += 8;
        }

        int tail = length - offset;
        if (tail >= 4)
        {
            // Two overlapping 4-byte reads cover a tail of 4 to 7 bytes.
            ulong low = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, offset));
            ulong high = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, length - 4));
            hash = Mix(hash ^ (low | (high << 32)));
        }
        else if (tail > 0)
        {
            // The first, middle and last byte cover a tail of 1 to 3 bytes.
            ulong bytes = Unsafe.Add(ref start, offset)
                | ((ulong)Unsafe.Add(ref start, offset + (tail >> 1)) << 8)
                | ((ulong)Unsafe.Add(ref start, length - 1) << 16);
            hash = Mix(hash ^ bytes);
        }

        hash ^= hash >> 31;
        hash *= Mixer;
        hash ^= hash >> 29;
        return (uint)hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong value)
    {
        value *= Multiplier;
        return value ^ (value >> 32);
    }
}
