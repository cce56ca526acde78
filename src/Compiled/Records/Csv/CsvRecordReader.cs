using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled;

/// <summary>
/// The per-source state of a CSV source's generated parser (RFC 4180): it cuts each line the framer hands it into
/// fields, joins the lines of a record whose quoted field holds a newline, reads the header row of each stream, keeps
/// the buffer <see cref="Utf8Text"/> fields are cut from, and counts (or, under <see cref="BadRecordPolicy.Fail"/>,
/// throws for) records that do not parse. The generated <c>TryReadCsv</c> of the record struct calls
/// <see cref="TryBegin"/>, then reads each member's field with <see cref="TryField"/> and the
/// <see cref="CsvValues"/> reader of its type, directly: no delegate, interface or generic call per field. A record
/// placed by position first asks <see cref="IsPlain"/>, and reads a plain line straight from it (CsvRecordReader.Plain.cs).
/// </summary>
/// <remarks>
/// Rules: fields are separated by <see cref="CsvLayout.Separator"/>; a field that starts with <c>"</c> is quoted, runs
/// to the next lone <c>"</c> (a doubled <c>""</c> is one quote) and may hold separators and newlines; after its closing
/// quote comes a separator or the end of the record. A quote inside an unquoted field, or text after a closing quote,
/// is <see cref="BadRecordReason.BadQuote"/>. Spaces are part of fields. A UTF-8 byte order mark at the start of a
/// stream is skipped; an empty line outside a quoted field is skipped, not counted.
/// One reader serves one source from one thread.
/// </remarks>
public sealed partial class CsvRecordReader : IRecordLines
{
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    // Why a row is refused for a quote out of place, and what to do.
    private const string QuoteOutOfPlace = "a quote inside an unquoted field, or text after a closing quote; quote the field and double each quote inside it";

    private readonly CsvLayout _layout;
    private readonly BadRecordSource _badRecords;
    private readonly BadRecordPolicy _policy;
    private readonly bool _keepRaw;  // DeadLetter: each record is copied as read, for the dead-letter sink
    private readonly bool _copies;   // a record is copied before it is read (text members, or kept raw): never a plain line
    private readonly bool _checksUnread; // every column checked, read or not (CsvLayout.CheckUnreadColumns)
    private byte[] _raw = [];
    private int _rawLength;
    private long _recordOffset = -1;  // the byte offset of a record that spans lines (its first line's); -1 for the framer's
    private readonly int _maxRecordBytes;
    private readonly byte _separator;
    private readonly Utf8TextBuffer _buffer = new(new byte[256]);
    private readonly int[] _columns;
    private readonly long[] _reasons = new long[Enum.GetValues<BadRecordReason>().Length];
    private int[] _starts = new int[16];
    private int[] _ends = new int[16];
    private bool[] _escaped = new bool[16];
    private int _count;
    private bool _recordInBuffer; // the record TryBegin last cut is in the buffer, not the line
    private int _recordFrom;      // where in its line the record TryBegin last cut from the line starts: past a byte order mark
    private BadRecordReason _cutShort; // a row not checked in unread columns, cut up to a quote out of place: why it ends there
    private int _expected;
    private int _length;          // bytes of the buffer in use
    private bool _pending;        // the buffer holds the first lines of a record whose quoted field is still open
    private bool _header;         // the next record is the stream's header row
    private bool _required;       // a required column is missing from the stream's header
    private int _missingMember;   // the first member whose required column the stream's header lacks
    private long _line;           // lines of the stream seen
    private long _recordLine;     // the line the current record starts on
    private bool _fromStart;      // the stream is read from its start (not a partition's range further into a file)
    private string _stream = "";

    /// <summary>Creates the reader of a source (the generated job does this).</summary>
    /// <param name="layout">The record's layout: the struct's generated <c>CsvLayout</c>.</param>
    /// <param name="source">The source's name, for messages.</param>
    /// <param name="counters">The source's counters: a refused record counts as <see cref="SourceCounters.Malformed"/>.</param>
    /// <param name="maxRecordBytes">The longest record, lines joined, that a quoted field may make.</param>
    /// <param name="badRecords">
    /// Where a refused record is reported (counted per field and reason, written to the dead-letter sink, or thrown): the
    /// source's refusal point in the run's ledger. <see langword="null"/> for one of the reader's own.
    /// </param>
    /// <param name="policy">The source's policy (<c>[Source(OnBadRecord = ...)]</c>), overriding the record's; <see langword="null"/> for the record's.</param>
    public CsvRecordReader(CsvLayout layout, string source, SourceCounters counters, int maxRecordBytes = FramingOptions.DefaultMaxRecordBytes, BadRecordSource? badRecords = null, BadRecordPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(counters);
        _layout = layout;
        _badRecords = badRecords ?? BadRecordSource.Standalone(source, counters);
        _badRecords.Lines = this;
        _policy = _badRecords.PolicyOver(policy ?? layout.OnBadRecord);
        _keepRaw = _policy == BadRecordPolicy.DeadLetter;
        _copies = _keepRaw || layout.KeepsText;
        _checksUnread = layout.CheckUnreadColumns;
        _maxRecordBytes = maxRecordBytes;
        _separator = layout.Separator;
        _columns = (int[])layout.Indexes.Clone();
        _kept = new int[layout.Width * 2];
        BeginStream("");
    }

    /// <summary>The buffer <see cref="Utf8Text"/> fields are cut from.</summary>
    public Utf8TextBuffer Text => _buffer;

    /// <summary>How many records were refused for <paramref name="reason"/> since the reader was created.</summary>
    public long Refused(BadRecordReason reason) => _reasons[(int)reason];

    /// <summary>The line of the current stream the current record starts on, from 1; 0 in a range that begins further into a file, whose lines before it were not counted.</summary>
    public long Line => _fromStart ? _recordLine : 0;

    /// <summary>The stream being read.</summary>
    public string Stream => _stream;

    /// <summary>The byte offset of the current record when it spans lines (its first line's); -1 otherwise, where the framer's offset of the line is the record's.</summary>
    public long RecordOffset => _recordOffset;

    /// <summary>
    /// Ends the current stream: a record whose quoted field is still open there never completes, and is refused as
    /// <see cref="BadRecordReason.UnterminatedQuote"/> (with <see cref="BadRecordPolicy.Fail"/>, the job stops). The
    /// generated job calls this when a stream's last bytes have been framed; a new stream ends the one before it too.
    /// </summary>
    public void EndStream()
    {
        if (_pending)
        {
            _pending = false;
            Refuse(BadRecordReason.UnterminatedQuote, -1, "the stream ended inside a quoted field");
        }
    }

    /// <summary>
    /// Starts a new stream (a file or a connection): its first row is a header again, and lines count from 1. A record
    /// whose quoted field the previous stream left open is refused as <see cref="BadRecordReason.UnterminatedQuote"/>.
    /// </summary>
    public void BeginStream(string streamName)
    {
        EndStream();
        _stream = streamName;
        _line = 0;
        _recordLine = 0;
        _fromStart = true;
        _header = _layout.Header != RecordHeader.None;
        _required = false;
        Array.Copy(_layout.Indexes, _columns, _columns.Length);
        _expected = _layout.Width;
    }

    /// <summary>
    /// Starts a stream that is a byte range of a file beginning <paramref name="offset"/> bytes into it (a partition's
    /// range, cut at a line end, of a record that reads one line each: <see cref="CsvLayout.MultiLine"/> off). From the
    /// file's start it is <see cref="BeginStream(string)"/>; from further in, the range holds no header row (a
    /// <see cref="RecordHeader.Skip"/> layout skips none; a <see cref="RecordHeader.Names"/> layout is never split) and no
    /// byte order mark, and the line a record is on is not known (<see cref="Line"/> is 0: a bad record's report gives its
    /// byte offset, which the framer knows).
    /// </summary>
    public void BeginStream(string streamName, long offset)
    {
        BeginStream(streamName);
        if (offset > 0)
        {
            _fromStart = false;
            _header = false;
        }
    }

    /// <summary>
    /// Takes the next line of the stream. <see langword="true"/> when it completes a record whose fields are now cut:
    /// <paramref name="record"/> is the record's bytes (the line, or the reader's buffer), which <see cref="TryField"/>
    /// slices. <see langword="false"/> for a line that opens or continues a quoted field, a header row, an empty line,
    /// or a record refused (counted, or thrown under <see cref="BadRecordPolicy.Fail"/>).
    /// </summary>
    public bool TryBegin(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> record)
    {
        _line++;
        _tookPlain = false;
        record = default;
        ReadOnlySpan<byte> input;
        bool inBuffer;
        if (_pending)
        {
            Append((byte)'\n', line);
            input = new ReadOnlySpan<byte>(_buffer.Bytes, 0, _length);
            inBuffer = true;
        }
        else
        {
            _recordFrom = 0;
            if (_line == 1 && _fromStart && line.StartsWith(ByteOrderMark))
            {
                line = line[ByteOrderMark.Length..];
                _recordFrom = ByteOrderMark.Length;
            }

            if (line.IsEmpty)
            {
                return false;
            }

            _recordLine = _line;
            _recordOffset = -1;
            _buffer.Generation++;
            input = line;
            inBuffer = false;
        }

        if (_keepRaw)
        {
            KeepRaw(input);
        }

        BadRecordReason cut = Cut(input, out bool escaped);
        _cutShort = BadRecordReason.None;
        if (cut is BadRecordReason.UnterminatedQuote or BadRecordReason.BadQuote && !_checksUnread)
        {
            // A row checked only in the columns read: its fields before the quote out of place are its fields; a column read
            // past them is refused for that quote (RefuseMissing), one no stage reads is not looked at.
            _cutShort = cut;
            cut = BadRecordReason.None;
        }

        if (cut == BadRecordReason.UnterminatedQuote && !_layout.MultiLine)
        {
            // Every line is a record: a quote left open at the line's end is the record's mistake, not a newline in a field.
            return Refuse(BadRecordReason.UnterminatedQuote, -1, _policy == BadRecordPolicy.Skip ? "" : "a quoted field is not closed on its line, and the record is one line (MultiLine = false); close the quote, or declare the record MultiLine = true if its quoted fields hold line breaks");
        }

        if (cut == BadRecordReason.UnterminatedQuote)
        {
            // A quoted field runs on to the next line: keep the lines so far, and wait for it.
            if (!inBuffer)
            {
                _length = 0;
                Append(null, line);
                _pending = true;
                _recordOffset = _badRecords.Offset;
            }

            if (_length > _maxRecordBytes)
            {
                _pending = false;
                return Refuse(BadRecordReason.UnterminatedQuote, -1, _policy == BadRecordPolicy.Skip ? "" : $"a quoted field runs on past {_maxRecordBytes} bytes");
            }

            return false;
        }

        _pending = false;
        if (cut != BadRecordReason.None)
        {
            return Refuse(cut, -1, QuoteOutOfPlace);
        }

        if ((escaped || _layout.KeepsText) && !inBuffer)
        {
            _length = 0;
            Append(null, input);
            input = new ReadOnlySpan<byte>(_buffer.Bytes, 0, _length);
            inBuffer = true;
        }

        if (escaped)
        {
            Unescape();
        }

        _recordInBuffer = inBuffer;
        if (_header)
        {
            _header = false;
            ReadHeader(input);
            return false;
        }

        if (_count > _expected && _checksUnread)
        {
            return Refuse(BadRecordReason.WrongFieldCount, -1, _policy == BadRecordPolicy.Skip ? "" : $"the row has {_count} fields, not {_expected}");
        }

        if (_required && _checksUnread)
        {
            return Refuse(BadRecordReason.MissingColumn, _missingMember, _policy == BadRecordPolicy.Skip ? "" : MissingColumn(_missingMember));
        }

        record = input;
        return true;
    }

    /// <summary>
    /// The field of member <paramref name="member"/> in <paramref name="record"/>; <see langword="false"/> if the row
    /// is too short to have it, or its column is not in the stream's header.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryField(ReadOnlySpan<byte> record, int member, out ReadOnlySpan<byte> field)
    {
        int column = _columns[member];
        if ((uint)column < (uint)_count)
        {
            int start = _starts[column];
            field = record.Slice(start, _ends[column] - start);
            return true;
        }

        field = default;
        return false;
    }

    /// <summary>
    /// Whether the record has the field of member <paramref name="member"/>, as <see cref="TryField"/> would find it: a
    /// member the stages never read is not parsed, but a row too short to have its field is still refused.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasField(int member) => (uint)_columns[member] < (uint)_count;

    /// <summary>
    /// Refuses the record for lacking the field of member <paramref name="member"/>: as
    /// <see cref="BadRecordReason.WrongFieldCount"/>, or, for a layout that does not check unread columns
    /// (<see cref="CsvLayout.CheckUnreadColumns"/>), as <see cref="BadRecordReason.MissingColumn"/> when the stream's
    /// header has no column for it, or for the quote out of place that cut the row short before its field. Always
    /// <see langword="false"/>.
    /// </summary>
    public bool RefuseMissing(int member)
    {
        bool skip = _policy == BadRecordPolicy.Skip; // under Skip the words are never read
        int column = _columns[member];
        if (column < 0)
        {
            return Refuse(BadRecordReason.MissingColumn, member, skip ? "" : MissingColumn(member));
        }

        return _cutShort == BadRecordReason.None
            ? Refuse(BadRecordReason.WrongFieldCount, member, skip ? "" : $"the row has {_count} fields, none in column {column} for the {_layout.Members[member]} of a {_layout.Record}; give the row that column, or give the member a default or make it nullable")
            : Refuse(_cutShort, -1, skip ? "" : $"a quoted field is not closed, or a quote is out of place, before the {_layout.Members[member]} of a {_layout.Record}; close the quote, double a quote inside a quoted field (\"\"), or quote a field holding one");
    }

    // Why a row is refused for a column its stream's header lacks, and what to do.
    private string MissingColumn(int member) =>
        $"the stream's header row has no column {_layout.Columns[member]} for the {_layout.Members[member]} of a {_layout.Record}; add the column to the input, or give the member a default or make it nullable";

    /// <summary>The field of member <paramref name="member"/> as text in the reader's buffer (the record is there when the layout keeps text); <see langword="false"/> as <see cref="TryField"/>, or if it is not valid UTF-8 (<paramref name="invalid"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryText(int member, out Utf8Text text, out bool invalid)
    {
        int column = _columns[member];
        if ((uint)column < (uint)_count)
        {
            int start = _starts[column];
            int length = _ends[column] - start;
            text = new Utf8Text(_buffer, start, length);
            invalid = !System.Text.Unicode.Utf8.IsValid(new ReadOnlySpan<byte>(_buffer.Bytes, start, length));
            return !invalid;
        }

        text = default;
        invalid = false;
        return false;
    }

    /// <summary>
    /// Refuses the current record: counts it (as malformed, and under <paramref name="reason"/>), or under
    /// <see cref="BadRecordPolicy.Fail"/> throws a <see cref="BadRecordException"/>. Always <see langword="false"/>, so the
    /// generated parser can <c>return</c> it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool Refuse(BadRecordReason reason, int member, ReadOnlySpan<byte> field)
    {
        // Under Skip the words are never read: a flood of bad rows formats nothing.
        string detail = _policy == BadRecordPolicy.Skip ? ""
            : member < 0 ? "the row does not fit the record"
            : $"'{Encoding.UTF8.GetString(field[..Math.Min(field.Length, 80)])}' cannot be read as the {_layout.Members[member]} of a {_layout.Record}";
        return Refuse(reason, member, detail);
    }

    // Every refusal goes through the source's refusal point, which counts it, writes it to the dead-letter sink or throws.
    private bool Refuse(BadRecordReason reason, int member, string detail)
    {
        if (_policy != BadRecordPolicy.Fail)
        {
            _reasons[(int)reason]++;
        }

        return _badRecords.Refuse(_policy, reason, member < 0 ? null : _layout.Members[member], detail, new ReadOnlySpan<byte>(_raw, 0, _rawLength));
    }

    // Under DeadLetter: the record as read (its lines joined, quotes not yet unescaped), for the dead-letter sink.
    private void KeepRaw(ReadOnlySpan<byte> record)
    {
        if (_raw.Length < record.Length)
        {
            _raw = new byte[Math.Max(record.Length, Math.Max(256, _raw.Length * 2))];
        }

        record.CopyTo(_raw);
        _rawLength = record.Length;
    }

    // Cuts the record into fields (their bounds in _starts/_ends, quotes excluded). UnterminatedQuote if a quoted field is
    // still open at the end; BadQuote for a quote out of place.
    private BadRecordReason Cut(ReadOnlySpan<byte> s, out bool escaped)
    {
        escaped = false;
        if (Vector128.IsHardwareAccelerated && CutUnquoted(s))
        {
            return BadRecordReason.None;
        }

        return CutQuoted(s, out escaped);
    }

    // The common record, with no quote: every separator ends a field. Sixteen bytes at a time are compared with the
    // separator and the quote; the separators' bits give the fields' ends. The last block is the line's last sixteen
    // bytes, overlapping the one before it (its bytes already seen are masked off), so no byte is compared one by one
    // unless the whole line is shorter than a block. The bounds arrays are made room for once a block, and written
    // without bounds checks. False (nothing cut) if a quote is found, for CutQuoted to cut the record by the rules of
    // quoted fields (which marks every field's escapes; an unquoted record has none, so none are written here).
    private bool CutUnquoted(ReadOnlySpan<byte> s)
    {
        int length = s.Length;
        int count = 0;
        int start = 0;
        if (length >= Vector128<byte>.Count)
        {
            Vector128<byte> separators = Vector128.Create(_separator);
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
                    return false;
                }

                uint found = Vector128.Equals(block, separators).ExtractMostSignificantBits() & unseen;
                if (count + Vector128<byte>.Count + 1 > _starts.Length)
                {
                    Grow();
                }

                ref int starts = ref MemoryMarshal.GetArrayDataReference(_starts);
                ref int ends = ref MemoryMarshal.GetArrayDataReference(_ends);
                while (found != 0)
                {
                    int end = at + BitOperations.TrailingZeroCount(found);
                    found &= found - 1;
                    Unsafe.Add(ref starts, count) = start;
                    Unsafe.Add(ref ends, count) = end;
                    count++;
                    start = end + 1;
                }

                i = at + Vector128<byte>.Count;
                if (i >= length)
                {
                    break;
                }
            }
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                byte b = s[i];
                if (b == (byte)'"')
                {
                    return false;
                }

                if (b == _separator)
                {
                    if (count == _starts.Length)
                    {
                        Grow();
                    }

                    _starts[count] = start;
                    _ends[count] = i;
                    count++;
                    start = i + 1;
                }
            }

            if (count == _starts.Length)
            {
                Grow();
            }
        }

        // Room was made for it: a block leaves room for sixteen more fields, and the loop above for one more.
        _starts[count] = start;
        _ends[count] = length;
        _count = count + 1;
        return true;
    }

    private BadRecordReason CutQuoted(ReadOnlySpan<byte> s, out bool escaped)
    {
        escaped = false;
        byte separator = _separator;
        int count = 0;
        int at = 0;
        while (true)
        {
            if (count == _starts.Length)
            {
                Grow();
            }

            if ((uint)at < (uint)s.Length && s[at] == (byte)'"')
            {
                int i = at + 1;
                bool doubled = false;
                while (true)
                {
                    int quote = s[i..].IndexOf((byte)'"');
                    if (quote < 0)
                    {
                        _count = count;
                        return BadRecordReason.UnterminatedQuote;
                    }

                    i += quote;
                    if (i + 1 < s.Length && s[i + 1] == (byte)'"')
                    {
                        doubled = true;
                        i += 2;
                        continue;
                    }

                    break;
                }

                _starts[count] = at + 1;
                _ends[count] = i;
                _escaped[count] = doubled;
                escaped |= doubled;
                count++;
                int after = i + 1;
                if (after == s.Length)
                {
                    break;
                }

                if (s[after] != separator)
                {
                    _count = count;
                    return BadRecordReason.BadQuote;
                }

                at = after + 1;
            }
            else
            {
                ReadOnlySpan<byte> rest = s[at..];
                int end = rest.IndexOfAny(separator, (byte)'"');
                if (end < 0)
                {
                    _starts[count] = at;
                    _ends[count] = s.Length;
                    _escaped[count] = false;
                    count++;
                    break;
                }

                if (rest[end] == (byte)'"')
                {
                    _count = count;
                    return BadRecordReason.BadQuote;
                }

                _starts[count] = at;
                _ends[count] = at + end;
                _escaped[count] = false;
                count++;
                at += end + 1;
            }
        }

        _count = count;
        return BadRecordReason.None;
    }

    // Turns each doubled quote of the escaped fields into one, in place in the buffer.
    private void Unescape()
    {
        byte[] bytes = _buffer.Bytes;
        for (int f = 0; f < _count; f++)
        {
            if (!_escaped[f])
            {
                continue;
            }

            int write = _starts[f];
            int end = _ends[f];
            for (int read = write; read < end; read++)
            {
                byte b = bytes[read];
                bytes[write++] = b;
                if (b == (byte)'"')
                {
                    read++;
                }
            }

            _ends[f] = write;
        }
    }

    // The stream's header row: each member not placed by position is found by its column name.
    private void ReadHeader(ReadOnlySpan<byte> header)
    {
        _expected = _count;
        if (_layout.Header != RecordHeader.Names)
        {
            return;
        }

        for (int m = 0; m < _columns.Length; m++)
        {
            if (_layout.ByPosition[m])
            {
                continue;
            }

            byte[] name = _layout.ColumnsUtf8[m];
            int found = -1;
            for (int c = 0; c < _count && found < 0; c++)
            {
                ReadOnlySpan<byte> cell = header[_starts[c].._ends[c]];
                if (cell.SequenceEqual(name) || System.Text.Ascii.EqualsIgnoreCase(cell, name))
                {
                    found = c;
                }
            }

            _columns[m] = found;
            if (found < 0 && !_layout.Optional[m] && !_required)
            {
                _required = true;
                _missingMember = m;
            }
        }
    }

    private void Append(byte? separator, ReadOnlySpan<byte> bytes)
    {
        int needed = _length + (separator is null ? 0 : 1) + bytes.Length;
        if (needed > _buffer.Bytes.Length)
        {
            byte[] larger = new byte[Math.Max(needed, _buffer.Bytes.Length * 2)];
            _buffer.Bytes.AsSpan(0, _length).CopyTo(larger);
            _buffer.Bytes = larger;
        }

        if (separator is { } b)
        {
            _buffer.Bytes[_length++] = b;
        }

        bytes.CopyTo(_buffer.Bytes.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Grow()
    {
        Array.Resize(ref _starts, _starts.Length * 2);
        Array.Resize(ref _ends, _ends.Length * 2);
        Array.Resize(ref _escaped, _escaped.Length * 2);
    }
}
