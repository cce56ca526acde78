namespace Compiled;

/// <summary>
/// A record that did not parse, at a source whose record declares <see cref="BadRecordPolicy.Fail"/>: it says where
/// (source, stream, byte offset where the source knows it, line) and what (field and reason), so the input can be fixed.
/// </summary>
public sealed class BadRecordException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BadRecordException(string source, string stream, long line, string? field, BadRecordReason reason, string detail, long offset = -1, string? position = null)
        : base($"Source {source} read a bad record at {(position is null ? Where(offset, line) : "position " + position)} of {(stream.Length == 0 ? "its input" : stream)}"
            + (field is null ? "" : $", field {field}") + $": {reason}: {detail}. Fix the input, or give the source URI onBadRecord=skip (or declare "
            + "[Source(OnBadRecord = BadRecordPolicy.Skip)]) to count and skip such records; dead-letter (BadRecordPolicy.DeadLetter) keeps them in the dead-letter file too.")
    {
        SourceName = source;
        Stream = stream;
        Line = line;
        Field = field;
        Reason = reason;
        Offset = offset;
        Position = position;
    }

    /// <summary>The position of the message the record was, as its source keeps it, for a message source; <see langword="null"/> for a byte stream.</summary>
    public string? Position { get; }

    // "byte 112, line 3", or either alone where the source knows only one.
    private static string Where(long offset, long line) =>
        offset >= 0 && line > 0 ? $"byte {offset}, line {line}" : offset >= 0 ? $"byte {offset}" : $"line {line}";

    /// <summary>The source's name.</summary>
    public string SourceName { get; }

    /// <summary>The stream (file or connection) the record came from.</summary>
    public string Stream { get; }

    /// <summary>The line of the stream the record starts on, from 1; 0 when the source does not count lines.</summary>
    public long Line { get; }

    /// <summary>The byte offset of the record's first line in its stream, or -1 when the source does not know it.</summary>
    public long Offset { get; }

    /// <summary>The record's field (member) that did not parse, or <see langword="null"/> for a problem of the whole row.</summary>
    public string? Field { get; }

    /// <summary>Why the record was refused.</summary>
    public BadRecordReason Reason { get; }
}
