namespace Compiled.Connectors;

/// <summary>
/// Creates the sources of one URI scheme. A connector declares its factory with
/// <see cref="SourceConnectorAttribute"/>; the generated code registers it through
/// <see cref="ConnectorRegistry.AddSource{TFactory}"/>, and the registry calls <see cref="Create"/> directly, without
/// reflection, so a connector works under Native AOT.
/// </summary>
public interface ISourceFactory
{
    /// <summary>
    /// Creates the source that <paramref name="uri"/> names. Read the URI's options with its <c>Take*</c> methods: the
    /// registry fails on an option that none took. Check everything here and connect later, when the run starts.
    /// </summary>
    /// <exception cref="ConnectorUriException">The URI or one of its options is not valid; the message says what to write.</exception>
    static abstract Source Create(ConnectorUri uri, SourceContext context);
}
