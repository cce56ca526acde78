using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Compiled;

/// <summary>
/// Parses the fields of a typed source's lines (<see cref="Lines{T}"/>); the generated loop calls these. Numbers
/// and other <see cref="IUtf8SpanParsable{TSelf}"/> types are read from the bytes in the invariant culture,
/// without decoding; strings are decoded as UTF-8 (which allocates the string).
/// </summary>
public static class Utf8Parse
{
    /// <summary>Parses <paramref name="text"/> as a <typeparamref name="T"/>; <see langword="false"/> if it is not one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse<T>(ReadOnlySpan<byte> text, out T value)
        where T : IUtf8SpanParsable<T> =>
        T.TryParse(text, CultureInfo.InvariantCulture, out value!);

    /// <summary>Decodes <paramref name="text"/> as UTF-8; always succeeds (invalid bytes become U+FFFD).</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out string value)
    {
        value = Encoding.UTF8.GetString(text);
        return true;
    }

    /// <summary>
    /// Cuts the next comma-separated field off <paramref name="rest"/>: the bytes before the first comma (or all
    /// of them, for the <paramref name="last"/> field, which must hold no comma).
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
