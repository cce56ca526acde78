using System.Diagnostics;
using Compiled.Connectors;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace Compiled.PostgreSQL.ChangeDataCapture;

// The stream: a task of its own reads the slot through a replication connection into the bounded channel the run's
// loop reads (TryRead), and connects again while the server is away.
public sealed partial class PostgresChangeSource
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(5);

    private LogicalReplicationConnection? _streaming;  // the connection streaming now, for confirmations
    private int _connections;
    private bool _prepared;
    private bool _opened;               // whether the last connection attempt reached the server
    private ChangePosition _delivered;  // after the last change put in the channel: what a new stream skips

    // Streams until stopped; hands a failure that retrying cannot mend, or the end of the retries, to the run.
    private async Task StreamAsync(CancellationToken stop)
    {
        Exception? failure = null;
        try
        {
            await StreamWithRetriesAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The source is being disposed.
        }
        catch (Exception error)
        {
            failure = error;
        }

        _changes.Writer.TryComplete(failure);
    }

    private async Task StreamWithRetriesAsync(CancellationToken stop)
    {
        _delivered = _resumedAt;
        var encoder = new ChangeEncoder();
        long outageStarted = 0;
        int attempt = 0;
        TimeSpan delay = FirstDelay;
        while (true)
        {
            try
            {
                await StreamOnceAsync(encoder, () =>
                {
                    if (attempt > 0)
                    {
                        LogReached(_options.Display, attempt + 1);
                        attempt = 0;
                        delay = FirstDelay;
                    }
                }, stop).ConfigureAwait(false);
                stop.ThrowIfCancellationRequested();
                throw new IOException("the server ended the replication stream");
            }
            catch (Exception error) when (!stop.IsCancellationRequested && IsRetryable(error))
            {
                Volatile.Write(ref _streaming, null);
                if (_opened && error is not PostgresException { SqlState: PostgresErrorCodes.ObjectInUse })
                {
                    // The server answered since the last failure (a quiet publication sends nothing to say so): a new outage.
                    attempt = 0;
                    delay = FirstDelay;
                }

                if (attempt == 0)
                {
                    outageStarted = Stopwatch.GetTimestamp();
                }

                attempt++;
                TimeSpan elapsed = Stopwatch.GetElapsedTime(outageStarted);
                if (elapsed >= _options.RetryFor)
                {
                    throw new IOException(
                        $"postgres source {_options.Display} could not stream changes from the server for {elapsed.TotalSeconds:0} s " +
                        $"({attempt} tries; last: {error.Message}); start the server, or give a longer retryFor. The slot '{_options.Slot}' " +
                        "keeps every change not confirmed, so the next run reads them.",
                        error);
                }

                LogRetrying(error, _options.Display, attempt, (long)delay.TotalMilliseconds, error.Message);
                await Task.Delay(delay, stop).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestDelay.Ticks));
            }
            catch (PostgresException error) when (!stop.IsCancellationRequested)
            {
                throw Explain(error);
            }
            finally
            {
                Volatile.Write(ref _streaming, null);
            }
        }
    }

    // One connection: checks (the first time) the server, publication and slot, then streams until the connection ends.
    private async Task StreamOnceAsync(ChangeEncoder encoder, Action connected, CancellationToken stop)
    {
        await using var connection = new LogicalReplicationConnection(_connectionString) { WalReceiverStatusInterval = _options.StatusInterval };
        _opened = false;
        await connection.Open(stop).ConfigureAwait(false);
        _opened = true;
        if (!_prepared)
        {
            await PrepareAsync(connection, stop).ConfigureAwait(false);
            _prepared = true;
            LogStreaming(_options.Display, _options.Publication, _options.Slot, _resumed ? _resumedAt.ToString() : "from the slot's confirmed position");
        }

        var slot = new PgOutputReplicationSlot(_options.Slot);
        var replication = new PgOutputReplicationOptions(_options.Publication, PgOutputProtocolVersion.V1, binary: false);
        ulong applied = (ulong)Interlocked.Read(ref _confirmed);
        if (applied > 0)
        {
            connection.SetReplicationStatus(new NpgsqlLogSequenceNumber(applied));
        }

        int serverProcess = connection.ProcessID;
        LogConnection(_options.Display, serverProcess, (_delivered.IsStart ? "from the slot's confirmed position" : _delivered.ToString()));
        TransactionInfo transaction = default;
        int index = 0;
        bool first = true;
        await foreach (PgOutputReplicationMessage message in connection.StartReplication(slot, replication, stop).ConfigureAwait(false))
        {
            if (first)
            {
                // Streaming: the server answers. Only now may a confirmation be sent on this connection: a status update
                // on a connection whose replication has not started fails inside the client (a NullReferenceException
                // from SendFeedback). One made before this waits in _confirmed and goes with the status set below.
                first = false;
                Volatile.Write(ref _streaming, connection);
                Interlocked.Increment(ref _connections);
                connected();
            }

            // What was confirmed while no connection streamed (or before this one) goes with the next status update.
            ulong confirmed = (ulong)Interlocked.Read(ref _confirmed);
            if (confirmed > applied)
            {
                connection.SetReplicationStatus(new NpgsqlLogSequenceNumber(confirmed));
                applied = confirmed;
            }

            CapturedChange? change = null;
            switch (message)
            {
                case BeginMessage begin:
                    transaction = new TransactionInfo(begin.TransactionFinalLsn, begin.TransactionCommitTimestamp);
                    index = 0;
                    break;
                case InsertMessage insert:
                    change = await encoder.EncodeRowChangeAsync(
                        "insert", insert.Relation, null, false, insert.NewRow, message.WalStart, transaction, Next(transaction, ref index), stop).ConfigureAwait(false);
                    break;
                case FullUpdateMessage update:
                    change = await encoder.EncodeRowChangeAsync(
                        "update", update.Relation, update.OldRow, false, update.NewRow, message.WalStart, transaction, Next(transaction, ref index), stop).ConfigureAwait(false);
                    break;
                case IndexUpdateMessage update:
                    change = await encoder.EncodeRowChangeAsync(
                        "update", update.Relation, update.Key, true, update.NewRow, message.WalStart, transaction, Next(transaction, ref index), stop).ConfigureAwait(false);
                    break;
                case UpdateMessage update:
                    change = await encoder.EncodeRowChangeAsync(
                        "update", update.Relation, null, false, update.NewRow, message.WalStart, transaction, Next(transaction, ref index), stop).ConfigureAwait(false);
                    break;
                case FullDeleteMessage delete:
                    change = await encoder.EncodeRowChangeAsync(
                        "delete", delete.Relation, delete.OldRow, false, null, message.WalStart, transaction, Next(transaction, ref index), stop).ConfigureAwait(false);
                    break;
                case KeyDeleteMessage delete:
                    change = await encoder.EncodeRowChangeAsync(
                        "delete", delete.Relation, delete.Key, true, null, message.WalStart, transaction, Next(transaction, ref index), stop).ConfigureAwait(false);
                    break;
                case TruncateMessage truncate:
                    foreach (RelationMessage relation in truncate.Relations)
                    {
                        await DeliverAsync(encoder.EncodeTruncate(relation, message.WalStart, transaction, Next(transaction, ref index)), stop).ConfigureAwait(false);
                    }

                    break;
                case CommitMessage commit:
                    change = new CapturedChange { Position = new ChangePosition((ulong)commit.TransactionEndLsn, 0) };
                    break;
            }

            if (change is not null)
            {
                await DeliverAsync(change, stop).ConfigureAwait(false);
            }
        }
    }

    private static ChangePosition Next(in TransactionInfo transaction, ref int index) => new((ulong)transaction.CommitLsn, ++index);

    // Hands a change to the run's loop, unless it was handed over already (before a reconnect) or is in the checkpoint.
    private async ValueTask DeliverAsync(CapturedChange change, CancellationToken stop)
    {
        if (!change.Position.IsAfter(_delivered))
        {
            return;
        }

        await _changes.Writer.WriteAsync(change, stop).ConfigureAwait(false);
        _delivered = change.Position;
    }

    // Checks the server, the publication and the slot, creating the last two when the URI says so.
    private async Task PrepareAsync(LogicalReplicationConnection replication, CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(stop).ConfigureAwait(false);

        string walLevel = (string?)await ScalarAsync(connection, "SHOW wal_level", null, stop).ConfigureAwait(false) ?? "";
        if (walLevel != "logical")
        {
            throw new InvalidOperationException(
                $"postgres source {_options.Display}: the server runs with wal_level={walLevel}, and change data capture needs wal_level=logical; " +
                "set it (ALTER SYSTEM SET wal_level = logical, or in postgresql.conf) and restart the server");
        }

        if (await ScalarAsync(connection, "SELECT 1 FROM pg_publication WHERE pubname = $1", _options.Publication, stop).ConfigureAwait(false) is null)
        {
            if (_options.CreatePublication is null)
            {
                throw new InvalidOperationException(
                    $"postgres source {_options.Display}: publication '{_options.Publication}' does not exist in database '{_options.Database}'; " +
                    $"create it (CREATE PUBLICATION {_options.QuotedPublication} FOR TABLE ...) or add &createPublication=TABLE1,TABLE2 (or ALL) to the URI");
            }

            await using var create = new NpgsqlCommand(_options.CreatePublicationSql(), connection);
            await create.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
            LogCreatedPublication(_options.Display, _options.Publication);
        }

        await using var slots = new NpgsqlCommand(
            "SELECT plugin, database, confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1", connection)
        {
            Parameters = { new NpgsqlParameter { Value = _options.Slot } },
        };
        string? plugin = null;
        string? database = null;
        string? confirmedFlush = null;
        await using (NpgsqlDataReader row = await slots.ExecuteReaderAsync(stop).ConfigureAwait(false))
        {
            if (await row.ReadAsync(stop).ConfigureAwait(false))
            {
                plugin = row.IsDBNull(0) ? "" : row.GetString(0);
                database = row.IsDBNull(1) ? "" : row.GetString(1);
                confirmedFlush = row.IsDBNull(2) ? null : row.GetString(2);
            }
        }

        if (plugin is not null)
        {
            if (plugin != "pgoutput" || database != _options.Database)
            {
                throw new InvalidOperationException(
                    $"postgres source {_options.Display}: replication slot '{_options.Slot}' is a slot of plugin '{plugin}' in database '{database}', " +
                    $"not a pgoutput slot of database '{_options.Database}'; name another slot (&slot=NAME, created when missing)");
            }

            if (_resumed && confirmedFlush is not null && NpgsqlLogSequenceNumber.TryParse(confirmedFlush, out NpgsqlLogSequenceNumber flushed)
                && (ulong)flushed > _resumedAt.Lsn)
            {
                LogSlotAhead(_options.Display, _options.Slot, flushed.ToString(), _resumedAt.ToString());
            }

            return;
        }

        if (_resumed)
        {
            throw new SourcePositionException(
                $"postgres source {_options.Display}: replication slot '{_options.Slot}' does not exist, but the checkpoint holds a position in it " +
                $"({_resumedAt}); the changes since then are gone with the slot. Start with a new checkpoint directory to read the changes from now on.");
        }

        if (!_options.CreateSlot)
        {
            throw new InvalidOperationException(
                $"postgres source {_options.Display}: replication slot '{_options.Slot}' does not exist and createSlot=false; create it " +
                $"(SELECT pg_create_logical_replication_slot('{_options.Slot}', 'pgoutput')) or leave out createSlot=false");
        }

        try
        {
            await replication.CreatePgOutputReplicationSlot(
                _options.Slot, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport, cancellationToken: stop).ConfigureAwait(false);
            LogCreatedSlot(_options.Display, _options.Slot);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.DuplicateObject)
        {
            // Created by another process just now: it is there.
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, string? parameter, CancellationToken stop)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return await command.ExecuteScalarAsync(stop).ConfigureAwait(false);
    }

    // The server away (down, restarting, out of connections), the connection lost, or the slot still held by the
    // connection of a run that just ended: trying again can mend these.
    private static bool IsRetryable(Exception error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.ObjectInUse } || PostgresFailures.IsRetryable(error);

    private InvalidOperationException Explain(PostgresException error)
    {
        string advice = error.SqlState switch
        {
            PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                $"the server refused user '{_options.User}'; check the user and password in the URI (or PGPASSWORD, ~/.pgpass) and that pg_hba.conf allows it replication connections",
            PostgresErrorCodes.InsufficientPrivilege =>
                $"user '{_options.User}' may not do this; it needs the REPLICATION attribute (ALTER ROLE {_options.User} REPLICATION) and SELECT on the publication's tables",
            PostgresErrorCodes.InvalidCatalogName =>
                $"database '{_options.Database}' does not exist; create it or name another in the URI",
            PostgresErrorCodes.UndefinedObject =>
                $"check that publication '{_options.Publication}' and slot '{_options.Slot}' exist in database '{_options.Database}'",
            _ => "fix what the server says and start the job again",
        };
        return new InvalidOperationException(
            $"postgres source {_options.Display} could not stream changes: {error.MessageText} (SQLSTATE {error.SqlState}); {advice}", error);
    }

    [LoggerMessage(EventId = 328, Level = LogLevel.Debug, Message = "postgres source {Source}: starting replication through server process {ServerProcess}, {Position}")]
    private partial void LogConnection(string source, int serverProcess, string position);

    [LoggerMessage(EventId = 327, Level = LogLevel.Information, Message = "postgres source {Source}: streaming the changes of publication {Publication} from slot {Slot}, {Position}")]
    private partial void LogStreaming(string source, string publication, string slot, string position);

    [LoggerMessage(EventId = 322, Level = LogLevel.Warning, Message = "postgres source {Source}: could not stream changes (try {Attempt}: {Reason}); trying again in {DelayMs} ms")]
    private partial void LogRetrying(Exception error, string source, int attempt, long delayMs, string reason);

    [LoggerMessage(EventId = 323, Level = LogLevel.Information, Message = "postgres source {Source}: streaming changes from the server again, at try {Attempt}")]
    private partial void LogReached(string source, int attempt);

    [LoggerMessage(EventId = 324, Level = LogLevel.Information, Message = "postgres source {Source}: created publication {Publication}")]
    private partial void LogCreatedPublication(string source, string publication);

    [LoggerMessage(EventId = 325, Level = LogLevel.Information, Message = "postgres source {Source}: created replication slot {Slot} (pgoutput); it keeps the changes from now on until they are confirmed")]
    private partial void LogCreatedSlot(string source, string slot);

    [LoggerMessage(EventId = 326, Level = LogLevel.Warning, Message = "postgres source {Source}: replication slot {Slot} was confirmed up to {Confirmed}, past the checkpoint's position ({Checkpoint}); the changes between were confirmed by another reader of the slot and are not read again")]
    private partial void LogSlotAhead(string source, string slot, string confirmed, string checkpoint);
}
