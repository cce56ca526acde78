namespace Compiled.Sinks;

/// <summary>
/// A sink that takes records as they are, rather than as text. When a sink implements this for the record
/// type its stage emits, the generated code hands it each record directly (a <c>KeyValue&lt;long&gt;</c>, a
/// byte span, a struct) and never renders text; otherwise it calls <see cref="Sink.Write(ReadOnlySpan{byte})"/> with the record's
/// text. The test driver's sinks capture records this way, and a store that keeps keys and values apart can
/// take them this way too.
/// </summary>
/// <typeparam name="T">The record type, which may be a <c>ref struct</c>.</typeparam>
public interface IRecordWriter<T>
    where T : allows ref struct
{
    /// <summary>Writes one record of the current batch. Views in it (spans) are valid only during the call.</summary>
    void Write(T record);
}
