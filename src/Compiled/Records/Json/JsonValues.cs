using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Compiled;

/// <summary>
/// Reads the current value of a <see cref="Utf8JsonReader"/> as a value of a record member's type, as
/// <c>JsonSerializer</c> reads it with its default options: numbers only from JSON number tokens (not from strings),
/// booleans only from <c>true</c> and <c>false</c>, dates and times as ISO 8601 strings
/// (<see cref="Utf8JsonReader.TryGetDateTime"/>), a <see cref="System.Guid"/> from a string of its "D" form. Each
/// returns <see cref="BadRecordReason.None"/> or why the value is refused: <see cref="BadRecordReason.InvalidValue"/> for
/// a value of another kind, <see cref="BadRecordReason.NumberInvalid"/> for a number with a fraction or exponent where an
/// integer is wanted, <see cref="BadRecordReason.NumberOutOfRange"/> for one that does not fit. The generated parser
/// calls the one its member's type needs, directly.
/// </summary>
public static class JsonValues
{
    /// <summary>Reads a <see cref="long"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BadRecordReason Int64(ref JsonLineReader json, out long value)
    {
        // A number token of an optional '-' and digits is read by CsvValues' loop; any other form (a fraction, an
        // exponent, more digits than always fit) by the reader's own parser, which JsonSerializer uses too.
        if (json.TokenType != JsonTokenType.Number)
        {
            value = 0;
            return BadRecordReason.InvalidValue;
        }

        if (CsvValues.Int64(json.ValueSpan, out value) == BadRecordReason.None)
        {
            return BadRecordReason.None;
        }

        return Integer(ref json, json.TryGetInt64(out value));
    }

    /// <summary>Reads an <see cref="int"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BadRecordReason Int32(ref JsonLineReader json, out int value)
    {
        if (json.TokenType != JsonTokenType.Number)
        {
            value = 0;
            return BadRecordReason.InvalidValue;
        }

        if (CsvValues.Int32(json.ValueSpan, out value) == BadRecordReason.None)
        {
            return BadRecordReason.None;
        }

        return Integer(ref json, json.TryGetInt32(out value));
    }

    /// <summary>Reads a <see cref="short"/>.</summary>
    public static BadRecordReason Int16(ref JsonLineReader json, out short value)
    {
        value = 0;
        return json.TokenType == JsonTokenType.Number ? Integer(ref json, json.TryGetInt16(out value)) : BadRecordReason.InvalidValue;
    }

    /// <summary>Reads an <see cref="sbyte"/>.</summary>
    public static BadRecordReason SByte(ref JsonLineReader json, out sbyte value)
    {
        value = 0;
        return json.TokenType == JsonTokenType.Number ? Integer(ref json, json.TryGetSByte(out value)) : BadRecordReason.InvalidValue;
    }

    /// <summary>Reads a <see cref="ulong"/>.</summary>
    public static BadRecordReason UInt64(ref JsonLineReader json, out ulong value)
    {
        value = 0;
        return json.TokenType == JsonTokenType.Number ? Integer(ref json, json.TryGetUInt64(out value)) : BadRecordReason.InvalidValue;
    }

    /// <summary>Reads a <see cref="uint"/>.</summary>
    public static BadRecordReason UInt32(ref JsonLineReader json, out uint value)
    {
        value = 0;
        return json.TokenType == JsonTokenType.Number ? Integer(ref json, json.TryGetUInt32(out value)) : BadRecordReason.InvalidValue;
    }

    /// <summary>Reads a <see cref="ushort"/>.</summary>
    public static BadRecordReason UInt16(ref JsonLineReader json, out ushort value)
    {
        value = 0;
        return json.TokenType == JsonTokenType.Number ? Integer(ref json, json.TryGetUInt16(out value)) : BadRecordReason.InvalidValue;
    }

    /// <summary>Reads a <see cref="byte"/>.</summary>
    public static BadRecordReason Byte(ref JsonLineReader json, out byte value)
    {
        value = 0;
        return json.TokenType == JsonTokenType.Number ? Integer(ref json, json.TryGetByte(out value)) : BadRecordReason.InvalidValue;
    }

    /// <summary>Reads a <see cref="double"/>; a number beyond its range is infinity, as <c>JsonSerializer</c> reads it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BadRecordReason Double(ref JsonLineReader json, out double value)
    {
        if (json.TokenType != JsonTokenType.Number)
        {
            value = 0;
            return BadRecordReason.InvalidValue;
        }

        // The common form (no exponent, 15 digits at most) is read exactly by CsvValues' fast path; any other by the
        // reader's own parser, which gives the same double.
        ReadOnlySpan<byte> span = json.ValueSpan;
        if (span.Length <= 17 && span.IndexOfAny((byte)'e', (byte)'E') < 0)
        {
            return CsvValues.Double(span, out value);
        }

        return json.TryGetDouble(out value) ? BadRecordReason.None : BadRecordReason.NumberOutOfRange;
    }

    /// <summary>Reads a <see cref="float"/>; a number beyond its range is infinity, as <c>JsonSerializer</c> reads it.</summary>
    public static BadRecordReason Single(ref JsonLineReader json, out float value)
    {
        value = 0;
        return json.TokenType != JsonTokenType.Number ? BadRecordReason.InvalidValue
            : json.TryGetSingle(out value) ? BadRecordReason.None : BadRecordReason.NumberOutOfRange;
    }

    /// <summary>Reads a <see cref="decimal"/>; out of its range is <see cref="BadRecordReason.NumberOutOfRange"/>.</summary>
    public static BadRecordReason Decimal(ref JsonLineReader json, out decimal value)
    {
        value = 0;
        return json.TokenType != JsonTokenType.Number ? BadRecordReason.InvalidValue
            : json.TryGetDecimal(out value) ? BadRecordReason.None : BadRecordReason.NumberOutOfRange;
    }

    /// <summary>Reads a <see cref="bool"/>: the tokens <c>true</c> and <c>false</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BadRecordReason Boolean(ref JsonLineReader json, out bool value)
    {
        value = json.TokenType == JsonTokenType.True;
        return value || json.TokenType == JsonTokenType.False ? BadRecordReason.None : BadRecordReason.InvalidValue;
    }

    /// <summary>Reads a <see cref="System.Guid"/> from a string of its "D" form (<c>0f8fad5b-d9cb-469f-a165-70867728950e</c>).</summary>
    public static BadRecordReason Guid(ref JsonLineReader json, out Guid value)
    {
        value = default;
        if (json.TokenType != JsonTokenType.String)
        {
            return BadRecordReason.InvalidValue;
        }

        return json.ValueIsEscaped ? EscapedGuid(ref json, out value)
            : json.TryGetGuid(out value) ? BadRecordReason.None : BadRecordReason.InvalidValue;
    }

    /// <summary>
    /// Reads a <see cref="System.DateTime"/>: with no <paramref name="format"/>, an ISO 8601 string as
    /// <see cref="Utf8JsonReader.TryGetDateTime"/> reads it (an offset converts the time to local time, as
    /// <c>JsonSerializer</c> does); with <c>unix</c> or <c>unixms</c>, a number (or a string of digits) of seconds or
    /// milliseconds since 1970-01-01 UTC; with a .NET exact format, a string in it (in UTC).
    /// </summary>
    public static BadRecordReason DateTime(ref JsonLineReader json, string? format, JsonRecordReader reader, out DateTime value)
    {
        ArgumentNullException.ThrowIfNull(reader);
        value = default;
        if (format is null)
        {
            if (json.TokenType != JsonTokenType.String)
            {
                return BadRecordReason.InvalidValue;
            }

            return json.ValueIsEscaped ? EscapedDateTime(ref json, out value)
                : json.TryGetDateTime(out value) ? BadRecordReason.None : BadRecordReason.InvalidValue;
        }

        return TimeText(ref json, format, reader, out ReadOnlySpan<byte> text) ?? CsvValues.DateTime(text, format, out value);
    }

    /// <summary>Reads a <see cref="System.DateTimeOffset"/>, in the forms <see cref="DateTime"/> takes (an offset kept when written).</summary>
    public static BadRecordReason DateTimeOffset(ref JsonLineReader json, string? format, JsonRecordReader reader, out DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(reader);
        value = default;
        if (format is null)
        {
            if (json.TokenType != JsonTokenType.String)
            {
                return BadRecordReason.InvalidValue;
            }

            return json.ValueIsEscaped ? EscapedDateTimeOffset(ref json, out value)
                : json.TryGetDateTimeOffset(out value) ? BadRecordReason.None : BadRecordReason.InvalidValue;
        }

        return TimeText(ref json, format, reader, out ReadOnlySpan<byte> text) ?? CsvValues.DateTimeOffset(text, format, out value);
    }

    // The text a formatted time is read from: a unix time's number, or a string unescaped; null when there is one.
    private static BadRecordReason? TimeText(ref JsonLineReader json, string format, JsonRecordReader reader, out ReadOnlySpan<byte> text)
    {
        bool unix = format is "unix" or "unixms";
        if (json.TokenType == JsonTokenType.String || (unix && json.TokenType == JsonTokenType.Number))
        {
            text = reader.Unescaped(ref json);
            return null;
        }

        text = default;
        return BadRecordReason.InvalidValue;
    }

    // Why an integer was not read: not a number token, a number with a fraction or an exponent, or one too large.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BadRecordReason Integer(ref JsonLineReader json, bool read)
    {
        if (read)
        {
            return BadRecordReason.None;
        }

        if (json.TokenType != JsonTokenType.Number)
        {
            return BadRecordReason.InvalidValue;
        }

        return json.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0 ? BadRecordReason.NumberInvalid : BadRecordReason.NumberOutOfRange;
    }

    // An escaped string read as a Guid, DateTime or DateTimeOffset, off the hot path: Utf8JsonReader unescapes it and
    // throws InvalidOperationException for an escaped lone surrogate (\ud800), which is text that is not valid UTF-8.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BadRecordReason EscapedGuid(ref JsonLineReader json, out Guid value)
    {
        value = default;
        try
        {
            return json.TryGetGuid(out value) ? BadRecordReason.None : BadRecordReason.InvalidValue;
        }
        catch (InvalidOperationException)
        {
            return BadRecordReason.InvalidUtf8;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BadRecordReason EscapedDateTime(ref JsonLineReader json, out DateTime value)
    {
        value = default;
        try
        {
            return json.TryGetDateTime(out value) ? BadRecordReason.None : BadRecordReason.InvalidValue;
        }
        catch (InvalidOperationException)
        {
            return BadRecordReason.InvalidUtf8;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BadRecordReason EscapedDateTimeOffset(ref JsonLineReader json, out DateTimeOffset value)
    {
        value = default;
        try
        {
            return json.TryGetDateTimeOffset(out value) ? BadRecordReason.None : BadRecordReason.InvalidValue;
        }
        catch (InvalidOperationException)
        {
            return BadRecordReason.InvalidUtf8;
        }
    }
}
