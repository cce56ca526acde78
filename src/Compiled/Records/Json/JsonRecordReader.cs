using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Compiled.Connectors;

namespace Compiled;

/// <summary>
/// The per-source state of a JSON-lines source's generated parser: it takes each line the framer (or a message source)
/// hands it, keeps the buffer <see cref="Utf8Text"/> fields are cut from, counts the lines of each stream, and counts
/// (or, under <see cref="BadRecordPolicy.Fail"/>, throws for) records that do not parse. The generated
/// <c>TryReadJson</c> of the record struct calls <see cref="TryBegin(ReadOnlySpan{byte}, bool, out ReadOnlySpan{byte})"/>, walks the line with a
/// <see cref="JsonLineReader"/>, and reads each member's value with the <see cref="JsonValues"/> reader of its type or
/// with <see cref="ReadText"/> and <see cref="ReadString"/> here, directly: no delegate, interface or generic call per
/// field.
/// </summary>
/// <remarks>
/// A line is one JSON object (RFC 8259, as <see cref="Utf8JsonReader"/> reads it with its default options: no comments,
/// no trailing commas, depth at most 64), with any white space around it. An empty line, or one of white space only, is
/// skipped and not counted; a UTF-8 byte order mark at the start of a stream is skipped (a first line of only a byte
/// order mark and white space is an empty line). One reader serves one source from one thread.
/// </remarks>
public sealed class JsonRecordReader : IRecordLines
{
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    private readonly JsonLayout _layout;
    private readonly BadRecordSource _badRecords;
    private readonly BadRecordPolicy _policy;
    private readonly bool _keepRaw;  // DeadLetter: each line is copied as read, for the dead-letter sink
    private byte[] _raw = [];
    private int _rawLength;
    private readonly Utf8TextBuffer _buffer = new(new byte[512]);
    private readonly long[] _reasons = new long[Enum.GetValues<BadRecordReason>().Length];
    private byte[] _scratch = new byte[64];
    private int _used;            // bytes of the buffer in use: the line, then the unescaped strings cut after it
    private int _lineLength;      // the line's bytes at the buffer's start
    private long _line;           // lines of the stream seen
    private bool _fromStart;      // the stream began at its file's start, so _line is the line in the file
    private string _stream = "";
    private readonly JsonExpectedName[] _expected;    // at [k], the name compared first after property k - 1 (the learned order)
    private readonly JsonExpectedName[] _names;       // each top-level name's expectation, by index; none past the last

    /// <summary>Creates the reader of a source (the generated job does this).</summary>
    /// <param name="layout">The record's layout: the struct's generated <c>JsonLayout</c>.</param>
    /// <param name="source">The source's name, for messages.</param>
    /// <param name="counters">The source's counters: a refused record counts as <see cref="SourceCounters.Malformed"/>.</param>
    /// <param name="badRecords">
    /// Where a refused record is reported (counted per field and reason, written to the dead-letter sink, or thrown): the
    /// source's refusal point in the run's ledger. <see langword="null"/> for one of the reader's own.
    /// </param>
    /// <param name="policy">The source's policy (<c>[Source(OnBadRecord = ...)]</c>), overriding the record's; <see langword="null"/> for the record's.</param>
    public JsonRecordReader(JsonLayout layout, string source, SourceCounters counters, BadRecordSource? badRecords = null, BadRecordPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(counters);
        _layout = layout;
        _badRecords = badRecords ?? BadRecordSource.Standalone(source, counters);
        _badRecords.Lines = this;
        _policy = _badRecords.PolicyOver(policy ?? layout.OnBadRecord);
        _keepRaw = _policy == BadRecordPolicy.DeadLetter;
        // The names at the top of the members' paths (a path's first name), in declaration order, as the generator numbers them.
        string[] names = layout.Paths.Select(path => path.Split('.')[0]).Distinct(StringComparer.Ordinal).ToArray();
        _names = new JsonExpectedName[layout.Members.Length + 1];
        _expected = new JsonExpectedName[_names.Length];
        for (int i = 0; i < _names.Length; i++)
        {
            _names[i] = JsonExpectedName.Of(i, i < names.Length ? names[i] : null);
            _expected[i] = _names[i];
        }
    }

    /// <summary>
    /// The order of the properties at the top of the lines read so far, as the generated parser learns it: at
    /// <c>[k + 1]</c>, the index (in declaration order) of the top-level name that followed name <c>k</c> in the line
    /// before; at <c>[0]</c>, the first name; at first the declaration order. The parser compares each name with the one this says comes next, so
    /// lines written in any fixed order are read as fast as lines in declaration order.
    /// </summary>
    public ReadOnlySpan<int> PropertyOrder => _expected.Select(static e => e.Index).ToArray();

    /// <summary>
    /// The name the generated parser compares first after top-level property <c><paramref name="after"/> - 1</c> (at 0, the
    /// first): property <c>PropertyOrder[after]</c>'s.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly JsonExpectedName NextName(int after) => ref _expected[after];

    /// <summary>
    /// Learns that top-level property <paramref name="index"/> followed property <c><paramref name="after"/> - 1</c> (at 0:
    /// came first) in this line, so that <see cref="NextName"/> expects it there in the next.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void LearnOrder(int after, int index)
    {
        _expected[after] = _names[index];
    }

    /// <summary>The buffer <see cref="Utf8Text"/> fields are cut from.</summary>
    public Utf8TextBuffer Text => _buffer;

    /// <summary>How many records were refused for <paramref name="reason"/> since the reader was created.</summary>
    public long Refused(BadRecordReason reason) => _reasons[(int)reason];

    /// <summary>
    /// The line of the current stream the current record is on, from 1; 0 when the stream began inside a file (a
    /// partition's range, see <see cref="BeginStream(string, long)"/>), whose lines before it were not read.
    /// </summary>
    public long Line => _fromStart ? _line : 0;

    /// <summary>The stream being read.</summary>
    public string Stream => _stream;

    /// <summary>-1: a record is one line, whose offset the framer knows.</summary>
    public long RecordOffset => -1;

    /// <summary>Starts a new stream (a file or a connection): lines count from 1 again.</summary>
    public void BeginStream(string streamName)
    {
        _stream = streamName;
        _line = 0;
        _fromStart = true;
    }

    /// <summary>
    /// Starts a stream that is a byte range of a file beginning <paramref name="offset"/> bytes into it (a partition's
    /// range, cut at a line end). From the file's start it is <see cref="BeginStream(string)"/>; from further in, the
    /// line a record is on is not known (<see cref="Line"/> is 0: a bad record's report gives its byte offset only, which
    /// the framer knows), and the range's first bytes are no byte order mark.
    /// </summary>
    public void BeginStream(string streamName, long offset)
    {
        BeginStream(streamName);
        _fromStart = offset == 0;
    }

    /// <summary>
    /// Takes the next line. <see langword="true"/> when it is a record to parse: <paramref name="record"/> is its bytes,
    /// in the reader's buffer when the record keeps text (so that <see cref="ReadText"/> can cut slices of it).
    /// <see langword="false"/> for an empty line or one of white space only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryBegin(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> record) => TryBegin(line, keepText: true, out record);

    /// <summary>
    /// As <see cref="TryBegin(ReadOnlySpan{byte}, out ReadOnlySpan{byte})"/>; with <paramref name="keepText"/> false the
    /// line is not copied into the reader's buffer even when the record keeps text: for a parse that reads none of its
    /// text members (a pipeline whose stages read none), which then must not call <see cref="ReadText"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryBegin(ReadOnlySpan<byte> line, bool keepText, out ReadOnlySpan<byte> record)
    {
        _line++;
        if (line.IsEmpty || IsSpace(line[0]) || (line[0] == ByteOrderMark[0] && _line == 1))
        {
            return TryBeginTrimmed(line, keepText, out record);
        }

        _buffer.Generation++;
        if (_keepRaw)
        {
            KeepRaw(line);
        }

        return Take(line, keepText, out record);
    }

    // A line that starts with white space, or the stream's first line with a byte order mark: skipped if it holds
    // nothing else (as an empty line is), else read from its first other byte. Under DeadLetter the line is kept as read,
    // white space and all (not the byte order mark, which is the stream's, not the record's).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryBeginTrimmed(ReadOnlySpan<byte> line, bool keepText, out ReadOnlySpan<byte> record)
    {
        if (_line == 1 && _fromStart && line.StartsWith(ByteOrderMark))
        {
            line = line[ByteOrderMark.Length..];
        }

        int start = line.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0)
        {
            record = default;
            return false;
        }

        _buffer.Generation++;
        if (_keepRaw)
        {
            KeepRaw(line);
        }

        return Take(line[start..], keepText, out record);
    }

    // The record's bytes: the line itself, or a copy in the buffer when the record keeps text (and the parse reads it).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Take(ReadOnlySpan<byte> line, bool keepText, out ReadOnlySpan<byte> record)
    {
        if (!keepText || !_layout.KeepsText)
        {
            record = line;
            return true;
        }

        // The line goes into the buffer, with room after it for every string it holds unescaped (never longer than
        // escaped), so that no slice cut from it moves while the record is read.
        if (_buffer.Bytes.Length < 2 * line.Length)
        {
            _buffer.Bytes = new byte[Math.Max(2 * line.Length, 2 * _buffer.Bytes.Length)];
        }

        line.CopyTo(_buffer.Bytes);
        _used = _lineLength = line.Length;
        record = new ReadOnlySpan<byte>(_buffer.Bytes, 0, line.Length);
        return true;
    }

    /// <summary>
    /// Drops the strings unescaped into the buffer since <see cref="TryBegin(ReadOnlySpan{byte}, bool, out ReadOnlySpan{byte})"/>: the generated parser calls it before it
    /// reads a line again from its start (when the line is not in the shape its first pass reads).
    /// </summary>
    public void RewindText() => _used = _lineLength;

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    /// <summary>
    /// Reads the current string value as a slice of the reader's buffer: the line's own bytes when it has no escape,
    /// else the string unescaped into the buffer after the line. Refuses anything but a string
    /// (<see cref="BadRecordReason.InvalidValue"/>) and text that is not valid UTF-8 (<see cref="BadRecordReason.InvalidUtf8"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public BadRecordReason ReadText(ref JsonLineReader json, out Utf8Text text)
    {
        if (json.TokenType != JsonTokenType.String)
        {
            text = default;
            return BadRecordReason.InvalidValue;
        }

        if (json.ValueIsEscaped)
        {
            return ReadEscapedText(ref json, out text);
        }

        ReadOnlySpan<byte> value = json.ValueSpan;
        text = new Utf8Text(_buffer, (int)json.TokenStartIndex + 1, value.Length);
        return System.Text.Unicode.Utf8.IsValid(value) ? BadRecordReason.None : BadRecordReason.InvalidUtf8;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private BadRecordReason ReadEscapedText(ref JsonLineReader json, out Utf8Text text)
    {
        text = default;
        int written;
        try
        {
            written = json.CopyString(_buffer.Bytes.AsSpan(_used));
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (\ud800) is no UTF-16, so no UTF-8 either.
            return BadRecordReason.InvalidUtf8;
        }

        if (!System.Text.Unicode.Utf8.IsValid(_buffer.Bytes.AsSpan(_used, written)))
        {
            return BadRecordReason.InvalidUtf8;
        }

        text = new Utf8Text(_buffer, _used, written);
        _used += written;
        return BadRecordReason.None;
    }

    /// <summary>Reads the current string value as a <see cref="string"/> (which allocates it); refuses as <see cref="ReadText"/> does.</summary>
    public BadRecordReason ReadString(ref JsonLineReader json, out string value)
    {
        value = "";
        if (json.TokenType != JsonTokenType.String)
        {
            return BadRecordReason.InvalidValue;
        }

        int length = json.ValueIsEscaped ? Unescape(ref json) : 0;
        if (length < 0)
        {
            return BadRecordReason.InvalidUtf8;
        }

        ReadOnlySpan<byte> bytes = json.ValueIsEscaped ? new ReadOnlySpan<byte>(_scratch, 0, length) : json.ValueSpan;
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return BadRecordReason.InvalidUtf8;
        }

        value = Encoding.UTF8.GetString(bytes);
        return BadRecordReason.None;
    }

    /// <summary>
    /// The current string value's bytes, unescaped: the line's own bytes when it has no escape, else a copy in a scratch
    /// buffer valid until the next call (for enum names and formatted dates, which are compared or parsed at once).
    /// Empty when an escape is not valid UTF-16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Unescaped(ref JsonLineReader json)
    {
        if (!json.ValueIsEscaped)
        {
            return json.ValueSpan;
        }

        // Unescape first: it may grow the scratch buffer, and the span is of the buffer it leaves.
        int length = Unescape(ref json);
        return new ReadOnlySpan<byte>(_scratch, 0, Math.Max(0, length));
    }

    // Unescapes the current string into the scratch buffer: its length, or -1 when an escape is not valid UTF-16.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Unescape(ref JsonLineReader json)
    {
        if (_scratch.Length < json.ValueSpan.Length)
        {
            _scratch = new byte[Math.Max(json.ValueSpan.Length, 2 * _scratch.Length)];
        }

        try
        {
            return json.CopyString(_scratch);
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Refuses the current record: counts it (as malformed, and under <paramref name="reason"/>), or under
    /// <see cref="BadRecordPolicy.Fail"/> throws a <see cref="BadRecordException"/>. Always <see langword="false"/>, so the
    /// generated parser can <c>return</c> it.
    /// </summary>
    /// <param name="reason">Why.</param>
    /// <param name="member">The member whose value is refused, or -1 for the whole line.</param>
    /// <param name="value">The refused value's bytes as written in the line, for the message.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool Refuse(BadRecordReason reason, int member, ReadOnlySpan<byte> value)
    {
        // Under Skip the words are never read: a flood of bad lines formats nothing.
        string detail = _policy == BadRecordPolicy.Skip ? ""
            : member < 0 ? "the line is not a JSON object of the record"
            : reason == BadRecordReason.MissingColumn ? $"the line has no \"{_layout.Paths[member]}\" (or it is null), and the {_layout.Members[member]} of a {_layout.Record} has no default"
            : $"'{BadRecordSource.Excerpt(value)}' at \"{_layout.Paths[member]}\" cannot be read as the {_layout.Members[member]} of a {_layout.Record}";
        return Refuse(reason, member, detail);
    }

    /// <summary>Refuses the current line as <see cref="BadRecordReason.InvalidJson"/>: <see cref="Utf8JsonReader"/> found it malformed (the generated parser catches its exception).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool RefuseInvalidJson(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Refuse(BadRecordReason.InvalidJson, -1, exception.Message);
    }

    /// <summary>Refuses the current line as <see cref="BadRecordReason.InvalidJson"/> because its top value is not an object.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool RefuseNotAnObject(JsonTokenType found) =>
        Refuse(BadRecordReason.InvalidJson, -1, _policy == BadRecordPolicy.Skip ? "" : $"the line is a JSON {found}, not an object");

    // Every refusal goes through the source's refusal point, which counts it, writes it to the dead-letter sink or throws.
    private bool Refuse(BadRecordReason reason, int member, string detail)
    {
        if (_policy != BadRecordPolicy.Fail)
        {
            _reasons[(int)reason]++;
        }

        return _badRecords.Refuse(_policy, reason, member < 0 ? null : _layout.Members[member], detail, new ReadOnlySpan<byte>(_raw, 0, _rawLength));
    }

    // Under DeadLetter: the line as read, for the dead-letter sink.
    private void KeepRaw(ReadOnlySpan<byte> line)
    {
        if (_raw.Length < line.Length)
        {
            _raw = new byte[Math.Max(line.Length, Math.Max(256, _raw.Length * 2))];
        }

        line.CopyTo(_raw);
        _rawLength = line.Length;
    }
}
