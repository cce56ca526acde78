using Compiled.Connectors;
using Compiled.PostgreSQL.ChangeDataCapture;

// A project that references Compiled.PostgreSQL may write Default = "postgres://..." on a source and --source postgres://...
[assembly: SourceConnector("postgres", typeof(PostgresChangeSourceFactory), Usage = PostgresChangeSourceFactory.Usage)]

namespace Compiled.PostgreSQL.ChangeDataCapture;

/// <summary>
/// Creates <c>postgres</c> sources: change data capture through logical replication,
/// <c>postgres://user@host:port/db?publication=P&amp;slot=S</c>. Declared to the generator by this assembly's
/// <see cref="SourceConnectorAttribute"/>.
/// </summary>
public sealed class PostgresChangeSourceFactory : ISourceFactory
{
    /// <summary>The URI form the unknown-scheme message and <c>--help</c> show.</summary>
    public const string Usage = "postgres://user@host:port/db?publication=P&slot=S";

    /// <summary>Checks the URI and creates the source; it connects when the run first reads it.</summary>
    public static Source Create(ConnectorUri uri, SourceContext context) => new PostgresChangeSource(uri, context);
}
