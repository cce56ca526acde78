using System.Globalization;

namespace Compiled.Internal;

/// <summary>Reads a size in bytes as a user writes one on a command line: <c>65536</c>, <c>512KiB</c>, <c>64MiB</c>, <c>1GiB</c>.</summary>
internal static class ByteSizeText
{
    /// <summary>Reads <paramref name="text"/> (a whole number, optionally followed by KiB, MiB or GiB, any case); false if it is not one, or below 1.</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        ReadOnlySpan<char> value = text.AsSpan().Trim();
        int shift = 0;
        if (value.EndsWith("KiB", StringComparison.OrdinalIgnoreCase))
        {
            shift = 10;
        }
        else if (value.EndsWith("MiB", StringComparison.OrdinalIgnoreCase))
        {
            shift = 20;
        }
        else if (value.EndsWith("GiB", StringComparison.OrdinalIgnoreCase))
        {
            shift = 30;
        }

        if (shift > 0)
        {
            value = value[..^3].TrimEnd();
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long number) || number < 1 || number > (long.MaxValue >> shift))
        {
            return false;
        }

        bytes = number << shift;
        return true;
    }
}
