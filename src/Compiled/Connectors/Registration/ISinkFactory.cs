using Compiled.Sinks;

namespace Compiled.Connectors;

/// <summary>
/// Creates the sinks of one URI scheme. A connector declares its factory with
/// <see cref="SinkConnectorAttribute"/>; the generated code registers it through
/// <see cref="ConnectorRegistry.AddSink{TFactory}"/>, and the registry calls <see cref="Create"/> directly, without
/// reflection, so a connector works under Native AOT.
/// </summary>
public interface ISinkFactory
{
    /// <summary>
    /// Creates the sink that <paramref name="uri"/> names. Read the URI's options with its <c>Take*</c> methods: the
    /// registry fails on an option that none took. Check everything here and connect later, in
    /// <see cref="Sink.OpenAsync"/>.
    /// </summary>
    /// <exception cref="ConnectorUriException">The URI or one of its options is not valid; the message says what to write.</exception>
    static abstract Sink Create(ConnectorUri uri, SinkContext context);
}
