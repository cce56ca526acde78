using System.Buffers.Binary;
using NpgsqlTypes;

namespace Compiled.PostgreSQL.ChangeDataCapture;

/// <summary>
/// Where a change data capture source stands in the server's log: every transaction whose commit record starts before
/// <see cref="Lsn"/> is read, and of the transaction whose commit record starts at <see cref="Lsn"/>, the first
/// <see cref="Changes"/> changes. After a transaction's commit the position is the commit record's end with no change.
/// </summary>
/// <remarks>
/// pgoutput sends transactions whole and in commit order, each opened by its commit record's start (the begin message's
/// final LSN), so that start orders transactions, and the index orders a transaction's changes. A replication slot
/// confirmed up to <see cref="Lsn"/> sends again exactly the transactions whose commit record starts at or after it: the
/// one this position is inside, whose first <see cref="Changes"/> changes the source then skips, and the later ones.
/// </remarks>
/// <param name="Lsn">The start of the commit record of the transaction the position is in, or the end of the last one read whole.</param>
/// <param name="Changes">How many changes of that transaction are read.</param>
internal readonly record struct ChangePosition(ulong Lsn, int Changes) : IComparable<ChangePosition>
{
    /// <summary>The bytes of a position: the LSN and the change count, big-endian.</summary>
    public const int Size = 12;

    /// <summary>Whether the position is before everything (nothing read yet).</summary>
    public bool IsStart => Lsn == 0 && Changes == 0;

    /// <inheritdoc />
    public int CompareTo(ChangePosition other) =>
        Lsn != other.Lsn ? Lsn.CompareTo(other.Lsn) : Changes.CompareTo(other.Changes);

    /// <summary>Whether this position is after <paramref name="other"/>.</summary>
    public bool IsAfter(ChangePosition other) => CompareTo(other) > 0;

    /// <summary>Writes the position's <see cref="Size"/> bytes.</summary>
    public void Write(Span<byte> target)
    {
        BinaryPrimitives.WriteUInt64BigEndian(target, Lsn);
        BinaryPrimitives.WriteInt32BigEndian(target[8..], Changes);
    }

    /// <summary>Reads a position <see cref="Write"/> wrote.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out ChangePosition position)
    {
        position = default;
        if (bytes.Length != Size)
        {
            return false;
        }

        int changes = BinaryPrimitives.ReadInt32BigEndian(bytes[8..]);
        if (changes < 0)
        {
            return false;
        }

        position = new ChangePosition(BinaryPrimitives.ReadUInt64BigEndian(bytes), changes);
        return true;
    }

    /// <summary>The position in words: <c>after 0/16B3800</c>, or <c>after change 3 of the transaction committing at 0/16B3748</c>.</summary>
    public override string ToString() =>
        Changes == 0
            ? $"after {new NpgsqlLogSequenceNumber(Lsn)}"
            : $"after change {Changes} of the transaction committing at {new NpgsqlLogSequenceNumber(Lsn)}";
}
