using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Compiled;

/// <summary>
/// The tokens of one JSON line, as the generated <c>TryReadJson</c> walks them: the members of
/// <see cref="Utf8JsonReader"/> it uses, with the same meaning. A line of well-formed JSON less than 63 deep is tokenized
/// here by a loop of its own; at the first byte this loop does not take for certain (anything malformed), the line
/// is handed to a <see cref="Utf8JsonReader"/> (default options, final block), which reads again the tokens already read
/// and goes on from there, so every decision on a line this loop does not take is <see cref="Utf8JsonReader"/>'s own,
/// and malformed JSON throws its <see cref="JsonException"/>. Before that, the generated parser tries the usual shape of a
/// line in one pass: <see cref="TryName"/>, <see cref="TryScalar"/> and <see cref="TryEndObject"/> while its properties come
/// in declaration order, then <see cref="TryStartObject"/> and <see cref="TryNextProperty(ReadOnlySpan{byte}, out ReadOnlySpan{byte})"/> for the rest, and
/// <see cref="TryEndLine"/>: objects of names without escapes and scalar values (or, for a record's dotted paths,
/// objects of the same shape); these only say whether the line goes on in that shape, and a line that does not is read
/// again from its start.
/// </summary>
/// <remarks>
/// The loop only accepts what <see cref="Utf8JsonReader"/> accepts the same way: RFC 8259 structure (names, colons,
/// commas, no trailing comma, one top-level object followed by white space only), numbers of the JSON grammar followed by
/// a delimiter, the literals <c>true</c>, <c>false</c> and <c>null</c> followed by a delimiter. Values other than those the
/// generated parser reads inline (strings, integers, short decimals, booleans) are read by a <see cref="Utf8JsonReader"/>
/// over the token's own bytes.
/// </remarks>
public ref struct JsonLineReader
{
    private const int MaxDepth = 62;

    private readonly ReadOnlySpan<byte> _line;
    private Utf8JsonReader _reader;
    private bool _slow;            // the line is read by _reader from here on
    private JsonTokenType _type;
    private int _position;         // the next byte to scan
    private int _tokenStart;       // the current token's first byte (a string's opening quote)
    private int _start;            // its value's first byte (after a string's opening quote)
    private int _length;           // its value's length
    private int _tokens;           // tokens read so far
    private int _depth;            // containers open after the current token
    private ulong _objects;        // bit d set when the container at depth d + 1 is an object
    private bool _escaped;         // the current string holds an escape

    /// <summary>Starts reading <paramref name="line"/>, a whole JSON text.</summary>
    public JsonLineReader(ReadOnlySpan<byte> line)
    {
        _line = line;
        _reader = default;
    }

    /// <summary>The current token's type, as <see cref="Utf8JsonReader.TokenType"/>.</summary>
    public readonly JsonTokenType TokenType
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !_slow ? _type : SlowTokenType();
    }

    /// <summary>The current token's raw value (a string without its quotes, possibly escaped), as <see cref="Utf8JsonReader.ValueSpan"/>.</summary>
    public readonly ReadOnlySpan<byte> ValueSpan
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !_slow ? _line.Slice(_start, _length) : SlowValueSpan();
    }

    /// <summary>Whether the current string holds an escape, as <see cref="Utf8JsonReader.ValueIsEscaped"/>.</summary>
    public readonly bool ValueIsEscaped
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !_slow ? _escaped && _type is JsonTokenType.String or JsonTokenType.PropertyName : SlowValueIsEscaped();
    }

    /// <summary>The index in the line of the current token's first byte (a string's opening quote), as <see cref="Utf8JsonReader.TokenStartIndex"/>.</summary>
    public readonly long TokenStartIndex
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !_slow ? _tokenStart : SlowTokenStartIndex();
    }

    /// <summary>The depth of the current token, as <see cref="Utf8JsonReader.CurrentDepth"/>.</summary>
    public readonly int CurrentDepth => _slow ? _reader.CurrentDepth : _type is JsonTokenType.StartObject or JsonTokenType.StartArray ? _depth - 1 : _depth;

    /// <summary>Reads the next token, as <see cref="Utf8JsonReader.Read"/>: <see langword="false"/> at the end of the line; throws <see cref="JsonException"/> for malformed JSON.</summary>
    public bool Read()
    {
        if (_slow)
        {
            return _reader.Read();
        }

        ReadOnlySpan<byte> s = _line;
        int i = SkipSpace(s, _position);
        switch (_type)
        {
            case JsonTokenType.None:
                return (uint)i < (uint)s.Length && s[i] == (byte)'{' ? Open(i, JsonTokenType.StartObject) : Slow();
            case JsonTokenType.StartObject:
                if ((uint)i < (uint)s.Length && s[i] == (byte)'}')
                {
                    return Close(i, JsonTokenType.EndObject);
                }

                return Name(s, i);
            case JsonTokenType.PropertyName:
                if ((uint)i >= (uint)s.Length || s[i] != (byte)':')
                {
                    return Slow();
                }

                return Value(s, SkipSpace(s, i + 1));
            case JsonTokenType.StartArray:
                if ((uint)i < (uint)s.Length && s[i] == (byte)']')
                {
                    return Close(i, JsonTokenType.EndArray);
                }

                return Value(s, i);
            default:
                // After a value: the end of the line at the top, else a comma or the end of the open container.
                if (_depth == 0)
                {
                    return i == s.Length ? false : Slow();
                }

                if ((uint)i >= (uint)s.Length)
                {
                    return Slow();
                }

                bool inObject = (_objects & (1UL << (_depth - 1))) != 0;
                byte b = s[i];
                if (b == (byte)',')
                {
                    i = SkipSpace(s, i + 1);
                    return inObject ? Name(s, i) : Value(s, i);
                }

                return b == (inObject ? (byte)'}' : (byte)']') ? Close(i, inObject ? JsonTokenType.EndObject : JsonTokenType.EndArray) : Slow();
        }
    }

    /// <summary>
    /// One pass over a line in its record's declaration order: from where the last call left off, white space, then
    /// <paramref name="before"/> (<c>{</c> for an object's first property, <c>,</c> for a later one), the property name
    /// <paramref name="quotedName"/> as written (in its quotes, without escapes), and its colon; the value is next.
    /// <see langword="false"/> for anything else, with nothing read: the caller goes on with <see cref="TryNextProperty(ReadOnlySpan{byte}, out ReadOnlySpan{byte})"/>
    /// (after <see cref="TryStartObject"/> if the object's brace was not read), or reads the line again as
    /// <see cref="TryStartObject"/> says.
    /// </summary>
    public bool TryName(byte before, ReadOnlySpan<byte> quotedName)
    {
        ReadOnlySpan<byte> s = _line;
        int i = SkipSpace(s, _position);
        if ((uint)i >= (uint)s.Length || s[i] != before)
        {
            return false;
        }

        i = SkipSpace(s, i + 1);
        if (!s[i..].StartsWith(quotedName))
        {
            return false;
        }

        i = SkipSpace(s, i + quotedName.Length);
        if ((uint)i >= (uint)s.Length || s[i] != (byte)':')
        {
            return false;
        }

        _type = JsonTokenType.PropertyName;
        _position = i + 1;
        return true;
    }

    /// <summary>
    /// One pass over a line of the usual shape: white space, then the <c>{</c> of an object (the line's, or a property's
    /// value after <see cref="TryNextProperty(ReadOnlySpan{byte}, out ReadOnlySpan{byte})"/>). <see langword="false"/> for anything else, well-formed or not: the caller
    /// then reads the line again from its start with a new reader and <see cref="Read"/>, which take every shape and leave
    /// every verdict to <see cref="Utf8JsonReader"/>.
    /// </summary>
    public bool TryStartObject() => TryBrace((byte)'{', JsonTokenType.StartObject);

    /// <summary>
    /// One pass: in the object <see cref="TryStartObject"/> opened, after its opening brace or a property's value, the
    /// next property's name (a comma before it unless it is the first), without escapes, and its colon, the value next:
    /// 2 when the name is <paramref name="expected"/>, 1 for another name (its bytes in <paramref name="name"/>). 0 at the
    /// object's closing brace. -1 for anything else (an escaped name, malformed JSON), when the caller reads the line
    /// again as <see cref="TryStartObject"/> says. <paramref name="expected"/> is the name likely next, compared before
    /// the name is scanned byte by byte; it holds no quote, backslash or control character, and empty expects none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int TryNextProperty(ReadOnlySpan<byte> expected, out ReadOnlySpan<byte> name)
    {
        name = default;
        ReadOnlySpan<byte> s = _line;
        int i = SkipSpace(s, _position);
        if ((uint)i >= (uint)s.Length)
        {
            return -1;
        }

        byte b = s[i];
        if (b == (byte)'}')
        {
            _type = JsonTokenType.EndObject;
            _position = i + 1;
            return 0;
        }

        if (_type != JsonTokenType.StartObject)
        {
            if (b != (byte)',')
            {
                return -1;
            }

            i = SkipSpace(s, i + 1);
            if ((uint)i >= (uint)s.Length)
            {
                return -1;
            }

            b = s[i];
        }

        if (b != (byte)'"')
        {
            return -1;
        }

        int start = i + 1;
        int found = 2;
        int end = start + expected.Length;
        if (expected.IsEmpty || (uint)end >= (uint)s.Length || s[end] != (byte)'"' || !s[start..].StartsWith(expected))
        {
            // Not the name expected: scanned to its closing quote.
            found = 1;
            end = NameEnd(s, start);
            if (end < 0)
            {
                return -1;
            }
        }

        i = SkipSpace(s, end + 1);
        if ((uint)i >= (uint)s.Length || s[i] != (byte)':')
        {
            return -1;
        }

        name = s[start..end];
        _type = JsonTokenType.PropertyName;
        _position = i + 1;
        return found;
    }

    /// <summary>
    /// As <see cref="TryNextProperty(ReadOnlySpan{byte}, out ReadOnlySpan{byte})"/>, the name expected given as
    /// <see cref="JsonRecordReader.NextName"/> gives it: 2 when the next name is <paramref name="expected"/>'s. The usual case
    /// (a comma unless the property is the object's first, the expected name in its quotes and its colon, no white space)
    /// is two 8-byte comparisons here; anything else goes to the scan of the name.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int TryNextProperty(in JsonExpectedName expected, out ReadOnlySpan<byte> name)
    {
        ReadOnlySpan<byte> s = _line;
        int i = _position;
        if (_type != JsonTokenType.StartObject)
        {
            if ((uint)i >= (uint)s.Length || s[i] != (byte)',')
            {
                return ScanNextProperty(expected.Name, out name);
            }

            i++;
        }

        // "name": from its opening quote, as the bytes [0, 8) and [Reach - 8, Reach) of the expected words.
        if ((uint)(i + expected.Reach) <= (uint)s.Length)
        {
            ref byte quote = ref Unsafe.Add(ref MemoryMarshal.GetReference(s), i);
            ulong head = Unsafe.ReadUnaligned<ulong>(ref quote);
            ulong tail = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref quote, expected.Reach - 8));
            if ((((head & expected.HeadMask) ^ expected.Head) | ((tail & expected.TailMask) ^ expected.Tail)) == 0)
            {
                name = default;
                _type = JsonTokenType.PropertyName;
                _position = i + expected.Quoted;
                return 2;
            }
        }

        return ScanNextProperty(expected.Name, out name);
    }

    // TryNextProperty out of line: a name other than the one expected, white space, the object's end, anything else.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ScanNextProperty(ReadOnlySpan<byte> expected, out ReadOnlySpan<byte> name) => TryNextProperty(expected, out name);

    // The closing quote of a name from start: -1 at an escape, a control character or the end of the line.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int NameEnd(ReadOnlySpan<byte> s, int start)
    {
        for (int j = start; (uint)j < (uint)s.Length; j++)
        {
            byte c = s[j];
            if (c == (byte)'"')
            {
                return j;
            }

            if (c < 0x20 || c == (byte)'\\')
            {
                return -1;
            }
        }

        return -1;
    }

    /// <summary>
    /// After <see cref="TryNextProperty(ReadOnlySpan{byte}, out ReadOnlySpan{byte})"/>, reads the value when it is a string, a number, <c>true</c>, <c>false</c> or <c>null</c>,
    /// which is then the current token (<see cref="TokenType"/>, <see cref="ValueSpan"/> and the value readers as after
    /// <see cref="Read"/>); <see langword="false"/> for anything else (an object, an array, malformed JSON).
    /// </summary>
    public bool TryScalar()
    {
        ReadOnlySpan<byte> s = _line;
        int i = SkipSpace(s, _position);
        if ((uint)i >= (uint)s.Length)
        {
            return false;
        }

        byte b = s[i];
        switch (b)
        {
            case (byte)'"':
                _type = JsonTokenType.String;
                return String(s, i);
            case (byte)'t':
                return TryLiteral(s, i, "true"u8, JsonTokenType.True);
            case (byte)'f':
                return TryLiteral(s, i, "false"u8, JsonTokenType.False);
            case (byte)'n':
                return TryLiteral(s, i, "null"u8, JsonTokenType.Null);
            default:
                _type = JsonTokenType.Number;
                _escaped = false;
                return (b == (byte)'-' || (uint)(b - '0') <= 9) && Number(s, i);
        }
    }

    /// <summary>After an object's last property read by <see cref="TryName"/>: white space and its closing brace; <see langword="false"/> for anything else.</summary>
    public bool TryEndObject() => TryBrace((byte)'}', JsonTokenType.EndObject);

    // One pass: white space, then the brace, which becomes the current token.
    private bool TryBrace(byte brace, JsonTokenType type)
    {
        int i = SkipSpace(_line, _position);
        if ((uint)i >= (uint)_line.Length || _line[i] != brace)
        {
            return false;
        }

        _type = type;
        _position = i + 1;
        return true;
    }

    /// <summary>After the line's object: nothing but white space to the end of the line; <see langword="false"/> for anything else.</summary>
    public readonly bool TryEndLine() => SkipSpace(_line, _position) == _line.Length;

    /// <summary>Skips the current value with all it holds, as <see cref="Utf8JsonReader.Skip"/> (from a property name, its value).</summary>
    public void Skip()
    {
        if (_slow)
        {
            _reader.Skip();
            return;
        }

        if (_type == JsonTokenType.PropertyName)
        {
            Read();
        }

        if (TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            int depth = CurrentDepth;
            while (Read() && !(TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && CurrentDepth == depth))
            {
            }
        }
    }

    /// <summary>Copies the current string unescaped, as <see cref="Utf8JsonReader.CopyString(Span{byte})"/>.</summary>
    public readonly int CopyString(Span<byte> utf8Destination)
    {
        if (_slow)
        {
            return _reader.CopyString(utf8Destination);
        }

        if (_escaped)
        {
            return Token().CopyString(utf8Destination);
        }

        _line.Slice(_start, _length).CopyTo(utf8Destination);
        return _length;
    }

    /// <summary>As <see cref="Utf8JsonReader.TryGetInt64"/>.</summary>
    public readonly bool TryGetInt64(out long value) => _slow ? _reader.TryGetInt64(out value) : Token().TryGetInt64(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetInt32"/>.</summary>
    public readonly bool TryGetInt32(out int value) => _slow ? _reader.TryGetInt32(out value) : Token().TryGetInt32(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetInt16"/>.</summary>
    public readonly bool TryGetInt16(out short value) => _slow ? _reader.TryGetInt16(out value) : Token().TryGetInt16(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetSByte"/>.</summary>
    public readonly bool TryGetSByte(out sbyte value) => _slow ? _reader.TryGetSByte(out value) : Token().TryGetSByte(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetUInt64"/>.</summary>
    public readonly bool TryGetUInt64(out ulong value) => _slow ? _reader.TryGetUInt64(out value) : Token().TryGetUInt64(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetUInt32"/>.</summary>
    public readonly bool TryGetUInt32(out uint value) => _slow ? _reader.TryGetUInt32(out value) : Token().TryGetUInt32(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetUInt16"/>.</summary>
    public readonly bool TryGetUInt16(out ushort value) => _slow ? _reader.TryGetUInt16(out value) : Token().TryGetUInt16(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetByte"/>.</summary>
    public readonly bool TryGetByte(out byte value) => _slow ? _reader.TryGetByte(out value) : Token().TryGetByte(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetDouble"/>.</summary>
    public readonly bool TryGetDouble(out double value) => _slow ? _reader.TryGetDouble(out value) : Token().TryGetDouble(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetSingle"/>.</summary>
    public readonly bool TryGetSingle(out float value) => _slow ? _reader.TryGetSingle(out value) : Token().TryGetSingle(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetDecimal"/>.</summary>
    public readonly bool TryGetDecimal(out decimal value) => _slow ? _reader.TryGetDecimal(out value) : Token().TryGetDecimal(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetGuid"/>.</summary>
    public readonly bool TryGetGuid(out Guid value) => _slow ? _reader.TryGetGuid(out value) : Token().TryGetGuid(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetDateTime"/>.</summary>
    public readonly bool TryGetDateTime(out DateTime value) => _slow ? _reader.TryGetDateTime(out value) : Token().TryGetDateTime(out value);

    /// <summary>As <see cref="Utf8JsonReader.TryGetDateTimeOffset"/>.</summary>
    public readonly bool TryGetDateTimeOffset(out DateTimeOffset value) => _slow ? _reader.TryGetDateTimeOffset(out value) : Token().TryGetDateTimeOffset(out value);

    // The members of the Utf8JsonReader a line was handed to, out of line so that the fast members inline.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly JsonTokenType SlowTokenType() => _reader.TokenType;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly ReadOnlySpan<byte> SlowValueSpan() => _reader.ValueSpan;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly bool SlowValueIsEscaped() => _reader.ValueIsEscaped;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly long SlowTokenStartIndex() => _reader.TokenStartIndex;

    // A reader over the current value token's own bytes, at that token: for the values read by Utf8JsonReader's parsers.
    private readonly Utf8JsonReader Token()
    {
        int end = _type is JsonTokenType.String or JsonTokenType.PropertyName ? _start + _length + 1 : _start + _length;
        var reader = new Utf8JsonReader(_line[_tokenStart..end]);
        reader.Read();
        return reader;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipSpace(ReadOnlySpan<byte> s, int i)
    {
        while ((uint)i < (uint)s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }

    // A property name at i: a string, which the caller's Read expects there.
    private bool Name(ReadOnlySpan<byte> s, int i) =>
        (uint)i < (uint)s.Length && s[i] == (byte)'"' && String(s, i) ? Token(JsonTokenType.PropertyName) : Slow();

    // A value at i.
    private bool Value(ReadOnlySpan<byte> s, int i)
    {
        if ((uint)i >= (uint)s.Length)
        {
            return Slow();
        }

        byte b = s[i];
        switch (b)
        {
            case (byte)'"':
                return String(s, i) ? Token(JsonTokenType.String) : Slow();
            case (byte)'{':
                return Open(i, JsonTokenType.StartObject);
            case (byte)'[':
                return Open(i, JsonTokenType.StartArray);
            case (byte)'t':
                return Literal(s, i, "true"u8, JsonTokenType.True);
            case (byte)'f':
                return Literal(s, i, "false"u8, JsonTokenType.False);
            case (byte)'n':
                return Literal(s, i, "null"u8, JsonTokenType.Null);
            default:
                return (b == (byte)'-' || (uint)(b - '0') <= 9) && Number(s, i) ? Token(JsonTokenType.Number) : Slow();
        }
    }

    // A string at i (its opening quote): bytes from 0x20 on (UTF-8 is not checked here, as Utf8JsonReader does not check
    // it), and escapes of the JSON grammar (\" \\ \/ \b \f \n \r \t \uXXXX); false for anything else, left to Utf8JsonReader.
    private bool String(ReadOnlySpan<byte> s, int i)
    {
        bool escaped = false;
        int j = i + 1;
        while ((uint)j < (uint)s.Length)
        {
            byte b = s[j];
            if (b == (byte)'"')
            {
                _tokenStart = i;
                _start = i + 1;
                _length = j - i - 1;
                _position = j + 1;
                _escaped = escaped;
                return true;
            }

            if (b < 0x20)
            {
                return false;
            }

            if (b == (byte)'\\')
            {
                if ((uint)(j + 1) >= (uint)s.Length)
                {
                    return false;
                }

                byte e = s[j + 1];
                if (e == (byte)'u')
                {
                    if (j + 5 >= s.Length || !char.IsAsciiHexDigit((char)s[j + 2]) || !char.IsAsciiHexDigit((char)s[j + 3])
                        || !char.IsAsciiHexDigit((char)s[j + 4]) || !char.IsAsciiHexDigit((char)s[j + 5]))
                    {
                        return false;
                    }

                    j += 6;
                }
                else if (e is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
                {
                    j += 2;
                }
                else
                {
                    return false;
                }

                escaped = true;
                continue;
            }

            j++;
        }

        return false;
    }

    // A number at i by the JSON grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, followed by a delimiter.
    private bool Number(ReadOnlySpan<byte> s, int i)
    {
        int j = i;
        if (s[j] == (byte)'-')
        {
            j++;
        }

        if ((uint)j >= (uint)s.Length || (uint)(s[j] - '0') > 9)
        {
            return false;
        }

        if (s[j] == (byte)'0')
        {
            j++;
        }
        else
        {
            j = Digits(s, j);
        }

        if ((uint)j < (uint)s.Length && s[j] == (byte)'.')
        {
            int fraction = Digits(s, j + 1);
            if (fraction == j + 1)
            {
                return false;
            }

            j = fraction;
        }

        if ((uint)j < (uint)s.Length && (s[j] | 0x20) == (byte)'e')
        {
            j++;
            if ((uint)j < (uint)s.Length && s[j] is (byte)'+' or (byte)'-')
            {
                j++;
            }

            int exponent = Digits(s, j);
            if (exponent == j)
            {
                return false;
            }

            j = exponent;
        }

        if (!IsDelimiter(s, j))
        {
            return false;
        }

        _tokenStart = i;
        _start = i;
        _length = j - i;
        _position = j;
        return true;
    }

    private static int Digits(ReadOnlySpan<byte> s, int j)
    {
        while ((uint)j < (uint)s.Length && (uint)(s[j] - '0') <= 9)
        {
            j++;
        }

        return j;
    }

    private bool Literal(ReadOnlySpan<byte> s, int i, ReadOnlySpan<byte> literal, JsonTokenType type)
    {
        if (!s[i..].StartsWith(literal) || !IsDelimiter(s, i + literal.Length))
        {
            return Slow();
        }

        _tokenStart = i;
        _start = i;
        _length = literal.Length;
        _position = i + literal.Length;
        return Token(type);
    }

    // A literal value of TryScalar's: false, leaving the verdict to Utf8JsonReader, when it is not followed by a delimiter.
    private bool TryLiteral(ReadOnlySpan<byte> s, int i, ReadOnlySpan<byte> literal, JsonTokenType type)
    {
        if (!s[i..].StartsWith(literal) || !IsDelimiter(s, i + literal.Length))
        {
            return false;
        }

        _type = type;
        _escaped = false;
        _tokenStart = i;
        _start = i;
        _length = literal.Length;
        _position = i + literal.Length;
        return true;
    }

    private static bool IsDelimiter(ReadOnlySpan<byte> s, int j) =>
        (uint)j >= (uint)s.Length || s[j] is (byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private bool Token(JsonTokenType type)
    {
        _type = type;
        _tokens++;
        return true;
    }

    private bool Open(int i, JsonTokenType type)
    {
        if (_depth >= MaxDepth)
        {
            return Slow();
        }

        if (type == JsonTokenType.StartObject)
        {
            _objects |= 1UL << _depth;
        }
        else
        {
            _objects &= ~(1UL << _depth);
        }

        _depth++;
        _tokenStart = i;
        _start = i;
        _length = 1;
        _position = i + 1;
        return Token(type);
    }

    private bool Close(int i, JsonTokenType type)
    {
        _depth--;
        _tokenStart = i;
        _start = i;
        _length = 1;
        _position = i + 1;
        return Token(type);
    }

    // Hands the line to a Utf8JsonReader: it reads again the tokens read so far, then the next one (throwing for malformed JSON).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Slow()
    {
        _slow = true;
        _reader = new Utf8JsonReader(_line);
        for (int t = 0; t < _tokens; t++)
        {
            _reader.Read();
        }

        return _reader.Read();
    }
}
