using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace Compiled.Parquet.Columns;

/// <summary>
/// A column of UTF-8 strings (Parquet <c>BYTE_ARRAY</c> annotated <c>STRING</c>): <c>Utf8Text</c>, byte spans, <see cref="string"/>s,
/// <see cref="char"/>s, enum names and the text of other values. The batch's characters are kept in one growing buffer and
/// each row by where it ends, so a row costs no object; Parquet.Net takes strings as UTF-16, so UTF-8 text is decoded
/// as it is appended (each invalid sequence replaced by U+FFFD, as the CSV and JSON writers replace it) and encoded again
/// when the row group is written.
/// </summary>
public sealed class TextColumn : ParquetColumn
{
    private readonly bool _nullable;
    private readonly int _maxChars;
    private char[] _chars = [];
    private int _length;

    // Where each row ends in _chars; a null row is marked by ~end (a negative number).
    private int[] _ends = [];
    private int _count;

    // Built at the commit from _chars and _ends, and kept for the next batch.
    private ReadOnlyMemory<char>[] _rows = [];
    private ReadOnlyMemory<char>?[] _nullableRows = [];

    // The UTF-8 text of a formatted value, before it is decoded.
    private byte[] _formatted = [];

    /// <summary>Creates the column <paramref name="name"/>; a <paramref name="nullable"/> one (a <see cref="string"/> member's, which may be null) is optional.</summary>
    public TextColumn(string name, bool nullable)
        : this(name, nullable, Array.MaxLength)
    {
    }

    /// <summary>Creates the column with room for at most <paramref name="maxChars"/> characters in a batch (the largest array, unless a test says less).</summary>
    internal TextColumn(string name, bool nullable, int maxChars)
        : base(new DataField(name, typeof(string), isNullable: nullable))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChars);
        _nullable = nullable;
        _maxChars = maxChars;
    }

    /// <inheritdoc />
    public override int Count => _count;

    /// <summary>Appends UTF-8 text (invalid sequences become U+FFFD).</summary>
    public void AddUtf8(ReadOnlySpan<byte> utf8)
    {
        // A UTF-8 byte decodes to at most one character; only when that bound does not fit are the characters counted.
        if (utf8.Length > _chars.Length - _length)
        {
            GrowChars(Encoding.UTF8.GetCharCount(utf8));
        }

        _length += Encoding.UTF8.GetChars(utf8, _chars.AsSpan(_length));
        EndRow(_length);
    }

    /// <summary>Appends a string; <see langword="null"/> is a null row.</summary>
    public void Add(string? value)
    {
        if (value is null)
        {
            AddNull();
            return;
        }

        Append(value.AsSpan());
    }

    /// <summary>Appends one character as a string of one.</summary>
    public void Add(char value) => Append(new ReadOnlySpan<char>(in value));

    /// <summary>Appends the invariant text of a value that formats itself as UTF-8 (a number, a <c>Int128</c>, a type of one's own).</summary>
    public void AddFormatted<TValue>(TValue value)
        where TValue : IUtf8SpanFormattable
    {
        if (_formatted.Length == 0)
        {
            _formatted = new byte[64];
        }

        int written;
        while (!value.TryFormat(_formatted, out written, default, CultureInfo.InvariantCulture))
        {
            _formatted = new byte[_formatted.Length * 2];
        }

        AddUtf8(_formatted.AsSpan(0, written));
    }

    /// <summary>Appends the <see cref="object.ToString"/> of any other value (which allocates); a null reference is a null row.</summary>
    public void AddObject<TValue>(TValue value) => Add(value?.ToString());

    /// <summary>Appends a null row (in a required column, an empty string).</summary>
    public void AddNull() => EndRow(_nullable ? ~_length : _length);

    /// <inheritdoc />
    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken)
    {
        if (_nullable)
        {
            if (_nullableRows.Length < _count)
            {
                _nullableRows = new ReadOnlyMemory<char>?[Math.Max(_count, _nullableRows.Length * 2)];
            }

            int start = 0;
            for (int i = 0; i < _count; i++)
            {
                int end = _ends[i];
                if (end < 0)
                {
                    _nullableRows[i] = null;
                    start = ~end;
                }
                else
                {
                    _nullableRows[i] = new ReadOnlyMemory<char>(_chars, start, end - start);
                    start = end;
                }
            }

            return rowGroup.WriteAsync(Field, new ReadOnlyMemory<ReadOnlyMemory<char>?>(_nullableRows, 0, _count), null, null, cancellationToken);
        }

        if (_rows.Length < _count)
        {
            _rows = new ReadOnlyMemory<char>[Math.Max(_count, _rows.Length * 2)];
        }

        int from = 0;
        for (int i = 0; i < _count; i++)
        {
            _rows[i] = new ReadOnlyMemory<char>(_chars, from, _ends[i] - from);
            from = _ends[i];
        }

        return rowGroup.WriteAsync(Field, new ReadOnlyMemory<ReadOnlyMemory<char>>(_rows, 0, _count), null, null, cancellationToken);
    }

    /// <inheritdoc />
    public override async Task ReadAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rowGroup);
        var values = new string?[rows];
        await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        foreach (string? value in values)
        {
            Add(value);
        }
    }

    /// <inheritdoc />
    public override void Clear()
    {
        _count = 0;
        _length = 0;
    }

    private void Append(ReadOnlySpan<char> text)
    {
        if (text.Length > _chars.Length - _length)
        {
            GrowChars(text.Length);
        }

        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
        EndRow(_length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EndRow(int end)
    {
        if (_count == _ends.Length)
        {
            _ends = Grow(_ends, _count);
        }

        _ends[_count++] = end;
    }

    // Room for needed more characters: twice the buffer (in long arithmetic, so that it cannot wrap past 1 G characters),
    // capped at the most one array holds; past that, an error that says what to change.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowChars(int needed)
    {
        long wanted = (long)_length + needed;
        if (wanted <= _chars.Length)
        {
            return;
        }

        if (wanted > _maxChars)
        {
            throw new InvalidOperationException(
                $"Parquet column '{Field.Name}' would hold {wanted} characters of text in one batch, more than the {_maxChars} " +
                "one column can keep until the batch's commit writes it as a row group; write fewer records per batch " +
                $"(a shorter batch interval), or less text in '{Field.Name}'.");
        }

        long size = Math.Max(Math.Max(InitialCapacity * 16L, _chars.Length * 2L), wanted);
        var larger = new char[(int)Math.Min(size, _maxChars)];
        _chars.AsSpan(0, _length).CopyTo(larger);
        _chars = larger;
    }
}
