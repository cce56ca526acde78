using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled;

/// <summary>
/// The plain line: what a generated parser of a record placed by position reads straight from the line, column after
/// column, when the line holds no quote and every column (see <see cref="IsPlain"/>).
/// </summary>
public sealed partial class CsvRecordReader
{
    private int _countedFields;

    /// <summary>
    /// Whether <paramref name="line"/> is a plain record that the generated parser may read straight from the line, field
    /// after field by position: a line past the stream's first (so no byte order mark) that is neither a header row nor
    /// inside a quoted field, holds no quote, has exactly as many fields as the layout's columns, and needs no copy (no
    /// text member, no dead letter kept). Reading it so gives what <see cref="TryBegin"/> and <see cref="TryField"/>
    /// give, field for field; any other line, or a plain line whose field does not read in the common form, goes
    /// through <see cref="TryBegin"/>. Counts nothing: <see cref="TookPlain"/> does, once the record is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsPlain(ReadOnlySpan<byte> line)
    {
        int fields = _countedFields;
        _countedFields = 0;
        return !(_pending | _header | _keepRaw | _layout.KeepsText) && _line != 0
            && (fields != 0 ? fields : PlainFields(line, _separator)) == _expected;
    }

    /// <summary>
    /// Gives the fields of the next line, as the framer counted them in the pass that found the line's end (its separators plus
    /// one; -1 when it holds a quote), so that <see cref="IsPlain"/> need not count them again; 0 (as it is after each
    /// line) for a line it counts itself. The generated loop gives it just before it hands the line to the parser.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void FieldsCounted(int fields) => _countedFields = fields;

    /// <summary>Counts the plain line just read as a record: its line number, and a new record for the text buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void TookPlain()
    {
        _line++;
        _recordLine = _line;
        _recordOffset = -1;
        _buffer.Generation++;
    }

    /// <summary>
    /// The field of a plain line (<see cref="IsPlain"/>) that starts at <paramref name="at"/>: up to the next separator,
    /// past which <paramref name="at"/> moves, or for the <paramref name="last"/> column the rest of the line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> PlainField(ReadOnlySpan<byte> line, scoped ref int at, byte separator, bool last)
    {
        int start = at;
        if (last)
        {
            at = line.Length;
            return line[start..];
        }

        int end = Internal.ByteSearch.IndexOf(line, start, separator);
        at = end + 1;
        return line[start..end];
    }

    // The number of fields of a line with no quote (its separators and one), or -1 if it holds a quote: a vector at a
    // time, the last block overlapping the one before it, as CutUnquoted does, counting bits instead of cutting.
    private static int PlainFields(ReadOnlySpan<byte> s, byte separator)
    {
        int length = s.Length;
        int separators = 0;
        if (length >= Vector256<byte>.Count && Vector256.IsHardwareAccelerated)
        {
            // Thirty-two bytes at a time where the core has them: a line of a hundred bytes in three or four blocks.
            Vector256<byte> separatorBytes = Vector256.Create(separator);
            Vector256<byte> quotes = Vector256.Create((byte)'"');
            ref byte first = ref MemoryMarshal.GetReference(s);
            int last = length - Vector256<byte>.Count;
            int i = 0;
            while (true)
            {
                int at = Math.Min(i, last);
                uint unseen = ~0u << (i - at);
                Vector256<byte> block = Vector256.LoadUnsafe(ref first, (nuint)at);
                if ((Vector256.Equals(block, quotes).ExtractMostSignificantBits() & unseen) != 0)
                {
                    return -1;
                }

                separators += BitOperations.PopCount(Vector256.Equals(block, separatorBytes).ExtractMostSignificantBits() & unseen);
                i = at + Vector256<byte>.Count;
                if (i >= length)
                {
                    return separators + 1;
                }
            }
        }

        if (length >= Vector128<byte>.Count && Vector128.IsHardwareAccelerated)
        {
            Vector128<byte> separatorBytes = Vector128.Create(separator);
            Vector128<byte> quotes = Vector128.Create((byte)'"');
            ref byte first = ref MemoryMarshal.GetReference(s);
            int last = length - Vector128<byte>.Count;
            int i = 0;
            while (true)
            {
                int at = Math.Min(i, last);
                uint unseen = ~0u << (i - at);
                Vector128<byte> block = Vector128.LoadUnsafe(ref first, (nuint)at);
                if ((Vector128.Equals(block, quotes).ExtractMostSignificantBits() & unseen) != 0)
                {
                    return -1;
                }

                separators += BitOperations.PopCount(Vector128.Equals(block, separatorBytes).ExtractMostSignificantBits() & unseen);
                i = at + Vector128<byte>.Count;
                if (i >= length)
                {
                    return separators + 1;
                }
            }
        }

        foreach (byte b in s)
        {
            if (b == (byte)'"')
            {
                return -1;
            }

            separators += b == separator ? 1 : 0;
        }

        return separators + 1;
    }

    /// <summary>
    /// Reads the <see cref="long"/> column of a plain line (<see cref="IsPlain"/>) that starts at <paramref name="at"/> in
    /// the common form (an optional '-' and 1 to 18 digits, then the separator, or the end for the <paramref name="last"/>
    /// column), in the one pass that finds its end, and moves <paramref name="at"/> past the separator. False for any
    /// other form (spaces, a '+', more digits, a letter), which the general path reads as <see cref="CsvValues.Int64"/> does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool PlainInt64(ReadOnlySpan<byte> line, scoped ref int at, byte separator, bool last, out long value)
    {
        bool read = Utf8Fields.TryDigits(line, ref at, separator, last, signed: true, 18, out ulong magnitude, out bool negative);
        value = negative ? -(long)magnitude : (long)magnitude;
        return read;
    }

    /// <summary>Reads the <see cref="int"/> column of a plain line as <see cref="PlainInt64"/> reads a long (1 to 9 digits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool PlainInt32(ReadOnlySpan<byte> line, scoped ref int at, byte separator, bool last, out int value)
    {
        bool read = Utf8Fields.TryDigits(line, ref at, separator, last, signed: true, 9, out ulong magnitude, out bool negative);
        value = negative ? -(int)magnitude : (int)magnitude;
        return read;
    }

    /// <summary>Reads the <see cref="ulong"/> column of a plain line as <see cref="PlainInt64"/> reads a long (no sign, 1 to 19 digits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool PlainUInt64(ReadOnlySpan<byte> line, scoped ref int at, byte separator, bool last, out ulong value) =>
        Utf8Fields.TryDigits(line, ref at, separator, last, signed: false, 19, out value, out _);

    /// <summary>Reads the <see cref="uint"/> column of a plain line as <see cref="PlainInt64"/> reads a long (no sign, 1 to 9 digits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool PlainUInt32(ReadOnlySpan<byte> line, scoped ref int at, byte separator, bool last, out uint value)
    {
        bool read = Utf8Fields.TryDigits(line, ref at, separator, last, signed: false, 9, out ulong magnitude, out _);
        value = (uint)magnitude;
        return read;
    }
}
