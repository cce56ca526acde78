using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Compiled;

/// <summary>
/// A reusable UTF-8 buffer that renders one output record as text for a sink, the way Spark prints it:
/// byte spans as they are, a keyed record as a Scala tuple <c>(key,value)</c>, numbers in the invariant
/// culture. The generated code clears it and appends per record; its buffer grows and is kept, so the
/// steady state allocates nothing.
/// </summary>
public sealed class RecordText
{
    // Past this size the buffer grows by an eighth rather than doubling, and is given back when the next record
    // starts: a record of 50 MB costs about its size here, not up to three times it, and not for the rest of the run.
    private const int LargeRecordBytes = 1 << 20;

    // The room an integer is written into: its longest form (20 digits and a sign, "-9223372036854775808") and, for
    // Utf8Format's fast path, at least 16 bytes.
    private const int IntegerRoom = 24;

    private readonly int _initialCapacity;
    private byte[] _buffer;
    private int _length;
    private int _keyLength;

    /// <summary>Creates a buffer with room for <paramref name="capacity"/> bytes to start with.</summary>
    public RecordText(int capacity = 256)
    {
        _initialCapacity = Math.Clamp(capacity, 16, LargeRecordBytes);
        _buffer = new byte[_initialCapacity];
    }

    /// <summary>The buffer's size now.</summary>
    internal int Capacity => _buffer.Length;

    /// <summary>The bytes appended since the last <see cref="Clear"/>.</summary>
    /// <remarks>Inlined into the fused loop, which hands it to a sink once a record: the JIT leaves even a property this small
    /// a call in a loop of many inlined stages, once its inlining budget is spent.</remarks>
    public ReadOnlySpan<byte> Written
    {
        // A read-only span made directly: through a Span<byte>, its conversion to ReadOnlySpan<byte> was a call of its own
        // (the JIT found it unprofitable to inline there).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_buffer, 0, _length);
    }

    /// <summary>Starts a new record.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RecordText Clear()
    {
        _length = 0;
        _keyLength = 0;
        if (_buffer.Length > LargeRecordBytes)
        {
            ReleaseLargeBuffer();
        }

        return this;
    }

    /// <summary>
    /// Marks what was appended since <see cref="Clear"/> as the record's key, rendered apart from the record: a sink
    /// that keeps a key apart (Kafka's message key) is then handed <see cref="Key"/> and <see cref="AfterKey"/>.
    /// </summary>
    public RecordText MarkKey()
    {
        _keyLength = _length;
        return this;
    }

    /// <summary>The bytes appended before <see cref="MarkKey"/> (empty when it was not called since <see cref="Clear"/>).</summary>
    public ReadOnlySpan<byte> Key
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _buffer.AsSpan(0, _keyLength);
    }

    /// <summary>The bytes appended after <see cref="MarkKey"/> (all of <see cref="Written"/> when it was not called).</summary>
    public ReadOnlySpan<byte> AfterKey
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _buffer.AsSpan(_keyLength, _length - _keyLength);
    }

    /// <summary>Appends bytes as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RecordText Append(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _length < bytes.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
        return this;
    }

    /// <summary>
    /// Appends bytes as <see cref="Append(ReadOnlySpan{byte})"/> does, a short run (up to 32 bytes: a column copied from a
    /// source's line, <c>CsvRecordReader.TryKeptIntegers</c>) with two overlapping loads and stores rather than a call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RecordText AppendShort(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _length < Internal.ShortCopy.MaxBytes
            || !Internal.ShortCopy.TryCopy(bytes, ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), _length)))
        {
            return Append(bytes);
        }

        _length += bytes.Length;
        return this;
    }

    /// <summary>Appends one ASCII character.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RecordText Append(char ascii)
    {
        if (_length == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_length++] = (byte)ascii;
        return this;
    }

    /// <summary>
    /// Appends a value that formats itself as UTF-8 (numbers, dates, a user's <c>ref struct</c> view, ...), in the
    /// invariant culture. A <c>ref struct</c> is allowed: the value is only called, never boxed or stored.
    /// </summary>
    public RecordText AppendValue<T>(in T value)
        where T : IUtf8SpanFormattable, allows ref struct
    {
        int written;
        while (!value.TryFormat(_buffer.AsSpan(_length), out written, default, CultureInfo.InvariantCulture))
        {
            Grow(_buffer.Length);
        }

        _length += written;
        return this;
    }

    /// <summary>
    /// Appends a value formatted with <paramref name="format"/> in the invariant culture (a date as <c>"O"</c>, a custom
    /// time format): what the generated CSV and JSON writers call for a member whose format is not the type's default.
    /// </summary>
    public RecordText AppendFormatted<T>(T value, ReadOnlySpan<char> format)
        where T : IUtf8SpanFormattable, allows ref struct
    {
        int written;
        while (!value.TryFormat(_buffer.AsSpan(_length), out written, format, CultureInfo.InvariantCulture))
        {
            Grow(_buffer.Length);
        }

        _length += written;
        return this;
    }

    /// <summary>The number of bytes appended since the last <see cref="Clear"/>.</summary>
    internal int Length => _length;

    /// <summary>Drops what was appended after the first <paramref name="length"/> bytes (a field the writers write again, escaped).</summary>
    internal void Truncate(int length) => _length = length;

    /// <summary>Room for at least <paramref name="size"/> more bytes at the end, to be committed by <see cref="Advance"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<byte> GetSpan(int size)
    {
        if (_buffer.Length - _length < size)
        {
            Grow(size);
        }

        return _buffer.AsSpan(_length);
    }

    /// <summary>Commits <paramref name="count"/> bytes written into the span <see cref="GetSpan"/> gave.</summary>
    internal void Advance(int count) => _length += count;

    /// <summary>Appends <see langword="true"/> or <see langword="false"/> in lower case, as Scala prints them.</summary>
    public RecordText AppendValue(bool value) => Append(value ? "true"u8 : "false"u8);

    /// <summary>Appends an integer in the invariant culture, through <see cref="Utf8Format"/> (no loop over its digits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RecordText AppendValue(long value)
    {
        Utf8Format.TryFormat(value, GetSpan(IntegerRoom), out int written);
        _length += written;
        return this;
    }

    /// <summary>Appends an integer in the invariant culture, through <see cref="Utf8Format"/> (no loop over its digits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RecordText AppendValue(ulong value)
    {
        Utf8Format.TryFormat(value, GetSpan(IntegerRoom), out int written);
        _length += written;
        return this;
    }

    /// <summary>Appends an integer in the invariant culture, through <see cref="Utf8Format"/> (no loop over its digits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RecordText AppendValue(int value) => AppendValue((long)value);

    /// <summary>Appends an integer in the invariant culture, through <see cref="Utf8Format"/> (no loop over its digits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RecordText AppendValue(uint value) => AppendValue((ulong)value);

    /// <summary>
    /// Appends any other value through its <see cref="object.ToString"/> (which allocates: give a type that is
    /// printed per record an <see cref="IUtf8SpanFormattable"/> implementation to avoid it). A tuple is written as
    /// Spark prints one, <c>(a,1,2.5)</c>, each element as a value of its own type is (numbers in the invariant culture),
    /// not through the tuple's own <see cref="object.ToString"/>, which follows the current culture.
    /// </summary>
    public RecordText AppendObject<T>(T value)
    {
        if (value is ITuple tuple)
        {
            return AppendTuple(tuple);
        }

        string text = (value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value?.ToString()) ?? "null";
        int needed = Encoding.UTF8.GetByteCount(text);
        if (_buffer.Length - _length < needed)
        {
            Grow(needed);
        }

        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
        return this;
    }

    // A tuple's elements, each as AppendValue or AppendObject writes a value of its type; boxed, as the ToString it
    // replaces also was.
    private RecordText AppendTuple(ITuple tuple)
    {
        Append('(');
        for (int i = 0; i < tuple.Length; i++)
        {
            if (i > 0)
            {
                Append(',');
            }

            switch (tuple[i])
            {
                case null:
                    Append("null"u8);
                    break;
                case bool flag:
                    AppendValue(flag);
                    break;
                case IUtf8SpanFormattable formattable:
                    AppendValue(formattable);
                    break;
                case object element:
                    AppendObject(element);
                    break;
            }
        }

        return Append(')');
    }

    /// <summary>Appends values as <c>[v1,v2]</c>, each formatting itself as UTF-8.</summary>
    public RecordText AppendValues<T>(ReadOnlySpan<T> values)
        where T : IUtf8SpanFormattable
    {
        Append('[');
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                Append(',');
            }

            AppendValue(values[i]);
        }

        return Append(']');
    }

    /// <summary>Appends values as <c>[v1,v2]</c>, each through <see cref="AppendObject{T}"/>.</summary>
    public RecordText AppendObjects<T>(ReadOnlySpan<T> values)
    {
        Append('[');
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                Append(',');
            }

            AppendObject(values[i]);
        }

        return Append(']');
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        long least = (long)_length + needed;
        long size = least <= LargeRecordBytes ? Math.Max(_buffer.Length * 2L, least) : least + (least / 8);
        size = Math.Min(size, Array.MaxLength);
        if (size < least)
        {
            throw new InvalidOperationException($"A record's text cannot be longer than {Array.MaxLength} bytes; this one needs {least}. Print a shorter form of the record, or lower its source's maxRecordBytes.");
        }

        byte[] bigger = GC.AllocateUninitializedArray<byte>((int)size);
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        _buffer = bigger;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReleaseLargeBuffer() => _buffer = new byte[_initialCapacity];
}
