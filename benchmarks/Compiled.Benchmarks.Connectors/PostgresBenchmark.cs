using System.Globalization;
using System.Text;
using Compiled.Tests.Shared.Servers;
using Npgsql;
using NpgsqlTypes;

namespace Compiled.Benchmarks.Connectors;

/// <summary>
/// PostgreSQL: Npgsql alone against the pipelines through <c>postgres://...?table=T</c>, each doing the same job from
/// the same file. The raw client is the program a user would write by hand: it opens its own connection, reads the
/// file's lines, streams them in one binary <c>COPY</c> into a staging table and upserts them with
/// <c>INSERT ... ON CONFLICT</c> in one transaction (for the word count, it counts the words first, in a dictionary).
/// Every case's target table exists before its timing starts. Besides wall time, each case's CPU time is measured:
/// this process's and the server's processes'.
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
        Func<double> serverCpu = ServerCpuProbe(await PostmasterAsync(connection));

        var copy = new Figure("PostgreSQL", "raw client: binary COPY into a table", keys.Length) { ServerCpu = serverCpu };
        var upsert = new Figure("PostgreSQL", "raw client: file → binary COPY into staging + upsert, one transaction", keys.Length) { ServerCpu = serverCpu };
        var passThrough = new Figure("PostgreSQL", "pass-through: file → postgres upsert", keys.Length, upsert) { ServerCpu = serverCpu };
        var wordCountFile = new Figure("PostgreSQL", "word count: file → file sink (no connector)", settings.Lines) { ServerCpu = serverCpu };
        var wordCountRaw = new Figure("PostgreSQL", "raw client: file → counted in a dictionary → COPY + upsert, one transaction", settings.Lines) { ServerCpu = serverCpu };
        var wordCount = new Figure("PostgreSQL", "word count: file → postgres upsert", settings.Lines, wordCountRaw) { ServerCpu = serverCpu };
        for (int round = 0; round <= settings.Rounds; round++)
        {
            string copyTable = $"raw_copy_{round}", upsertTable = $"raw_upsert_{round}", passTable = $"pass_{round}";
            string rawWordsTable = $"raw_words_{round}", wordsTable = $"words_{round}";
            string output = Path.Combine(settings.Directory, $"pg-words-{round}");
            await ExecuteAsync(connection, $"CREATE TABLE {copyTable} (key text, value bigint)");
            foreach (string table in new[] { upsertTable, passTable, rawWordsTable, wordsTable })
            {
                await ExecuteAsync(connection, $"CREATE TABLE {table} (key text PRIMARY KEY, value bigint)");
            }

            // The raw client's connection is new in each round, as a new program's is: no pooling, its own application
            // name (Npgsql loads the server's types once per connection string, as it does for each run's sink).
            string rawConnection = server.ConnectionString(database) + $";Application Name=raw{round}";
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
                    await CopyAndUpsertAsync(rawConnection, upsertTable, keyFile);
                    await Check(connection, upsertTable, keys.Length);
                }),
                (passThrough, async () =>
                {
                    await Harness.RunBoundedAsync(
                        KeyedPassThrough.Definition, "file://" + keyFile, server.SinkUri(database, passTable, $"job=pass{job}"));
                    await Check(connection, passTable, keys.Length);
                }),
                (wordCountFile, () => Harness.RunBoundedAsync(WordCount.Definition, "file://" + lineFile, $"file://{output}/counts?suffix=txt")),
                (wordCountRaw, async () =>
                {
                    await CountAndUpsertAsync(rawConnection, rawWordsTable, lineFile);
                    await Check(connection, rawWordsTable, 10_000);
                }),
                (wordCount, async () =>
                {
                    await Harness.RunBoundedAsync(
                        WordCount.Definition, "file://" + lineFile, server.SinkUri(database, wordsTable, $"job=words{job}"));
                    await Check(connection, wordsTable, 10_000);
                }));
        }

        return [copy, upsert, passThrough, wordCountFile, wordCountRaw, wordCount];
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string table, byte[][] keys)
    {
        await using NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync($"COPY {table} (key, value) FROM STDIN (FORMAT BINARY)");
        await WriteRowsAsync(importer, keys);
    }

    /// <summary>
    /// The hand-written pass-through: a new connection; the file's lines streamed, each as a key with the value 1, in
    /// one binary <c>COPY</c> into a temporary staging table; the upsert; one transaction. (The keys of the file are
    /// distinct, so the upsert needs nothing to pick one row per key.)
    /// </summary>
    private static async Task CopyAndUpsertAsync(string connectionString, string table, string keyFile)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, "CREATE TEMP TABLE staging (key text, value bigint) ON COMMIT DROP");
        await using (NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync("COPY staging (key, value) FROM STDIN (FORMAT BINARY)"))
        {
            using var lines = new StreamReader(keyFile, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 1 << 16);
            while (await lines.ReadLineAsync() is { } line)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(line, NpgsqlDbType.Text);
                await importer.WriteAsync(1L, NpgsqlDbType.Bigint);
            }

            await importer.CompleteAsync();
        }

        await ExecuteAsync(connection, $"INSERT INTO {table} (key, value) SELECT key, value FROM staging ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value");
        await transaction.CommitAsync();
    }

    /// <summary>
    /// The hand-written word count: the file's words counted in a dictionary (looked up by span, so a word already
    /// counted allocates nothing), then a new connection, one binary <c>COPY</c> of the counts into a temporary staging
    /// table and the upsert, in one transaction.
    /// </summary>
    private static async Task CountAndUpsertAsync(string connectionString, string table, string lineFile)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> bySpan = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        using (var lines = new StreamReader(lineFile, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 1 << 16))
        {
            while (await lines.ReadLineAsync() is { } line)
            {
                foreach (Range word in line.AsSpan().Split(' '))
                {
                    ReadOnlySpan<char> text = line.AsSpan(word);
                    if (text.Length > 0)
                    {
                        bySpan[text] = bySpan.TryGetValue(text, out long count) ? count + 1 : 1;
                    }
                }
            }
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, "CREATE TEMP TABLE staging (key text, value bigint) ON COMMIT DROP");
        await using (NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync("COPY staging (key, value) FROM STDIN (FORMAT BINARY)"))
        {
            foreach ((string word, long count) in counts)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(word, NpgsqlDbType.Text);
                await importer.WriteAsync(count, NpgsqlDbType.Bigint);
            }

            await importer.CompleteAsync();
        }

        await ExecuteAsync(connection, $"INSERT INTO {table} (key, value) SELECT key, value FROM staging ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value");
        await transaction.CommitAsync();
    }

    /// <summary>The process id of the server's postmaster: the parent of the backend serving <paramref name="connection"/>.</summary>
    private static async Task<int> PostmasterAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        int backend = (int)(await command.ExecuteScalarAsync())!;
        return ReadStat(backend) is { } stat ? stat.Parent : throw new InvalidOperationException($"Cannot read /proc/{backend}/stat of the server's backend.");
    }

    /// <summary>
    /// Reads the CPU seconds the server has used: the postmaster's own and those of its children that ended (which the
    /// postmaster waited for), plus those of its children running now (backends, writers, autovacuum).
    /// </summary>
    private static Func<double> ServerCpuProbe(int postmaster) => () =>
    {
        long ticks = ReadStat(postmaster) is { } own ? own.Ticks + own.ChildTicks : 0;
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && pid != postmaster && ReadStat(pid) is { } stat && stat.Parent == postmaster)
            {
                ticks += stat.Ticks;
            }
        }

        return ticks / 100.0; // USER_HZ, 100 on Linux
    };

    /// <summary>A process's parent, its user + system ticks, and its ended children's, from <c>/proc/PID/stat</c>; null if it is gone.</summary>
    private static (int Parent, long Ticks, long ChildTicks)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // After the command name in parentheses: state, ppid, ... utime (14th field), stime, cutime, cstime.
        string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return ((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
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
