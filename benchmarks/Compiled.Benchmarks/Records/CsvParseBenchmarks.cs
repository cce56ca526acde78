using BenchmarkDotNet.Attributes;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled.Benchmarks.Records;

/// <summary>
/// Generated CSV parsing into a struct next to Sep into the same fields, 100,000 rows (about 4.4 MB) an operation;
/// <c>OperationsPerInvoke</c> makes the mean the time per row. Run with <c>--filter '*CsvParse*'</c>; for figures on a
/// loaded machine prefer <c>csv [rounds]</c> (<see cref="CsvParseRounds"/>), which times both by CPU time in
/// interleaved rounds.
/// </summary>
[MemoryDiagnoser]
public class CsvParseBenchmarks
{
    private const int Rows = 100_000;
    private readonly byte[] _csv = CsvQuotes.Generate(Rows);
    private readonly byte[] _symbol = new byte[64];
    private readonly CsvRecordReader _reader = new(Quote.CsvLayout, "Quotes", new SourceCounters());
    private readonly LineFramer _framer = new(FramingOptions.Default, new SourceCounters());

    /// <summary>Sep, into the same fields.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public long Sep() => CsvQuotes.Sep(_csv, _symbol);

    /// <summary>The generated parser behind the line framer.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long Generated() => CsvQuotes.Generated(_csv, _reader, _framer);
}
