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

    /// <summary>Streams opened: connections made, files read.</summary>
    public long Streams { get; set; }

    /// <summary>Connection attempts that failed or connections the peer closed, after which the connector tried again.</summary>
    public long Reconnects { get; set; }
}
