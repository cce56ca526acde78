using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Compiled;

/// <summary>
/// Writes JSON values into a <see cref="RecordText"/>: what the generated JSON-lines writers call for a text value or a
/// floating-point number. Strings are UTF-8 between quotes with <c>"</c>, <c>\</c> and control characters escaped
/// (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\b</c>, <c>\f</c>, else <c>\u00XX</c>); other characters are written as
/// they are. Invalid UTF-8 is replaced by U+FFFD (see <see cref="WriterText"/>). A floating-point number that is not
/// finite, which JSON has no number for, is written as the string <c>"NaN"</c>, <c>"Infinity"</c> or
/// <c>"-Infinity"</c>, the form System.Text.Json reads with <c>JsonNumberHandling.AllowNamedFloatingPointLiterals</c>.
/// </summary>
public static class JsonText
{
    // The bytes a JSON string cannot hold as they are.
    private static readonly SearchValues<byte> Escaped = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, (byte)'"', (byte)'\\']);

    /// <summary>Writes UTF-8 text as a JSON string.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void String(RecordText text, ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAny(Escaped) < 0 && (Ascii.IsValid(utf8) || Utf8.IsValid(utf8)))
        {
            text.Append('"').Append(utf8).Append('"');
            return;
        }

        StringSlow(text, utf8);
    }

    /// <summary>Writes a string as a JSON string; <see langword="null"/> as <c>null</c>.</summary>
    public static void String(RecordText text, string? value)
    {
        if (value is null)
        {
            text.Append("null"u8);
            return;
        }

        int start = text.Length;
        WriterText.AppendUtf16(text, value);
        Requote(text, start);
    }

    /// <summary>Writes one character as a JSON string.</summary>
    public static void String(RecordText text, char value)
    {
        int start = text.Length;
        WriterText.AppendUtf16(text, new ReadOnlySpan<char>(in value));
        Requote(text, start);
    }

    /// <summary>Writes a value that formats itself (in the invariant culture, with <paramref name="format"/>) as a JSON string: a time, a Guid, a user type.</summary>
    public static void Formatted<T>(RecordText text, T value, ReadOnlySpan<char> format)
        where T : IUtf8SpanFormattable, allows ref struct
    {
        int start = text.Length;
        text.AppendFormatted(value, format);
        Requote(text, start);
    }

    /// <summary>Writes a <see cref="double"/>: the shortest text that reads back as the same number, or a named string when it is not finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Number(RecordText text, double value)
    {
        if (double.IsFinite(value))
        {
            text.AppendValue(value);
        }
        else
        {
            text.Append('"').AppendValue(value).Append('"');
        }
    }

    /// <summary>Writes a <see cref="float"/>: the shortest text that reads back as the same number, or a named string when it is not finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Number(RecordText text, float value)
    {
        if (float.IsFinite(value))
        {
            text.AppendValue(value);
        }
        else
        {
            text.Append('"').AppendValue(value).Append('"');
        }
    }

    /// <summary>
    /// Writes any other value as a JSON string, through <see cref="IFormattable.ToString(string?, IFormatProvider?)"/>
    /// in the invariant culture or <see cref="object.ToString"/> (which allocates its string); <see langword="null"/> as <c>null</c>.
    /// </summary>
    public static void Object<T>(RecordText text, T value) =>
        String(text, value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value?.ToString());

    // What was appended after 'start' (unquoted text) becomes a JSON string.
    private static void Requote(RecordText text, int start)
    {
        byte[] copy = WriterText.TakeTail(text, start, out int length);
        String(text, copy.AsSpan(0, length));
        ArrayPool<byte>.Shared.Return(copy);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StringSlow(RecordText text, ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            byte[] valid = ArrayPool<byte>.Shared.Rent(utf8.Length * 3);
            int length = WriterText.ReplaceInvalidUtf8(utf8, valid);
            String(text, valid.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(valid);
            return;
        }

        text.Append('"');
        while (true)
        {
            int index = utf8.IndexOfAny(Escaped);
            if (index < 0)
            {
                text.Append(utf8);
                break;
            }

            text.Append(utf8[..index]);
            byte b = utf8[index];
            switch (b)
            {
                case (byte)'"': text.Append("\\\""u8); break;
                case (byte)'\\': text.Append("\\\\"u8); break;
                case (byte)'\n': text.Append("\\n"u8); break;
                case (byte)'\r': text.Append("\\r"u8); break;
                case (byte)'\t': text.Append("\\t"u8); break;
                case (byte)'\b': text.Append("\\b"u8); break;
                case (byte)'\f': text.Append("\\f"u8); break;
                default:
                    text.Append("\\u00"u8).Append((char)HexDigit(b >> 4)).Append((char)HexDigit(b & 0xF));
                    break;
            }

            utf8 = utf8[(index + 1)..];
        }

        text.Append('"');
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);
}
