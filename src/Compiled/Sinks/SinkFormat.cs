namespace Compiled.Sinks;

/// <summary>
/// How a sink is given each record: set by the sink URI's <c>format</c> option (<c>file:///out/t?format=csv</c>,
/// <c>console:?format=json</c>) on every sink that takes records as text. The generated code picks the matching writer
/// once per sink, when the job is created.
/// </summary>
public enum SinkFormat
{
    /// <summary>As Spark prints a record: a byte span as it is, a pair as <c>(key,value)</c>. The default.</summary>
    Text = 0,

    /// <summary>One RFC 4180 CSV row per record (the sink writes a header row where a reader expects one).</summary>
    Csv = 1,

    /// <summary>One JSON object per record, for a JSON-lines file or one message per record.</summary>
    Json = 2,
}
