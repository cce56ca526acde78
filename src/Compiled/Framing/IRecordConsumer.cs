namespace Compiled.Framing;

/// <summary>
/// Receives the records a framer cuts out of a buffer. The generated fused loop is a struct that
/// implements it and is passed to the framer as a constrained generic parameter, so every call is a
/// direct, inlinable call: no interface dispatch per record.
/// </summary>
public interface IRecordConsumer
{
    /// <summary>Handles one record. The span is valid only during the call.</summary>
    void OnRecord(ReadOnlySpan<byte> record);
}
