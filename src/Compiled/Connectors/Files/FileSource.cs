using Compiled.Connectors;

namespace Compiled.Connectors.Files;

/// <summary>Scaffold: replaced by the connector's implementation.</summary>
public sealed class FileSource : Source
{
    /// <summary>Scaffold.</summary>
    public FileSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
    }

    /// <inheritdoc />
    public override ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("scaffold");
}
