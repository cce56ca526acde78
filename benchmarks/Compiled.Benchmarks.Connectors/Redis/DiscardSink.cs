using Compiled.Benchmarks.Connectors.Redis;
using Compiled.Connectors;
using Compiled.Sinks;

// The pipeline without a connector: what a pass-through costs on its own (reading, framing, the fused loop).
[assembly: SinkConnector("discard", typeof(DiscardSinkFactory), Usage = "discard:NAME")]

namespace Compiled.Benchmarks.Connectors.Redis;

/// <summary>Creates <c>discard:NAME</c> sinks.</summary>
public sealed class DiscardSinkFactory : ISinkFactory
{
    /// <summary>The records every discard sink of this process has committed so far.</summary>
    public static long Committed { get; internal set; }

    /// <inheritdoc />
    public static Sink Create(ConnectorUri uri, SinkContext context) => new DiscardSink(uri, context);
}

/// <summary>Counts its records and keeps nothing: a pipeline measured without what a sink does with its records.</summary>
internal sealed class DiscardSink(ConnectorUri uri, SinkContext context) : Sink(uri, context), IRecordWriter<KeyValue<long>>
{
    private long _count;

    public override void BeginBatch(long batchTimeMs) => _count = 0;

    public override void Write(ReadOnlySpan<byte> record) => _count++;

    public void Write(KeyValue<long> record) => _count += record.Key.Length > 0 ? 1 : 0;

    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        DiscardSinkFactory.Committed += _count;
        _count = 0;
        return default;
    }
}
