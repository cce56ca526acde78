using System.Globalization;
using Compiled.Connectors;
using Npgsql;

namespace Compiled.PostgreSQL;

/// <summary>
/// The part every <c>postgres://</c> URI shares, sink or change data capture source:
/// <c>user[:password]@host[:port]/database</c> (port 5432 and user <c>postgres</c> by default). The password is read
/// from the URI as written and shown nowhere: messages use <see cref="ConnectorUri.Text"/>, which hides it.
/// </summary>
internal sealed class PostgresServerUri
{
    /// <summary>The port PostgreSQL listens on when the URI names none.</summary>
    public const int DefaultPort = 5432;

    private PostgresServerUri(string host, int port, string database, string user, string? password)
    {
        Host = host;
        Port = port;
        Database = database;
        User = user;
        Password = password;
    }

    /// <summary>The server's host name or address.</summary>
    public string Host { get; }

    /// <summary>The server's port.</summary>
    public int Port { get; }

    /// <summary>The database.</summary>
    public string Database { get; }

    /// <summary>The user to log in as (<c>postgres</c> unless the URI names one).</summary>
    public string User { get; }

    /// <summary>The password from the URI, or <see langword="null"/> (then Npgsql reads <c>PGPASSWORD</c> or <c>~/.pgpass</c>). Never logged.</summary>
    public string? Password { get; }

    /// <summary>Reads the server part of <paramref name="uri"/>; <paramref name="usage"/> is the example the messages show.</summary>
    /// <exception cref="ConnectorUriException">No host or database is named, or the port is not a port.</exception>
    public static PostgresServerUri Parse(ConnectorUri uri, string usage)
    {
        ArgumentNullException.ThrowIfNull(uri);
        string target = uri.Target;
        string user = "postgres";
        string? password = null;

        // user[:password]@host[:port]/database; the last '@' ends the credentials, so a password may hold one.
        int at = target.LastIndexOf('@');
        if (at >= 0)
        {
            string credentials = target[..at];
            target = target[(at + 1)..];
            int colon = credentials.IndexOf(':', StringComparison.Ordinal);
            user = colon < 0 ? credentials : credentials[..colon];
            password = colon < 0 ? null : credentials[(colon + 1)..];
        }

        int slash = target.IndexOf('/', StringComparison.Ordinal);
        string hostPort = slash < 0 ? target : target[..slash];
        string database = slash < 0 ? "" : target[(slash + 1)..].TrimEnd('/');
        (string host, int port) = SplitHostPort(uri, hostPort, usage);
        if (host.Length == 0 || database.Length == 0 || user.Length == 0 || database.Contains('/', StringComparison.Ordinal))
        {
            throw uri.Error(
                $"postgres {uri.Role} URI '{uri.Text}' must name a host and a database; " +
                $"write {usage} (the port defaults to 5432, the user to postgres)");
        }

        return new PostgresServerUri(host, port, database, user, password);
    }

    /// <summary>
    /// An Npgsql connection string to the server, without pooling (a connection dropped after a failure is really
    /// closed), named <c>Compiled &lt;job&gt;</c> in <c>pg_stat_activity</c>.
    /// </summary>
    public NpgsqlConnectionStringBuilder ConnectionString(TimeSpan connectTimeout, string job) => new()
    {
        Host = Host,
        Port = Port,
        Database = Database,
        Username = User,
        Password = Password,
        Timeout = (int)Math.Clamp(Math.Ceiling(connectTimeout.TotalSeconds), 1, 1024),
        Pooling = false,
        ApplicationName = "Compiled " + job,
    };

    private static (string Host, int Port) SplitHostPort(ConnectorUri uri, string hostPort, string usage)
    {
        // [::1]:5432, host:5432, host
        int colon = hostPort.LastIndexOf(':');
        if (colon < 0 || hostPort.EndsWith(']'))
        {
            return (hostPort.Trim('[', ']'), DefaultPort);
        }

        string portText = hostPort[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw uri.Error($"postgres {uri.Role} URI names port '{portText}', which is not a port; write a number from 1 to 65535, e.g. {usage}");
        }

        return (hostPort[..colon].Trim('[', ']'), port);
    }
}
