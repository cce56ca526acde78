using Compiled.Framing;

namespace Compiled.Connectors.Messages;

/// <summary>A message's payload was longer than its source's <see cref="FramingOptions.MaxRecordBytes"/>.</summary>
public sealed class MessageTooLongException : IOException
{
    /// <summary>Creates the exception for a message of <paramref name="length"/> bytes from <paramref name="source"/>.</summary>
    public MessageTooLongException(string source, int length, int maxRecordBytes)
        : base($"A message of '{source}' is {length} bytes long, longer than the maximum of {maxRecordBytes} bytes. "
             + "Raise the limit with '?maxRecordBytes=N' on the source URI, or drop such messages with '?onOversize=skip'.")
    {
        SourceUri = source;
        Length = length;
        MaxRecordBytes = maxRecordBytes;
    }

    /// <summary>The source (its URI) the message came from.</summary>
    public string SourceUri { get; }

    /// <summary>The payload's length in bytes.</summary>
    public int Length { get; }

    /// <summary>The limit that was exceeded.</summary>
    public int MaxRecordBytes { get; }
}
