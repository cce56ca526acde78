using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Compiled.Internal;

namespace Compiled;

/// <summary>
/// Reads the comma-separated fields of a typed source's line (<see cref="Lines{T}"/> of a tuple) in one forward pass:
/// the generated loop calls one method per field, with the whole line and the position where the field starts, which
/// the method moves past the field's comma. A field ends at the first comma after its start; the last field takes the
/// rest of the line and must hold no comma. Every number is read in the invariant culture, whatever the current
/// culture is.
/// </summary>
/// <remarks>
/// An integer field is read by a loop over its digits that stops at the comma after them, so the comma is found by the
/// same pass that reads the number, and nothing scans the field twice. That loop takes only an optional '-' and up to
/// as many digits as always fit the type (18 for a <see cref="long"/>); any other field (spaces around the number, a
/// '+', more digits, a letter, an empty field) is cut at its comma and read by the type's own parser with
/// <see cref="NumberStyles.Integer"/>, so each field parses to exactly what <c>long.TryParse(field,
/// CultureInfo.InvariantCulture, out value)</c> gives, or is refused as it refuses it.
/// </remarks>
public static class Utf8Fields
{
    /// <summary>
    /// Cuts the field that starts at <paramref name="at"/> off <paramref name="line"/>: the bytes up to the next comma,
    /// and moves <paramref name="at"/> past that comma; or, for the <paramref name="last"/> field, the rest of the line,
    /// <see langword="false"/> if it holds a comma (the line has too many fields). <see langword="false"/> as well if a
    /// field that is not the last has no comma after it (the line has too few fields).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryCut(ReadOnlySpan<byte> line, ref int at, bool last, out ReadOnlySpan<byte> field)
    {
        int comma = ByteSearch.IndexOf(line, at, (byte)',');
        if (last)
        {
            field = line[at..];
            at = line.Length;
            return comma < 0;
        }

        if (comma < 0)
        {
            field = default;
            return false;
        }

        field = line[at..comma];
        at = comma + 1;
        return true;
    }

    /// <summary>Reads the <see cref="long"/> field at <paramref name="at"/> (see <see cref="TryCut"/> for where it ends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryInt64(ReadOnlySpan<byte> line, ref int at, bool last, out long value)
    {
        if (TryDigits(line, ref at, last, signed: true, maxDigits: 18, out ulong magnitude, out bool negative))
        {
            value = negative ? -(long)magnitude : (long)magnitude;
            return true;
        }

        return TryCutAndParse(line, ref at, last, out value);
    }

    /// <summary>Reads the <see cref="int"/> field at <paramref name="at"/> (see <see cref="TryCut"/> for where it ends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryInt32(ReadOnlySpan<byte> line, ref int at, bool last, out int value)
    {
        if (TryDigits(line, ref at, last, signed: true, maxDigits: 9, out ulong magnitude, out bool negative))
        {
            value = negative ? -(int)magnitude : (int)magnitude;
            return true;
        }

        return TryCutAndParse(line, ref at, last, out value);
    }

    /// <summary>Reads the <see cref="short"/> field at <paramref name="at"/> (see <see cref="TryCut"/> for where it ends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryInt16(ReadOnlySpan<byte> line, ref int at, bool last, out short value)
    {
        if (TryDigits(line, ref at, last, signed: true, maxDigits: 4, out ulong magnitude, out bool negative))
        {
            value = (short)(negative ? -(int)magnitude : (int)magnitude);
            return true;
        }

        return TryCutAndParse(line, ref at, last, out value);
    }

    /// <summary>Reads the <see cref="sbyte"/> field at <paramref name="at"/> (see <see cref="TryCut"/> for where it ends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TrySByte(ReadOnlySpan<byte> line, ref int at, bool last, out sbyte value)
    {
        if (TryDigits(line, ref at, last, signed: true, maxDigits: 2, out ulong magnitude, out bool negative))
        {
            value = (sbyte)(negative ? -(int)magnitude : (int)magnitude);
            return true;
        }

        return TryCutAndParse(line, ref at, last, out value);
    }

    /// <summary>Reads the <see cref="ulong"/> field at <paramref name="at"/> (see <see cref="TryCut"/> for where it ends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryUInt64(ReadOnlySpan<byte> line, ref int at, bool last, out ulong value)
    {
        if (TryDigits(line, ref at, last, signed: false, maxDigits: 19, out value, out _))
        {
            return true;
        }

        return TryCutAndParse(line, ref at, last, out value);
    }

    /// <summary>Reads the <see cref="uint"/> field at <paramref name="at"/> (see <see cref="TryCut"/> for where it ends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryUInt32(ReadOnlySpan<byte> line, ref int at, bool last, out uint value)
    {
        if (TryDigits(line, ref at, last, signed: false, maxDigits: 9, out ulong magnitude, out _))
        {
            value = (uint)magnitude;
            return true;
        }

        return TryCutAndParse(line, ref at, last, out value);
    }

    /// <summary>Reads the <see cref="ushort"/> field at <paramref name="at"/> (see <see cref="TryCut"/> for where it ends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryUInt16(ReadOnlySpan<byte> line, ref int at, bool last, out ushort value)
    {
        if (TryDigits(line, ref at, last, signed: false, maxDigits: 4, out ulong magnitude, out _))
        {
            value = (ushort)magnitude;
            return true;
        }

        return TryCutAndParse(line, ref at, last, out value);
    }

    /// <summary>Reads the <see cref="byte"/> field at <paramref name="at"/> (see <see cref="TryCut"/> for where it ends).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryByte(ReadOnlySpan<byte> line, ref int at, bool last, out byte value)
    {
        if (TryDigits(line, ref at, last, signed: false, maxDigits: 2, out ulong magnitude, out _))
        {
            value = (byte)magnitude;
            return true;
        }

        return TryCutAndParse(line, ref at, last, out value);
    }

    /// <summary>
    /// Reads the <see cref="double"/> field at <paramref name="at"/> as <c>double.TryParse</c> does in the invariant
    /// culture (<see cref="NumberStyles.Float"/> and <see cref="NumberStyles.AllowThousands"/>): '.' is the decimal
    /// separator, whatever the current culture says.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryDouble(ReadOnlySpan<byte> line, ref int at, bool last, out double value)
    {
        value = 0;
        return TryCut(line, ref at, last, out ReadOnlySpan<byte> field)
            && double.TryParse(field, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Reads the <see cref="float"/> field at <paramref name="at"/>, as <see cref="TryDouble"/> reads a double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TrySingle(ReadOnlySpan<byte> line, ref int at, bool last, out float value)
    {
        value = 0;
        return TryCut(line, ref at, last, out ReadOnlySpan<byte> field)
            && float.TryParse(field, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Reads the <see cref="decimal"/> field at <paramref name="at"/> as <c>decimal.TryParse</c> does in the invariant
    /// culture (<see cref="NumberStyles.Number"/>): '.' is the decimal separator, whatever the current culture says.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryDecimal(ReadOnlySpan<byte> line, ref int at, bool last, out decimal value)
    {
        value = 0;
        return TryCut(line, ref at, last, out ReadOnlySpan<byte> field)
            && decimal.TryParse(field, NumberStyles.Number, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Reads the <see cref="string"/> field at <paramref name="at"/>, decoded as UTF-8 (which allocates the string).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryString(ReadOnlySpan<byte> line, ref int at, bool last, out string value)
    {
        if (TryCut(line, ref at, last, out ReadOnlySpan<byte> field))
        {
            value = Encoding.UTF8.GetString(field);
            return true;
        }

        value = "";
        return false;
    }

    // The common form of an integer field: an optional '-' (if signed), 1 to maxDigits ASCII digits, then the comma (or,
    // for the last field, the end of the line). maxDigits digits always fit the type, so no overflow check is needed.
    // On success 'at' moves past the comma; otherwise it is left as it was for the type's own parser.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryDigits(ReadOnlySpan<byte> line, ref int at, bool last, bool signed, int maxDigits, out ulong magnitude, out bool negative) =>
        TryDigits(line, ref at, (byte)',', last, signed, maxDigits, out magnitude, out negative);

    /// <summary>
    /// The common form of an integer field ended by <paramref name="separator"/> (a CSV record's plain line reads its
    /// integer columns so too): on success <paramref name="at"/> moves past the separator.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryDigits(ReadOnlySpan<byte> line, scoped ref int at, byte separator, bool last, bool signed, int maxDigits, out ulong magnitude, out bool negative)
    {
        int i = at;
        negative = false;
        if (signed && (uint)i < (uint)line.Length && line[i] == (byte)'-')
        {
            negative = true;
            i++;
        }

        // The common case first: the whole number in the eight bytes from its first digit, and the separator after it.
        // The byte after the digits is read from the same load (the digits below it lend it no borrow), so a short field
        // costs one load, one check and one combine, without the loop's turns or its checks after.
        ref byte start = ref MemoryMarshal.GetReference(line);
        if (BitConverter.IsLittleEndian && !last && line.Length - i >= sizeof(ulong))
        {
            ulong word = WordAt(ref start, i);
            int count = LeadingDigits(word);
            if ((uint)(count - 1) < (uint)Math.Min(sizeof(ulong) - 1, maxDigits)
                && (byte)(word >> (8 * count)) == (byte)(separator - '0'))
            {
                magnitude = FirstDigits(word, count);
                at = i + count + 1;
                return true;
            }
        }

        // The last field, of 1 to 15 digits to the line's end: the eight from its first digit, then the rest from the line's
        // last eight bytes.
        int left = line.Length - i;
        if (BitConverter.IsLittleEndian && last && (uint)(left - 1) < (uint)Math.Min((2 * sizeof(ulong)) - 1, maxDigits) && line.Length >= sizeof(ulong))
        {
            int high = Math.Max(left - sizeof(ulong), 0);   // the digits after the first eight: 0 to 7
            ulong leading = 0;
            bool digits = true;
            if (high != 0)
            {
                ulong word = WordAt(ref start, i);
                digits = NonDigits(word) == 0;
                leading = EightDigits(word) * PowersOfTen[high & 7];
            }

            int tail = high == 0 ? left : high;   // 1 to 8
            ulong rest = LastBytes(line, tail);
            if (digits && LeadingDigits(rest) == tail)
            {
                magnitude = leading + FirstDigits(rest, tail);
                at = line.Length + 1;
                return true;
            }
        }

        return TryMoreDigits(line, ref at, i, separator, last, maxDigits, out magnitude);
    }

    // The rest of TryDigits: a number of eight digits or more, one at the line's end, or a field in another form. Left to
    // the inliner's own judgement: a fused loop reading several columns would otherwise spend its inlining budget on it.
    private static bool TryMoreDigits(ReadOnlySpan<byte> line, scoped ref int at, int i, byte separator, bool last, int maxDigits, out ulong magnitude)
    {
        int first = i;
        ulong number = 0;

        // Eight bytes at a time where eight are left: the digits among them found and combined without a branch per digit
        // (a number's length varies from line to line, and a loop's exit per digit is a branch mispredicted as often).
        // The first byte is the word's lowest only on a little-endian machine (a constant the JIT folds); elsewhere, one by one.
        ref byte start = ref MemoryMarshal.GetReference(line);
        while (BitConverter.IsLittleEndian && line.Length - i >= sizeof(ulong))
        {
            ulong digits = WordAt(ref start, i);
            if (NonDigits(digits) == 0)
            {
                number = unchecked((number * 100_000_000) + EightDigits(digits));
                i += sizeof(ulong);
                if (i - first > maxDigits)
                {
                    magnitude = 0;
                    return false; // more digits than always fit
                }

                continue;
            }

            int count = LeadingDigits(digits);
            if (count != 0)
            {
                number = unchecked((number * PowersOfTen[count & 7]) + FirstDigits(digits, count));
                i += count;
            }

            goto counted;
        }

        // Fewer than eight bytes left, of a line of at least eight (a number at the line's end): from the line's last eight
        // bytes in one load.
        int left = line.Length - i;
        if (BitConverter.IsLittleEndian && left > 0 && line.Length >= sizeof(ulong))
        {
            ulong digits = LastBytes(line, left);
            int count = LeadingDigits(digits);
            if (count != 0)
            {
                number = unchecked((number * PowersOfTen[count & 7]) + FirstDigits(digits, count));
                i += count;
            }

            goto counted;
        }

        while ((uint)i < (uint)line.Length)
        {
            uint digit = (uint)(line[i] - '0');
            if (digit > 9)
            {
                break;
            }

            number = unchecked((number * 10) + digit);
            i++;
        }

        counted:
        magnitude = number;
        if ((uint)(i - first - 1) >= (uint)maxDigits)
        {
            return false; // no digit, or more than always fit
        }

        if (last ? i == line.Length : (uint)i < (uint)line.Length && line[i] == separator)
        {
            at = i + 1;
            return true;
        }

        return false;
    }

    // 10^n for n below 8: what a number read so far is multiplied by to take n more digits.
    private static ReadOnlySpan<ulong> PowersOfTen => [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

    // The eight bytes from `at` (eight or more left), less '0' from each: a digit's byte is then its value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong WordAt(ref byte start, int at) =>
        Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, at)) - 0x3030303030303030UL;

    // The line's last `count` bytes (1 to 8, of a line of at least eight) as WordAt gives them, in the word's lowest bytes.
    // The shift comes before the subtraction, so that the bytes before them (a separator, below '0') lend them no borrow,
    // and the zeros it brings in read as no digit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LastBytes(ReadOnlySpan<byte> line, int count) =>
        (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(line), line.Length - sizeof(ulong))) >> (8 * (sizeof(ulong) - count)))
        - 0x3030303030303030UL;

    // The bytes of a word from WordAt that are no digit, as their high nibbles: set in the byte or in it plus 6 (a borrow
    // or carry only ever reaches the bytes after the first such byte, which are not counted). Zero for eight digits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong NonDigits(ulong word) => (word | (word + 0x0606060606060606UL)) & 0xF0F0F0F0F0F0F0F0UL;

    // How many digits a word from WordAt starts with, 0 to 8.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LeadingDigits(ulong word) => BitOperations.TrailingZeroCount(NonDigits(word)) >> 3;

    // The number the first `count` digits of a word write (1 to 8): moved up to the top bytes, under zeros that read as
    // leading zeros.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FirstDigits(ulong word, int count) => EightDigits(word << (64 - (8 * count)));

    // The number that eight digits (each byte 0 to 9, the first in the lowest byte) write: pairs, then fours, then the eight.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EightDigits(ulong digits)
    {
        digits = unchecked((digits * ((10 << 8) + 1)) >> 8) & 0x00FF00FF00FF00FFUL;
        digits = unchecked((digits * ((100 << 16) + 1)) >> 16) & 0x0000FFFF0000FFFFUL;
        return unchecked((digits * ((10_000UL << 32) + 1)) >> 32);
    }

    // Any other form: the field cut at its comma and read by the type's parser as IUtf8SpanParsable<T> reads it in the
    // invariant culture (NumberStyles.Integer: white space around the number, a sign), overflow and all. Kept out of
    // line, so the generated loop carries only the common form; generic over the integer struct, so each type gets its
    // own code and nothing is boxed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryCutAndParse<T>(ReadOnlySpan<byte> line, ref int at, bool last, out T value)
        where T : struct, IBinaryInteger<T>
    {
        value = T.Zero;
        return TryCut(line, ref at, last, out ReadOnlySpan<byte> field) && T.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Whether <paramref name="text"/> has the form of an integer: an optional sign and at least one digit, with white
    /// space around as <see cref="NumberStyles.Integer"/> allows. A field of that form that its type refused is too
    /// large for the type (<see cref="BadRecordReason.NumberOutOfRange"/>), whatever its length; any other is not a
    /// number (<see cref="BadRecordReason.NumberInvalid"/>). Allocates nothing.
    /// </summary>
    public static bool IsIntegerText(ReadOnlySpan<byte> text)
    {
        text = text.Trim(" \t\n\v\f\r"u8);
        if (text.Length > 0 && (text[0] == (byte)'-' || text[0] == (byte)'+'))
        {
            text = text[1..];
        }

        return text.Length > 0 && !text.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }
}
