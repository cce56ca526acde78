namespace Compiled.Framing;

/// <summary>
/// Receives the records a framer cuts out of a buffer. The generated fused loop is a struct that
/// implements it and is passed to the framer as a constrained generic parameter, so every call is a
/// direct, inlinable call: no interface dispatch per record.
/// </summary>
public interface IRecordConsumer
{
    /// <summary>
    /// The byte between a record's fields when the consumer would have the framer count them in the pass that finds the
    /// record's end (a CSV record's separator, for its plain lines), or -1 (the default) for records handed on uncounted.
    /// A constant per consumer type, so the framer's choice is made when it is compiled for the consumer.
    /// </summary>
    static virtual int FieldSeparator => -1;

    /// <summary>Handles one record. The span is valid only during the call.</summary>
    void OnRecord(ReadOnlySpan<byte> record);

    /// <summary>
    /// Handles one record whose fields the framer counted (a consumer with a <see cref="FieldSeparator"/>):
    /// <paramref name="fields"/> is its separators plus one, -1 when it holds a quote. A record the framer could not count
    /// in its pass (one copied together across buffers, the last of a stream without a line end) comes to
    /// <see cref="OnRecord(ReadOnlySpan{byte})"/> instead.
    /// </summary>
    void OnRecord(ReadOnlySpan<byte> record, int fields) => OnRecord(record);
}
