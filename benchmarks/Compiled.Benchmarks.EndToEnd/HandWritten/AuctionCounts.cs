using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>
/// An auction → bid count table tuned for one event-time window of the Q5-style job: open addressing with linear
/// probing at a load factor of at most one half, a slot of the key and its count (16 bytes, four a cache line), the
/// slot picked by the high bits of one multiply. An empty slot holds <see cref="long.MinValue"/> as its key.
/// <see cref="Clear"/> keeps the memory, so a window's table serves the windows after it.
/// </summary>
internal sealed class AuctionCounts
{
    private const long Empty = long.MinValue;

    private Slot[] _slots;
    private int _shift;   // 64 − log2(slots)
    private int _count;

    /// <summary>Creates a table of <paramref name="capacity"/> slots (a power of two), growing as it fills.</summary>
    public AuctionCounts(int capacity = 1 << 14)
    {
        _slots = NewSlots(capacity);
        _shift = 64 - BitOperations.Log2((uint)capacity);
    }

    /// <summary>The number of auctions counted.</summary>
    public int Count => _count;

    /// <summary>Counts one bid for <paramref name="auction"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(long auction)
    {
        ref Slot slots = ref MemoryMarshal.GetArrayDataReference(_slots);
        int mask = _slots.Length - 1;
        int index = Index(auction, _shift);
        while (true)
        {
            ref Slot slot = ref Unsafe.Add(ref slots, index);
            if (slot.Key == auction)
            {
                slot.Count++;
                return;
            }

            if (slot.Key == Empty)
            {
                slot.Key = auction;
                slot.Count = 1;
                if (++_count * 2 > _slots.Length)
                {
                    Grow();
                }

                return;
            }

            index = (index + 1) & mask;
        }
    }

    /// <summary>The most bids any auction has (0 when empty).</summary>
    public long Most()
    {
        long most = 0;
        foreach (ref Slot slot in _slots.AsSpan())
        {
            if (slot.Key != Empty && slot.Count > most)
            {
                most = slot.Count;
            }
        }

        return most;
    }

    /// <summary>The slots, for a pass over every counted auction (an empty one has the key <see cref="long.MinValue"/>).</summary>
    public ReadOnlySpan<Slot> Slots => _slots;

    /// <summary>Removes every auction; the memory is kept.</summary>
    public void Clear()
    {
        if (_count != 0)
        {
            _slots.AsSpan().Fill(new Slot { Key = Empty });
            _count = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Index(long key, int shift) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> shift);

    private static Slot[] NewSlots(int capacity)
    {
        var slots = GC.AllocateUninitializedArray<Slot>(capacity);
        slots.AsSpan().Fill(new Slot { Key = Empty });
        return slots;
    }

    // Doubles the slots and puts every auction in its place again.
    private void Grow()
    {
        Slot[] old = _slots;
        _slots = NewSlots(old.Length * 2);
        _shift--;
        int mask = _slots.Length - 1;
        foreach (Slot slot in old)
        {
            if (slot.Key == Empty)
            {
                continue;
            }

            int index = Index(slot.Key, _shift);
            while (_slots[index].Key != Empty)
            {
                index = (index + 1) & mask;
            }

            _slots[index] = slot;
        }
    }

    /// <summary>One auction and its bids.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Slot
    {
        /// <summary>The auction, or <see cref="long.MinValue"/> in an empty slot.</summary>
        public long Key;

        /// <summary>Its bids in the window.</summary>
        public long Count;
    }
}
