using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Compiled.Keys;

namespace Compiled.Benchmarks.Experiments;

/// <summary>
/// An experiment, not a replacement, measured against the key table of before 2026-12-06 (which read a bucket, an
/// entry and the key's bytes in the arena): each key's value and bytes side by side in one arena record, so a lookup
/// touched two cache lines (bucket, record) instead of three. Same hash (<see cref="KeyHash"/>), same probing, same
/// load factor, same first-seen order; values are unmanaged (a record is raw bytes). Today's
/// <see cref="ByteKeyTable{TValue}"/> keeps a key of up to 16 bytes in its slot and reads one cache line for it, so
/// this experiment now measures itself against a layout that no longer exists; it is kept for the figures of
/// RESULTS.md that it produced.
/// </summary>
/// <remarks>
/// A record is <c>[TValue value][int length][key bytes]</c>, padded to 8 bytes. The records are appended in
/// first-seen order, and <see cref="Records"/> lists their offsets in that order for the batch boundary.
/// </remarks>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public sealed class AdjacentKeyTable<TValue>
    where TValue : unmanaged
{
    private static readonly int s_header = (Unsafe.SizeOf<TValue>() + sizeof(int) + 7) & ~7;

    private Bucket[] _buckets;
    private int[] _records;   // arena offset of each record, in first-seen order
    private byte[] _arena;
    private int _count;
    private int _arenaUsed;
    private int _mask;

    /// <summary>Creates a table with room for <paramref name="capacity"/> keys before it first grows.</summary>
    public AdjacentKeyTable(int capacity = 1024)
    {
        int buckets = (int)Math.Max(16, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity) * 2));
        _buckets = new Bucket[buckets];
        _mask = buckets - 1;
        _records = new int[Math.Max(8, capacity)];
        _arena = new byte[Math.Max(64, capacity * 24)];
    }

    /// <summary>The number of keys.</summary>
    public int Count => _count;

    /// <summary>As <see cref="ByteKeyTable{TValue}.GetValueRefOrAddDefault"/>.</summary>
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
            int offset = bucket.RecordPlusOne - 1;
            if (offset < 0)
            {
                break;
            }

            if (bucket.Hash == hash)
            {
                // The value, the length and (for short keys) the bytes share the record's first cache line.
                ref byte record = ref MemoryMarshal.GetArrayDataReference(_arena);
                record = ref Unsafe.Add(ref record, offset);
                int length = Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref record, Unsafe.SizeOf<TValue>()));
                if (length == key.Length
                    && MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref record, s_header), length).SequenceEqual(key))
                {
                    exists = true;
                    return ref Unsafe.As<byte, TValue>(ref record);
                }
            }

            slot = (slot + 1) & mask;
        }

        exists = false;
        return ref Add(key, hash, slot);
    }

    /// <summary>The key of entry <paramref name="index"/> (0-based, in first-seen order).</summary>
    public ReadOnlySpan<byte> KeyAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        int offset = _records[index];
        int length = Unsafe.ReadUnaligned<int>(ref _arena[offset + Unsafe.SizeOf<TValue>()]);
        return new ReadOnlySpan<byte>(_arena, offset + s_header, length);
    }

    /// <summary>The value of entry <paramref name="index"/> (0-based, in first-seen order).</summary>
    public ref TValue ValueAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        return ref Unsafe.As<byte, TValue>(ref _arena[_records[index]]);
    }

    /// <summary>Removes every key, keeping the memory.</summary>
    public void Clear()
    {
        if (_count == 0)
        {
            return;
        }

        Array.Clear(_buckets);
        _count = 0;
        _arenaUsed = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref TValue Add(ReadOnlySpan<byte> key, uint hash, int slot)
    {
        if ((_count + 1) * 2 > _buckets.Length)
        {
            Resize(_buckets.Length * 2);
            slot = FindEmpty(_buckets, _mask, hash);
        }

        if (_count == _records.Length)
        {
            Array.Resize(ref _records, _records.Length * 2);
        }

        int size = (s_header + key.Length + 7) & ~7;
        if (_arena.Length - _arenaUsed < size)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + size));
        }

        int offset = _arenaUsed;
        _arenaUsed += size;
        ref byte record = ref _arena[offset];
        Unsafe.As<byte, TValue>(ref record) = default;
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref record, Unsafe.SizeOf<TValue>()), key.Length);
        key.CopyTo(_arena.AsSpan(offset + s_header));
        _records[_count++] = offset;
        _buckets[slot] = new Bucket { Hash = hash, RecordPlusOne = offset + 1 };
        return ref Unsafe.As<byte, TValue>(ref record);
    }

    private void Resize(int size)
    {
        var buckets = new Bucket[size];
        int mask = size - 1;
        foreach (Bucket bucket in _buckets)
        {
            if (bucket.RecordPlusOne != 0)
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
        while (buckets[slot].RecordPlusOne != 0)
        {
            slot = (slot + 1) & mask;
        }

        return slot;
    }

    private struct Bucket
    {
        public uint Hash;
        public int RecordPlusOne;
    }
}
