using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.Sinks.Files;

/// <summary>Scaffold: replaced by the sink's implementation.</summary>
public sealed class FileSink : Sink
{
    /// <summary>Scaffold.</summary>
    public FileSink(ConnectorUri uri, SinkContext context)
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
