using Compiled.Connectors;

namespace Compiled.Connectors.Stdin;

/// <summary>Scaffold: replaced by the connector's implementation.</summary>
public sealed class StdinSource : Source
{
    /// <summary>Scaffold.</summary>
    public StdinSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
    }

    /// <inheritdoc />
    public override ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("scaffold");
}
