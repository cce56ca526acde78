using System.Runtime.CompilerServices;

namespace Compiled;

/// <summary>
/// The plain line: what a generated parser of a record placed by position reads straight from the line, column after
/// column, when the line holds no quote and every column (see <see cref="IsPlain"/>).
/// </summary>
public sealed partial class CsvRecordReader
{
    private int _countedFields;
    private bool _tookPlain; // the record last read was a plain line, read straight from it
    private readonly int[] _kept; // where each kept column of that line starts and ends (KeepColumn), two ints a column of the layout

    /// <summary>
    /// Whether <paramref name="line"/> is a plain record that the generated parser may read straight from the line, field
    /// after field by position: a line past the stream's first (so no byte order mark), not empty, that is neither a header row nor
    /// inside a quoted field, holds no quote, has exactly as many fields as the layout's columns, and needs no copy (no
    /// text member, no dead letter kept). Reading it so gives what <see cref="TryBegin"/> and <see cref="TryField"/>
    /// give, field for field; any other line, or a plain line whose field does not read in the common form, goes
    /// through <see cref="TryBegin"/>. Counts nothing: <see cref="TookPlain"/> does, once the record is read. A layout
    /// that does not check unread columns (<see cref="CsvLayout.CheckUnreadColumns"/>) has neither its quotes nor its
    /// fields counted: the parser reads its columns with <see cref="PlainCut"/>, which finds a quote in a column it
    /// passes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsPlain(ReadOnlySpan<byte> line)
    {
        int fields = _countedFields;
        _countedFields = 0;
        // An empty line is no record (TryBegin skips it): not plain, even where nothing would be cut from it.
        return !(_pending | _header | _copies) && _line != 0 && !line.IsEmpty
            && (!_checksUnread || (fields != 0 ? fields : PlainFields(line, _separator)) == _expected);
    }

    /// <summary>
    /// Whether the record last read was a plain line (<see cref="TookPlain"/>), read straight from the line, rather than cut
    /// by <see cref="TryBegin"/>: where a generated parser reading the rest of its members (<c>TryReadCsvRest</c>) reads
    /// them too, before it falls back on <see cref="TryRecut"/>.
    /// </summary>
    public bool TookPlainLine => _tookPlain;

    /// <summary>
    /// The record last read, cut into fields for <see cref="TryField"/>, for a generated parser that reads the rest of its
    /// members after a stage (a filter) has seen the first ones: what <see cref="TryBegin"/> cut, or, for a plain line
    /// (nothing cut), <paramref name="line"/> cut now by the full rules. Counts nothing: the record was counted when it was
    /// first read. <see langword="false"/> (the record refused) only for a quote out of place that a layout checking every
    /// column refuses, which a plain line of it never holds.
    /// </summary>
    public bool TryRecut(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> record)
    {
        if (!_tookPlain)
        {
            // The fields were cut from the buffer, or from the line past its byte order mark (the stream's first line).
            record = _recordInBuffer ? new ReadOnlySpan<byte>(_buffer.Bytes, 0, _length) : line[_recordFrom..];
            return true;
        }

        _tookPlain = false;
        record = default;
        BadRecordReason cut = Cut(line, out bool escaped);
        _cutShort = cut is BadRecordReason.UnterminatedQuote or BadRecordReason.BadQuote && !_checksUnread ? cut : BadRecordReason.None;
        if (cut != BadRecordReason.None && _cutShort == BadRecordReason.None)
        {
            return Refuse(cut, -1, QuoteOutOfPlace);
        }

        _recordInBuffer = escaped;
        if (!escaped)
        {
            record = line;
            return true;
        }

        // Doubled quotes: the record is unescaped in the buffer, as TryBegin does it.
        _length = 0;
        Append(null, line);
        Unescape();
        record = new ReadOnlySpan<byte>(_buffer.Bytes, 0, _length);
        return true;
    }

    /// <summary>
    /// Gives the fields of the next line, as the framer counted them in the pass that found the line's end (its separators plus
    /// one; -1 when it holds a quote), so that <see cref="IsPlain"/> need not count them again; 0 (as it is after each
    /// line) for a line it counts itself. The generated loop gives it just before it hands the line to the parser.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void FieldsCounted(int fields) => _countedFields = fields;

    /// <summary>
    /// Counts the plain line just read as a record: its line number. The text buffer's generation is left as it is: a
    /// layout read by plain lines has no text member (<see cref="IsPlain"/>), so no <see cref="Utf8Text"/> is cut from it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void TookPlain()
    {
        _tookPlain = true;
        _line++;
        _recordLine = _line;
        _recordOffset = -1;
    }

    /// <summary>
    /// Keeps where <paramref name="column"/> of the plain line being read starts and ends (its separator left out): what a
    /// generated parser records, as it reads them, for the columns a pipeline writes again as they came
    /// (<see cref="KeptColumns"/>), so that an unchanged number is copied rather than formatted again. A column of the
    /// layout's (below its <see cref="CsvLayout.Width"/>): room for each is made with the reader.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void KeepColumn(int column, int start, int end)
    {
        _kept[column * 2] = start;
        _kept[(column * 2) + 1] = end;
    }

    /// <summary>
    /// The text of the plain line last read (<see cref="TookPlainLine"/>) from the start of column <paramref name="first"/>
    /// to the end of column <paramref name="last"/>, separators between them included, as the generated parser kept them
    /// (<see cref="KeepColumn"/>) while it read <paramref name="line"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> KeptColumns(ReadOnlySpan<byte> line, int first, int last)
    {
        int start = _kept[first * 2];
        return line[start.._kept[(last * 2) + 1]];
    }

    /// <summary>
    /// The columns <paramref name="first"/> to <paramref name="last"/> of the plain line just read (<see cref="KeptColumns"/>),
    /// when each is an integer in the text it is written as (<see cref="IsIntegerAsWritten"/>): what a generated CSV writer
    /// copies rather than writing the values again. <see langword="false"/> for a line not read plain, or a column in another
    /// form.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryKeptIntegers(ReadOnlySpan<byte> line, int first, int last, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (!_tookPlain)
        {
            return false;
        }

        for (int column = first; column <= last; column++)
        {
            if (!IsIntegerAsWritten(KeptColumns(line, column, column)))
            {
                return false;
            }
        }

        text = KeptColumns(line, first, last);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="text"/>, an integer column a plain line holds in the form its parser reads (an optional '-'
    /// and digits), is the text the integer is written as (<see cref="Utf8Format"/>): no leading zero, and not "-0". Only
    /// then is the column copied as it came rather than written from its value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsIntegerAsWritten(ReadOnlySpan<byte> text) =>
        text.Length == 1 || (text[0] != (byte)'0' && (text[0] != (byte)'-' || text[1] != (byte)'0'));

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

    /// <summary>
    /// The field of a plain line whose layout does not check unread columns (<see cref="CsvLayout.CheckUnreadColumns"/>)
    /// that starts at <paramref name="at"/>, as <see cref="PlainField"/> cuts it, checked on the way, since nothing
    /// counted the line: <see langword="false"/> if a quote comes before its end, or if the line ends before it does (a
    /// column before the <paramref name="last"/>) or goes on past it (the last column), which the general path reads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool PlainCut(ReadOnlySpan<byte> line, scoped ref int at, byte separator, bool last, out ReadOnlySpan<byte> field)
    {
        int start = at;
        int end = Internal.ByteSearch.IndexOfEither(line, start, separator, (byte)'"');
        if (last ? end >= 0 : end < 0 || line[end] != separator)
        {
            field = default;
            return false;
        }

        end = last ? line.Length : end;
        at = end + 1;
        field = line[start..end];
        return true;
    }

    /// <summary>
    /// Passes over <paramref name="columns"/> columns of a plain line whose layout does not check unread columns
    /// (<see cref="CsvLayout.CheckUnreadColumns"/>), from the one that starts at <paramref name="at"/>, none of them read:
    /// moves <paramref name="at"/> past their last separator in one pass, where <see cref="PlainCut"/> would be called
    /// once a column. <see langword="false"/> if a quote comes before that separator, or the line ends before it, which
    /// the general path reads. A column after them is read, so the last of them is never the line's last.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool PlainSkip(ReadOnlySpan<byte> line, scoped ref int at, byte separator, int columns)
    {
        int end = Internal.ByteSearch.IndexOfNth(line, at, separator, (byte)'"', columns);
        if (end < 0 || line[end] != separator)
        {
            return false;
        }

        at = end + 1;
        return true;
    }

    // The number of fields of a line the framer did not count (its separators and one), or -1 if it holds a quote: the
    // framer's own count, over the whole line (which holds no line end).
    // Out of line: a fused loop whose framer counts the fields never calls it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int PlainFields(ReadOnlySpan<byte> line, byte separator)
    {
        Internal.ByteSearch.IndexOfCounting(line, 0, (byte)'\n', separator, out int separators, out bool quote);
        return quote ? -1 : separators + 1;
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
