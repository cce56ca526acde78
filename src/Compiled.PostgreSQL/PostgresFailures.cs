using System.Net.Sockets;
using Npgsql;

namespace Compiled.PostgreSQL;

/// <summary>Which failures the <c>postgres</c> sink retries, and what it says about the others.</summary>
internal static class PostgresFailures
{
    /// <summary>
    /// Whether a retry can mend <paramref name="error"/>: the server unreachable, shutting down or starting up, out of
    /// connections, or the connection lost (an Npgsql error that is not the server's answer), or a transaction the server
    /// chose to abort (a serialization failure or deadlock).
    /// </summary>
    public static bool IsRetryable(Exception error) => error switch
    {
        PostgresException server => server.SqlState.StartsWith("08", StringComparison.Ordinal)
            || server.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected,
        NpgsqlException => true,
        IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>An error the sink does not retry, said with what to do about it. The password is never part of it.</summary>
    public static Exception Explain(PostgresSinkOptions options, string sinkName, string what, PostgresException error)
    {
        string where = $"postgres sink {options.Display} (sink '{sinkName}') could not {what}";
        string advice = error.SqlState switch
        {
            PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                $"the server refused user '{options.User}'; check the user and password in the URI (or PGPASSWORD, ~/.pgpass) and pg_hba.conf",
            PostgresErrorCodes.InvalidCatalogName =>
                $"database '{options.Database}' does not exist; create it (createdb {options.Database}) or name another in the URI",
            PostgresErrorCodes.InsufficientPrivilege =>
                $"user '{options.User}' lacks a privilege; grant it CREATE and TEMPORARY on the database and INSERT/UPDATE on the table, compiled_batches and the compiled_staging_* tables",
            PostgresErrorCodes.InvalidTextRepresentation or PostgresErrorCodes.NumericValueOutOfRange or PostgresErrorCodes.StringDataRightTruncation =>
                $"a key or value does not fit its column's type; make the columns of {options.Table} match the records (valueType=text takes any value)",
            PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter =>
                $"a key or value is not UTF-8 text, or has no place in the encoding of database '{options.Database}'; emit UTF-8 text, or make the column bytea to keep any bytes",
            _ => "fix what the server says and start the job again",
        };
        return new InvalidOperationException($"{where}: {error.MessageText} (SQLSTATE {error.SqlState}); {advice}", error);
    }
}
