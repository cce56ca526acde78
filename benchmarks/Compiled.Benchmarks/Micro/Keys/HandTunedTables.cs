using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Benchmarks.Micro.Keys;

/// <summary>
/// The table a performance engineer would write for a word count alone, using nothing of the runtime: open
/// addressing at a load under one half, linear probing, a key of up to 16 bytes in the slot as two words, the hash
/// and length in the slot, counts in the slot, longer keys in an arena. It keeps no insertion order (a word count
/// can emit in slot order) and knows its value is a count. The yardstick for <see cref="Compiled.Keys.ByteKeyTable{TValue}"/>.
/// </summary>
public sealed class HandTunedWordTable
{
    private const ulong K0 = 0x9E3779B97F4A7C15UL;
    private const ulong K1 = 0xC2B2AE3D27D4EB4FUL;

    private PlacedSlots<Slot> _slots = new(1024);
    private byte[] _arena = new byte[4096];
    private int _arenaUsed;
    private int _count;

    /// <summary>The number of distinct words counted.</summary>
    public int Count => _count;

    /// <summary>Adds one to the count of <paramref name="word"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment(ReadOnlySpan<byte> word)
    {
        if (word.Length > 16)
        {
            IncrementLong(word);
            return;
        }

        ulong tag = ShortTag(word, out ulong w0, out ulong w1);
        PlacedSlots<Slot> slots = _slots;
        int mask = slots.Length - 1;
        int index = (int)(tag >> 32) & mask;
        ref Slot first = ref slots.First;
        while (true)
        {
            ref Slot slot = ref Unsafe.Add(ref first, index);
            if (slot.Tag == tag && slot.W0 == w0 && slot.W1 == w1)
            {
                slot.Count++;
                return;
            }

            if (slot.Tag == 0)
            {
                slot.Tag = tag;
                slot.W0 = w0;
                slot.W1 = w1;
                slot.Count = 1;
                if (++_count * 2 > slots.Length)
                {
                    Grow();
                }

                return;
            }

            index = (index + 1) & mask;
        }
    }

    /// <summary>The count of <paramref name="word"/>, 0 if it was never counted (to check the benchmark's tables agree).</summary>
    public long CountOf(ReadOnlySpan<byte> word)
    {
        ulong w0 = 0;
        ulong w1 = 0;
        ulong tag = word.Length > 16 ? LongTag(word) : ShortTag(word, out w0, out w1);
        int mask = _slots.Length - 1;
        for (int index = (int)(tag >> 32) & mask; _slots[index].Tag != 0; index = (index + 1) & mask)
        {
            ref Slot slot = ref _slots[index];
            if (slot.Tag == tag && (word.Length > 16 ? _arena.AsSpan((int)slot.W0, word.Length).SequenceEqual(word) : slot.W0 == w0 && slot.W1 == w1))
            {
                return slot.Count;
            }
        }

        return 0;
    }

    /// <summary>Forgets every word, keeping the memory.</summary>
    public void Clear()
    {
        _slots.Clear();
        _count = 0;
        _arenaUsed = 0;
    }

    // A key of up to 16 bytes as two words, and its hash and length. Overlapping reads: with the length in the tag,
    // they tell every key apart.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ShortTag(ReadOnlySpan<byte> word, out ulong w0, out ulong w1)
    {
        int length = word.Length;
        ref byte start = ref MemoryMarshal.GetReference(word);
        if (length >= 8)
        {
            w0 = Unsafe.ReadUnaligned<ulong>(ref start);
            w1 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, length - 8));
        }
        else if (length >= 4)
        {
            w0 = Unsafe.ReadUnaligned<uint>(ref start) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, length - 4)) << 32);
            w1 = 0;
        }
        else
        {
            w0 = length == 0 ? 0 : start | ((ulong)Unsafe.Add(ref start, length >> 1) << 8) | ((ulong)Unsafe.Add(ref start, length - 1) << 16);
            w1 = 0;
        }

        ulong hash = ((w0 * K0) ^ (w1 * K1) ^ (uint)length) * K0;
        hash ^= hash >> 32;
        return (hash << 32) | ((uint)length + 1);
    }

    private static ulong LongTag(ReadOnlySpan<byte> word)
    {
        ulong hash = (ulong)word.Length * K1;
        ref byte start = ref MemoryMarshal.GetReference(word);
        for (int at = 0; at + 8 <= word.Length; at += 8)
        {
            hash = (hash ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, at))) * K0;
            hash ^= hash >> 29;
        }

        hash = (hash ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, word.Length - 8))) * K1;
        hash ^= hash >> 32;
        return (hash << 32) | ((uint)word.Length + 1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void IncrementLong(ReadOnlySpan<byte> word)
    {
        ulong tag = LongTag(word);
        PlacedSlots<Slot> slots = _slots;
        int mask = slots.Length - 1;
        int index = (int)(tag >> 32) & mask;
        while (true)
        {
            ref Slot slot = ref slots[index];
            if (slot.Tag == tag && _arena.AsSpan((int)slot.W0, word.Length).SequenceEqual(word))
            {
                slot.Count++;
                return;
            }

            if (slot.Tag == 0)
            {
                if (_arena.Length - _arenaUsed < word.Length)
                {
                    Array.Resize(ref _arena, _arena.Length * 2);
                }

                word.CopyTo(_arena.AsSpan(_arenaUsed));
                slot.Tag = tag;
                slot.W0 = (ulong)_arenaUsed;
                slot.W1 = 0;
                slot.Count = 1;
                _arenaUsed += word.Length;
                if (++_count * 2 > slots.Length)
                {
                    Grow();
                }

                return;
            }

            index = (index + 1) & mask;
        }
    }

    private void Grow()
    {
        PlacedSlots<Slot> old = _slots;
        var slots = new PlacedSlots<Slot>(old.Length * 2);
        int mask = slots.Length - 1;
        foreach (ref Slot slot in old.AsSpan())
        {
            if (slot.Tag != 0)
            {
                int index = (int)(uint)(slot.Tag >> 32) & mask;
                while (slots[index].Tag != 0)
                {
                    index = (index + 1) & mask;
                }

                slots[index] = slot;
            }
        }

        _slots = slots;
    }

    private struct Slot
    {
        public ulong Tag;   // hash << 32 | length + 1; 0 is empty
        public ulong W0;    // or, for a key longer than 16 bytes, its offset in the arena
        public ulong W1;
        public long Count;
    }
}

/// <summary>
/// The hand-written count per 64-bit key: open addressing at a load under one half, linear probing, key and count
/// in the slot, a multiply-shift hash, 0 reserved as the empty key (the count of key 0 kept aside). The yardstick
/// for <see cref="Compiled.Keys.StructKeyTable{TKey, TValue}"/>.
/// </summary>
public sealed class HandTunedLongTable
{
    private PlacedSlots<Slot> _slots = new(1024);
    private int _shift = 64 - 10;
    private int _count;
    private long _zeroCount;

    /// <summary>The number of distinct keys counted.</summary>
    public int Count => _count + (_zeroCount > 0 ? 1 : 0);

    /// <summary>Adds one to the count of <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment(long key)
    {
        if (key == 0)
        {
            _zeroCount++;
            return;
        }

        PlacedSlots<Slot> slots = _slots;
        int mask = slots.Length - 1;
        int index = (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> _shift);
        ref Slot first = ref slots.First;
        while (true)
        {
            ref Slot slot = ref Unsafe.Add(ref first, index);
            if (slot.Key == key)
            {
                slot.Count++;
                return;
            }

            if (slot.Key == 0)
            {
                slot.Key = key;
                slot.Count = 1;
                if (++_count * 2 > slots.Length)
                {
                    Grow();
                }

                return;
            }

            index = (index + 1) & mask;
        }
    }

    /// <summary>The count of <paramref name="key"/> (to check the benchmark's tables agree).</summary>
    public long CountOf(long key)
    {
        if (key == 0)
        {
            return _zeroCount;
        }

        foreach (Slot slot in _slots.AsSpan())
        {
            if (slot.Key == key)
            {
                return slot.Count;
            }
        }

        return 0;
    }

    /// <summary>Forgets every key, keeping the memory.</summary>
    public void Clear()
    {
        _slots.Clear();
        _count = 0;
        _zeroCount = 0;
    }

    private void Grow()
    {
        PlacedSlots<Slot> old = _slots;
        var slots = new PlacedSlots<Slot>(old.Length * 2);
        int shift = 64 - BitOperations.Log2((uint)slots.Length);
        int mask = slots.Length - 1;
        foreach (Slot slot in old.AsSpan())
        {
            if (slot.Key != 0)
            {
                int index = (int)(((ulong)slot.Key * 0x9E3779B97F4A7C15UL) >> shift);
                while (slots[index].Key != 0)
                {
                    index = (index + 1) & mask;
                }

                slots[index] = slot;
            }
        }

        _slots = slots;
        _shift = shift;
    }

    private struct Slot
    {
        public long Key;
        public long Count;
    }
}

/// <summary>
/// Slots on the pinned object heap whose first starts on a multiple of the slot's size (one slot more, the first
/// <c>offset</c> bytes in), so that no slot straddles two cache lines: an array's data starts on any multiple of 8 bytes,
/// which would split every other 32-byte slot over two lines. A performance engineer tuning a table places it so, as
/// the runtime's large tables are; its speed then no longer depends on where the array happens to lie.
/// </summary>
internal sealed class PlacedSlots<T>
    where T : unmanaged
{
    private readonly T[] _array;
    private readonly int _offset;

    public PlacedSlots(int length)
    {
        int size = Unsafe.SizeOf<T>();
        _array = GC.AllocateArray<T>(length + 1, pinned: true);
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(_array, 0);
        _offset = (int)((size - (address % size)) % size);
        Length = length;
    }

    public int Length { get; }

    public ref T First => ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetArrayDataReference(_array)), (nint)_offset));

    public ref T this[int index] => ref Unsafe.Add(ref First, index);

    public Span<T> AsSpan() => MemoryMarshal.CreateSpan(ref First, Length);

    public void Clear() => AsSpan().Clear();
}
