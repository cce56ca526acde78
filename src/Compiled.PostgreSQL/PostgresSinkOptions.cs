using System.Reflection;
using Compiled.Connectors;
using Npgsql;

namespace Compiled.PostgreSQL;

/// <summary>
/// What a <c>postgres</c> sink URI says: <c>postgres://user[:password]@host[:port]/database?table=T</c> and its options,
/// checked when the sink is created so that a bad URI fails before any input is read.
/// </summary>
internal sealed class PostgresSinkOptions
{
    private PostgresSinkOptions(ConnectorUri uri)
    {
        Server = PostgresServerUri.Parse(uri, "postgres://user@host:port/database?table=T");
        Table = uri.TakeString("table") ?? throw uri.Error(
            $"postgres sink URI '{uri.Text}' names no table; add ?table=NAME (a table of key and value columns, created if missing)");
        TableName = QuoteQualified(uri, Table, "table");
        KeyColumn = uri.TakeString("keyColumn", "key")!;
        ValueColumn = uri.TakeString("valueColumn", "value")!;
        if (string.Equals(KeyColumn, ValueColumn, StringComparison.Ordinal))
        {
            throw uri.Error($"postgres sink URI '{uri.Text}' names the same column '{KeyColumn}' for the key and the value; give them different names");
        }

        QuotedKeyColumn = QuoteIdentifier(uri, KeyColumn, "keyColumn");
        QuotedValueColumn = QuoteIdentifier(uri, ValueColumn, "valueColumn");
        ValueType = uri.TakeString("valueType", "text")!;
        if (ValueType.Length == 0 || ValueType.AsSpan().IndexOfAny(";'\"\\") >= 0)
        {
            throw uri.Error($"option 'valueType={ValueType}' of postgres sink URI '{uri.Text}' is not a SQL type name; write e.g. valueType=bigint");
        }

        CreateTable = uri.TakeBoolean("createTable", true);
        Job = uri.TakeString("job") ?? Assembly.GetEntryAssembly()?.GetName().Name ?? "compiled";
        ConnectTimeout = uri.TakeDuration("connectTimeout", TimeSpan.FromSeconds(10));
        CommandTimeout = uri.TakeDuration("commandTimeout", TimeSpan.FromMinutes(5));
        RetryDelay = uri.TakeDuration("retryDelay", TimeSpan.FromMilliseconds(100));
        MaxRetryDelay = uri.TakeDuration("maxRetryDelay", TimeSpan.FromSeconds(5));
        Display = uri.Text;
    }

    /// <summary>The server part of the URI.</summary>
    public PostgresServerUri Server { get; }

    /// <summary>The server's host name or address.</summary>
    public string Host => Server.Host;

    /// <summary>The server's port.</summary>
    public int Port => Server.Port;

    /// <summary>The database.</summary>
    public string Database => Server.Database;

    /// <summary>The user the sink logs in as (<c>postgres</c> unless the URI names one).</summary>
    public string User => Server.User;

    /// <summary>The password from the URI, or <see langword="null"/> (then Npgsql reads <c>PGPASSWORD</c> or <c>~/.pgpass</c>). Never logged.</summary>
    public string? Password => Server.Password;

    /// <summary>The table as written in the URI (<c>table</c>), possibly <c>schema.table</c>.</summary>
    public string Table { get; }

    /// <summary>The table quoted for SQL: <c>"schema"."table"</c>.</summary>
    public string TableName { get; }

    /// <summary>The key column's name (<c>keyColumn</c>, default <c>key</c>).</summary>
    public string KeyColumn { get; }

    /// <summary>The value column's name (<c>valueColumn</c>, default <c>value</c>).</summary>
    public string ValueColumn { get; }

    /// <summary>The key column quoted for SQL.</summary>
    public string QuotedKeyColumn { get; }

    /// <summary>The value column quoted for SQL.</summary>
    public string QuotedValueColumn { get; }

    /// <summary>The SQL type of the value column when the sink creates the table (<c>valueType</c>, default <c>text</c>).</summary>
    public string ValueType { get; }

    /// <summary>Whether a missing table is created (<c>createTable</c>, default true).</summary>
    public bool CreateTable { get; }

    /// <summary>The job's name in <c>compiled_batches</c> and in prepared transactions' names (<c>job</c>, default the program's name).</summary>
    public string Job { get; }

    /// <summary>How long a connection attempt may take (<c>connectTimeout</c>, default 10 s).</summary>
    public TimeSpan ConnectTimeout { get; }

    /// <summary>How long one statement of a batch (its <c>COPY</c>, its upsert) may take before the batch is retried (<c>commandTimeout</c>, default 5 min).</summary>
    public TimeSpan CommandTimeout { get; }

    /// <summary>The first wait before retrying a failed batch (<c>retryDelay</c>, default 100 ms); it doubles each time.</summary>
    public TimeSpan RetryDelay { get; }

    /// <summary>The longest wait between retries (<c>maxRetryDelay</c>, default 5 s).</summary>
    public TimeSpan MaxRetryDelay { get; }

    /// <summary>The URI with its password replaced by <c>***</c>: what logs and messages show.</summary>
    public string Display { get; }

    /// <summary>Reads the options of <paramref name="uri"/>.</summary>
    /// <exception cref="ConnectorUriException">The URI or one of its options is not valid.</exception>
    public static PostgresSinkOptions Parse(ConnectorUri uri) => new(uri);

    /// <summary>The Npgsql connection string: no pooling, so a connection the sink drops after a failure is really closed.</summary>
    public string ConnectionString()
    {
        NpgsqlConnectionStringBuilder builder = Server.ConnectionString(ConnectTimeout, Job);
        builder.CommandTimeout = (int)Math.Clamp(Math.Ceiling(CommandTimeout.TotalSeconds), 1, int.MaxValue);
        return builder.ConnectionString;
    }

    /// <summary>Quotes a SQL identifier, refusing what no PostgreSQL name holds.</summary>
    internal static string QuoteIdentifier(ConnectorUri uri, string name, string option)
    {
        if (name.Length == 0 || name.Length > 63 || name.Contains('\0'))
        {
            throw uri.Error($"option '{option}={name}' of postgres sink URI is not a PostgreSQL name; use 1 to 63 characters");
        }

        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static string QuoteQualified(ConnectorUri uri, string name, string option)
    {
        string[] parts = name.Split('.');
        if (parts.Length > 2)
        {
            throw uri.Error($"option '{option}={name}' of postgres sink URI names more than a schema and a table; write table=NAME or table=schema.NAME");
        }

        return string.Join('.', parts.Select(part => QuoteIdentifier(uri, part, option)));
    }
}
