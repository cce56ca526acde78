using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Keys;

/// <summary>
/// An open-addressing hash table from byte-span keys to values, for the keyed stages of the fused loop.
/// A key's bytes are copied once, into an arena, the first time the key is seen; a lookup of a known key
/// allocates nothing. Entries are kept in the order their keys were first seen, and that is the order
/// of <see cref="KeyAt"/> / <see cref="ValueAt"/> from 0 to <see cref="Count"/> - 1.
/// </summary>
/// <remarks>
/// The bucket array holds a 32-bit hash beside each entry index, so a probe compares hashes without
/// touching the entries; the table keeps its load under one half. <see cref="Clear"/> keeps every array for
/// the next batch, so a steady stream of batches allocates nothing.
/// </remarks>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public sealed class ByteKeyTable<TValue>
{
    private const int MinimumBuckets = 16;

    private Bucket[] _buckets;
    private Entry[] _entries;
    private byte[] _arena;
    private int _count;
    private int _arenaUsed;
    private int _mask;

    /// <summary>Creates a table with room for <paramref name="capacity"/> keys before it first grows.</summary>
    public ByteKeyTable(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        int buckets = (int)Math.Max(MinimumBuckets, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity) * 2));
        _buckets = new Bucket[buckets];
        _mask = buckets - 1;
        _entries = new Entry[Math.Max(8, capacity)];
        _arena = new byte[Math.Max(64, capacity * 8)];
    }

    /// <summary>The number of keys in the table.</summary>
    public int Count => _count;

    /// <summary>
    /// Returns a reference to the value of <paramref name="key"/>, adding the key with a default value if it
    /// is new (<paramref name="exists"/> is then <see langword="false"/>). The reference is valid until the
    /// next call that adds a key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetValueRefOrAddDefault(ReadOnlySpan<byte> key, out bool exists)
    {
        uint hash = KeyHash.Of(key);
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
        uint hash = KeyHash.Of(key);
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

    /// <summary>Removes every key, keeping the memory for the next batch.</summary>
    public void Clear()
    {
        if (_count == 0)
        {
            return;
        }

        Array.Clear(_buckets);
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            Array.Clear(_entries, 0, _count);
        }

        _count = 0;
        _arenaUsed = 0;
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
