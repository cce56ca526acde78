using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Compiled;

/// <summary>
/// Reads one CSV field as a value of a record member's type, in the invariant culture, straight from its UTF-8 bytes.
/// Each returns <see cref="BadRecordReason.None"/> or why the field is not a value of the type. The generated parser
/// calls the one its member's type needs, directly. Integers take an optional sign and digits; the common form (an
/// optional '-' and as many digits as always fit) is read by one loop, any other by the type's own parser with
/// <see cref="NumberStyles.Integer"/>, so a field parses to exactly what <c>long.Parse(field, CultureInfo.InvariantCulture)</c>
/// gives. Floating-point numbers are read as <c>double.Parse</c> reads them (<see cref="NumberStyles.Float"/> and
/// <see cref="NumberStyles.AllowThousands"/>), decimals with <see cref="NumberStyles.Number"/>.
/// </summary>
public static class CsvValues
{
    /// <summary>Reads a <see cref="long"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BadRecordReason Int64(ReadOnlySpan<byte> field, out long value)
    {
        if (TryDigits(field, signed: true, 18, out ulong magnitude, out bool negative))
        {
            value = negative ? -(long)magnitude : (long)magnitude;
            return BadRecordReason.None;
        }

        return Slow(field, out value);
    }

    /// <summary>Reads an <see cref="int"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BadRecordReason Int32(ReadOnlySpan<byte> field, out int value)
    {
        if (TryDigits(field, signed: true, 9, out ulong magnitude, out bool negative))
        {
            value = negative ? -(int)magnitude : (int)magnitude;
            return BadRecordReason.None;
        }

        return Slow(field, out value);
    }

    /// <summary>Reads a <see cref="short"/>.</summary>
    public static BadRecordReason Int16(ReadOnlySpan<byte> field, out short value) => Slow(field, out value);

    /// <summary>Reads an <see cref="sbyte"/>.</summary>
    public static BadRecordReason SByte(ReadOnlySpan<byte> field, out sbyte value) => Slow(field, out value);

    /// <summary>Reads a <see cref="ulong"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BadRecordReason UInt64(ReadOnlySpan<byte> field, out ulong value)
    {
        if (TryDigits(field, signed: false, 19, out value, out _))
        {
            return BadRecordReason.None;
        }

        return Slow(field, out value);
    }

    /// <summary>Reads a <see cref="uint"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BadRecordReason UInt32(ReadOnlySpan<byte> field, out uint value)
    {
        if (TryDigits(field, signed: false, 9, out ulong magnitude, out _))
        {
            value = (uint)magnitude;
            return BadRecordReason.None;
        }

        return Slow(field, out value);
    }

    /// <summary>Reads a <see cref="ushort"/>.</summary>
    public static BadRecordReason UInt16(ReadOnlySpan<byte> field, out ushort value) => Slow(field, out value);

    /// <summary>Reads a <see cref="byte"/>.</summary>
    public static BadRecordReason Byte(ReadOnlySpan<byte> field, out byte value) => Slow(field, out value);

    /// <summary>Reads a <see cref="double"/>; a number too large for one is infinity, as <c>double.Parse</c> gives.</summary>
    /// <remarks>
    /// The common form, an optional '-', digits, and optionally '.' and more digits, 15 digits in all at most, is read
    /// by one loop: its digits make an integer below 2^53 and its scale a power of ten up to 10^15, both exact as
    /// doubles, so their quotient is the correctly rounded value (Clinger's fast path), the same double
    /// <c>double.Parse</c> gives. Any other form is read by <c>double.TryParse</c>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BadRecordReason Double(ReadOnlySpan<byte> field, out double value)
    {
        bool negative = field.Length != 0 && field[0] == (byte)'-';
        int i = negative ? 1 : 0;
        ulong mantissa = 0;
        int digits = 0;
        int scale = -1;
        for (; i < field.Length; i++)
        {
            uint digit = (uint)(field[i] - '0');
            if (digit <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                digits++;
            }
            else if (field[i] == (byte)'.' && scale < 0)
            {
                scale = digits;
            }
            else
            {
                break;
            }
        }

        if (i == field.Length && digits is > 0 and <= 15)
        {
            int fraction = scale < 0 ? 0 : digits - scale;
            double quotient = mantissa / PowersOfTen[fraction];
            value = negative ? -quotient : quotient;
            return BadRecordReason.None;
        }

        return double.TryParse(field, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out value)
            ? BadRecordReason.None : BadRecordReason.NumberInvalid;
    }

    private static ReadOnlySpan<double> PowersOfTen => [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>Reads a <see cref="float"/>.</summary>
    public static BadRecordReason Single(ReadOnlySpan<byte> field, out float value) =>
        float.TryParse(field, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out value)
            ? BadRecordReason.None : BadRecordReason.NumberInvalid;

    /// <summary>Reads a <see cref="decimal"/>; a number beyond its range is <see cref="BadRecordReason.NumberOutOfRange"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BadRecordReason Decimal(ReadOnlySpan<byte> field, out decimal value)
    {
        if (decimal.TryParse(field, NumberStyles.Number, CultureInfo.InvariantCulture, out value))
        {
            return BadRecordReason.None;
        }

        return double.TryParse(field, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _)
            ? BadRecordReason.NumberOutOfRange : BadRecordReason.NumberInvalid;
    }

    /// <summary>Reads a <see cref="bool"/>: <c>true</c> or <c>false</c> in any ASCII case, <c>1</c> or <c>0</c>.</summary>
    public static BadRecordReason Boolean(ReadOnlySpan<byte> field, out bool value)
    {
        if (field.Length == 1 && (field[0] == (byte)'1' || field[0] == (byte)'0'))
        {
            value = field[0] == (byte)'1';
            return BadRecordReason.None;
        }

        value = Ascii.EqualsIgnoreCase(field, "true"u8);
        return value || Ascii.EqualsIgnoreCase(field, "false"u8) ? BadRecordReason.None : BadRecordReason.InvalidValue;
    }

    /// <summary>Reads a <see cref="Guid"/> in any form <see cref="Guid.TryParse(ReadOnlySpan{byte}, out Guid)"/> takes.</summary>
    public static BadRecordReason Guid(ReadOnlySpan<byte> field, out Guid value) =>
        System.Guid.TryParse(field, out value) ? BadRecordReason.None : BadRecordReason.InvalidValue;

    /// <summary>Reads a <see cref="string"/>, decoded from UTF-8 (which allocates it); invalid UTF-8 is refused.</summary>
    public static BadRecordReason String(ReadOnlySpan<byte> field, out string value)
    {
        if (!System.Text.Unicode.Utf8.IsValid(field))
        {
            value = "";
            return BadRecordReason.InvalidUtf8;
        }

        value = Encoding.UTF8.GetString(field);
        return BadRecordReason.None;
    }

    /// <summary>
    /// Reads a <see cref="DateTime"/> (in UTC): ISO 8601 when <paramref name="format"/> is <see langword="null"/>
    /// (<see cref="Utf8Parse.TryParse(ReadOnlySpan{byte}, out DateTime)"/>), <c>unix</c> seconds, <c>unixms</c>
    /// milliseconds, or a .NET exact format.
    /// </summary>
    public static BadRecordReason DateTime(ReadOnlySpan<byte> field, string? format, out DateTime value)
    {
        switch (format)
        {
            case null:
                return Utf8Parse.TryParse(field, out value) ? BadRecordReason.None : BadRecordReason.InvalidValue;
            case "unix" or "unixms":
                BadRecordReason unix = Unix(field, format == "unixms", out long ticks);
                value = unix == BadRecordReason.None ? new DateTime(ticks, DateTimeKind.Utc) : default;
                return unix;
            default:
                Span<char> chars = stackalloc char[64];
                value = default;
                return field.Length <= chars.Length && Ascii.ToUtf16(field, chars, out int length) == OperationStatus.Done
                    && System.DateTime.TryParseExact(chars[..length], format, CultureInfo.InvariantCulture,
                        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value)
                    ? BadRecordReason.None : BadRecordReason.InvalidValue;
        }
    }

    /// <summary>Reads a <see cref="DateTimeOffset"/>, in the forms <see cref="DateTime(ReadOnlySpan{byte}, string?, out System.DateTime)"/> takes (an offset kept when written, zero otherwise).</summary>
    public static BadRecordReason DateTimeOffset(ReadOnlySpan<byte> field, string? format, out DateTimeOffset value)
    {
        switch (format)
        {
            case null:
                return Utf8Parse.TryParse(field, out value) ? BadRecordReason.None : BadRecordReason.InvalidValue;
            case "unix" or "unixms":
                BadRecordReason unix = Unix(field, format == "unixms", out long ticks);
                value = unix == BadRecordReason.None ? new DateTimeOffset(ticks, TimeSpan.Zero) : default;
                return unix;
            default:
                Span<char> chars = stackalloc char[64];
                value = default;
                return field.Length <= chars.Length && Ascii.ToUtf16(field, chars, out int length) == OperationStatus.Done
                    && System.DateTimeOffset.TryParseExact(chars[..length], format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)
                    ? BadRecordReason.None : BadRecordReason.InvalidValue;
        }
    }

    // Unix seconds or milliseconds as ticks; out of DateTime's range is NumberOutOfRange.
    private static BadRecordReason Unix(ReadOnlySpan<byte> field, bool milliseconds, out long ticks)
    {
        ticks = 0;
        BadRecordReason reason = Int64(field, out long count);
        if (reason != BadRecordReason.None)
        {
            return reason;
        }

        long perUnit = milliseconds ? TimeSpan.TicksPerMillisecond : TimeSpan.TicksPerSecond;
        long min = -System.DateTime.UnixEpoch.Ticks / perUnit;
        long max = (System.DateTime.MaxValue.Ticks - System.DateTime.UnixEpoch.Ticks) / perUnit;
        if (count < min || count > max)
        {
            return BadRecordReason.NumberOutOfRange;
        }

        ticks = System.DateTime.UnixEpoch.Ticks + (count * perUnit);
        return BadRecordReason.None;
    }

    // An optional '-' (if signed) and 1 to maxDigits ASCII digits, filling the field: maxDigits digits always fit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryDigits(ReadOnlySpan<byte> field, bool signed, int maxDigits, out ulong magnitude, out bool negative)
    {
        int i = 0;
        negative = false;
        if (signed && field.Length != 0 && field[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        magnitude = 0;
        int digits = field.Length - i;
        if ((uint)(digits - 1) >= (uint)maxDigits)
        {
            return false;
        }

        ulong number = 0;
        for (; i < field.Length; i++)
        {
            uint digit = (uint)(field[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            number = (number * 10) + digit;
        }

        magnitude = number;
        return true;
    }

    // Any other form, read by the type's own parser; a field that is an integer too large for the type is
    // NumberOutOfRange, anything else NumberInvalid. Out of line: the loop carries only the common form.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BadRecordReason Slow<T>(ReadOnlySpan<byte> field, out T value)
        where T : struct, System.Numerics.IBinaryInteger<T>
    {
        if (T.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out value))
        {
            return BadRecordReason.None;
        }

        return Utf8Fields.IsIntegerText(field) ? BadRecordReason.NumberOutOfRange : BadRecordReason.NumberInvalid;
    }
}
