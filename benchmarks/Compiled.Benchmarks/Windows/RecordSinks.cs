using System.Text;
using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.Benchmarks.Windows;

/// <summary>
/// A sink that takes keyed records as they are (<see cref="IRecordWriter{T}"/>, so no text is rendered) and only
/// counts them and sums their values: the windowed benchmarks measure the windows, not text formatting. Every
/// variant, generated or hand-written, writes to one of these through the same interface.
/// </summary>
public sealed class CountingRecordSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext()),
    IRecordWriter<KeyValue<long>>, IRecordWriter<Windowed<long>>
{
    /// <summary>Records written since creation.</summary>
    public long Records { get; private set; }

    /// <summary>The sum of their values: a cheap check that two variants wrote the same.</summary>
    public long Sum { get; private set; }

    /// <summary>Records that came as text: none should.</summary>
    public long TextRecords { get; private set; }

    /// <inheritdoc />
    public void Write(KeyValue<long> record)
    {
        Records++;
        Sum += record.Value;
    }

    /// <inheritdoc />
    public void Write(Windowed<long> record)
    {
        Records++;
        Sum += record.Value;
    }

    /// <inheritdoc />
    public override void BeginBatch(long batchTimeMs)
    {
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> record) => TextRecords++;

    /// <inheritdoc />
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
}

/// <summary>
/// A sink that keeps what it is given, keyed by (window start, key): the setup's check that the variants agree.
/// Keyed records have window start 0. Not used in measured code.
/// </summary>
public sealed class CollectingRecordSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext()),
    IRecordWriter<KeyValue<long>>, IRecordWriter<Windowed<long>>
{
    /// <summary>What was written since the last <see cref="Records"/>.Clear().</summary>
    public Dictionary<(long Window, string Key), long> Records { get; } = [];

    /// <inheritdoc />
    public void Write(KeyValue<long> record) => Add(0, record.Key, record.Value);

    /// <inheritdoc />
    public void Write(Windowed<long> record) => Add(record.Window.Start, record.Key, record.Value);

    /// <inheritdoc />
    public override void BeginBatch(long batchTimeMs)
    {
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> record) =>
        throw new InvalidOperationException($"A record came as text: '{Encoding.UTF8.GetString(record)}'.");

    /// <inheritdoc />
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;

    private void Add(long window, ReadOnlySpan<byte> key, long value)
    {
        string text = Encoding.UTF8.GetString(key);
        if (!Records.TryAdd((window, text), value))
        {
            throw new InvalidOperationException($"The key '{text}' was written twice for window {window} in one batch.");
        }
    }
}
