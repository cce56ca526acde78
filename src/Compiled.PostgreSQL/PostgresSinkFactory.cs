using Compiled.Connectors;
using Compiled.PostgreSQL;
using Compiled.Sinks;

[assembly: SinkConnector("postgres", typeof(PostgresSinkFactory), Usage = "postgres://user@host:port/db?table=T")]

namespace Compiled.PostgreSQL;

/// <summary>
/// Creates <c>postgres</c> sinks: <c>postgres://user@host:port/db?table=T</c>. A project that references
/// Compiled.PostgreSQL may write <c>[Sink(Default = "postgres://...")]</c> or pass the URI with <c>--sink</c>.
/// </summary>
public sealed class PostgresSinkFactory : ISinkFactory
{
    /// <inheritdoc />
    public static Sink Create(ConnectorUri uri, SinkContext context) => new PostgresSink(uri, context);
}
