namespace Compiled.Framing;

/// <summary>What a framer does with a record longer than <see cref="FramingOptions.MaxRecordBytes"/>.</summary>
public enum OversizePolicy
{
    /// <summary>Stop the job with a <see cref="RecordTooLongException"/> naming the source and byte offset.</summary>
    Fail,

    /// <summary>Drop the record, count it in <see cref="Connectors.SourceCounters.OversizeSkipped"/>, and go on.</summary>
    Skip,
}

/// <summary>What a framer does with the bytes after a stream's last <c>\n</c> when the stream ends there.</summary>
public enum PartialRecordPolicy
{
    /// <summary>They are the stream's last line, as in a text file whose last line has no line end: a record, not counted.</summary>
    LastLine,

    /// <summary>
    /// They are a record cut short (a connection that ended in the middle of a line): handed on as they are, and counted
    /// in <see cref="Connectors.SourceCounters.PartialRecords"/>.
    /// </summary>
    Keep,

    /// <summary>They are a record cut short: dropped, and counted in <see cref="Connectors.SourceCounters.PartialRecords"/>.</summary>
    Skip,
}

/// <summary>Limits a framer works within; set per source with URI options (<c>?maxRecordBytes=65536&amp;onOversize=skip</c>).</summary>
/// <param name="MaxRecordBytes">The longest record accepted, in bytes, without its terminator. Memory held per source is bounded by it.</param>
/// <param name="Oversize">What to do with a longer record.</param>
/// <param name="Partial">What the bytes after a stream's last line end are: its last line (files, standard input), or a record cut short (a connection).</param>
public sealed record FramingOptions(
    int MaxRecordBytes = FramingOptions.DefaultMaxRecordBytes,
    OversizePolicy Oversize = OversizePolicy.Fail,
    PartialRecordPolicy Partial = PartialRecordPolicy.LastLine)
{
    /// <summary>The default limit: 1 MiB.</summary>
    public const int DefaultMaxRecordBytes = 1 << 20;

    /// <summary>The defaults: 1 MiB, fail on a longer record.</summary>
    public static FramingOptions Default { get; } = new();
}
