using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Compiled;

/// <summary>
/// Parses the fields of a typed source's lines (<see cref="Lines{T}"/>); the generated loop calls these for a record
/// that is not a tuple and for a tuple's fields of a type <see cref="Utf8Fields"/> has no reader for (it cuts the field
/// with <see cref="Utf8Fields.TryCut"/>, then calls <see cref="TryParse{T}"/> or an overload of its own). Numbers
/// and other <see cref="IUtf8SpanParsable{TSelf}"/> types are read from the bytes in the invariant culture,
/// without decoding; <see cref="DateTime"/> and <see cref="DateTimeOffset"/> are read in ISO 8601, without
/// allocating; strings are decoded as UTF-8 (which allocates the string).
/// </summary>
public static class Utf8Parse
{
    // The ISO 8601 forms a date and time field may take, for DateTime.TryParseExact: a date; or a date, 'T' or a space,
    // hours and minutes, optionally seconds and a fraction of up to seven digits, and optionally 'Z' or an offset
    // (K: nothing, Z, +hh:mm or +hhmm). The README's "Typed sources" lists the same. Neither DateTime nor DateTimeOffset
    // implements IUtf8SpanParsable, and Utf8Parser's ISO form ('O') takes exactly seven digits of fraction and nothing
    // shorter, so the field's ASCII bytes are widened into a stack buffer and read by TryParseExact, which allocates
    // nothing in the invariant culture (DateTimeFieldTests measures it).
    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-ddTHH:mmK",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mmK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    // The longest form: 2026-03-01T12:30:05.1234567+05:30.
    private const int MaxIsoLength = 33;

    /// <summary>Parses <paramref name="text"/> as a <typeparamref name="T"/>; <see langword="false"/> if it is not one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse<T>(ReadOnlySpan<byte> text, out T value)
        where T : IUtf8SpanParsable<T> =>
        T.TryParse(text, CultureInfo.InvariantCulture, out value!);

    /// <summary>
    /// Parses <paramref name="text"/> as an ISO 8601 date, or date and time, in UTC: <c>2026-03-01</c>,
    /// <c>2026-03-01T12:30:05.25Z</c>, <c>2026-03-01 12:30:05+02:00</c>. A time with an offset is converted to UTC, a
    /// time without one is taken as UTC; the result's <see cref="DateTime.Kind"/> is <see cref="DateTimeKind.Utc"/>.
    /// Spaces around it are ignored, as around a number. <see langword="false"/> if it is not one of these forms.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTime value)
    {
        Span<char> chars = stackalloc char[MaxIsoLength];
        if (TryIsoChars(text, chars, out int length))
        {
            return DateTime.TryParseExact(chars[..length], IsoFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Parses <paramref name="text"/> as an ISO 8601 date, or date and time, with its offset: the forms of
    /// <see cref="TryParse(ReadOnlySpan{byte}, out DateTime)"/>, where a time without an offset has the offset zero.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        Span<char> chars = stackalloc char[MaxIsoLength];
        if (TryIsoChars(text, chars, out int length))
        {
            return DateTimeOffset.TryParseExact(chars[..length], IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
        }

        value = default;
        return false;
    }

    // The field without the spaces around it, as ASCII characters; false if it is too long or not ASCII to be a date,
    // or if a '.' is not followed by a digit (TryParseExact would take "12:30:05." for a time).
    private static bool TryIsoChars(ReadOnlySpan<byte> text, Span<char> chars, out int length)
    {
        ReadOnlySpan<byte> trimmed = text[Ascii.Trim(text)];
        length = trimmed.Length;
        int dot = trimmed.IndexOf((byte)'.');
        return trimmed.Length <= chars.Length
            && (dot < 0 || (dot + 1 < trimmed.Length && char.IsAsciiDigit((char)trimmed[dot + 1])))
            && Ascii.ToUtf16(trimmed, chars, out _) == OperationStatus.Done;
    }

    /// <summary>Decodes <paramref name="text"/> as UTF-8; always succeeds (invalid bytes become U+FFFD).</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out string value)
    {
        value = Encoding.UTF8.GetString(text);
        return true;
    }

    /// <summary>
    /// Cuts the next comma-separated field off <paramref name="rest"/>: the bytes before the first comma (or all
    /// of them, for the <paramref name="last"/> field, which must hold no comma). The generated loop uses
    /// <see cref="Utf8Fields.TryCut"/>, which cuts the same fields from a position in the whole line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryField(ref ReadOnlySpan<byte> rest, bool last, out ReadOnlySpan<byte> field)
    {
        int comma = rest.IndexOf((byte)',');
        if (last)
        {
            field = rest;
            rest = default;
            return comma < 0;
        }

        if (comma < 0)
        {
            field = default;
            return false;
        }

        field = rest[..comma];
        rest = rest[(comma + 1)..];
        return true;
    }
}
