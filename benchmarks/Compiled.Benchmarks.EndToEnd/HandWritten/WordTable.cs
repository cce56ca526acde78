using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>
/// A word → count table tuned for this one job: open addressing with linear probing at a load factor of at most
/// one half; a word of up to 16 bytes lives in its slot as two masked 64-bit words, compared at once, so finding it
/// costs one memory access; a longer word lives in an arena, found by the hash kept in its slot. The hash is one
/// 64×64→128-bit multiply of the two words (folded), over 8-byte loads.
/// </summary>
/// <remarks>
/// <see cref="Add"/> reads 16 bytes from the start of every word, whatever its length: the caller's buffer must have
/// at least 16 readable bytes past the start of any word it hands over (the reader pads its buffer).
/// </remarks>
internal sealed class WordTable
{
    private const int ShortKeyBytes = 16;
    private const ulong Seed0 = 0xA0761D6478BD642FUL;
    private const ulong Seed1 = 0xE7037ED1A0B428DBUL;

    private Slot[] _slots;
    private int _slotOffset;
    private int _slotCount;
    private int _mask;
    private int _count;
    private byte[] _arena = new byte[1 << 16];
    private int _arenaUsed;

    /// <summary>Creates a table of <paramref name="capacity"/> slots (a power of two), growing as it fills.</summary>
    public WordTable(int capacity = 1 << 16)
    {
        _slots = NewSlots(capacity, out _slotOffset);
        _slotCount = capacity;
        _mask = capacity - 1;
    }

    /// <summary>The number of distinct words counted.</summary>
    public int Count => _count;

    /// <summary>Counts one occurrence of the <paramref name="length"/> bytes at <paramref name="word"/> (1 or more).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ref byte word, int length)
    {
        if (length <= ShortKeyBytes)
        {
            AddShort(ref word, length, 1);
        }
        else
        {
            AddLong(ref word, length, 1);
        }
    }

    /// <summary>Adds every word of <paramref name="other"/> with its count (the merge of tables counted apart).</summary>
    public void AddAll(WordTable other)
    {
        byte[] key = new byte[256];
        for (int i = 0; i < other._slotCount; i++)
        {
            ref Slot slot = ref SlotAt(other._slots, other._slotOffset, i);
            if (slot.Length == 0)
            {
                continue;
            }

            if (key.Length < slot.Length + ShortKeyBytes)
            {
                key = new byte[slot.Length + ShortKeyBytes];
            }

            // The key and zeros past it: a short key's two words are read whole.
            key.AsSpan().Clear();
            other.KeyOf(ref slot).CopyTo(key);
            if (slot.Length <= ShortKeyBytes)
            {
                AddShort(ref key[0], slot.Length, slot.Count);
            }
            else
            {
                AddLong(ref key[0], slot.Length, slot.Count);
            }
        }
    }

    /// <summary>Writes one <c>(word,count)</c> line per word, in slot order, as the compiled word count's file sink does.</summary>
    public void WriteTo(Stream output)
    {
        byte[] line = new byte[256];
        for (int i = 0; i < _slotCount; i++)
        {
            ref Slot slot = ref SlotAt(_slots, _slotOffset, i);
            if (slot.Length == 0)
            {
                continue;
            }

            if (line.Length < slot.Length + 32)
            {
                line = new byte[slot.Length + 32];
            }

            line[0] = (byte)'(';
            KeyOf(ref slot).CopyTo(line.AsSpan(1));
            int at = slot.Length + 1;
            line[at++] = (byte)',';
            Utf8Formatter.TryFormat(slot.Count, line.AsSpan(at), out int written);
            at += written;
            line[at++] = (byte)')';
            line[at++] = (byte)'\n';
            output.Write(line, 0, at);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddShort(ref byte word, int length, long count)
    {
        ulong k0 = LowBytes(Unsafe.ReadUnaligned<ulong>(ref word), length);
        ulong k1 = LowBytes(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref word, 8)), length - 8);
        ulong hash = Mix(k0 ^ Seed0, k1 ^ Seed1 ^ (ulong)length);
        ref Slot slots = ref SlotAt(_slots, _slotOffset, 0);
        int mask = _mask;
        int index = (int)hash & mask;
        while (true)
        {
            ref Slot slot = ref Unsafe.Add(ref slots, index);
            if (slot.K0 == k0 && slot.K1 == k1 && slot.Length == length)
            {
                slot.Count += count;
                return;
            }

            if (slot.Length == 0)
            {
                slot.K0 = k0;
                slot.K1 = k1;
                slot.Hash = (uint)(hash >> 32);
                slot.Length = length;
                slot.Count = count;
                Added();
                return;
            }

            index = (index + 1) & mask;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddLong(ref byte word, int length, long count)
    {
        ReadOnlySpan<byte> key = MemoryMarshal.CreateReadOnlySpan(ref word, length);
        ulong hash = HashLong(key);
        uint tag = (uint)(hash >> 32);
        int index = (int)hash & _mask;
        while (true)
        {
            ref Slot slot = ref SlotAt(_slots, _slotOffset, index);
            if (slot.Length == length && slot.Hash == tag && _arena.AsSpan((int)slot.K0, length).SequenceEqual(key))
            {
                slot.Count += count;
                return;
            }

            if (slot.Length == 0)
            {
                if (_arena.Length - _arenaUsed < length)
                {
                    Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + length));
                }

                key.CopyTo(_arena.AsSpan(_arenaUsed));
                slot.K0 = (ulong)_arenaUsed;
                slot.K1 = 0;
                slot.Hash = tag;
                slot.Length = length;
                slot.Count = count;
                _arenaUsed += length;
                Added();
                return;
            }

            index = (index + 1) & _mask;
        }
    }

    // The hash of a word longer than 16 bytes: its 8-byte words folded two at a time, the last one masked.
    private static ulong HashLong(ReadOnlySpan<byte> key)
    {
        ulong hash = Seed0 ^ (ulong)key.Length;
        int i = 0;
        for (; i + 16 <= key.Length; i += 16)
        {
            hash = Mix(hash ^ MemoryMarshal.Read<ulong>(key[i..]), Seed1 ^ MemoryMarshal.Read<ulong>(key[(i + 8)..]));
        }

        ulong a = 0;
        ulong b = 0;
        int rest = key.Length - i;
        Span<byte> tail = stackalloc byte[16];
        tail.Clear();
        key[i..].CopyTo(tail);
        if (rest > 0)
        {
            a = MemoryMarshal.Read<ulong>(tail);
            b = MemoryMarshal.Read<ulong>(tail[8..]);
        }

        return Mix(hash ^ a, Seed1 ^ b);
    }

    // A 64×64→128-bit multiply, high and low halves folded: strong enough for linear probing, one instruction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong a, ulong b)
    {
        ulong high = Math.BigMul(a, b, out ulong low);
        return high ^ low;
    }

    // The low `bytes` bytes of v (all of it from 8 bytes on, none at 0 or below).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LowBytes(ulong v, int bytes)
    {
        if (Bmi2.X64.IsSupported)
        {
            // BZHI keeps the bits below the index, all of them from 64 on; a negative count is clamped to 0 first.
            return Bmi2.X64.ZeroHighBits(v, (uint)(Math.Max(bytes, 0) * 8));
        }

        return bytes >= 8 ? v : bytes <= 0 ? 0 : v & ((1UL << (bytes * 8)) - 1);
    }

    private void Added()
    {
        _count++;
        if (_count * 2 > _slotCount)
        {
            Grow();
        }
    }

    // Doubles the slots and puts every word in its place again, by the hash its slot keeps (short words: by
    // recomputing it from the two words, which is as cheap).
    private void Grow()
    {
        Slot[] old = _slots;
        int oldOffset = _slotOffset, oldCount = _slotCount;
        _slotCount = oldCount * 2;
        _slots = NewSlots(_slotCount, out _slotOffset);
        _mask = _slotCount - 1;
        for (int i = 0; i < oldCount; i++)
        {
            Slot slot = SlotAt(old, oldOffset, i);
            if (slot.Length == 0)
            {
                continue;
            }

            ulong hash = slot.Length <= ShortKeyBytes
                ? Mix(slot.K0 ^ Seed0, slot.K1 ^ Seed1 ^ (ulong)slot.Length)
                : HashLong(_arena.AsSpan((int)slot.K0, slot.Length));
            int index = (int)hash & _mask;
            while (SlotAt(_slots, _slotOffset, index).Length != 0)
            {
                index = (index + 1) & _mask;
            }

            SlotAt(_slots, _slotOffset, index) = slot;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref Slot SlotAt(Slot[] slots, int offset, int index) =>
        ref Unsafe.Add(ref Unsafe.AddByteOffset(ref MemoryMarshal.GetArrayDataReference(slots), (nint)offset), index);

    // Slots that start on a multiple of their size, so that no 32-byte slot straddles two cache lines (an array's data
    // starts on any multiple of 8 bytes): one slot more, on the pinned object heap where it never moves, the first slot
    // `offset` bytes in. A performance engineer tuning this table would place it so; its speed then no longer depends on
    // where the array happens to lie.
    private static Slot[] NewSlots(int count, out int offset)
    {
        int size = Unsafe.SizeOf<Slot>();
        Slot[] slots = GC.AllocateArray<Slot>(count + 1, pinned: true);
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(slots, 0);
        offset = (int)((size - (address % size)) % size);
        return slots;
    }

    private ReadOnlySpan<byte> KeyOf(ref Slot slot) =>
        slot.Length <= ShortKeyBytes
            ? MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref slot.K0, 2))[..slot.Length]
            : _arena.AsSpan((int)slot.K0, slot.Length);

    // 32 bytes: two slots a cache line. Length 0 marks an empty slot (a word has at least one byte).
    [StructLayout(LayoutKind.Sequential)]
    private struct Slot
    {
        public ulong K0;      // the first 8 bytes of a short word, masked; a long word's offset in the arena
        public ulong K1;      // bytes 8 to 15 of a short word, masked; 0 for a long word
        public long Count;
        public uint Hash;     // the hash's high half: compared before a long word's bytes
        public int Length;
    }
}
