namespace Compiled.Framing;

/// <summary>A record was longer than its source's <see cref="FramingOptions.MaxRecordBytes"/>.</summary>
public sealed class RecordTooLongException : IOException
{
    /// <summary>Creates the exception for the record of <paramref name="streamName"/> that starts at <paramref name="offset"/>.</summary>
    public RecordTooLongException(string streamName, long offset, int maxRecordBytes)
        : base($"The record of '{streamName}' that starts at byte offset {offset} is longer than the maximum of {maxRecordBytes} bytes. "
             + "Raise the limit with '?maxRecordBytes=N' on the source URI, or drop such records with '?onOversize=skip'.")
    {
        StreamName = streamName;
        Offset = offset;
        MaxRecordBytes = maxRecordBytes;
    }

    /// <summary>The stream (URI, file path or connection) the record came from.</summary>
    public string StreamName { get; }

    /// <summary>The byte offset in that stream at which the record starts (0-based).</summary>
    public long Offset { get; }

    /// <summary>The limit that was exceeded.</summary>
    public int MaxRecordBytes { get; }
}
