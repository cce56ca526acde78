namespace Compiled.Framing;

/// <summary>What a framer does with a record longer than <see cref="FramingOptions.MaxRecordBytes"/>.</summary>
public enum OversizePolicy
{
    /// <summary>Stop the job with a <see cref="RecordTooLongException"/> naming the source and byte offset.</summary>
    Fail,

    /// <summary>Drop the record, count it in <see cref="Connectors.SourceCounters.OversizeSkipped"/>, and go on.</summary>
    Skip,
}

/// <summary>Limits a framer works within; set per source with URI options (<c>?maxRecordBytes=65536&amp;onOversize=skip</c>).</summary>
/// <param name="MaxRecordBytes">The longest record accepted, in bytes, without its terminator. Memory held per source is bounded by it.</param>
/// <param name="Oversize">What to do with a longer record.</param>
public sealed record FramingOptions(int MaxRecordBytes = FramingOptions.DefaultMaxRecordBytes, OversizePolicy Oversize = OversizePolicy.Fail)
{
    /// <summary>The default limit: 1 MiB.</summary>
    public const int DefaultMaxRecordBytes = 1 << 20;

    /// <summary>The defaults: 1 MiB, fail on a longer record.</summary>
    public static FramingOptions Default { get; } = new();
}
