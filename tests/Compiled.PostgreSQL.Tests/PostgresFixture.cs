using Compiled.Connectors;
using Compiled.Sinks;
using Compiled.Tests.Shared.Servers;
using Npgsql;

namespace Compiled.PostgreSQL.Tests;

/// <summary>One PostgreSQL server for a test class; each test works in a database of its own.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private int _databases;

    /// <summary>The server, started before the first test of the class and stopped after the last.</summary>
    public PostgresServer Server { get; private set; } = null!;

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => Server = await PostgresServer.StartNewAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>A new, empty database.</summary>
    public Task<string> NewDatabaseAsync() => Server.CreateDatabaseAsync($"test{Interlocked.Increment(ref _databases)}");
}

/// <summary>Helpers that drive a <c>postgres</c> sink the way a run does and read what it wrote through Npgsql.</summary>
internal static class PostgresSinkDriver
{
    /// <summary>Creates and opens a sink for <paramref name="uri"/>.</summary>
    public static async Task<PostgresSink> OpenAsync(string uri, string? checkpointDirectory = null, string sinkName = "Output")
    {
        var sink = new PostgresSink(ConnectorUri.Parse(uri, "sink"), new SinkContext { CheckpointDirectory = checkpointDirectory, SinkName = sinkName });
        sink.Uri.ThrowIfUnknownOptions();
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        return sink;
    }

    /// <summary>Writes one batch of records, rendered as a run renders them, and commits it (preparing it first with a checkpoint).</summary>
    public static async Task WriteBatchAsync(this Sink sink, long batchTime, params string[] records)
    {
        sink.BeginBatch(batchTime);
        foreach (string record in records)
        {
            sink.Write(System.Text.Encoding.UTF8.GetBytes(record));
        }

        if (sink.Guarantee == SinkGuarantee.Transactional)
        {
            await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
        }

        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Every row of <paramref name="table"/> as key → value text, read through Npgsql.</summary>
    public static async Task<SortedDictionary<string, string>> ReadTableAsync(string connectionString, string table, string key = "key", string value = "value")
    {
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand($"SELECT \"{key}\"::text, \"{value}\"::text FROM {table}", connection);
        await using NpgsqlDataReader reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0), reader.GetString(1));
        }

        return rows;
    }

    /// <summary>Runs one query and returns its single value.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Runs one statement.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
