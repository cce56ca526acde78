using Npgsql;
using NpgsqlTypes;

namespace Compiled.PostgreSQL;

/// <summary>
/// A batch's rows streamed to the server while the job still reads the batch: its transaction and its binary
/// <c>COPY</c> into the staging table begin at the batch's first record, and each record is sent as it comes, so the
/// server stores rows while the job reads and computes.
/// </summary>
/// <remarks>
/// <para>
/// The last record of a key wins. Until a batch of the run repeats a key, records are sent without looking their keys
/// up (the output of a <c>[ReduceByKey]</c> or <c>[MapWithState]</c>, and most keyed streams, never repeat one): the
/// upsert then refuses a batch that repeats a key (<c>ON CONFLICT DO UPDATE</c> cannot change a row twice, SQLSTATE
/// 21000) before anything is visible, and that batch is rolled back and written again from the buffer with one row
/// per key. From then on each record is looked up by its key as it comes: a key new in the batch is sent at once, and
/// a key that came again is sent once more at the commit, with its latest value, and upserted after the others.
/// </para>
/// <para>
/// Streaming is only a faster way to the same transaction: the batch's records are kept in the buffer all the same, and
/// whatever goes wrong while streaming (the server gone, a value its column refuses) ends the stream and drops its
/// connection (so the server rolls the transaction back), and the commit writes the batch from the buffer as a sink that
/// does not stream would, retrying and reporting errors as it does.
/// </para>
/// </remarks>
public sealed partial class PostgresSink
{
    private NpgsqlBinaryImporter? _stream;
    private bool _streamEnded;

    // Whether a batch of this run repeated a key, so that records are looked up by their key as they come.
    private bool _keysRepeat;

    /// <summary>
    /// Sends record <paramref name="index"/> (just added) to the batch's stream, unless it repeats a key the sink looked
    /// up already in the batch (that key's latest value is sent at the commit); the batch's first record starts the stream.
    /// </summary>
    private void Stream(int index)
    {
        if (_streamEnded || _records.IsRepeat(index))
        {
            return;
        }

        try
        {
            if (_stream is not { } stream)
            {
                if (!TryBeginStream())
                {
                    _streamEnded = true;
                    return;
                }

                stream = _stream!;
            }

            stream.StartRow();

            // Binary COPY carries no type: the bytes of a key go as they are, and a text column takes them as its UTF-8
            // text (the server checks the encoding), a bytea column as its bytes.
            stream.Write(_records.KeyAt(index), NpgsqlDbType.Bytea);
            WriteValue(stream, index);
        }
        catch (Exception error) when (error is NpgsqlException or IOException or InvalidOperationException or FormatException or TimeoutException)
        {
            EndStream();
        }
    }

    /// <summary>
    /// Begins the batch's transaction and its <c>COPY</c> on the open connection, unless the batch cannot be streamed: no
    /// connection is open (it is being retried), the batch is already recorded (it will be skipped), or, with a
    /// checkpoint, the prepared transactions of an earlier run are not settled yet (the buffered write settles them).
    /// </summary>
    private bool TryBeginStream()
    {
        if (_connection is not { State: System.Data.ConnectionState.Open } connection
            || (_lastCommitted is { } last && _batchTime <= last)
            || (Checkpointing && !_preparedSettled))
        {
            return false;
        }

        using (var begin = new NpgsqlCommand(_beginBatch, connection))
        {
            begin.ExecuteNonQuery();
        }

        _stream = connection.BeginBinaryImport($"COPY {_stagingTable} (key, value) FROM STDIN (FORMAT BINARY)");
        return true;
    }

    /// <summary>Writes the value of record <paramref name="index"/> as its staging column takes it.</summary>
    private void WriteValue(NpgsqlBinaryImporter stream, int index)
    {
        switch (_valueStaged)
        {
            case StagedAs.Bigint:
                stream.Write(WholeNumber(index, long.MinValue, long.MaxValue), NpgsqlDbType.Bigint);
                break;
            case StagedAs.Integer:
                stream.Write((int)WholeNumber(index, int.MinValue, int.MaxValue), NpgsqlDbType.Integer);
                break;
            case StagedAs.Smallint:
                stream.Write((short)WholeNumber(index, short.MinValue, short.MaxValue), NpgsqlDbType.Smallint);
                break;
            default:
                stream.Write(_records.ValueAt(index), NpgsqlDbType.Bytea);
                break;
        }
    }

    /// <summary>
    /// Ends the batch's stream without writing it: the stream and its connection are dropped, so the server rolls the
    /// transaction back, and the commit writes the batch from the buffer.
    /// </summary>
    private void EndStream()
    {
        _streamEnded = true;
        NpgsqlBinaryImporter? stream = _stream;
        _stream = null;
        NpgsqlConnection? connection = _connection;
        _connection = null;
        try
        {
            stream?.Dispose();
        }
        catch (Exception error) when (error is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
        {
            // The stream is broken already; the connection is dropped below either way.
        }

        try
        {
            connection?.Dispose();
        }
        catch (Exception error) when (error is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
        {
            // Likewise.
        }
    }

    /// <summary>
    /// Drops the batch's stream and rolls its transaction back, keeping the connection for the next batch; if the server
    /// cannot be told, the connection is dropped instead (which rolls the transaction back as well).
    /// </summary>
    private void CancelStream()
    {
        if (_stream is not { } stream || _connection is not { } connection)
        {
            EndStream();
            return;
        }

        _stream = null;
        _streamEnded = true;
        try
        {
            stream.Dispose(); // An import not completed is cancelled: the server discards its rows.
            using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            rollback.ExecuteNonQuery();
        }
        catch (Exception error) when (error is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
        {
            EndStream();
        }
    }

    /// <summary>
    /// Ends the streamed batch: completes its <c>COPY</c>, records the batch (or, if it is already recorded, rolls back),
    /// upserts the staged rows, then the latest value of each key that came again, and commits, or with
    /// <paramref name="prepare"/> prepares. Whatever fails here is retried from the buffer.
    /// </summary>
    private async Task WriteStreamedBatchAsync(NpgsqlConnection connection, bool prepare, CancellationToken cancellationToken)
    {
        NpgsqlBinaryImporter stream = _stream!;
        _stream = null;
        _streamEnded = true;
        await using (stream.ConfigureAwait(false))
        {
            await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        if (await ExecuteBatchRowAsync(connection, RecordBatch, cancellationToken).ConfigureAwait(false) == 0)
        {
            await ExecuteAsync(connection, "ROLLBACK", cancellationToken).ConfigureAwait(false);
            _preparedName = "";
            LogSkipped(_options.Display, _batchTime);
            return;
        }

        await ExecuteBatchRowAsync(connection, ForgetEarlierBatches, cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, _upsert!, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException repeated) when (repeated.SqlState == PostgresErrorCodes.CardinalityViolation && !_records.IndexAsAdded)
        {
            // The batch repeats a key, so its staged rows cannot be upserted as they are: the transaction is rolled back
            // and the batch written again from the buffer, one row per key; later batches look keys up as they come.
            await ExecuteAsync(connection, "ROLLBACK", cancellationToken).ConfigureAwait(false);
            _keysRepeat = true;
            LogKeysRepeat(_options.Display, _batchTime);
            await WriteBufferedBatchAsync(connection, prepare, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_records.Repeats > 0)
        {
            await CopyLaterValuesAsync(connection, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, _upsertLater!, cancellationToken).ConfigureAwait(false);
        }

        if (Checkpointing)
        {
            // The unlogged staging tables outlive the transaction; temporary ones are emptied by its commit.
            await ExecuteAsync(connection, _deleteStaged!, cancellationToken).ConfigureAwait(false);
        }

        await EndBatchTransactionAsync(connection, prepare, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies the latest record of each key that came more than once in the batch into the second staging table.</summary>
    private async Task CopyLaterValuesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync(
            $"COPY {_laterStagingTable} (key, value) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < _records.Count; i++)
        {
            // The latest record of a key that came earlier: its first record was streamed with an earlier value.
            if (_records.IsRepeat(i) && !_records.IsReplaced(i))
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(_records.KeyAt(i), NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                WriteValue(importer, i);
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
