using BenchmarkDotNet.Attributes;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;

namespace Compiled.Benchmarks.Records;

/// <summary>
/// Column pruning of JSON lines: the generated parser behind the line framer reading every member of a quote (the
/// baseline), against the same lines read with the mask a pipeline passes when its stages read only the price and the
/// quantity, or only the quantity; and two generated pipelines over the same lines, one folding every member of each quote
/// (so its source reads them all), one only the price and the quantity (so its source converts those two alone). 100,000
/// lines (about 8.5 MB) an operation; <c>OperationsPerInvoke</c> makes the mean the time per line. Run with
/// <c>--filter '*JsonPrune*'</c>.
/// </summary>
[MemoryDiagnoser]
public class JsonPruneBenchmarks
{
    private const int Rows = 100_000;
    private const ulong PriceAndQuantity = 0b1100;
    private const ulong Quantity = 0b1000;
    private readonly byte[] _json = JsonQuotes.Generate(Rows);
    private readonly JsonRecordReader _reader = new(QuoteEvent.JsonLayout, "Quotes", new SourceCounters());
    private readonly LineFramer _framer = new(FramingOptions.Default, new SourceCounters());
    private readonly JsonPruneRounds.LastRecordSink _allSink = new();
    private readonly JsonPruneRounds.LastRecordSink _twoSink = new();
    private PipelineJob _all = null!;
    private PipelineJob _two = null!;

    /// <summary>Creates the two pipelines' jobs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _all = QuoteChecksumAllMembers.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [_allSink]));
        _two = QuoteChecksumTwoMembers.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [_twoSink]));
    }

    /// <summary>Disposes of the jobs.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _all.Dispose();
        _two.Dispose();
    }

    /// <summary>Every member read: what a pipeline whose record reaches a sink runs.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public long AllMembers() => JsonQuotes.Generated(_json, _reader, _framer);

    /// <summary>The price and the quantity read; the id, the symbol (escaped in one line of eight), the venue and the flag scanned.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long PriceAndQuantityRead() => JsonQuotes.GeneratedMembers(_json, _reader, _framer, PriceAndQuantity);

    /// <summary>The quantity alone read.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long QuantityRead() => JsonQuotes.GeneratedMembers(_json, _reader, _framer, Quantity);

    /// <summary>A pipeline folding every member of each quote: its source reads every member.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long PipelineAllMembers() => JsonPruneRounds.RunJob(_all, _allSink, _json);

    /// <summary>A pipeline folding the price and the quantity: its source converts those two members alone.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long PipelineTwoMembers() => JsonPruneRounds.RunJob(_two, _twoSink, _json);
}
