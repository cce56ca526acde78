using System.Runtime.CompilerServices;
using System.Text;

namespace Compiled;

/// <summary>
/// A text field of a record: a slice of UTF-8 bytes in a buffer its source owns, valid while the record is being
/// handled. A plain struct (not a <c>ref struct</c>), so it can be a field of a <see cref="RecordAttribute"/> struct,
/// be passed by value through every stage of the fused loop, and sit in a tuple.
/// </summary>
/// <remarks>
/// The source reuses its buffer for its next record. A <see cref="Utf8Text"/> therefore may be read during the pass of
/// its record through the loop (its stages, filters, maps and the keyed update, which copies a key it keeps), but must
/// not be kept past it: a stage that keeps text across records keeps <see cref="ToString"/> or <see cref="ToArray"/>.
/// Reading one that was kept throws <see cref="InvalidOperationException"/> rather than showing another record's bytes:
/// each text carries the generation of the buffer it was cut from, which the source advances with every record.
/// </remarks>
public readonly struct Utf8Text : IEquatable<Utf8Text>
{
    private readonly Utf8TextBuffer? _owner;
    private readonly int _generation;
    private readonly int _start;
    private readonly int _length;

    /// <summary>Text of its own: a copy of <paramref name="utf8"/>, valid for as long as it is kept (for tests and constants).</summary>
    public Utf8Text(ReadOnlySpan<byte> utf8)
    {
        _owner = new Utf8TextBuffer(utf8.ToArray());
        _generation = _owner.Generation;
        _start = 0;
        _length = utf8.Length;
    }

    /// <summary>Text of its own, encoded from <paramref name="text"/>.</summary>
    public Utf8Text(string text)
        : this(Encoding.UTF8.GetBytes(text))
    {
    }

    // A slice of a source's buffer (the generated parser makes these).
    internal Utf8Text(Utf8TextBuffer owner, int start, int length)
    {
        _owner = owner;
        _generation = owner.Generation;
        _start = start;
        _length = length;
    }

    /// <summary>The number of bytes.</summary>
    public int Length => _length;

    /// <summary>Whether the text is empty.</summary>
    public bool IsEmpty => _length == 0;

    /// <summary>The bytes; throws if the record this text was cut from has been left behind (see the remarks).</summary>
    public ReadOnlySpan<byte> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Utf8TextBuffer? owner = _owner;
            if (owner is null)
            {
                return default;
            }

            if (owner.Generation != _generation)
            {
                ThrowKeptPastItsRecord();
            }

            return new ReadOnlySpan<byte>(owner.Bytes, _start, _length);
        }
    }

    /// <summary>The bytes, as a span (<see cref="Span"/>).</summary>
    public static implicit operator ReadOnlySpan<byte>(Utf8Text text) => text.Span;

    /// <summary>A copy of the bytes, which may be kept.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>The text decoded (which allocates the string).</summary>
    public override string ToString() => Encoding.UTF8.GetString(Span);

    /// <summary>Whether both hold the same bytes.</summary>
    public bool Equals(Utf8Text other) => Span.SequenceEqual(other.Span);

    /// <summary>Whether <paramref name="utf8"/> holds the same bytes.</summary>
    public bool Equals(ReadOnlySpan<byte> utf8) => Span.SequenceEqual(utf8);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Utf8Text other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Span);
        return hash.ToHashCode();
    }

    /// <summary>Whether both hold the same bytes.</summary>
    public static bool operator ==(Utf8Text left, Utf8Text right) => left.Equals(right);

    /// <summary>Whether they hold different bytes.</summary>
    public static bool operator !=(Utf8Text left, Utf8Text right) => !left.Equals(right);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowKeptPastItsRecord() =>
        throw new InvalidOperationException("A Utf8Text was read after its record: its source has reused the buffer for a later record. Keep text.ToString() or text.ToArray() instead of the Utf8Text when a stage keeps it across records.");
}

/// <summary>
/// The buffer a source cuts its records' <see cref="Utf8Text"/> fields from. <see cref="Generation"/> advances with
/// every record, which tells a text cut from an earlier record that it was kept too long.
/// </summary>
public sealed class Utf8TextBuffer
{
    internal Utf8TextBuffer(byte[] bytes) => Bytes = bytes;

    /// <summary>The bytes; replaced by a larger array when a record does not fit.</summary>
    internal byte[] Bytes { get; set; }

    /// <summary>Advanced for each record.</summary>
    internal int Generation { get; set; }
}
