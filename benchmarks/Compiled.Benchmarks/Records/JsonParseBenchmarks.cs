using BenchmarkDotNet.Attributes;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled.Benchmarks.Records;

/// <summary>
/// Generated JSON-lines parsing into a struct next to JsonSerializer into the same fields, 100,000 lines (about 8.5 MB)
/// an operation; <c>OperationsPerInvoke</c> makes the mean the time per line. Run with <c>--filter '*JsonParse*'</c>; on a
/// loaded machine prefer <c>json [rounds]</c> (<see cref="JsonParseRounds"/>), which times them by CPU time in
/// interleaved rounds.
/// </summary>
[MemoryDiagnoser]
public class JsonParseBenchmarks
{
    private const int Rows = 100_000;
    private readonly byte[] _json = JsonQuotes.Generate(Rows);
    private readonly byte[] _symbol = new byte[64];
    private readonly JsonRecordReader _reader = new(QuoteEvent.JsonLayout, "Quotes", new SourceCounters());
    private readonly LineFramer _framer = new(FramingOptions.Default, new SourceCounters());

    /// <summary>JsonSerializer.Deserialize&lt;QuoteDto&gt; per line, reflection-built metadata.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public long Serializer() => JsonQuotes.Serializer(_json, _symbol);

    /// <summary>JsonSerializer.Deserialize per line, source-generated metadata.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long SourceGenerated() => JsonQuotes.SourceGenerated(_json, _symbol);

    /// <summary>The generated parser behind the line framer.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long Generated() => JsonQuotes.Generated(_json, _reader, _framer);
}
