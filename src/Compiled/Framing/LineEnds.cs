using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Framing;

/// <summary>
/// Finds the line ends of one span in order, 64 bytes at a time: one pass over a block marks every '\n' in it as a bit of
/// a 64-bit mask, and each line end after that is the mask's lowest bit, with no compare, load or branch per 16 bytes of
/// the line. A line of about 100 bytes (a CSV record) is found in two blocks, the second of them shared with the next line, where a search per line compares
/// 16 bytes at a time and leaves its loop at a point that differs from line to line. A line longer than four blocks
/// is searched on by <see cref="Internal.ByteSearch.IndexOf"/>, as is the span's last block when fewer than 64 bytes are left.
/// </summary>
internal struct LineEnds
{
    private const int Block = 64;

    // How many blocks are searched before the rest of a long line is handed to the search made for long ones.
    private const int InlineBlocks = 4;

    private ulong _ends; // the '\n' bits of the block at _block not yet handed out
    private int _block;  // where the block of _ends starts; far before the span when none is kept

    /// <summary>No block kept: the first search starts where it is asked to.</summary>
    public LineEnds()
    {
        _block = int.MinValue / 2;
    }

    /// <summary>
    /// The index of the first '\n' at or after <paramref name="from"/> in <paramref name="text"/>, or -1. Every call on one
    /// span asks from past the end the call before it gave (the framer's next record), or further on.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next(ReadOnlySpan<byte> text, int from)
    {
        ulong ends = _ends;
        while (ends != 0)
        {
            int end = _block + BitOperations.TrailingZeroCount(ends);
            ends &= ends - 1;
            if (end >= from)
            {
                _ends = ends;
                return end;
            }
        }

        // The kept block has no '\n' at or after `from`: the search goes on past it.
        _ends = 0;
        int at = Math.Max(from, _block + Block);
        for (int blocks = 0; blocks < InlineBlocks && text.Length - at >= Block; blocks++)
        {
            ends = Mask(text, at);
            if (ends != 0)
            {
                _block = at;
                _ends = ends & (ends - 1);
                return at + BitOperations.TrailingZeroCount(ends);
            }

            at += Block;
        }

        // A long line, or the span's last bytes: searched on without a block kept.
        _block = int.MinValue / 2;
        return Internal.ByteSearch.IndexOf(text, at, (byte)'\n');
    }

    // The '\n' bytes of the 64 from `at` (at least 64 left), as bits: in the widest vectors the machine runs.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mask(ReadOnlySpan<byte> text, int at)
    {
        ref byte start = ref Unsafe.Add(ref MemoryMarshal.GetReference(text), at);
        if (Vector512.IsHardwareAccelerated)
        {
            return Vector512.Equals(Vector512.LoadUnsafe(ref start), Vector512.Create((byte)'\n')).ExtractMostSignificantBits();
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<byte> newline = Vector256.Create((byte)'\n');
            ulong low = Vector256.Equals(Vector256.LoadUnsafe(ref start), newline).ExtractMostSignificantBits();
            ulong high = Vector256.Equals(Vector256.LoadUnsafe(ref start, 32), newline).ExtractMostSignificantBits();
            return low | (high << 32);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<byte> newline = Vector128.Create((byte)'\n');
            ulong b0 = Vector128.Equals(Vector128.LoadUnsafe(ref start), newline).ExtractMostSignificantBits();
            ulong b1 = Vector128.Equals(Vector128.LoadUnsafe(ref start, 16), newline).ExtractMostSignificantBits();
            ulong b2 = Vector128.Equals(Vector128.LoadUnsafe(ref start, 32), newline).ExtractMostSignificantBits();
            ulong b3 = Vector128.Equals(Vector128.LoadUnsafe(ref start, 48), newline).ExtractMostSignificantBits();
            return b0 | (b1 << 16) | (b2 << 32) | (b3 << 48);
        }

        ulong mask = 0;
        for (int i = 0; i < Block; i++)
        {
            mask |= (ulong)(Unsafe.Add(ref start, i) == (byte)'\n' ? 1 : 0) << i;
        }

        return mask;
    }
}
