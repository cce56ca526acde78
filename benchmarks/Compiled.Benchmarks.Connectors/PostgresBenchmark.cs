using Compiled.Tests.Shared.Servers;
using Npgsql;
using NpgsqlTypes;

namespace Compiled.Benchmarks.Connectors;

/// <summary>
/// PostgreSQL: Npgsql alone, a binary <c>COPY</c> of the keys into a table, and the same <c>COPY</c> into a staging
/// table followed by the <c>INSERT ... ON CONFLICT</c> upsert in one transaction (the work the sink does), against
/// the keyed pass-through and the word count through <c>postgres://...?table=T</c>.
/// </summary>
internal static class PostgresBenchmark
{
    public static async Task<List<Figure>> RunAsync(Settings settings)
    {
        await using PostgresServer server = await PostgresServer.StartNewAsync();
        string database = await server.CreateDatabaseAsync("bench");
        byte[][] keys = Harness.Keys(settings.Records);
        string keyFile = Harness.WriteFile(settings, "pg-keys.txt", keys);
        string lineFile = Harness.WriteFile(settings, "pg-lines.txt", Harness.WordLines(settings.Lines));
        await using var connection = new NpgsqlConnection(server.ConnectionString(database));
        await connection.OpenAsync();

        var copy = new Figure("PostgreSQL", "raw client: binary COPY into a table", keys.Length);
        var upsert = new Figure("PostgreSQL", "raw client: binary COPY into staging + upsert, one transaction", keys.Length);
        var passThrough = new Figure("PostgreSQL", "pass-through: file → postgres upsert", keys.Length, upsert);
        var wordCountFile = new Figure("PostgreSQL", "word count: file → file sink (no connector)", settings.Lines);
        var wordCount = new Figure("PostgreSQL", "word count: file → postgres upsert", settings.Lines, wordCountFile);
        for (int round = 0; round <= settings.Rounds; round++)
        {
            string copyTable = $"raw_copy_{round}", upsertTable = $"raw_upsert_{round}", passTable = $"pass_{round}", wordsTable = $"words_{round}";
            string output = Path.Combine(settings.Directory, $"pg-words-{round}");
            await ExecuteAsync(connection, $"CREATE TABLE {copyTable} (key text, value bigint)");
            await ExecuteAsync(connection, $"CREATE TABLE {upsertTable} (key text PRIMARY KEY, value bigint)");
            int job = round;
            await Harness.RoundAsync(
                round,
                (copy, async () =>
                {
                    await CopyAsync(connection, copyTable, keys);
                    await Check(connection, copyTable, keys.Length);
                }),
                (upsert, async () =>
                {
                    await CopyAndUpsertAsync(connection, upsertTable, keys);
                    await Check(connection, upsertTable, keys.Length);
                }),
                (passThrough, async () =>
                {
                    await Harness.RunBoundedAsync(
                        KeyedPassThrough.Definition, "file://" + keyFile, server.SinkUri(database, passTable, $"valueType=bigint&job=pass{job}"));
                    await Check(connection, passTable, keys.Length);
                }),
                (wordCountFile, () => Harness.RunBoundedAsync(WordCount.Definition, "file://" + lineFile, $"file://{output}/counts?suffix=txt")),
                (wordCount, async () =>
                {
                    await Harness.RunBoundedAsync(
                        WordCount.Definition, "file://" + lineFile, server.SinkUri(database, wordsTable, $"valueType=bigint&job=words{job}"));
                    await Check(connection, wordsTable, 10_000);
                }));
        }

        return [copy, upsert, passThrough, wordCountFile, wordCount];
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string table, byte[][] keys)
    {
        await using NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync($"COPY {table} (key, value) FROM STDIN (FORMAT BINARY)");
        await WriteRowsAsync(importer, keys);
    }

    private static async Task CopyAndUpsertAsync(NpgsqlConnection connection, string table, byte[][] keys)
    {
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, "CREATE TEMP TABLE IF NOT EXISTS staging (key text, value bigint) ON COMMIT DELETE ROWS");
        await using (NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync("COPY staging (key, value) FROM STDIN (FORMAT BINARY)"))
        {
            await WriteRowsAsync(importer, keys);
        }

        await ExecuteAsync(connection, $"INSERT INTO {table} (key, value) SELECT key, value FROM staging ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value");
        await transaction.CommitAsync();
    }

    private static async Task WriteRowsAsync(NpgsqlBinaryImporter importer, byte[][] keys)
    {
        foreach (byte[] key in keys)
        {
            await importer.StartRowAsync();
            await importer.WriteAsync(System.Text.Encoding.ASCII.GetString(key), NpgsqlDbType.Text);
            await importer.WriteAsync(1L, NpgsqlDbType.Bigint);
        }

        await importer.CompleteAsync();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task Check(NpgsqlConnection connection, string table, long expected)
    {
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        long rows = (long)(await count.ExecuteScalarAsync())!;
        if (rows != expected)
        {
            throw new InvalidOperationException($"Table {table} has {rows} rows, not {expected}: the case did not write every record.");
        }
    }
}
