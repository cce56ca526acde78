namespace Compiled.Connectors;

/// <summary>
/// Running totals for one source, kept by its connector and framer. Written by the single thread that
/// reads the source; read by anyone (a reader may see values a moment old).
/// </summary>
public sealed class SourceCounters
{
    /// <summary>Records handed to the pipeline.</summary>
    public long Records { get; set; }

    /// <summary>Bytes consumed, terminators included.</summary>
    public long Bytes { get; set; }

    /// <summary>Records dropped for being longer than the limit (with <c>onOversize=skip</c>).</summary>
    public long OversizeSkipped { get; set; }

    /// <summary>Lines of a typed source (<see cref="Lines{T}"/>) that did not parse as its record type, and were skipped.</summary>
    public long Malformed { get; set; }

    /// <summary>Files of a pattern or a watched directory that the process may not read, and were skipped (<c>onUnreadable=skip</c>, the default).</summary>
    public long UnreadableSkipped { get; set; }

    /// <summary>
    /// Records cut short by the end of their stream, a connection that closed in the middle of a line: the bytes after
    /// its last line end. Kept or dropped as the source's <c>onPartial</c> says; a file's last line is not counted.
    /// </summary>
    public long PartialRecords { get; set; }

    /// <summary>
    /// Bytes consumed of an oversize record that is being dropped (<c>onOversize=skip</c>) and whose end has not been
    /// read yet; 0 between records. Not a total: the framer sets it after each buffer. The record-boundary offset of the
    /// stream lies that many bytes before what was consumed, at the dropped record's start, so that a source resumed from
    /// a position drops that record again whole rather than reading its tail as a record.
    /// </summary>
    public long DroppingBytes { get; set; }

    /// <summary>Streams opened: connections made, files read.</summary>
    public long Streams { get; set; }

    /// <summary>Connection attempts that failed or connections the peer closed, after which the connector tried again.</summary>
    public long Reconnects { get; set; }

    /// <summary>
    /// Adds the totals a fused loop and its framer keep per record (records, bytes, oversize records skipped, malformed
    /// lines, partial records) to <paramref name="into"/> and zeroes them here: how a partition's counters join its
    /// source's at a batch boundary. What the connector keeps (streams, reconnects, unreadable files) is not moved.
    /// </summary>
    internal void MoveLoopTotalsInto(SourceCounters into)
    {
        into.Records += Records;
        into.Bytes += Bytes;
        into.OversizeSkipped += OversizeSkipped;
        into.Malformed += Malformed;
        into.PartialRecords += PartialRecords;
        Records = Bytes = OversizeSkipped = Malformed = PartialRecords = 0;
    }
}
