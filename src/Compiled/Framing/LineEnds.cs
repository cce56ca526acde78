using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Framing;

/// <summary>
/// Finds the line ends of one span in order, 64 bytes at a time: one pass over a block marks every '\n' in it as a bit of
/// a 64-bit mask, and each line end after that is the mask's lowest bit left, with no compare, load or branch per 16
/// bytes of the line. A line of about 100 bytes (a CSV record) is found in two blocks, the second of them shared with the
/// next line, where a search per line compares 16 bytes at a time and leaves its loop at a point that differs from line
/// to line. <see cref="NextCounting"/> marks a CSV line's separators and quotes in the same pass, and counts them between
/// the line's start and its end with one population count. A line longer than four blocks is searched on by
/// <see cref="Internal.ByteSearch"/>, as is the span's last block when fewer than 64 bytes are left.
/// </summary>
internal struct LineEnds
{
    private const int Block = 64;

    // How many blocks are searched before the rest of a long line is handed to the search made for long ones.
    private const int InlineBlocks = 4;

    private ulong _ends;       // the '\n' bits of the block at _block not yet handed out
    private ulong _separators; // the separator bits of that block (NextCounting)
    private ulong _quotes;     // its quote bits (NextCounting)
    private int _block;        // where that block starts; far before the span when none is kept

    /// <summary>No block kept: the first search starts where it is asked to.</summary>
    /// <remarks>
    /// Inlined: the JIT found this constructor unprofitable to inline into the framer's loop, and a call to it took the
    /// struct's address, so its fields lived in memory rather than registers for every line.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
        int at = from;
        int offset = from - _block;
        if ((uint)offset < Block)
        {
            // `from` lies in the kept block: its ends from there on.
            ulong ends = _ends & (ulong.MaxValue << offset);
            if (ends != 0)
            {
                _ends = ends & (ends - 1);
                return _block + BitOperations.TrailingZeroCount(ends);
            }

            at = _block + Block;
        }

        for (int blocks = 0; blocks < InlineBlocks && text.Length - at >= Block; blocks++)
        {
            ulong ends = Mask(text, at, (byte)'\n');
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

    /// <summary>
    /// <see cref="Next"/>, counting on the way the <paramref name="separator"/> bytes from <paramref name="from"/> to the
    /// end, and whether a quote is among those bytes, as <see cref="Internal.ByteSearch.IndexOfCounting"/> counts them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextCounting(ReadOnlySpan<byte> text, int from, byte separator, out int separators, out bool quote)
    {
        int at = from;
        int offset = from - _block;
        separators = 0;
        ulong quotes = 0;
        if ((uint)offset < Block)
        {
            ulong after = ulong.MaxValue << offset;
            ulong ends = _ends & after;
            if (ends != 0)
            {
                ulong between = after & ((ends & (0UL - ends)) - 1);
                _ends = ends & (ends - 1);
                separators = BitOperations.PopCount(_separators & between);
                quote = (_quotes & between) != 0;
                return _block + BitOperations.TrailingZeroCount(ends);
            }

            separators = BitOperations.PopCount(_separators & after);
            quotes = _quotes & after;
            at = _block + Block;
        }

        for (int blocks = 0; blocks < InlineBlocks && text.Length - at >= Block; blocks++)
        {
            ulong ends = Mask(text, at, (byte)'\n');
            ulong separatorBits = Mask(text, at, separator);
            ulong quoteBits = Mask(text, at, (byte)'"');
            if (ends != 0)
            {
                ulong before = (ends & (0UL - ends)) - 1;
                _block = at;
                _ends = ends & (ends - 1);
                _separators = separatorBits;
                _quotes = quoteBits;
                separators += BitOperations.PopCount(separatorBits & before);
                quote = (quotes | (quoteBits & before)) != 0;
                return at + BitOperations.TrailingZeroCount(ends);
            }

            separators += BitOperations.PopCount(separatorBits);
            quotes |= quoteBits;
            at += Block;
        }

        _block = int.MinValue / 2;
        int end = Internal.ByteSearch.IndexOfCounting(text, at, (byte)'\n', separator, out int more, out bool quoted);
        separators += more;
        quote = quotes != 0 || quoted;
        return end;
    }

    // The bytes equal to `value` among the 64 from `at` (at least 64 left), as bits: two 256-bit compares where the machine
    // has them. Not one 512-bit compare: the runtime turns 512-bit vectors off on some processors that have them, and a
    // precompiled loop (LineFramer.LoopsPrecompiled) whose code asked for them would be thrown away there and compiled again.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mask(ReadOnlySpan<byte> text, int at, byte value)
    {
        ref byte start = ref Unsafe.Add(ref MemoryMarshal.GetReference(text), at);
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<byte> target = Vector256.Create(value);
            ulong low = Vector256.Equals(Vector256.LoadUnsafe(ref start), target).ExtractMostSignificantBits();
            ulong high = Vector256.Equals(Vector256.LoadUnsafe(ref start, 32), target).ExtractMostSignificantBits();
            return low | (high << 32);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<byte> target = Vector128.Create(value);
            ulong b0 = Vector128.Equals(Vector128.LoadUnsafe(ref start), target).ExtractMostSignificantBits();
            ulong b1 = Vector128.Equals(Vector128.LoadUnsafe(ref start, 16), target).ExtractMostSignificantBits();
            ulong b2 = Vector128.Equals(Vector128.LoadUnsafe(ref start, 32), target).ExtractMostSignificantBits();
            ulong b3 = Vector128.Equals(Vector128.LoadUnsafe(ref start, 48), target).ExtractMostSignificantBits();
            return b0 | (b1 << 16) | (b2 << 32) | (b3 << 48);
        }

        ulong mask = 0;
        for (int i = 0; i < Block; i++)
        {
            mask |= (ulong)(Unsafe.Add(ref start, i) == value ? 1 : 0) << i;
        }

        return mask;
    }
}
