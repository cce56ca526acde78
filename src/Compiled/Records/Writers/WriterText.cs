using System.Buffers;
using System.Text;

namespace Compiled;

/// <summary>
/// What the generated CSV and JSON writers share: text that is not valid UTF-8 is written with each invalid sequence
/// replaced by U+FFFD (the replacement character, <c>EF BF BD</c>), so every file and message they write is valid UTF-8
/// that any reader decodes; and times in Unix seconds or milliseconds, for members declared
/// <c>[Column(Format = "unix")]</c> or <c>"unixms"</c>.
/// </summary>
public static class WriterText
{
    /// <summary>
    /// Writes <paramref name="utf8"/> into <paramref name="destination"/> with each invalid UTF-8 sequence replaced by
    /// U+FFFD, as <see cref="Encoding.UTF8"/> decodes one; returns the bytes written. The destination holds three bytes
    /// per byte of the input at most.
    /// </summary>
    public static int ReplaceInvalidUtf8(ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        int written = 0;
        while (!utf8.IsEmpty)
        {
            // A valid run is copied as it is; the sequence that ends it becomes one U+FFFD.
            int valid = ValidPrefix(utf8);
            utf8[..valid].CopyTo(destination[written..]);
            written += valid;
            utf8 = utf8[valid..];
            if (utf8.IsEmpty)
            {
                break;
            }

            Rune.DecodeFromUtf8(utf8, out Rune replacement, out int consumed);
            written += replacement.EncodeToUtf8(destination[written..]);
            utf8 = utf8[Math.Max(consumed, 1)..];
        }

        return written;
    }

    /// <summary>The time as whole seconds since 1970-01-01 (its ticks taken as UTC, as the CSV reader gives them), rounded down.</summary>
    public static long UnixSeconds(DateTime time) => Math.DivRem(time.Ticks - DateTime.UnixEpoch.Ticks, TimeSpan.TicksPerSecond, out long rest) - (rest < 0 ? 1 : 0);

    /// <summary>The time as whole milliseconds since 1970-01-01 (its ticks taken as UTC), rounded down.</summary>
    public static long UnixMilliseconds(DateTime time) => Math.DivRem(time.Ticks - DateTime.UnixEpoch.Ticks, TimeSpan.TicksPerMillisecond, out long rest) - (rest < 0 ? 1 : 0);

    /// <summary>The instant as whole seconds since 1970-01-01 UTC.</summary>
    public static long UnixSeconds(DateTimeOffset time) => time.ToUnixTimeSeconds();

    /// <summary>The instant as whole milliseconds since 1970-01-01 UTC.</summary>
    public static long UnixMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    // The length of the longest valid UTF-8 prefix.
    private static int ValidPrefix(ReadOnlySpan<byte> utf8)
    {
        int index = 0;
        while (index < utf8.Length)
        {
            if (Rune.DecodeFromUtf8(utf8[index..], out _, out int consumed) != OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return index;
    }

    /// <summary>Copies what a writer appended after <paramref name="start"/> into a pooled array, and drops it from <paramref name="text"/>: to write it again, escaped.</summary>
    internal static byte[] TakeTail(RecordText text, int start, out int length)
    {
        ReadOnlySpan<byte> tail = text.Written[start..];
        length = tail.Length;
        byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        tail.CopyTo(copy);
        text.Truncate(start);
        return copy;
    }

    /// <summary>Encodes <paramref name="value"/> as UTF-8 at the end of <paramref name="text"/> (a lone surrogate becomes U+FFFD).</summary>
    internal static void AppendUtf16(RecordText text, ReadOnlySpan<char> value)
    {
        Span<byte> room = text.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        text.Advance(Encoding.UTF8.GetBytes(value, room));
    }
}
