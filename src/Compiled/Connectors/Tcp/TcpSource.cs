using Compiled.Connectors;

namespace Compiled.Connectors.Tcp;

/// <summary>Scaffold: replaced by the connector's implementation.</summary>
public sealed class TcpSource : Source
{
    /// <summary>Scaffold.</summary>
    public TcpSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
    }

    /// <inheritdoc />
    public override ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("scaffold");
}
