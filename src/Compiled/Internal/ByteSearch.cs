using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Internal;

/// <summary>
/// Finds a byte a short way ahead in a span inline, 16 or 32 bytes at a time: a line's end, a field's comma, a word's
/// space. <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, T)"/> is a call with a set-up made for long searches; the
/// fused loop searches once per line, field or word, most of them found within a few vectors, where that set-up and the
/// call cost as much as the search. <see cref="Bits(ReadOnlySpan{byte}, int, byte)"/> marks every match of a block at
/// once, for a caller that takes several ends from one compare (a line's words).
/// </summary>
internal static class ByteSearch
{
    // How far the inline loop searches before it hands the rest to IndexOf, whose wider loop is faster over a long way.
    private const int InlineBytes = 128;

    /// <summary>
    /// The index of the first <paramref name="value"/> at or after <paramref name="start"/> in <paramref name="text"/>
    /// (0 ≤ start ≤ its length), or -1. Reads no byte outside the text: where fewer than 16 bytes are left, the text's
    /// last 16 are compared and the bits before <paramref name="start"/>'s block shifted away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(ReadOnlySpan<byte> text, int start, byte value)
    {
        if (Vector128.IsHardwareAccelerated && text.Length >= Vector128<byte>.Count)
        {
            ref byte first = ref MemoryMarshal.GetReference(text);
            Vector128<byte> target = Vector128.Create(value);
            int at = start;
            int inlineEnd = start + InlineBytes;
            while (at <= text.Length - Vector128<byte>.Count)
            {
                uint found = Vector128.Equals(Vector128.LoadUnsafe(ref first, (nuint)at), target).ExtractMostSignificantBits();
                if (found != 0)
                {
                    return at + BitOperations.TrailingZeroCount(found);
                }

                at += Vector128<byte>.Count;
                if (at >= inlineEnd)
                {
                    return Search(text, at, value);
                }
            }

            int left = text.Length - at;
            if (left > 0)
            {
                // The text's last 16 bytes, of which the last `left` are from `at` on: their bits, shifted down.
                uint last = Vector128.Equals(Vector128.LoadUnsafe(ref first, (nuint)(text.Length - Vector128<byte>.Count)), target)
                    .ExtractMostSignificantBits() >> (Vector128<byte>.Count - left);
                if (last != 0)
                {
                    return at + BitOperations.TrailingZeroCount(last);
                }
            }

            return -1;
        }

        return Search(text, start, value);
    }

    /// <summary>
    /// <see cref="IndexOf"/> of <paramref name="value"/>, counting on the way the <paramref name="separator"/> bytes before
    /// it (from <paramref name="start"/>) and whether a quote is among them, in the same vector compares: a CSV line's
    /// fields are counted in the pass that finds its end. Where no <paramref name="value"/> is found the counts cover the
    /// rest of the text (so a line without its end is counted whole). Searches the whole way inline (a line is rarely long).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOfCounting(ReadOnlySpan<byte> text, int start, byte value, byte separator, out int separators, out bool quote)
    {
        separators = 0;
        quote = false;
        if (Vector128.IsHardwareAccelerated && text.Length >= Vector128<byte>.Count)
        {
            ref byte first = ref MemoryMarshal.GetReference(text);
            Vector128<byte> target = Vector128.Create(value);
            Vector128<byte> separatorBytes = Vector128.Create(separator);
            Vector128<byte> quotes = Vector128.Create((byte)'"');
            int last = text.Length - Vector128<byte>.Count;
            int at = start;
            uint quoteBits = 0; // every block's quotes OR-ed, tested once at the end: no flag kept per block
            while (at < text.Length)
            {
                // The last block overlaps the one before it: the bytes already seen are shifted away.
                int load = Math.Min(at, last);
                int seen = at - load;
                Vector128<byte> block = Vector128.LoadUnsafe(ref first, (nuint)load);
                uint found = Vector128.Equals(block, target).ExtractMostSignificantBits() >> seen;
                uint fieldEnds = Vector128.Equals(block, separatorBytes).ExtractMostSignificantBits() >> seen;
                uint quoted = Vector128.Equals(block, quotes).ExtractMostSignificantBits() >> seen;
                if (found != 0)
                {
                    uint before = (found & (0u - found)) - 1;
                    separators += BitOperations.PopCount(fieldEnds & before);
                    quote = (quoteBits | (quoted & before)) != 0;
                    return at + BitOperations.TrailingZeroCount(found);
                }

                separators += BitOperations.PopCount(fieldEnds);
                quoteBits |= quoted;
                at = load + Vector128<byte>.Count;
            }

            quote = quoteBits != 0;
            return -1;
        }

        for (int i = start; i < text.Length; i++)
        {
            byte b = text[i];
            if (b == value)
            {
                return i;
            }

            separators += b == separator ? 1 : 0;
            quote |= b == (byte)'"';
        }

        return -1;
    }

    /// <summary>
    /// The index of the first <paramref name="one"/> or <paramref name="other"/> at or after <paramref name="start"/> in
    /// <paramref name="text"/>, or -1, as <see cref="IndexOf"/> finds one byte: a field's end or a quote in it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOfEither(ReadOnlySpan<byte> text, int start, byte one, byte other)
    {
        if (Vector128.IsHardwareAccelerated && text.Length >= Vector128<byte>.Count)
        {
            ref byte first = ref MemoryMarshal.GetReference(text);
            Vector128<byte> ones = Vector128.Create(one);
            Vector128<byte> others = Vector128.Create(other);
            int last = text.Length - Vector128<byte>.Count;
            int at = start;
            int inlineEnd = start + InlineBytes;
            while (at < text.Length)
            {
                // The last block overlaps the one before it: the bytes already seen are shifted away.
                int load = Math.Min(at, last);
                Vector128<byte> block = Vector128.LoadUnsafe(ref first, (nuint)load);
                uint found = (Vector128.Equals(block, ones) | Vector128.Equals(block, others)).ExtractMostSignificantBits() >> (at - load);
                if (found != 0)
                {
                    return at + BitOperations.TrailingZeroCount(found);
                }

                at = load + Vector128<byte>.Count;
                if (at >= inlineEnd && at < text.Length)
                {
                    int rest = text[at..].IndexOfAny(one, other);
                    return rest < 0 ? -1 : at + rest;
                }
            }

            return -1;
        }

        int index = text[start..].IndexOfAny(one, other);
        return index < 0 ? -1 : start + index;
    }

    /// <summary>
    /// The index of the <paramref name="count"/>-th <paramref name="one"/> (1 ≤ count) at or after <paramref name="start"/>
    /// in <paramref name="text"/>, or of the first <paramref name="other"/> if one comes before it, or -1 if the text
    /// ends first: several fields of a CSV line passed over in one pass (the separators counted, a quote stopping it), where
    /// <see cref="IndexOfEither"/> would be called once a field, each call starting where the last one ended. Searches
    /// the whole way inline, 32 bytes at a time where the machine compares 256-bit vectors, else 16 (a line is rarely long).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOfNth(ReadOnlySpan<byte> text, int start, byte one, byte other, int count) =>
        IndexOfNth(text, start, one, other, count, wide: Vector256.IsHardwareAccelerated);

    /// <summary>
    /// <see cref="IndexOfNth(ReadOnlySpan{byte}, int, byte, byte, int)"/> 32 bytes at a time (<paramref name="wide"/>) or
    /// 16. Internal for the tests, which compare both on any machine that has 256-bit vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int IndexOfNth(ReadOnlySpan<byte> text, int start, byte one, byte other, int count, bool wide)
    {
        int width = wide ? Vector256<byte>.Count : Vector128<byte>.Count;
        if (Vector128.IsHardwareAccelerated && text.Length >= width)
        {
            ref byte first = ref MemoryMarshal.GetReference(text);
            int last = text.Length - width;
            int at = start;
            while (at < text.Length)
            {
                // The last block overlaps the one before it: the bytes already seen are shifted away.
                int load = Math.Min(at, last);
                uint found, stops;
                if (wide)
                {
                    Vector256<byte> block = Vector256.LoadUnsafe(ref first, (nuint)load);
                    found = Vector256.Equals(block, Vector256.Create(one)).ExtractMostSignificantBits() >> (at - load);
                    stops = Vector256.Equals(block, Vector256.Create(other)).ExtractMostSignificantBits() >> (at - load);
                }
                else
                {
                    Vector128<byte> block = Vector128.LoadUnsafe(ref first, (nuint)load);
                    found = Vector128.Equals(block, Vector128.Create(one)).ExtractMostSignificantBits() >> (at - load);
                    stops = Vector128.Equals(block, Vector128.Create(other)).ExtractMostSignificantBits() >> (at - load);
                }

                int here = BitOperations.PopCount(found);
                if (here >= count)
                {
                    // The count-th one is in this block: the ones before it cleared, lowest first.
                    for (int k = 1; k < count; k++)
                    {
                        found &= found - 1;
                    }

                    found &= 0u - found;
                    stops &= found - 1;
                    return at + BitOperations.TrailingZeroCount(stops != 0 ? stops : found);
                }

                if (stops != 0)
                {
                    return at + BitOperations.TrailingZeroCount(stops);
                }

                count -= here;
                at = load + width;
            }

            return -1;
        }

        for (int i = start; i < text.Length; i++)
        {
            if (text[i] == other || (text[i] == one && --count == 0))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The bytes <see cref="Bits(ReadOnlySpan{byte}, int, byte)"/> marks at a time.</summary>
    public const int BitsBlock = 32;

    /// <summary>
    /// The bytes equal to <paramref name="value"/> among the <see cref="BitsBlock"/> from <paramref name="at"/> (0 ≤ at &lt;
    /// the text's length), as bits: bit i for the byte at + i, none past the text's end. One 256-bit compare where the
    /// machine has it, else two of 128 bits. Reads no byte outside the text: where fewer than 32 bytes are left, the
    /// text's last 32 are compared and shifted down; a text shorter than that is compared as two overlapping halves, or
    /// byte by byte under 16 bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Bits(ReadOnlySpan<byte> text, int at, byte value)
    {
        if (text.Length >= BitsBlock)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                return Bits(text, at, value, wide: true);
            }

            if (Vector128.IsHardwareAccelerated)
            {
                return Bits(text, at, value, wide: false);
            }
        }

        return ShortBits(text, at, value);
    }

    /// <summary>
    /// <see cref="Bits(ReadOnlySpan{byte}, int, byte)"/> of a text of at least 32 bytes, by one 256-bit compare
    /// (<paramref name="wide"/>) or two of 128 bits. Internal for the tests, which compare both on any machine.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Bits(ReadOnlySpan<byte> text, int at, byte value, bool wide)
    {
        ref byte first = ref MemoryMarshal.GetReference(text);
        int left = text.Length - at;
        int from = left >= BitsBlock ? at : text.Length - BitsBlock;
        uint bits;
        if (wide)
        {
            bits = Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)from), Vector256.Create(value)).ExtractMostSignificantBits();
        }
        else
        {
            Vector128<byte> target = Vector128.Create(value);
            bits = Vector128.Equals(Vector128.LoadUnsafe(ref first, (nuint)from), target).ExtractMostSignificantBits()
                | (Vector128.Equals(Vector128.LoadUnsafe(ref first, (nuint)from + 16), target).ExtractMostSignificantBits() << 16);
        }

        return left >= BitsBlock ? bits : bits >> (BitsBlock - left);
    }

    // Bits of a text shorter than a block, or of any text where the machine has no vectors. Internal for the tests.
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static uint ShortBits(ReadOnlySpan<byte> text, int at, byte value)
    {
        ref byte start = ref Unsafe.Add(ref MemoryMarshal.GetReference(text), at);
        int left = Math.Min(text.Length - at, BitsBlock);
        if (Vector128.IsHardwareAccelerated && left >= Vector128<byte>.Count)
        {
            // 16 to 32 bytes: the first 16 and the last 16, overlapping.
            Vector128<byte> target = Vector128.Create(value);
            uint low = Vector128.Equals(Vector128.LoadUnsafe(ref start), target).ExtractMostSignificantBits();
            uint high = Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)(left - 16)), target).ExtractMostSignificantBits();
            return low | (high << (left - 16));
        }

        uint bits = 0;
        for (int i = 0; i < left; i++)
        {
            bits |= (uint)(Unsafe.Add(ref start, i) == value ? 1 : 0) << i;
        }

        return bits;
    }

    // The first `value` at or after `from`, or -1, by IndexOf: a long way ahead, or a text shorter than a vector.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Search(ReadOnlySpan<byte> text, int from, byte value)
    {
        int found = text[from..].IndexOf(value);
        return found < 0 ? -1 : from + found;
    }
}
