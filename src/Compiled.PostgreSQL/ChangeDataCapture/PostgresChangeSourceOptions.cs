using System.Globalization;
using System.Reflection;
using Compiled.Connectors;
using Npgsql;

namespace Compiled.PostgreSQL.ChangeDataCapture;

/// <summary>
/// What a <c>postgres</c> source URI says: <c>postgres://user[:password]@host[:port]/database?publication=P&amp;slot=S</c>
/// with <c>createSlot</c>, <c>createPublication</c>, <c>prefetch</c>, <c>statusInterval</c>, <c>connectTimeout</c> and
/// <c>retryFor</c>, checked when the source is created so that a bad URI fails before anything is read.
/// </summary>
public sealed class PostgresChangeSourceOptions
{
    /// <summary>The port PostgreSQL listens on when the URI names none.</summary>
    public const int DefaultPort = PostgresServerUri.DefaultPort;

    private readonly PostgresServerUri _server;

    private PostgresChangeSourceOptions(ConnectorUri uri)
    {
        Display = uri.Text;
        _server = PostgresServerUri.Parse(uri, "postgres://user@host:port/database?publication=P&slot=S");

        string? publication = uri.TakeString("publication");
        string? slot = uri.TakeString("slot");
        if (publication is null && slot is null && uri.TakeString("table") is not null)
        {
            throw uri.Error(
                $"'{Display}' is a sink URI (table=), bound here as a source; a postgres source reads the changes of a " +
                "publication through a replication slot: write postgres://user@host:port/database?publication=P&slot=S");
        }

        if (string.IsNullOrEmpty(publication))
        {
            throw uri.Error(
                $"postgres source URI '{Display}' names no publication; add ?publication=NAME (CREATE PUBLICATION NAME FOR TABLE ..., " +
                "or let the source create it with &createPublication=TABLE1,TABLE2 or &createPublication=ALL)");
        }

        if (string.IsNullOrEmpty(slot))
        {
            throw uri.Error(
                $"postgres source URI '{Display}' names no replication slot; add &slot=NAME (lower-case letters, digits and '_'; created when missing)");
        }

        if (slot.Length > 63 || !slot.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            throw uri.Error(
                $"option 'slot={slot}' of postgres source URI '{Display}' is not a replication slot name; use 1 to 63 lower-case letters, digits and '_'");
        }

        if (publication.Length > 63 || publication.Contains('\0'))
        {
            throw uri.Error($"option 'publication={publication}' of postgres source URI '{Display}' is not a PostgreSQL name; use 1 to 63 characters");
        }

        Publication = publication;
        Slot = slot;
        CreateSlot = uri.TakeBoolean("createSlot", true);
        CreatePublication = ParseTables(uri, uri.TakeString("createPublication"));
        Prefetch = uri.TakeInt32("prefetch", 4096, minimum: 1);
        StatusInterval = uri.TakeDuration("statusInterval", TimeSpan.FromSeconds(10));
        ConnectTimeout = uri.TakeDuration("connectTimeout", TimeSpan.FromSeconds(10));
        RetryFor = uri.TakeDuration("retryFor", TimeSpan.FromMinutes(5));
        Job = uri.TakeString("job") ?? Assembly.GetEntryAssembly()?.GetName().Name ?? "compiled";
        if (StatusInterval <= TimeSpan.Zero)
        {
            throw uri.Error($"option 'statusInterval' of postgres source URI '{Display}' must be longer than 0, e.g. statusInterval=10s");
        }

        uri.ThrowIfUnknownOptions();
    }

    /// <summary>The server's host name or address.</summary>
    public string Host => _server.Host;

    /// <summary>The server's port.</summary>
    public int Port => _server.Port;

    /// <summary>The database whose changes are read (a publication and a logical slot belong to one database).</summary>
    public string Database => _server.Database;

    /// <summary>The user the source logs in as (<c>postgres</c> unless the URI names one); it needs the REPLICATION attribute.</summary>
    public string User => _server.User;

    /// <summary>The password from the URI, or <see langword="null"/> (then Npgsql reads <c>PGPASSWORD</c> or <c>~/.pgpass</c>). Never logged.</summary>
    public string? Password => _server.Password;

    /// <summary>The publication whose tables' changes are read (<c>publication</c>, required).</summary>
    public string Publication { get; }

    /// <summary>The logical replication slot that keeps the changes until they are confirmed (<c>slot</c>, required).</summary>
    public string Slot { get; }

    /// <summary>Whether a missing slot is created with the <c>pgoutput</c> plugin (<c>createSlot</c>, default true).</summary>
    public bool CreateSlot { get; }

    /// <summary>
    /// The tables of a publication the source creates when it is missing (<c>createPublication=T1,T2</c>), an empty list
    /// for all tables (<c>createPublication=ALL</c>), or <see langword="null"/> when a missing publication is an error.
    /// </summary>
    public IReadOnlyList<string>? CreatePublication { get; }

    /// <summary>How many changes are read ahead of the job at most (<c>prefetch</c>, default 4096): the bound on the source's memory.</summary>
    public int Prefetch { get; }

    /// <summary>How often a standby status update is sent even when nothing new is confirmed (<c>statusInterval</c>, default 10 s).</summary>
    public TimeSpan StatusInterval { get; }

    /// <summary>How long a connection attempt may take (<c>connectTimeout</c>, default 10 s).</summary>
    public TimeSpan ConnectTimeout { get; }

    /// <summary>How long the source keeps trying a server that is down before the run fails (<c>retryFor</c>, default 5 minutes).</summary>
    public TimeSpan RetryFor { get; }

    /// <summary>The job's name, shown as the connection's application name (<c>job</c>, default the program's name).</summary>
    public string Job { get; }

    /// <summary>The URI with its password replaced by <c>***</c>: what logs and messages show.</summary>
    public string Display { get; }

    /// <summary>The publication's name quoted for SQL.</summary>
    public string QuotedPublication => Quote(Publication);

    /// <summary>Reads the options of <paramref name="uri"/>.</summary>
    /// <exception cref="ConnectorUriException">The URI or one of its options is not valid; the message says what to write.</exception>
    public static PostgresChangeSourceOptions Parse(ConnectorUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return new PostgresChangeSourceOptions(uri);
    }

    /// <summary>The Npgsql connection string (no pooling: a connection dropped after a failure is really closed).</summary>
    public string ConnectionString()
    {
        NpgsqlConnectionStringBuilder builder = _server.ConnectionString(ConnectTimeout, Job);
        return builder.ConnectionString;
    }

    /// <summary>The <c>CREATE PUBLICATION</c> statement for <see cref="CreatePublication"/>.</summary>
    public string CreatePublicationSql() =>
        CreatePublication is not { } tables
            ? throw new InvalidOperationException("createPublication is not set")
            : tables.Count == 0
                ? $"CREATE PUBLICATION {QuotedPublication} FOR ALL TABLES"
                : $"CREATE PUBLICATION {QuotedPublication} FOR TABLE {string.Join(", ", tables.Select(QuoteQualified))}";

    /// <summary>Quotes a SQL identifier.</summary>
    internal static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string QuoteQualified(string name) => string.Join('.', name.Split('.').Select(Quote));

    private static List<string>? ParseTables(ConnectorUri uri, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (string.Equals(text.Trim(), "ALL", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var tables = new List<string>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] names = part.Split('.');
            if (part.Length == 0 || names.Length > 2 || names.Any(n => n.Length is 0 or > 63))
            {
                throw uri.Error(
                    $"option 'createPublication={text}' of postgres source URI '{uri.Text}' is not a list of tables; " +
                    "write createPublication=orders,shop.items (table or schema.table, comma-separated) or createPublication=ALL");
            }

            tables.Add(part);
        }

        return tables;
    }
}
