using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Compiled.Benchmarks.Input;

namespace Compiled.Benchmarks;

/// <summary>What one record of a benchmark is, for its ns/record column.</summary>
public enum RecordKind
{
    /// <summary>A line of the corpus (a record of the line framer).</summary>
    Lines,

    /// <summary>A word of the corpus (a lookup in a key table).</summary>
    Words,

    /// <summary>
    /// A line of the windowed benchmarks' streams (<see cref="KeyedStream"/>, <see cref="EventStream"/>), which have
    /// 100,000 a batch: one operation (or, with <c>OperationsPerInvoke</c>, the mean) is one batch, not the corpus.
    /// </summary>
    BatchRecords,
}

/// <summary>Says what one operation of the benchmark processes (the whole corpus, or one batch of a stream), and what its records are.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RecordsAttribute(RecordKind kind) : Attribute
{
    /// <summary>What one record is.</summary>
    public RecordKind Kind { get; } = kind;
}

/// <summary>
/// The throughput columns: MB/s (10^6 bytes of corpus per second) and ns per record, from the mean of a
/// benchmark whose method carries <see cref="RecordsAttribute"/>. The corpus is deterministic, so its sizes
/// are computed here in BenchmarkDotNet's host process, the same as in the child processes that measured.
/// A batch of a windowed benchmark's stream has a fixed number of records; its MB/s is not shown.
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    private readonly Func<double, Corpus?, RecordKind, string> _value;

    private ThroughputColumn(string name, string legend, Func<double, Corpus?, RecordKind, string> value)
    {
        ColumnName = name;
        Legend = legend;
        _value = value;
    }

    /// <summary>Megabytes (10^6 bytes) of corpus per second.</summary>
    public static ThroughputColumn MegabytesPerSecond { get; } = new(
        "MB/s",
        "Corpus bytes processed per second, in MB (10^6 bytes), from the mean",
        static (meanNs, corpus, kind) => kind == RecordKind.BatchRecords ? "-" : (corpus!.Bytes.Length / 1e6 / (meanNs / 1e9)).ToString("F1", CultureInfo.InvariantCulture));

    /// <summary>Nanoseconds per record (a line, or a word for key-table benchmarks, or a line of a windowed benchmark's batch).</summary>
    public static ThroughputColumn NanosecondsPerRecord { get; } = new(
        "ns/record",
        "Mean divided by the records of one operation (see the Record column)",
        static (meanNs, corpus, kind) => (meanNs / kind switch
        {
            RecordKind.Words => corpus!.Words,
            RecordKind.BatchRecords => KeyedStream.RecordsPerBatch,
            _ => corpus!.Lines,
        }).ToString("F2", CultureInfo.InvariantCulture));

    /// <summary>What a record is: line or word of the corpus, or a line of a windowed benchmark's batch.</summary>
    public static ThroughputColumn Record { get; } = new(
        "Record",
        "What ns/record divides by: a line of the corpus, a word, or a line of a batch of 100,000 (windowed benchmarks, whose Mean is per batch)",
        static (_, _, kind) => kind switch
        {
            RecordKind.Words => "word",
            RecordKind.BatchRecords => "batch line",
            _ => "line",
        });

    /// <inheritdoc />
    public string Id => nameof(ThroughputColumn) + "." + ColumnName;

    /// <inheritdoc />
    public string ColumnName { get; }

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => this != Record;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend { get; }

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var records = (RecordsAttribute?)Attribute.GetCustomAttribute(benchmarkCase.Descriptor.WorkloadMethod, typeof(RecordsAttribute));
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        // The corpus is built only for benchmarks that read it.
        return records is null || mean is not > 0 ? "-" : _value(mean.Value, records.Kind == RecordKind.BatchRecords ? null : Corpus.Shared, records.Kind);
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public override string ToString() => ColumnName;
}
