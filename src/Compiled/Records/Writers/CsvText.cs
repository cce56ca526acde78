using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Compiled;

/// <summary>
/// Writes CSV fields (RFC 4180) into a <see cref="RecordText"/>: what the generated CSV writers call for a text field.
/// A field that holds the separator, a quote, <c>\r</c> or <c>\n</c> is written between quotes with each quote doubled;
/// any other is written as it is. Text is UTF-8, invalid sequences replaced by U+FFFD (see <see cref="WriterText"/>).
/// Numbers, booleans and ISO 8601 times never need quotes and are appended by the generated code directly.
/// </summary>
public static class CsvText
{
    /// <summary>Writes UTF-8 text as one field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Field(RecordText text, ReadOnlySpan<byte> utf8, byte separator)
    {
        if (utf8.IndexOfAny((byte)'"', (byte)'\r', (byte)'\n') < 0 && utf8.IndexOf(separator) < 0 && (Ascii.IsValid(utf8) || Utf8.IsValid(utf8)))
        {
            text.Append(utf8);
            return;
        }

        FieldSlow(text, utf8, separator);
    }

    /// <summary>Writes a string as one field, encoded as UTF-8; <see langword="null"/> is an empty field.</summary>
    public static void Field(RecordText text, string? value, byte separator)
    {
        int start = text.Length;
        WriterText.AppendUtf16(text, value);
        Requote(text, start, separator);
    }

    /// <summary>Writes one character as a field.</summary>
    public static void Field(RecordText text, char value, byte separator)
    {
        int start = text.Length;
        WriterText.AppendUtf16(text, new ReadOnlySpan<char>(in value));
        Requote(text, start, separator);
    }

    /// <summary>Writes a value that formats itself (in the invariant culture, with <paramref name="format"/>) as one field, quoted if its text needs it.</summary>
    public static void Formatted<T>(RecordText text, T value, ReadOnlySpan<char> format, byte separator)
        where T : IUtf8SpanFormattable, allows ref struct
    {
        int start = text.Length;
        text.AppendFormatted(value, format);
        Requote(text, start, separator);
    }

    /// <summary>
    /// Writes any other value as one field, through <see cref="IFormattable.ToString(string?, IFormatProvider?)"/> in the
    /// invariant culture or <see cref="object.ToString"/> (which allocates its string); <see langword="null"/> is an empty field.
    /// </summary>
    public static void Object<T>(RecordText text, T value, byte separator) =>
        Field(text, value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value?.ToString(), separator);

    // What was appended after 'start' is written again as one field, quoted, when it needs quotes.
    private static void Requote(RecordText text, int start, byte separator)
    {
        ReadOnlySpan<byte> field = text.Written[start..];
        if (field.IndexOfAny((byte)'"', (byte)'\r', (byte)'\n') < 0 && field.IndexOf(separator) < 0)
        {
            return;
        }

        byte[] copy = WriterText.TakeTail(text, start, out int length);
        Quoted(text, copy.AsSpan(0, length));
        ArrayPool<byte>.Shared.Return(copy);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FieldSlow(RecordText text, ReadOnlySpan<byte> utf8, byte separator)
    {
        if (!Utf8.IsValid(utf8))
        {
            byte[] valid = ArrayPool<byte>.Shared.Rent(utf8.Length * 3);
            int length = WriterText.ReplaceInvalidUtf8(utf8, valid);
            Field(text, valid.AsSpan(0, length), separator);
            ArrayPool<byte>.Shared.Return(valid);
            return;
        }

        Quoted(text, utf8);
    }

    // "field", each quote in it doubled.
    private static void Quoted(RecordText text, ReadOnlySpan<byte> utf8)
    {
        int quotes = utf8.Count((byte)'"');
        Span<byte> room = text.GetSpan(utf8.Length + quotes + 2);
        int at = 0;
        room[at++] = (byte)'"';
        while (true)
        {
            int quote = utf8.IndexOf((byte)'"');
            if (quote < 0)
            {
                utf8.CopyTo(room[at..]);
                at += utf8.Length;
                break;
            }

            utf8[..(quote + 1)].CopyTo(room[at..]);
            at += quote + 1;
            room[at++] = (byte)'"';
            utf8 = utf8[(quote + 1)..];
        }

        room[at++] = (byte)'"';
        text.Advance(at);
    }
}
