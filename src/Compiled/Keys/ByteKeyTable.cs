using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Compiled.Checkpoints;

namespace Compiled.Keys;

/// <summary>
/// An open-addressing hash table from byte-span keys to values, for the keyed stages of the fused loop.
/// A key of up to 16 bytes is kept in its slot, beside its hash and its value, so looking up a known key reads
/// one slot (one cache line) and compares two words; a longer key's bytes are copied once into an arena, the first
/// time the key is seen. A lookup of a known key allocates nothing. Entries are kept in the order their keys were
/// first seen, and that is the order of <see cref="KeyAt"/> / <see cref="ValueAt"/> from 0 to <see cref="Count"/> - 1.
/// </summary>
/// <remarks>
/// <para>
/// Each slot holds the key's 32-bit hash and length in one word (zero for an empty slot), the key itself as two
/// words (<see cref="KeyHash.LoadShort"/>: the bytes, zero past the end) or, for a longer key, its place in the
/// arena, and the value. A probe starts at the slot the top bits of the hash pick, compares the hash-and-length word
/// and the two key words, and walks on linearly;
/// the table keeps its load under one half. A second array lists the slot of each entry in first-seen order: it is
/// what <see cref="KeyAt"/>, <see cref="ValueAt"/>, <see cref="Reorder"/>, a resize and <see cref="Clear"/> walk, and
/// the lookup never reads it. A resize moves every slot to its place in a table twice the size, from the hash kept
/// in the slot, without hashing a key again. <see cref="Clear"/> ends a batch and keeps every array for the next
/// one, so a steady stream of batches allocates nothing.
/// </para>
/// <para>
/// Memory follows recent use, not the high-water mark. <see cref="Clear"/> zeroes only the slots the batch's keys
/// took (the entry list names them) when they are fewer than one in 8 slots, and the whole array otherwise, so a
/// small batch costs its own size even after a large one. And when 8 batches in a row (empty ones included) have
/// used less than an eighth of the table, counting keys against the half of the slots the load allows, or long
/// keys' bytes against the arena, the table shrinks: the slots to four times the most keys of those 8 batches
/// (rounded up to a power of two), the entry list to twice those keys, and the arena to twice the most long-key
/// bytes, never any of them below what the constructor's capacity gave. A batch as large as the largest of the 8
/// then fills the table to between a quarter and a half, so it neither grows it nor counts toward the next shrink:
/// a batch pattern that repeats within 8 batches settles and allocates nothing; a spike costs the growing it needs,
/// and one reallocation of each array, 8 batches later, to shrink back. <see cref="GetValueRefOrAddDefault"/> does
/// nothing of this: the bookkeeping is all in <see cref="Clear"/>.
/// </para>
/// </remarks>
/// <typeparam name="TValue">The value kept per key.</typeparam>
public sealed partial class ByteKeyTable<TValue> : ICheckpointTable, IWindowTable
{
    /// <inheritdoc />
    void ICheckpointTable.WriteCheckpoint(ref CheckpointWriter.Section section, ref int[]? scratch)
    {
        ThrowIfKeysWait();
        KeyedSections.Write<ByteKeys<TValue>, ReadOnlySpan<byte>, TValue, PlainEntries<TValue>>(ByteKeys<TValue>.Over(this), ref section, ref scratch);
    }

    /// <inheritdoc />
    void ICheckpointTable.ReadCheckpoint(ref CheckpointReader.Section section)
    {
        if (Count != 0)
        {
            throw new InvalidOperationException($"A checkpoint is read only into an empty table; this one holds {Count} keys.");
        }

        KeyedSections.ReadInto<ByteKeys<TValue>, ReadOnlySpan<byte>, TValue, PlainEntries<TValue>>(ref section, ByteKeys<TValue>.Over(this));
    }

    private const int MinimumSlots = 16;

    // Slots are placed not to straddle cache lines in a table of at least this many bytes of slots (2,048 slots of 32
    // bytes), where a probe is likely to miss the cache.
    private const int AlignedSlotsBytes = 64 * 1024;
    private const int CacheLineBytes = 64;
    private const int MinimumArena = 64;

    // Clear zeroes slot by slot when fewer than one slot in this many is taken. Zeroing the whole array writes every
    // slot in sequence; zeroing a key's slot alone is one write to a place the entry list names, likely a cache miss
    // in a large table, so it costs several times a slot of the sequential clear: by slot wins below about one in 4.
    private const int SparseClearRatio = 8;

    // The table shrinks after this many batches in a row that used less than 1/SmallUseRatio of it.
    private const int ShrinkAfterBatches = 8;
    private const int SmallUseRatio = 8;

    private readonly int _initialSlots;
    private readonly int _initialEntries;
    private readonly int _initialArena;

    // The hash's seeds, the process's (KeyHash.Seeds), kept here: read once a key, and precompiled code reads a static
    // field through a call.
    private readonly ulong _seedLow;
    private readonly ulong _seedHigh;
    private readonly ulong _seedLong;
    private Slot[] _slots;
    private int _slotOffset;   // bytes from the array's data to slot 0: a large table's slots start on a multiple of their size
    private int[] _slotOfEntry;
    private byte[] _arena;
    private int _count;
    private int _arenaUsed;
    private int _mask;
    private int _shift;   // 64 less log2 of the slots: a slot is picked by the top bits of the key's hash (meta >> _shift)

    // The run of batches that used little of the table, and the most keys and long-key bytes one of them used.
    private int _smallBatches;
    private int _smallBatchesMostKeys;
    private int _smallBatchesMostBytes;

    /// <summary>
    /// Creates a small table (room for 16 keys) that grows as keys come: windows keep one table per batch of their
    /// length, so an hour of one-second batches must not start with an hour of large tables.
    /// </summary>
    public ByteKeyTable()
        : this(16)
    {
    }

    /// <summary>Creates a table with room for <paramref name="capacity"/> keys before it first grows.</summary>
    public ByteKeyTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        (_seedLow, _seedHigh, _seedLong) = KeyHash.Seeds;
        int slots = (int)Math.Max(MinimumSlots, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity) * 2));
        _slots = NewSlots(slots, out _slotOffset);
        _mask = slots - 1;
        _shift = ShiftFor(slots);
        _slotOfEntry = new int[Math.Max(8, capacity)];
        _arena = new byte[MinimumArena];
        _initialSlots = slots;
        _initialEntries = _slotOfEntry.Length;
        _initialArena = _arena.Length;
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
        if (slots > SlotCount)
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

    /// <summary>The lengths of the slot array, the entry list and the long-key arena: the memory the table holds.</summary>
    internal (int Buckets, int Entries, int Arena) Lengths => (SlotCount, _slotOfEntry.Length, _arena.Length);

    /// <summary>Whether slot 0, and so every slot, starts on a multiple of the slot's size (for a test of a large table's slots).</summary>
    internal bool SlotsStartOnAMultipleOfTheirSize =>
        (Marshal.UnsafeAddrOfPinnedArrayElement(_slots, 0) + _slotOffset) % Unsafe.SizeOf<Slot>() == 0;

    /// <summary>How many slots <see cref="Clear"/> has zeroed since the table was made: what clearing has cost.</summary>
    internal long BucketsCleared { get; private set; }

    /// <summary>
    /// Returns a reference to the value of <paramref name="key"/>, adding the key with a default value if it
    /// is new (<paramref name="exists"/> is then <see langword="false"/>). The reference is valid until the
    /// next call that adds a key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetValueRefOrAddDefault(ReadOnlySpan<byte> key, out bool exists)
    {
        ulong meta = Words(key, out ulong low, out ulong high);
        return ref Probe(meta, low, high, key, out exists);
    }

    // The probe for a key whose hash-and-length word and (short key) two words are worked out: its entry, or a new one
    // in the empty slot the probe ends on. `key` is read only for a long key (compared with the arena, then copied in).
    // Also the probe of a key that waited (TakeOldest), whose words were worked out when it was deferred.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref TValue Probe(ulong meta, ulong low, ulong high, ReadOnlySpan<byte> key, out bool exists)
    {
        bool isShort = (int)(uint)meta - 1 <= KeyHash.ShortKeyBytes;
        int mask = _mask;
        int index = (int)(meta >> _shift);

        // The slot array's length is always mask + 1 = 2^(64 - shift), so the first index and `index & mask` stay inside it.
        ref Slot slots = ref FirstSlot();
        while (true)
        {
            ref Slot slot = ref Unsafe.Add(ref slots, index);
            ulong taken = slot.Meta;
            if (taken == meta)
            {
                if (isShort
                    ? ((slot.Key.Low ^ low) | (slot.Key.High ^ high)) == 0
                    : LongKeyEquals(slot.Key.Low, key))
                {
                    exists = true;
                    return ref slot.Value;
                }
            }
            else if (taken == 0)
            {
                exists = false;
                return ref isShort ? ref Place(meta, low, high, index) : ref AddLong(meta, key, index);
            }

            index = (index + 1) & mask;
        }
    }

    /// <summary>Returns a reference to the value of <paramref name="key"/>, or a null reference if the key is absent (test with <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue GetValueRefOrNullRef(ReadOnlySpan<byte> key)
    {
        int length = key.Length;
        ulong meta = Words(key, out ulong low, out ulong high);
        int mask = _mask;
        int index = (int)(meta >> _shift);
        ref Slot slots = ref FirstSlot();
        while (true)
        {
            ref Slot slot = ref Unsafe.Add(ref slots, index);
            ulong taken = slot.Meta;
            if (taken == meta)
            {
                if (length <= KeyHash.ShortKeyBytes
                    ? ((slot.Key.Low ^ low) | (slot.Key.High ^ high)) == 0
                    : LongKeyEquals(slot.Key.Low, key))
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
    public ReadOnlySpan<byte> KeyAt(int index)
    {
        if ((uint)index >= (uint)_count || _ring.Count != 0)
        {
            ThrowIndex(index);
        }

        ref Slot slot = ref SlotAt(_slotOfEntry[index]);
        int length = (int)(uint)slot.Meta - 1;
        return length <= KeyHash.ShortKeyBytes
            ? MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<KeyWords, byte>(ref slot.Key), length)
            : new ReadOnlySpan<byte>(_arena, (int)slot.Key.Low, length);
    }

    /// <summary>The value of entry <paramref name="index"/> (0-based, in first-seen order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue ValueAt(int index)
    {
        if ((uint)index >= (uint)_count || _ring.Count != 0)
        {
            ThrowIndex(index);
        }

        return ref SlotAt(_slotOfEntry[index]).Value;
    }

    /// <summary>
    /// Removes every key, ending a batch: the memory is kept for the next batch, unless the last batches
    /// have used only a small part of it (see the remarks).
    /// </summary>
    public void Clear()
    {
        ThrowIfKeysWait();
        int count = _count;
        int arenaUsed = _arenaUsed;
        if (count != 0)
        {
            if (count < SlotCount / SparseClearRatio)
            {
                foreach (int slot in _slotOfEntry.AsSpan(0, count))
                {
                    SlotAt(slot) = default;
                }

                BucketsCleared += count;
            }
            else
            {
                Array.Clear(_slots);
                BucketsCleared += SlotCount;
            }

            _count = 0;
            _arenaUsed = 0;
        }

        ShrinkAfterSmallBatches(count, arenaUsed);
    }

    // A key's hash-and-length word (the hash in the upper half, the length + 1 in the lower), and for a key of up to
    // 16 bytes its two words (zero for a longer key, whose bytes the probe compares in the arena).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Words(ReadOnlySpan<byte> key, out ulong low, out ulong high)
    {
        int length = key.Length;
        uint hash;
        if (length <= KeyHash.ShortKeyBytes)
        {
            KeyHash.LoadShort(key, out low, out high);
            hash = KeyHash.OfWords(low, high, length, _seedLow, _seedHigh);
        }
        else
        {
            low = 0;
            high = 0;
            hash = KeyHash.OfLong(key, _seedLong);
        }

        return ((ulong)hash << 32) | ((uint)length + 1);
    }

    // A key longer than 16 bytes against the arena's copy: out of line, as the long keys' path is (a short key, the common
    // one, is compared in its slot).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool LongKeyEquals(ulong offset, ReadOnlySpan<byte> key) =>
        _arena.AsSpan((int)offset, key.Length).SequenceEqual(key);

    // A new long key: its bytes appended to the arena, whose offset is the slot's low word, then placed (Place).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref TValue AddLong(ulong meta, ReadOnlySpan<byte> key, int empty)
    {
        if (_arena.Length - _arenaUsed < key.Length)
        {
            Array.Resize(ref _arena, (int)Math.Min(Array.MaxLength, Math.Max((long)_arena.Length * 2, (long)_arenaUsed + key.Length)));
        }

        key.CopyTo(_arena.AsSpan(_arenaUsed));
        ulong low = (ulong)_arenaUsed;
        _arenaUsed += key.Length;
        return ref Place(meta, low, 0, empty);
    }

    // Puts a new key's words (for a long key, its place in the arena as the low word) into the empty slot its probe
    // ended on, growing the table first if it would pass the load of one half, and appends the slot to the entry list.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref TValue Place(ulong meta, ulong low, ulong high, int empty)
    {
        if ((_count + 1) * 2 > SlotCount)
        {
            Resize(SlotCount * 2);
            empty = FindEmpty(meta);
        }

        if (_count == _slotOfEntry.Length)
        {
            Array.Resize(ref _slotOfEntry, _slotOfEntry.Length * 2);
        }

        ref Slot slot = ref SlotAt(empty);
        slot.Meta = meta;
        slot.Key.Low = low;
        slot.Key.High = high;
        slot.Value = default!;
        _slotOfEntry[_count++] = empty;
        return ref slot.Value;
    }

    // Moves every slot into a new array of `size` slots, entry by entry, from the hash kept in the slot.
    private void Resize(int size)
    {
        Slot[] old = _slots;
        int oldOffset = _slotOffset;
        _slots = NewSlots(size, out _slotOffset);
        _mask = size - 1;
        _shift = ShiftFor(size);
        Span<int> slotOfEntry = _slotOfEntry.AsSpan(0, _count);
        for (int entry = 0; entry < slotOfEntry.Length; entry++)
        {
            ref Slot moving = ref SlotAt(old, oldOffset, slotOfEntry[entry]);
            int slot = FindEmpty(moving.Meta);
            SlotAt(slot) = moving;
            slotOfEntry[entry] = slot;
        }
    }

    // The shift that leaves log2(slots) top bits of a 64-bit word, the hash being the top half of a slot's meta word.
    private static int ShiftFor(int slots) => 64 - BitOperations.Log2((uint)slots);

    // The first empty slot from where a key of this meta word starts its probe.
    private int FindEmpty(ulong meta)
    {
        int slot = (int)(meta >> _shift);
        while (SlotAt(slot).Meta != 0)
        {
            slot = (slot + 1) & _mask;
        }

        return slot;
    }

    // How many slots the table has (the array may hold one more, to start the slots on a multiple of their size).
    private int SlotCount => _mask + 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Slot FirstSlot() => ref SlotAt(_slots, _slotOffset, 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Slot SlotAt(int index) => ref SlotAt(_slots, _slotOffset, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref Slot SlotAt(Slot[] slots, int offset, int index) =>
        ref Unsafe.Add(ref Unsafe.AddByteOffset(ref MemoryMarshal.GetArrayDataReference(slots), (nint)offset), index);

    // An array for `count` slots. A slot of a size that divides a cache line, in a table of at least AlignedSlotsBytes,
    // is placed to start on a multiple of its size, so that no slot straddles two cache lines: an array's data starts on
    // any multiple of 8 bytes, which would split every other 32-byte slot over two lines and make a probe of it wait
    // for two. Such an array is allocated one slot longer on the pinned object heap, where it never moves, and its
    // slots start `offset` bytes into it. A smaller table, or slots that hold references, use a plain array.
    private static Slot[] NewSlots(int count, out int offset)
    {
        int size = Unsafe.SizeOf<Slot>();
        offset = 0;
        if ((long)count * size < AlignedSlotsBytes || CacheLineBytes % size != 0 || RuntimeHelpers.IsReferenceOrContainsReferences<Slot>())
        {
            return new Slot[count];
        }

        Slot[] slots = GC.AllocateArray<Slot>(count + 1, pinned: true);
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(slots, 0);
        offset = (int)((size - (address % size)) % size);
        return slots;
    }

    // Counts the batch that just ended toward a shrink if it used a small part of a table larger than it
    // started, and shrinks it after a run of such batches. Called with the table already empty.
    private void ShrinkAfterSmallBatches(int keys, int bytes)
    {
        bool small = (SlotCount > _initialSlots && (long)keys * 2 * SmallUseRatio < SlotCount)
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

        int slots = (int)Math.Max(_initialSlots, BitOperations.RoundUpToPowerOf2((uint)_smallBatchesMostKeys * 4));
        if (slots < SlotCount)
        {
            _slots = NewSlots(slots, out _slotOffset);
            _mask = slots - 1;
            _shift = ShiftFor(slots);
        }

        int entries = Math.Max(_initialEntries, _smallBatchesMostKeys * 2);
        if (entries < _slotOfEntry.Length)
        {
            _slotOfEntry = new int[entries];
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

    private void ThrowIndex(int index)
    {
        ThrowIfKeysWait();
        throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");
    }

    // A key of up to 16 bytes as it lies in memory, zero past its end (KeyHash.LoadShort); for a longer key, Low is
    // its offset in the arena. A struct of its own so that the two words stay side by side, whatever layout the
    // runtime picks for a slot whose value holds references: KeyAt hands out a span over them.
    [StructLayout(LayoutKind.Sequential)]
    private struct KeyWords
    {
        public ulong Low;
        public ulong High;
    }

    private struct Slot
    {
        // The key's hash in the upper 32 bits, its length + 1 in the lower: 0 is an empty slot.
        public ulong Meta;
        public KeyWords Key;
        public TValue Value;
    }
}
