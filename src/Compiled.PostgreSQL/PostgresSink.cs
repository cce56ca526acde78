using System.Globalization;
using Compiled.Connectors;
using Compiled.Sinks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Compiled.PostgreSQL;

/// <summary>
/// The <c>postgres</c> sink: <c>postgres://user@host:port/database?table=T</c> upserts each batch's keyed records into a
/// table of a key column and a value column, recording the batch in <c>compiled_batches</c> in the same transaction so
/// that a batch written again changes nothing.
/// </summary>
/// <remarks>
/// <para>
/// A record is a keyed record: a <c>KeyValue&lt;long&gt;</c> or <c>KeyValue&lt;int&gt;</c> is taken as it is (its key
/// bytes and its number), any other keyed record as its text <c>(key,value)</c> (what a <c>KeyValue&lt;V&gt;</c> or
/// <c>(TKey, V)</c> stage emits), whose key is the text before the last comma and value the text after it. Any other
/// record fails the job with a message saying so. The records of a batch are kept in one reused buffer (no allocation
/// per record once warm) and, while the batch is read, streamed to the server (see <c>PostgresSink.Streaming.cs</c>); the
/// last record of a key wins, so the rows upserted have distinct keys. They go in one binary <c>COPY</c> into a staging table whose
/// columns have the table's types where the binary form can carry them (a text or bytea key; a bigint, integer, smallint,
/// text or bytea value; any other type as text, cast by the upsert), then one <c>INSERT ... SELECT ... ON CONFLICT (key)
/// DO UPDATE</c>, and the batch's row in <c>compiled_batches(job, sink, batch_time)</c>, all in one transaction. No other
/// transaction ever sees the staging rows: without a checkpoint the staging table is temporary and emptied at commit;
/// with one it is an unlogged <c>compiled_staging_*</c> table whose rows the transaction deletes (a prepared transaction
/// cannot touch a temporary table).
/// </para>
/// <para>
/// <b>Without a checkpoint</b> the sink is <see cref="SinkGuarantee.Idempotent"/>: the transaction commits at the batch's
/// commit, and a batch at or before the latest one recorded for the job and sink is skipped. <b>With a checkpoint</b> it
/// is <see cref="SinkGuarantee.Transactional"/>: <see cref="PrepareBatchAsync"/> ends the transaction with
/// <c>PREPARE TRANSACTION 'compiled:&lt;job&gt;:&lt;sink&gt;:&lt;batch time&gt;'</c>, <see cref="CommitBatchAsync"/>
/// runs <c>COMMIT PREPARED</c> once the checkpoint is durable, and <see cref="RecoverAsync"/> commits the prepared
/// transactions of batches at or before the checkpointed one and rolls back later ones. This needs the server's
/// <c>max_prepared_transactions</c> above 0; the sink checks it when it opens.
/// </para>
/// <para>
/// A server that is down, goes away or refuses connections for a while (a restart) does not fail the job: opening and
/// each batch's writes are retried with exponential backoff from <c>retryDelay</c> to <c>maxRetryDelay</c>, each
/// failure logged as a warning, until the server answers or the run is stopped; the batch waits, and so does the input
/// behind it. Errors that retrying cannot mend (a wrong password, a missing database, a value that does not fit its
/// column) fail the job at once. The password is never logged or shown in a message.
/// </para>
/// </remarks>
public sealed partial class PostgresSink : Sink, IRecordWriter<KeyValue<long>>, IRecordWriter<KeyValue<int>>
{
    private readonly PostgresSinkOptions _options;
    private readonly string _connectionString;
    private readonly ILogger _log;
    private readonly KeyedRecordBuffer _records = new();
    private readonly string _sinkName;

    private NpgsqlConnection? _connection;
    private string? _upsert;
    private bool _batchOpen;
    private long _batchTime;
    private string? _preparedName;
    private bool _preparedSettled;
    private long? _lastCommitted;
    private int _failures;

    /// <summary>Creates the sink for <paramref name="uri"/>; checks the URI and its options, and connects only when opened.</summary>
    /// <exception cref="ConnectorUriException">The URI names no host, database or table, or an option is not valid.</exception>
    public PostgresSink(ConnectorUri uri, SinkContext context)
        : base(uri, context)
    {
        _options = PostgresSinkOptions.Parse(uri);
        _connectionString = _options.ConnectionString();
        _sinkName = context.SinkName.Length == 0 ? "Output" : context.SinkName;
        _log = context.LoggerFactory.CreateLogger<PostgresSink>();
    }

    /// <summary>
    /// <see cref="SinkGuarantee.Transactional"/> with a checkpoint (a prepared transaction per batch, committed after the
    /// checkpoint); <see cref="SinkGuarantee.Idempotent"/> without one (a batch already recorded in
    /// <c>compiled_batches</c> is skipped, and an upsert written twice leaves the row as once).
    /// </summary>
    public override SinkGuarantee Guarantee => Checkpointing ? SinkGuarantee.Transactional : SinkGuarantee.Idempotent;

    /// <summary>The latest batch recorded in <c>compiled_batches</c> for this job and sink when the sink opened, or since.</summary>
    public override long? LastCommittedBatchTime => _lastCommitted;

    /// <summary>The table the sink writes, as the URI names it.</summary>
    public string Table => _options.Table;

    /// <summary>The job's name in <c>compiled_batches</c> and in prepared transactions' names.</summary>
    public string Job => _options.Job;

    /// <summary>The name of the prepared transaction of batch <paramref name="batchTimeMs"/>: <c>compiled:&lt;job&gt;:&lt;sink&gt;:&lt;batch time&gt;</c>.</summary>
    public string PreparedTransactionName(long batchTimeMs) =>
        string.Create(CultureInfo.InvariantCulture, $"{PreparedPrefix}{batchTimeMs}");

    private string PreparedPrefix => $"compiled:{_options.Job}:{_sinkName}:";

    private bool Checkpointing => Context.CheckpointDirectory is not null;

    /// <summary>
    /// Connects (retrying while the server is unreachable), creates the table if it is missing (unless
    /// <c>createTable=false</c>) and the sink's own tables, checks that the key column is unique, and reads the latest
    /// batch recorded for this job and sink.
    /// </summary>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        await RetryAsync("open", static (sink, connection, token) => sink.PrepareTablesAsync(connection, token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Commits the prepared transactions of this job and sink for batches at or before
    /// <paramref name="checkpointedBatchTime"/> (the checkpoint that records them is durable) and rolls back those of
    /// later batches (their input is read again).
    /// </summary>
    public override async ValueTask RecoverAsync(long checkpointedBatchTime, CancellationToken cancellationToken)
    {
        await RetryAsync("recover", (sink, connection, token) => sink.SettlePreparedAsync(connection, checkpointedBatchTime, token), cancellationToken).ConfigureAwait(false);
        _preparedSettled = true;
    }

    /// <summary>Starts batch <paramref name="batchTimeMs"/>: empties the record buffer.</summary>
    public override void BeginBatch(long batchTimeMs)
    {
        if (_batchOpen)
        {
            throw new InvalidOperationException($"postgres sink {_options.Display}: batch {_batchTime} is still open; commit or abort it before beginning batch {batchTimeMs}");
        }

        _records.Clear();
        _records.IndexAsAdded = _keysRepeat;
        _batchTime = batchTimeMs;
        _batchOpen = true;
        _preparedName = null;
        _streamEnded = false;
    }

    /// <summary>Keeps one keyed record, rendered as <c>(key,value)</c>, for the batch's upsert.</summary>
    /// <exception cref="FormatException">The record is not a keyed record.</exception>
    public override void Write(ReadOnlySpan<byte> record)
    {
        if (!_records.TryAdd(record))
        {
            ThrowNotKeyed(record);
        }

        Stream(_records.Count - 1);
    }

    /// <summary>Keeps one keyed record with a whole-number value, taken as it is: no text is rendered or split.</summary>
    public void Write(KeyValue<long> record)
    {
        _records.Add(record.Key, record.Value);
        Stream(_records.Count - 1);
    }

    /// <summary>Keeps one keyed record with a whole-number value, taken as it is: no text is rendered or split.</summary>
    public void Write(KeyValue<int> record)
    {
        _records.Add(record.Key, record.Value);
        Stream(_records.Count - 1);
    }

    /// <summary>
    /// With a checkpoint: writes the batch in a transaction and prepares it (<c>PREPARE TRANSACTION</c>), so that it
    /// survives a crash of either side without being visible. A batch already recorded prepares nothing.
    /// </summary>
    public override async ValueTask PrepareBatchAsync(CancellationToken cancellationToken)
    {
        ThrowIfNoBatch();
        if (!Checkpointing || _preparedName is not null)
        {
            return;
        }

        await RetryAsync("prepare", static (sink, connection, token) => sink.WriteBatchAsync(connection, prepare: true, token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the batch visible: without a checkpoint, writes it in one transaction and commits; with one, commits the
    /// transaction <see cref="PrepareBatchAsync"/> prepared (preparing it first if it was not).
    /// </summary>
    public override async ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        ThrowIfNoBatch();
        if (Checkpointing)
        {
            if (_preparedName is null)
            {
                await PrepareBatchAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_preparedName is { Length: > 0 })
            {
                await RetryAsync("commit", static (sink, connection, token) => sink.CommitPreparedAsync(connection, token), cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await RetryAsync("commit", static (sink, connection, token) => sink.WriteBatchAsync(connection, prepare: false, token), cancellationToken).ConfigureAwait(false);
        }

        _lastCommitted = Math.Max(_lastCommitted ?? long.MinValue, _batchTime);
        _batchOpen = false;
    }

    /// <summary>
    /// Drops the batch: its records are forgotten and a transaction prepared for it is rolled back (or, if the server
    /// cannot be reached, left for the next start's <see cref="RecoverAsync"/> to roll back).
    /// </summary>
    public override void AbortBatch()
    {
        _batchOpen = false;
        if (_stream is not null)
        {
            CancelStream();
        }

        _records.Clear();
        if (_preparedName is { Length: > 0 } name && _connection is { } connection)
        {
            try
            {
                using var rollback = new NpgsqlCommand(RollbackPreparedSql(name), connection);
                rollback.ExecuteNonQuery();
            }
            catch (Exception error) when (error is NpgsqlException or InvalidOperationException)
            {
                LogAbortLeftPrepared(_options.Display, name, error.Message);
            }
        }

        _preparedName = null;
    }

    /// <summary>Closes the connection. A prepared transaction stays for the next start to settle.</summary>
    public override async ValueTask DisposeAsync()
    {
        _batchOpen = false;
        if (_stream is not null)
        {
            EndStream();
        }

        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void ThrowIfNoBatch()
    {
        if (!_batchOpen)
        {
            throw new InvalidOperationException($"postgres sink {_options.Display}: no batch is open; call BeginBatch first");
        }
    }

    private void ThrowNotKeyed(ReadOnlySpan<byte> record)
    {
        string text = System.Text.Encoding.UTF8.GetString(record[..Math.Min(record.Length, 80)]);
        throw new FormatException(
            $"postgres sink {_options.Display} (sink '{_sinkName}') received '{text}', which is not a keyed record (key,value); " +
            "the sink upserts by key: give it the output of a stage that returns KeyValue<V> or a (key, value) tuple, such as a [ReduceByKey]");
    }

    /// <summary>
    /// Runs <paramref name="step"/> on an open connection, retrying with exponential backoff while the failure is one a
    /// retry can mend (the server down, restarting, or the connection lost). A failed connection is dropped and a new one
    /// opened for the next attempt.
    /// </summary>
    private async Task RetryAsync(string what, Func<PostgresSink, NpgsqlConnection, CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                NpgsqlConnection connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                await step(this, connection, cancellationToken).ConfigureAwait(false);
                if (_failures > 0)
                {
                    LogRecovered(_options.Display, what, _failures);
                    _failures = 0;
                }

                return;
            }
            catch (Exception error) when (PostgresFailures.IsRetryable(error) && !cancellationToken.IsCancellationRequested)
            {
                await DropConnectionAsync().ConfigureAwait(false);
                _failures++;
                TimeSpan delay = Backoff(_failures);
                LogRetrying(_options.Display, what, error.Message, _failures, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                // Whatever stopped the step (cancellation included) may have left a transaction open on the connection:
                // it is dropped, so the server rolls that back and the next step starts on a new connection.
                await DropConnectionAsync().ConfigureAwait(false);
                if (error is PostgresException postgres && !cancellationToken.IsCancellationRequested)
                {
                    throw PostgresFailures.Explain(_options, _sinkName, what, postgres);
                }

                throw;
            }
        }
    }

    private TimeSpan Backoff(int failures) => Connectors.RetryDelay.After(failures, _options.RetryDelay, _options.MaxRetryDelay);

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { State: System.Data.ConnectionState.Open } open)
        {
            return open;
        }

        await DropConnectionAsync().ConfigureAwait(false);
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _connection = connection;
        return connection;
    }

    private async Task DropConnectionAsync()
    {
        // A batch's stream dies with its connection; the batch is written again from the buffer.
        _stream = null;
        if (_connection is { } connection)
        {
            _connection = null;
            try
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (error is NpgsqlException or IOException or InvalidOperationException)
            {
                // The connection is already broken; closing it has nothing left to say.
            }
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "postgres sink {Sink}: {What} failed: {Failure} (attempt {Attempt}); retrying in {Delay} ms")]
    private partial void LogRetrying(string sink, string what, string failure, int attempt, long delay);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "postgres sink {Sink}: {What} succeeded after {Failures} failed attempts")]
    private partial void LogRecovered(string sink, string what, int failures);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "postgres sink {Sink}: could not roll back prepared transaction {Name} of an aborted batch ({Failure}); the next start with this checkpoint rolls it back")]
    private partial void LogAbortLeftPrepared(string sink, string name, string failure);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "postgres sink {Sink}: {Action} prepared transaction {Name} left by an earlier run")]
    private partial void LogSettled(string sink, string action, string name);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "postgres sink {Sink}: batch {BatchTime} is already recorded in compiled_batches; skipped")]
    private partial void LogSkipped(string sink, long batchTime);

    [LoggerMessage(EventId = 306, Level = LogLevel.Information, Message = "postgres sink {Sink}: batch {BatchTime} repeats a key, so it is written again with one row per key; from now on the sink looks each record's key up as it comes")]
    private partial void LogKeysRepeat(string sink, long batchTime);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "postgres sink {Sink}: created table {Table} ({KeyColumn} text primary key, {ValueColumn} {ValueType})")]
    private partial void LogCreatedTable(string sink, string table, string keyColumn, string valueColumn, string valueType);
}
