using System.Numerics;
using System.Runtime.CompilerServices;

namespace Compiled.Keys;

/// <summary>
/// An open-addressing hash table from struct keys (numbers, enums, user structs) to values, for keyed
/// stages whose key is not a byte span. Entries are kept in the order their keys were first seen, and that
/// is the order of <see cref="KeyAt"/> / <see cref="ValueAt"/>. <see cref="Clear"/> keeps the memory.
/// </summary>
/// <remarks>
/// The key's own <see cref="object.GetHashCode"/> and <see cref="IEquatable{T}.Equals(T)"/> are called through
/// constrained calls, which box nothing as long as the struct overrides <c>GetHashCode</c> (tuples, record
/// structs and the primitive types do). A struct that inherits <see cref="ValueType.GetHashCode"/> is boxed
/// on every lookup: override it.
/// </remarks>
/// <typeparam name="TKey">The key: a struct with value equality.</typeparam>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public sealed class StructKeyTable<TKey, TValue>
    where TKey : struct, IEquatable<TKey>
{
    private const int MinimumBuckets = 16;

    private int[] _buckets;     // entry index + 1; 0 is empty
    private Entry[] _entries;
    private int _count;
    private int _mask;

    /// <summary>Creates a table with room for <paramref name="capacity"/> keys before it first grows.</summary>
    public StructKeyTable(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        int buckets = (int)Math.Max(MinimumBuckets, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity) * 2));
        _buckets = new int[buckets];
        _mask = buckets - 1;
        _entries = new Entry[Math.Max(8, capacity)];
    }

    /// <summary>The number of keys in the table.</summary>
    public int Count => _count;

    /// <summary>
    /// Returns a reference to the value of <paramref name="key"/>, adding the key with a default value if it
    /// is new (<paramref name="exists"/> is then <see langword="false"/>). Valid until the next addition.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetValueRefOrAddDefault(TKey key, out bool exists)
    {
        uint hash = Spread(key.GetHashCode());
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
            if (entry.Hash == hash && entry.Key.Equals(key))
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
        uint hash = Spread(key.GetHashCode());
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
            if (entry.Hash == hash && entry.Key.Equals(key))
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

    /// <summary>Removes every key, keeping the memory for the next batch.</summary>
    public void Clear()
    {
        if (_count == 0)
        {
            return;
        }

        Array.Clear(_buckets);
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TKey>() || RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            Array.Clear(_entries, 0, _count);
        }

        _count = 0;
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
