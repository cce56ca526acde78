using System.Buffers.Binary;
using System.Globalization;
using Compiled.Checkpoints;

namespace Compiled.Connectors.WriteAheadLog;

/// <summary>
/// A place in a write-ahead log: every connection before <see cref="Connection"/> (numbered from 0 in the order they
/// were received), and the first <see cref="Offset"/> bytes of that one. Positions order by connection, then offset.
/// </summary>
/// <param name="Connection">The number of the connection the position is in.</param>
/// <param name="Offset">How many bytes of that connection come before the position.</param>
public readonly record struct WriteAheadLogPosition(long Connection, long Offset) : IComparable<WriteAheadLogPosition>
{
    // The layout of the payload in a SourcePosition: a version byte, a tag that says a write-ahead log wrote it, then
    // connection and offset (i64, little-endian).
    private const byte PayloadVersion = 1;
    private const int PayloadLength = 1 + 2 + 8 + 8;

    private static ReadOnlySpan<byte> Tag => "WL"u8;

    /// <summary>Whether <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    public static bool operator <(WriteAheadLogPosition left, WriteAheadLogPosition right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    public static bool operator >(WriteAheadLogPosition left, WriteAheadLogPosition right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> comes before <paramref name="right"/> or is it.</summary>
    public static bool operator <=(WriteAheadLogPosition left, WriteAheadLogPosition right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> comes after <paramref name="right"/> or is it.</summary>
    public static bool operator >=(WriteAheadLogPosition left, WriteAheadLogPosition right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public int CompareTo(WriteAheadLogPosition other) =>
        Connection != other.Connection ? Connection.CompareTo(other.Connection) : Offset.CompareTo(other.Offset);

    /// <summary>The position in words: <c>connection 3 at byte 4096</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"connection {Connection} at byte {Offset}");

    /// <summary>The position as a source reports it to the checkpoint, described as <c>&lt;what&gt;: write-ahead log at connection c, byte n</c>.</summary>
    public SourcePosition ToSourcePosition(string what)
    {
        Span<byte> payload = stackalloc byte[PayloadLength];
        payload[0] = PayloadVersion;
        Tag.CopyTo(payload[1..]);
        BinaryPrimitives.WriteInt64LittleEndian(payload[3..], Connection);
        BinaryPrimitives.WriteInt64LittleEndian(payload[11..], Offset);
        return new SourcePosition(payload, $"{what}: write-ahead log at {this}");
    }

    /// <summary>Reads a position written by <see cref="ToSourcePosition"/>.</summary>
    /// <exception cref="InvalidDataException">The position was written by another kind of source, or is damaged.</exception>
    public static WriteAheadLogPosition FromSourcePosition(SourcePosition position, string what)
    {
        ArgumentNullException.ThrowIfNull(position);
        ReadOnlySpan<byte> payload = position.Payload.Span;
        if (payload.Length != PayloadLength || payload[0] != PayloadVersion || !payload.Slice(1, 2).SequenceEqual(Tag))
        {
            throw new InvalidDataException(
                $"The checkpoint's position for {what} ('{position.Description}') was not written by a source with a write-ahead log: " +
                "the pipeline's source changed since the checkpoint was written; start from a new checkpoint directory, or restore the source as it was.");
        }

        long connection = BinaryPrimitives.ReadInt64LittleEndian(payload[3..]);
        long offset = BinaryPrimitives.ReadInt64LittleEndian(payload[11..]);
        if (connection < 0 || offset < 0)
        {
            throw new InvalidDataException(
                $"The checkpoint's position for {what} is damaged: connection {connection}, byte {offset}; move the newest checkpoint away to resume from the one before it, or start from a new checkpoint directory.");
        }

        return new WriteAheadLogPosition(connection, offset);
    }
}
