using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Compiled.PostgreSQL;

/// <summary>The statements the <c>postgres</c> sink runs: its tables at open, a batch's transaction, and prepared transactions.</summary>
public sealed partial class PostgresSink
{
    /// <summary>The table recording the latest batch each job's sink wrote, in the transaction that wrote it.</summary>
    public const string BatchesTable = "compiled_batches";

    private const string CreateOwnTables =
        $"""
        CREATE TABLE IF NOT EXISTS {BatchesTable} (
            job text NOT NULL, sink text NOT NULL, batch_time bigint NOT NULL,
            committed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (job, sink, batch_time));
        """;

    // Records the batch unless it, or a later batch, is already recorded: the row is the batch's claim, and its unique
    // key makes a second writer of the same batch wait for the first and then find it recorded.
    private const string RecordBatch =
        $"""
        INSERT INTO {BatchesTable} (job, sink, batch_time)
        SELECT $1, $2, $3
        WHERE NOT EXISTS (SELECT 1 FROM {BatchesTable} WHERE job = $1 AND sink = $2 AND batch_time >= $3)
        ON CONFLICT DO NOTHING
        """;

    // Only the latest batch of a job's sink is needed to skip a replayed one (batches commit in time order).
    private const string ForgetEarlierBatches = $"DELETE FROM {BatchesTable} WHERE job = $1 AND sink = $2 AND batch_time < $3";

    private static string RollbackPreparedSql(string name) => $"ROLLBACK PREPARED {Literal(name)}";

    private static string CommitPreparedSql(string name) => $"COMMIT PREPARED {Literal(name)}";

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private async Task PrepareTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(connection, CreateOwnTables, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException race) when (race.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
            // Another sink created them at the same moment: they exist now.
        }

        if (Checkpointing)
        {
            await using var show = new NpgsqlCommand("SHOW max_prepared_transactions", connection);
            string? max = (string?)await show.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (max == "0")
            {
                throw new InvalidOperationException(
                    $"postgres sink {_options.Display} (sink '{_sinkName}'): the server has max_prepared_transactions = 0, so it cannot prepare " +
                    "a batch's transaction, which a run with --checkpoint needs for exactly-once output; set max_prepared_transactions to at " +
                    "least the number of such sinks (in postgresql.conf, or -c max_prepared_transactions=10) and restart the server, " +
                    "or run without --checkpoint (the sink is then idempotent)");
            }
        }
        else
        {
            // A run without a checkpoint has nothing to settle a prepared batch against; one left by an earlier
            // checkpointed run would hold its rows' locks and block every upsert, so it is rolled back.
            await SettlePreparedAsync(connection, upTo: null, cancellationToken).ConfigureAwait(false);
        }

        uint? table = await TableOidAsync(connection, cancellationToken).ConfigureAwait(false);
        if (table is null)
        {
            if (!_options.CreateTable)
            {
                throw new InvalidOperationException(
                    $"postgres sink {_options.Display}: table {_options.Table} does not exist in database {_options.Database}, and createTable=false; " +
                    $"create it (CREATE TABLE {_options.TableName} ({_options.QuotedKeyColumn} text PRIMARY KEY, {_options.QuotedValueColumn} {_options.ValueType})) " +
                    "or leave out createTable=false so that the sink creates it");
            }

            await ExecuteAsync(connection,
                $"CREATE TABLE IF NOT EXISTS {_options.TableName} ({_options.QuotedKeyColumn} text PRIMARY KEY, {_options.QuotedValueColumn} {_options.ValueType})",
                cancellationToken).ConfigureAwait(false);
            LogCreatedTable(_options.Display, _options.Table, _options.KeyColumn, _options.ValueColumn, _options.ValueType);
            table = await TableOidAsync(connection, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"postgres sink {_options.Display}: table {_options.Table} was created but cannot be found; check the search_path of user {_options.User}");
        }

        (string keyType, string valueType) = await ColumnTypesAsync(connection, table.Value, cancellationToken).ConfigureAwait(false);
        PlanStaging(keyType, valueType);
        await CreateUnloggedStagingAsync(connection, cancellationToken).ConfigureAwait(false);

        await using var last = new NpgsqlCommand($"SELECT max(batch_time) FROM {BatchesTable} WHERE job = $1 AND sink = $2", connection);
        last.Parameters.Add(new NpgsqlParameter<string>{ TypedValue = _options.Job });
        last.Parameters.Add(new NpgsqlParameter<string>{ TypedValue = _sinkName });
        object? latest = await last.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        _lastCommitted = latest is long time ? time : null;
    }

    private async Task<uint?> TableOidAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var find = new NpgsqlCommand("SELECT to_regclass($1)::oid", connection);
        find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _options.TableName });
        object? oid = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return oid is uint value ? value : null;
    }

    private async Task<(string Key, string Value)> ColumnTypesAsync(NpgsqlConnection connection, uint table, CancellationToken cancellationToken)
    {
        await using var columns = new NpgsqlCommand(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod),
                   EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indnkeyatts = 1
                           AND i.indkey[0] = a.attnum AND i.indpred IS NULL)
            FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
            """, connection);
        columns.Parameters.Add(new NpgsqlParameter<uint> { TypedValue = table, NpgsqlDbType = NpgsqlDbType.Oid });
        string? keyType = null, valueType = null;
        bool keyUnique = false;
        var names = new List<string>();
        await using (NpgsqlDataReader reader = await columns.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string name = reader.GetString(0);
                names.Add(name);
                if (name == _options.KeyColumn)
                {
                    keyType = reader.GetString(1);
                    keyUnique = reader.GetBoolean(2);
                }
                else if (name == _options.ValueColumn)
                {
                    valueType = reader.GetString(1);
                }
            }
        }

        if (keyType is null || valueType is null)
        {
            throw new InvalidOperationException(
                $"postgres sink {_options.Display}: table {_options.Table} has no column '{(keyType is null ? _options.KeyColumn : _options.ValueColumn)}' " +
                $"(its columns: {string.Join(", ", names)}); name its key and value columns with keyColumn= and valueColumn=");
        }

        if (!keyUnique)
        {
            throw new InvalidOperationException(
                $"postgres sink {_options.Display}: column '{_options.KeyColumn}' of table {_options.Table} is not unique, so a key cannot be upserted; " +
                $"add a key: ALTER TABLE {_options.TableName} ADD PRIMARY KEY ({_options.QuotedKeyColumn})");
        }

        return (keyType, valueType);
    }

    /// <summary>
    /// Writes the open batch in one transaction (recorded in <c>compiled_batches</c>, copied, upserted) and commits it,
    /// or with <paramref name="prepare"/> prepares it. A batch already recorded is skipped. A batch streamed while it was
    /// read is ended instead (<see cref="WriteStreamedBatchAsync"/>); if that fails, the next attempt writes it from
    /// the buffer.
    /// </summary>
    private Task WriteBatchAsync(NpgsqlConnection connection, bool prepare, CancellationToken cancellationToken) =>
        _stream is not null && ReferenceEquals(connection, _connection)
            ? WriteStreamedBatchAsync(connection, prepare, cancellationToken)
            : WriteBufferedBatchAsync(connection, prepare, cancellationToken);

    private async Task WriteBufferedBatchAsync(NpgsqlConnection connection, bool prepare, CancellationToken cancellationToken)
    {
        string name = PreparedTransactionName(_batchTime);
        if (prepare)
        {
            if (!_preparedSettled)
            {
                // A checkpointed run that resumes from no checkpoint: nothing prepared earlier is recorded by one.
                await SettlePreparedAsync(connection, upTo: null, cancellationToken).ConfigureAwait(false);
                _preparedSettled = true;
            }
            else if (await IsPreparedAsync(connection, name, cancellationToken).ConfigureAwait(false))
            {
                // An earlier attempt's PREPARE reached the server before its connection was lost.
                _preparedName = name;
                return;
            }
        }

        await ExecuteAsync(connection, _beginBatch, cancellationToken).ConfigureAwait(false);
        if (await ExecuteBatchRowAsync(connection, RecordBatch, cancellationToken).ConfigureAwait(false) == 0)
        {
            await ExecuteAsync(connection, "ROLLBACK", cancellationToken).ConfigureAwait(false);
            _preparedName = "";
            LogSkipped(_options.Display, _batchTime);
            return;
        }

        await ExecuteBatchRowAsync(connection, ForgetEarlierBatches, cancellationToken).ConfigureAwait(false);
        if (_records.Count > 0)
        {
            await CopyRecordsAsync(connection, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, _upsert!, cancellationToken).ConfigureAwait(false);
            if (Checkpointing)
            {
                // The unlogged staging table outlives the transaction; a temporary one is emptied by its commit.
                await ExecuteAsync(connection, $"DELETE FROM {_stagingTable}", cancellationToken).ConfigureAwait(false);
            }
        }

        await EndBatchTransactionAsync(connection, prepare, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Commits the batch's transaction, or with <paramref name="prepare"/> prepares it.</summary>
    private async Task EndBatchTransactionAsync(NpgsqlConnection connection, bool prepare, CancellationToken cancellationToken)
    {
        string name = PreparedTransactionName(_batchTime);
        if (prepare)
        {
            await ExecuteAsync(connection, $"PREPARE TRANSACTION {Literal(name)}", cancellationToken).ConfigureAwait(false);
            _preparedName = name;
        }
        else
        {
            await ExecuteAsync(connection, "COMMIT", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Commits the batch's prepared transaction; if an earlier attempt already did, checks that the batch is recorded.</summary>
    private async Task CommitPreparedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        string name = _preparedName!;
        if (await IsPreparedAsync(connection, name, cancellationToken).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, CommitPreparedSql(name), cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var recorded = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {BatchesTable} WHERE job = $1 AND sink = $2 AND batch_time >= $3)", connection);
        AddBatchParameters(recorded);
        if (await recorded.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            throw new InvalidOperationException(
                $"postgres sink {_options.Display}: prepared transaction {name} of batch {_batchTime} is gone without committing " +
                "(rolled back outside the job); its output is lost, so restart the job without its checkpoint or from an earlier one");
        }
    }

    /// <summary>
    /// Settles the prepared transactions this job's sink left: commits those of batches at or before
    /// <paramref name="upTo"/> and rolls back the rest (all of them when <paramref name="upTo"/> is null).
    /// </summary>
    private async Task SettlePreparedAsync(NpgsqlConnection connection, long? upTo, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await using (var find = new NpgsqlCommand(
            "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND left(gid, length($1)) = $1 ORDER BY gid", connection))
        {
            find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PreparedPrefix });
            await using NpgsqlDataReader reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (string name in names)
        {
            if (!long.TryParse(name.AsSpan(PreparedPrefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long batchTime))
            {
                continue; // Another sink's, whose name begins like this one's.
            }

            bool commit = upTo is { } last && batchTime <= last;
            await ExecuteAsync(connection, commit ? CommitPreparedSql(name) : RollbackPreparedSql(name), cancellationToken).ConfigureAwait(false);
            LogSettled(_options.Display, commit ? "committed" : "rolled back", name);
            if (commit)
            {
                _lastCommitted = Math.Max(_lastCommitted ?? long.MinValue, batchTime);
            }
        }
    }

    private static async Task<bool> IsPreparedAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var find = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_prepared_xacts WHERE gid = $1 AND database = current_database())", connection);
        find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }

    private async Task<int> ExecuteBatchRowAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        AddBatchParameters(command);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private void AddBatchParameters(NpgsqlCommand command)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _options.Job });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _sinkName });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _batchTime });
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
