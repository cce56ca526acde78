using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>
/// Writes integers as UTF-8 decimal text, as <c>long.TryFormat(destination, out written, default,
/// CultureInfo.InvariantCulture)</c> writes them, byte for byte, but with no loop over the digits: a number of up to
/// eight digits is turned into its eight ASCII bytes at once, in one 64-bit register (its two halves split into
/// hundreds, tens and units by multiplications, each lane apart), and stored in one write; up to sixteen digits as two
/// such words. What the generated CSV, JSON and text writers call for integer members (through
/// <see cref="RecordText.AppendValue(long)"/>), and what a record's own <see cref="IUtf8SpanFormattable"/> may call to
/// print its numbers as fast.
/// </summary>
/// <remarks>
/// With at least 16 bytes of room (and on a little-endian machine) a number below 10<sup>16</sup> takes the fast path,
/// which may write bytes of <c>destination</c> past the number's end (they are the caller's room, left for the next
/// append to overwrite); otherwise, and for longer numbers, the runtime's own formatting writes exactly the number.
/// The four numbers of a Nexmark bid (4 to 13 digits) take 0.65× the time of the runtime's <c>TryFormat</c>
/// (benchmarks/RESULTS.md, <c>IntegerFormatBenchmarks</c>).
/// </remarks>
public static class Utf8Format
{
    // The fast path's room: sixteen digits, written as two 8-byte words.
    private const int FastRoom = 16;
    private const ulong FastLimit = 10_000_000_000_000_000UL;

    /// <summary>Writes <paramref name="value"/> in the invariant culture (a minus sign, then its digits); false, with nothing written, when <paramref name="destination"/> is too short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFormat(long value, Span<byte> destination, out int bytesWritten)
    {
        if (value >= 0)
        {
            return TryFormat((ulong)value, destination, out bytesWritten);
        }

        return TryFormatNegative(value, destination, out bytesWritten);
    }

    /// <summary>Writes <paramref name="value"/> in the invariant culture; false, with nothing written, when <paramref name="destination"/> is too short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFormat(int value, Span<byte> destination, out int bytesWritten) =>
        value >= 0 ? TryFormat((ulong)(uint)value, destination, out bytesWritten) : TryFormatNegative(value, destination, out bytesWritten);

    /// <summary>Writes <paramref name="value"/> in the invariant culture; false, with nothing written, when <paramref name="destination"/> is too short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFormat(uint value, Span<byte> destination, out int bytesWritten) =>
        TryFormat((ulong)value, destination, out bytesWritten);

    /// <summary>Writes <paramref name="value"/> in the invariant culture; false, with nothing written, when <paramref name="destination"/> is too short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFormat(ulong value, Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length < FastRoom || value >= FastLimit || !BitConverter.IsLittleEndian)
        {
            return TryFormatByRuntime(value, destination, out bytesWritten);
        }

        ref byte at = ref MemoryMarshal.GetReference(destination);
        if (value < 100_000_000)
        {
            int digits = DigitCount((uint)value);
            Unsafe.WriteUnaligned(ref at, EightDigits((uint)value) >> ((8 - digits) * 8));
            bytesWritten = digits;
            return true;
        }

        ulong high = value / 100_000_000;
        uint low = (uint)(value - (high * 100_000_000));
        int highDigits = DigitCount((uint)high);
        Unsafe.WriteUnaligned(ref at, EightDigits((uint)high) >> ((8 - highDigits) * 8));
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, highDigits), EightDigits(low));
        bytesWritten = highDigits + 8;
        return true;
    }

    // A number of 17 digits or more, or too little room: the runtime's own formatting. Out of line, as the negative
    // numbers' path is: a fused loop that formats numbers carries only the fast path.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryFormatByRuntime(ulong value, Span<byte> destination, out int bytesWritten) =>
        value.TryFormat(destination, out bytesWritten, default, CultureInfo.InvariantCulture);

    // A negative number: its sign, then its magnitude (long.MinValue's too: its negation, read unsigned, is 2^63).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryFormatNegative(long value, Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length < 2 || !TryFormat(unchecked((ulong)-value), destination[1..], out int digits))
        {
            bytesWritten = 0;
            return false;
        }

        destination[0] = (byte)'-';
        bytesWritten = digits + 1;
        return true;
    }

    // A number below 10^8 as its eight ASCII digits, leading zeros included, the first digit in the lowest byte: the
    // number split into two halves of four digits (one 32-bit lane each), each half into two pairs (16-bit lanes), each
    // pair into two digits (8-bit lanes), by multiplying by a reciprocal and shifting, all lanes at once.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EightDigits(uint value)
    {
        ulong high = value / 10_000;
        ulong halves = high | ((value - (high * 10_000)) << 32);
        ulong hundreds = ((halves * 10_486) >> 20) & 0x0000_007F_0000_007FUL;              // each half / 100
        ulong pairs = hundreds | ((halves - (hundreds * 100)) << 16);
        ulong tens = ((pairs * 103) >> 10) & 0x000F_000F_000F_000FUL;                       // each pair / 10
        ulong digits = tens | ((pairs - (tens * 10)) << 8);
        return digits | 0x3030_3030_3030_3030UL;
    }

    // The number of decimal digits of a number (1 for 0), from its highest set bit: the table's entry for that bit,
    // added to the number, carries into the high word exactly when the number has the next count of digits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DigitCount(uint value)
    {
        ReadOnlySpan<ulong> table =
        [
            4294967296, 8589934582, 8589934582, 8589934582, 12884901788, 12884901788, 12884901788, 17179868184,
            17179868184, 17179868184, 21474826480, 21474826480, 21474826480, 21474826480, 25769703776, 25769703776,
            25769703776, 30063771072, 30063771072, 30063771072, 34349738368, 34349738368, 34349738368, 34349738368,
            38554705664, 38554705664, 38554705664, 41949672960, 41949672960, 41949672960, 42949672960, 42949672960,
        ];
        return (int)((value + Unsafe.Add(ref MemoryMarshal.GetReference(table), 31 ^ BitOperations.LeadingZeroCount(value | 1))) >> 32);
    }
}
