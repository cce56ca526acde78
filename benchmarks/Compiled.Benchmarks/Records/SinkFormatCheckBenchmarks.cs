using BenchmarkDotNet.Attributes;
using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.Benchmarks.Records;

/// <summary>
/// What choosing the format per record costs a sink of the default text format: the sink write the generator emitted
/// before <c>?format=</c> (<c>if (records) ... else sink.Write(text)</c>) against the one it emits now, which first
/// compares the sink's <c>Format</c> with <c>Text</c>; the same <c>(key,value)</c> rendering into the job's buffer and the
/// same sink, 10,000 pairs an operation. Run with <c>--filter '*SinkFormatCheck*'</c>.
/// </summary>
[MemoryDiagnoser]
public class SinkFormatCheckBenchmarks
{
    private const int Records = 10_000;
    private readonly byte[][] _keys = [.. Enumerable.Range(0, 64).Select(i => System.Text.Encoding.UTF8.GetBytes("word" + i))];
    private readonly RecordText _text = new();
    private readonly Sink _sink = new CountingSink();
    private readonly IRecordWriter<KeyValue<long>>? _records = null;

    /// <summary>The sink write as emitted before formats: records as they are, else their text.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long WithoutFormatCheck()
    {
        for (int i = 0; i < Records; i++)
        {
            var pair = new KeyValue<long>(_keys[i & 63], i);
            if (_records is not null) _records.Write(pair);
            else _sink.Write(_text.Clear().Append('(').Append(pair.Key).Append(',').AppendValue(pair.Value).Append(')').Written);
        }

        return ((CountingSink)_sink).Bytes;
    }

    /// <summary>The sink write as emitted now: the format compared per record before the text is rendered.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long WithFormatCheck()
    {
        for (int i = 0; i < Records; i++)
        {
            var pair = new KeyValue<long>(_keys[i & 63], i);
            if (_records is not null) _records.Write(pair);
            else if (_sink.Format == SinkFormat.Text) _sink.Write(_text.Clear().Append('(').Append(pair.Key).Append(',').AppendValue(pair.Value).Append(')').Written);
            else if (_sink.Format == SinkFormat.Csv) { _text.Clear().Append(pair.Key); _sink.Write(_text.Written); }
            else { _text.Clear().Append(pair.Key); _sink.Write(_text.Written); }
        }

        return ((CountingSink)_sink).Bytes;
    }

    private sealed class CountingSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext())
    {
        public long Bytes { get; private set; }

        public override void BeginBatch(long batchTimeMs)
        {
        }

        public override void Write(ReadOnlySpan<byte> record) => Bytes += record.Length;

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
    }
}
