using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.Sinks.Console;

/// <summary>Scaffold: replaced by the sink's implementation.</summary>
public sealed class ConsoleSink : Sink
{
    /// <summary>Scaffold.</summary>
    public ConsoleSink(ConnectorUri uri, SinkContext context)
        : base(uri, context)
    {
    }

    /// <inheritdoc />
    public override void BeginBatch(long batchTimeMs) => throw new NotSupportedException("scaffold");

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> record) => throw new NotSupportedException("scaffold");

    /// <inheritdoc />
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => throw new NotSupportedException("scaffold");
}
