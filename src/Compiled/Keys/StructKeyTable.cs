using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Compiled.Checkpoints;

namespace Compiled.Keys;

/// <summary>
/// An open-addressing hash table from keys that compare by value (numbers, enums, user structs, strings, and
/// <see cref="Utf8Text"/>) to values, for keyed stages whose key is not a byte span. Each slot holds the key and its
/// value, and a byte a slot in a separate,
/// compact array says whether the slot is taken and holds 7 bits of the key's hash, so looking up a known key reads
/// one tag byte (from an array far smaller than the slots', which stays in cache) and one slot. Entries are kept in
/// the order their keys were first seen, and that is the order of <see cref="KeyAt"/> / <see cref="ValueAt"/>.
/// <see cref="Clear"/> keeps the memory.
/// </summary>
/// <remarks>
/// <para>
/// Struct keys are compared and hashed through <see cref="EqualityComparer{T}.Default"/>, which the JIT turns into
/// direct calls for enums and for structs that implement <see cref="IEquatable{T}"/>: nothing is boxed as long
/// as such a struct also overrides <c>GetHashCode</c> (tuples, record structs and the primitive types do). A
/// struct that inherits <see cref="ValueType.GetHashCode"/> is boxed on every lookup: override it (the
/// generator warns, CMP0025). A string key is compared ordinally and hashed by <see cref="KeyHash"/>, a
/// <see cref="Utf8Text"/> key by its bytes, both through direct calls (<see cref="KeyEquality{TKey}"/>). The table
/// keeps the string it was given (one reference per key, no copy), and a copy of a <see cref="Utf8Text"/> made when
/// the key is added, since the text's buffer is reused after its record.
/// </para>
/// <para>
/// A probe compares the tag byte, then on a match the key, and walks on linearly; the table keeps its load under one
/// half. A third array lists the slot of each entry in first-seen order, for <see cref="KeyAt"/>,
/// <see cref="ValueAt"/>, <see cref="Reorder"/>, a resize and <see cref="Clear"/>; the lookup never reads it. A resize
/// hashes each key again (a struct's hash is a few instructions, a short string's a few more) and moves its slot into a table twice the size.
/// Clearing zeroes the tags, and the slots only when the key or the value holds references (to let them go).
/// </para>
/// <para>
/// Memory follows recent use, not the high-water mark, as in <see cref="ByteKeyTable{TValue}"/>.
/// <see cref="Clear"/> zeroes only the tags (and slots) the batch's keys took (the entry list names them) when
/// they are fewer than one in 64 slots (one in 8 when the slots hold references), and whole arrays otherwise. When
/// 8 batches in a row (empty ones included) have used less than an eighth of the table (keys against the half of the
/// slots the load allows), it shrinks: the slots to four times the most
/// keys of those 8 batches (rounded up to a power of two) and the entries to twice those keys, never below
/// what the constructor's capacity gave. A batch as large as the largest of the 8 then fills the table to
/// between a quarter and a half, so a batch pattern that repeats within 8 batches settles and allocates
/// nothing. <see cref="GetValueRefOrAddDefault"/> does nothing of this: the bookkeeping is all in
/// <see cref="Clear"/>.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key: a struct with value equality, a string, or a <see cref="Utf8Text"/>.</typeparam>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public sealed partial class StructKeyTable<TKey, TValue> : ICheckpointTable, IWindowTable
{
    /// <inheritdoc />
    void ICheckpointTable.WriteCheckpoint(ref CheckpointWriter.Section section, ref int[]? scratch)
    {
        ThrowIfKeysWait();
        KeyedSections.Write<StructKeys<TKey, TValue>, TKey, TValue, PlainEntries<TValue>>(StructKeys<TKey, TValue>.Over(this), ref section, ref scratch);
    }

    /// <inheritdoc />
    void ICheckpointTable.ReadCheckpoint(ref CheckpointReader.Section section)
    {
        if (Count != 0)
        {
            throw new InvalidOperationException($"A checkpoint is read only into an empty table; this one holds {Count} keys.");
        }

        KeyedSections.ReadInto<StructKeys<TKey, TValue>, TKey, TValue, PlainEntries<TValue>>(ref section, StructKeys<TKey, TValue>.Over(this));
    }

    private const int MinimumSlots = 16;

    // Clear zeroes tag by tag (and slot by slot, when they hold references) when fewer than one slot in this many is
    // taken, and whole arrays otherwise. Zeroing one key's tag is a write to a place the entry list names, likely a
    // cache miss in a large table, so it costs as much as zeroing tens of tag bytes in sequence, and a whole slot's
    // worth of bytes when the slots must be zeroed too: by key wins below about one in 64 tags, one in 8 slots.
    private const int SparseClearRatio = 64;
    private const int SparseClearRatioWithReferences = 8;

    // A tag byte: 0 is an empty slot; a taken one has the high bit set and 7 bits of the key's hash below it.
    private const byte Taken = 0x80;

    // The table shrinks after this many batches in a row that used less than 1/SmallUseRatio of it.
    private const int ShrinkAfterBatches = 8;
    private const int SmallUseRatio = 8;

    private readonly int _initialSlots;
    private readonly int _initialEntries;
    private byte[] _tags;
    private Slot[] _slots;
    private int[] _slotOfEntry;
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
        int slots = (int)Math.Max(MinimumSlots, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity) * 2));
        _tags = new byte[slots];
        _slots = new Slot[slots];
        _mask = slots - 1;
        _slotOfEntry = new int[Math.Max(8, capacity)];
        _initialSlots = slots;
        _initialEntries = _slotOfEntry.Length;
    }

    /// <summary>The number of keys in the table.</summary>
    public int Count => _count;

    /// <inheritdoc />
    void IWindowTable.EnsureCapacity(int keys)
    {
        if (_count != 0)
        {
            throw new InvalidOperationException($"Room is made ahead only in an empty table; this one holds {_count} keys. Clear it first.");
        }

        int slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(keys, 1, 1 << 29) * 2);
        if (slots > _slots.Length)
        {
            Resize(slots);
        }

        if (keys > _slotOfEntry.Length)
        {
            _slotOfEntry = new int[keys];
        }
    }

    /// <summary>
    /// Puts the entries in a new order: entry <c>order[k]</c> becomes entry k (<paramref name="order"/> is a permutation
    /// of 0 to <see cref="Count"/> − 1). No key is hashed again and no slot moves: only the entry list is rewritten.
    /// For a restore that reads entries in another order than the table had them.
    /// </summary>
    internal void Reorder(ReadOnlySpan<int> order)
    {
        var slotOfEntry = new int[_slotOfEntry.Length];
        for (int k = 0; k < _count; k++)
        {
            slotOfEntry[k] = _slotOfEntry[order[k]];
        }

        _slotOfEntry = slotOfEntry;
    }

    /// <summary>The lengths of the slot array and the entry list: the memory the table holds (and a tag byte a slot).</summary>
    internal (int Buckets, int Entries) Lengths => (_slots.Length, _slotOfEntry.Length);

    /// <summary>How many slots <see cref="Clear"/> has zeroed since the table was made: what clearing has cost.</summary>
    internal long BucketsCleared { get; private set; }

    /// <summary>
    /// Returns a reference to the value of <paramref name="key"/>, adding the key with a default value if it
    /// is new (<paramref name="exists"/> is then <see langword="false"/>). Valid until the next addition.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetValueRefOrAddDefault(TKey key, out bool exists) =>
        ref Probe(key, Spread(KeyEquality<TKey>.HashOf(key)), out exists);

    // The probe for a key whose spread hash is worked out: its entry, or a new one in the empty slot the probe ends on.
    // Also the probe of a key that waited (TakeOldest), whose hash was worked out when it was deferred.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref TValue Probe(TKey key, uint hash, out bool exists)
    {
        byte tag = TagOf(hash);
        int mask = _mask;
        int index = (int)hash & mask;

        // Both arrays' lengths are always mask + 1, so `index & mask` stays inside them.
        ref byte tags = ref MemoryMarshal.GetArrayDataReference(_tags);
        ref Slot slots = ref MemoryMarshal.GetArrayDataReference(_slots);
        while (true)
        {
            byte taken = Unsafe.Add(ref tags, index);
            if (taken == tag)
            {
                ref Slot slot = ref Unsafe.Add(ref slots, index);
                if (KeyEquality<TKey>.Equal(slot.Key, key))
                {
                    exists = true;
                    return ref slot.Value;
                }
            }
            else if (taken == 0)
            {
                exists = false;
                return ref Add(key, hash, index);
            }

            index = (index + 1) & mask;
        }
    }

    /// <summary>Returns a reference to the value of <paramref name="key"/>, or a null reference if the key is absent (test with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetValueRefOrNullRef(TKey key)
    {
        uint hash = Spread(KeyEquality<TKey>.HashOf(key));
        byte tag = TagOf(hash);
        int mask = _mask;
        int index = (int)hash & mask;
        ref byte tags = ref MemoryMarshal.GetArrayDataReference(_tags);
        ref Slot slots = ref MemoryMarshal.GetArrayDataReference(_slots);
        while (true)
        {
            byte taken = Unsafe.Add(ref tags, index);
            if (taken == tag)
            {
                ref Slot slot = ref Unsafe.Add(ref slots, index);
                if (KeyEquality<TKey>.Equal(slot.Key, key))
                {
                    return ref slot.Value;
                }
            }
            else if (taken == 0)
            {
                return ref Unsafe.NullRef<TValue>();
            }

            index = (index + 1) & mask;
        }
    }

    /// <summary>The key of entry <paramref name="index"/> (0-based, in first-seen order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TKey KeyAt(int index)
    {
        if ((uint)index >= (uint)_count || _ring.Count != 0)
        {
            ThrowIndex(index);
        }

        return _slots[_slotOfEntry[index]].Key;
    }

    /// <summary>The value of entry <paramref name="index"/> (0-based, in first-seen order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue ValueAt(int index)
    {
        if ((uint)index >= (uint)_count || _ring.Count != 0)
        {
            ThrowIndex(index);
        }

        return ref _slots[_slotOfEntry[index]].Value;
    }

    /// <summary>
    /// Removes every key, ending a batch: the memory is kept for the next batch, unless the last batches
    /// have used only a small part of it (see the remarks).
    /// </summary>
    public void Clear()
    {
        ThrowIfKeysWait();
        int count = _count;
        if (count != 0)
        {
            bool references = RuntimeHelpers.IsReferenceOrContainsReferences<TKey>() || RuntimeHelpers.IsReferenceOrContainsReferences<TValue>();
            if (count < _slots.Length / (references ? SparseClearRatioWithReferences : SparseClearRatio))
            {
                byte[] tags = _tags;
                Slot[] slots = _slots;
                foreach (int slot in _slotOfEntry.AsSpan(0, count))
                {
                    tags[slot] = 0;
                    if (references)
                    {
                        slots[slot] = default;
                    }
                }

                BucketsCleared += count;
            }
            else
            {
                Array.Clear(_tags);
                if (references)
                {
                    Array.Clear(_slots);
                }

                BucketsCleared += _slots.Length;
            }

            _count = 0;
        }

        ShrinkAfterSmallBatches(count);
    }

    // Counts the batch that just ended toward a shrink if it used a small part of a table larger than it
    // started, and shrinks it after a run of such batches. Called with the table already empty.
    private void ShrinkAfterSmallBatches(int keys)
    {
        if (_slots.Length <= _initialSlots || (long)keys * 2 * SmallUseRatio >= _slots.Length)
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

        int slots = (int)Math.Max(_initialSlots, BitOperations.RoundUpToPowerOf2((uint)_smallBatchesMostKeys * 4));
        _tags = new byte[slots];
        _slots = new Slot[slots];
        _mask = slots - 1;
        int entries = Math.Max(_initialEntries, _smallBatchesMostKeys * 2);
        if (entries < _slotOfEntry.Length)
        {
            _slotOfEntry = new int[entries];
        }

        _smallBatches = 0;
        _smallBatchesMostKeys = 0;
    }

    // A multiply-shift mix: a struct's GetHashCode is often the value itself, which would fill runs of slots. The slot
    // is picked by the low bits of the result.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Spread(int hashCode) => (uint)(((ulong)(uint)hashCode * 0x9E3779B97F4A7C15UL) >> 32);

    // The top 7 bits of the spread hash, which pick no slot below 2^25 slots, with the taken bit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte TagOf(uint hash) => (byte)(Taken | (hash >> 25));

    // A new key: take the empty slot the probe ended on (or, after growing, the one the probe would end on now),
    // and append it to the entry list.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref TValue Add(TKey key, uint hash, int empty)
    {
        if ((_count + 1) * 2 > _slots.Length)
        {
            Resize(_slots.Length * 2);
            empty = FindEmpty(_tags, _mask, hash);
        }

        if (_count == _slotOfEntry.Length)
        {
            Array.Resize(ref _slotOfEntry, _slotOfEntry.Length * 2);
        }

        _tags[empty] = TagOf(hash);
        ref Slot slot = ref _slots[empty];
        slot.Key = KeyEquality<TKey>.Own(key);
        slot.Value = default!;
        _slotOfEntry[_count++] = empty;
        return ref slot.Value;
    }

    // Moves every slot into new arrays of `size` slots, entry by entry, hashing each key again.
    private void Resize(int size)
    {
        var tags = new byte[size];
        var slots = new Slot[size];
        int mask = size - 1;
        Slot[] old = _slots;
        Span<int> slotOfEntry = _slotOfEntry.AsSpan(0, _count);
        for (int entry = 0; entry < slotOfEntry.Length; entry++)
        {
            ref Slot moving = ref old[slotOfEntry[entry]];
            uint hash = Spread(KeyEquality<TKey>.HashOf(moving.Key));
            int slot = FindEmpty(tags, mask, hash);
            tags[slot] = TagOf(hash);
            slots[slot] = moving;
            slotOfEntry[entry] = slot;
        }

        _tags = tags;
        _slots = slots;
        _mask = mask;
    }

    private static int FindEmpty(byte[] tags, int mask, uint hash)
    {
        int slot = (int)hash & mask;
        while (tags[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        return slot;
    }

    private void ThrowIndex(int index)
    {
        ThrowIfKeysWait();
        throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");
    }

    private struct Slot
    {
        public TKey Key;
        public TValue Value;
    }
}
