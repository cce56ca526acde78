using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.Tests.Pipelines;

/// <summary>
/// A sink that only counts what it is given: for measuring the generated loop itself, where a real sink's
/// I/O would hide it.
/// </summary>
internal sealed class DiscardingSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext())
{
    public long Records { get; private set; }

    public long Bytes { get; private set; }

    public override void BeginBatch(long batchTimeMs)
    {
    }

    public override void Write(ReadOnlySpan<byte> record)
    {
        Records++;
        Bytes += record.Length;
    }

    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
}
