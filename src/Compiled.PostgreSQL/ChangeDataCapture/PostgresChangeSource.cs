using System.Threading.Channels;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Microsoft.Extensions.Logging;
using Npgsql.Replication;
using NpgsqlTypes;

namespace Compiled.PostgreSQL.ChangeDataCapture;

/// <summary>
/// Change data capture from PostgreSQL: <c>postgres://user@host:port/database?publication=P&amp;slot=S</c> reads, through
/// logical replication with the <c>pgoutput</c> plugin (Npgsql's <see cref="LogicalReplicationConnection"/>), every
/// insert, update, delete and truncate of the publication's tables, in commit order, one message per change: its payload
/// one JSON object (see <see cref="ChangeEncoder"/>), its key the replica identity's values (the <c>key</c> object), its
/// timestamp the transaction's commit time, its position the change's place in the log (see <see cref="ChangePosition"/>).
/// </summary>
/// <remarks>
/// <para>
/// When the run first reads it, the source checks that the server runs with <c>wal_level=logical</c>, that the
/// publication exists (or creates it with <c>createPublication</c>) and that the slot exists with the <c>pgoutput</c>
/// plugin (or creates it, unless <c>createSlot=false</c>; a new slot starts at the log's end). It then streams from the
/// slot on a connection of its own, reading up to <c>prefetch</c> changes ahead of the job (bounded memory: a slow job
/// slows the stream), and sends a standby status update at least every <c>statusInterval</c> so the server does not
/// time the connection out.
/// </para>
/// <para>
/// <b>With a checkpoint</b> the source is replayable. The slot keeps every change the source has not confirmed, and the
/// source confirms (the flushed LSN of a status update) only the position of a checkpoint that is durable and whose
/// batch's sinks committed (<see cref="CheckpointedAsync"/>). A restarted run streams from the slot again and skips the
/// changes at or before the checkpoint's position: no change is lost or read twice. <b>Without a checkpoint</b> the
/// source confirms after each committed batch (<see cref="BatchCommittedAsync"/>): a crash before that reads the batch's
/// changes again (at least once).
/// </para>
/// <para>
/// <b>A server that is down or goes away</b> (a restart): connecting and streaming are tried again after 100 ms, the
/// delay doubling to 5 s, each try logged, for up to <c>retryFor</c> (5 minutes); then the run fails. The stream goes on
/// from the slot after the changes the source already has. Since the slot moves only when the source confirms, nothing
/// confirmed is lost and nothing unconfirmed is gone.
/// </para>
/// </remarks>
public sealed partial class PostgresChangeSource : MessageSource
{
    private readonly PostgresChangeSourceOptions _options;
    private readonly string _connectionString;
    private readonly ILogger _log;
    private readonly bool _confirmAtCheckpoint;
    private readonly Channel<CapturedChange> _changes;
    private readonly CancellationTokenSource _stop = new();

    private Task? _reading;
    private ChangePosition _read;      // after the last change (or transaction end) TryRead consumed
    private ChangePosition _taken;     // after the last change the job took
    private ChangePosition _resumedAt; // the checkpoint's position, when the run resumed from one
    private bool _resumed;
    private long _confirmed;           // the LSN confirmed to the server, as ulong bits

    /// <summary>Creates the source; <see cref="PostgresChangeSourceFactory"/> is how a run makes one. Nothing connects until the run reads.</summary>
    /// <exception cref="ConnectorUriException">The URI names no host, database, publication or slot, or an option is not valid.</exception>
    public PostgresChangeSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
        _options = PostgresChangeSourceOptions.Parse(uri);
        _connectionString = _options.ConnectionString();
        _log = context.LoggerFactory.CreateLogger<PostgresChangeSource>();
        _confirmAtCheckpoint = context.CheckpointDirectory is not null;
        _changes = Channel.CreateBounded<CapturedChange>(new BoundedChannelOptions(_options.Prefetch)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>What the source reads.</summary>
    public PostgresChangeSourceOptions Options => _options;

    /// <summary>The LSN last confirmed to the server (the slot's confirmed flush position once the server has it); 0/0 before any.</summary>
    public NpgsqlLogSequenceNumber ConfirmedLsn => new((ulong)Interlocked.Read(ref _confirmed));

    /// <summary>How many connections have streamed changes to the source (1 when the server never went away while changes came).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <inheritdoc />
    public override SourceReplay Replay => SourceReplay.Replayable;

    /// <summary>Starts streaming the first time, then waits until changes are ready; rethrows what made the stream give up.</summary>
    public override async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        _reading ??= Task.Run(() => StreamAsync(_stop.Token), CancellationToken.None);
        if (_changes.Reader.TryPeek(out _))
        {
            return true;
        }

        return await _changes.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override bool TryRead(MessageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);

        // On one partition the run asks for more only once the job took the last batch: everything consumed so far is
        // taken. On several, the reader asks before the batches it dealt are run, and a boundary (the only time the
        // position is asked for or confirmed) comes only once every batch read is run and taken: then too.
        _taken = _read;
        Span<byte> position = stackalloc byte[ChangePosition.Size];
        bool added = false;
        while (!batch.IsFull && _changes.Reader.TryRead(out CapturedChange? change))
        {
            _read = change.Position;
            if (change.Payload is not { } payload)
            {
                continue;   // a transaction's end: it moves the position past the transaction's commit
            }

            change.Position.Write(position);
            added |= change.KeyLength < 0
                ? batch.Add(payload, change.Timestamp, position)
                : batch.Add(payload, payload.AsSpan(change.KeyStart, change.KeyLength), change.Timestamp, position);
        }

        if (!added)
        {
            // Only transaction ends (or skipped oversize changes): nothing waits for the job, so it has taken everything.
            _taken = _read;
        }

        return added;
    }

    /// <summary>The job took the batch: the source's position is after everything it read into it.</summary>
    protected override void OnTaken(MessageBatch batch) => _taken = _read;

    /// <inheritdoc />
    public override SourcePosition GetPosition()
    {
        Span<byte> bytes = stackalloc byte[ChangePosition.Size];
        _taken.Write(bytes);
        return new SourcePosition(bytes, $"{Uri.Text} {_taken}");
    }

    /// <summary>Has the source skip the changes at or before <paramref name="position"/>, which a checkpoint of this URI holds.</summary>
    /// <exception cref="InvalidDataException">The position is not one of a postgres change source.</exception>
    /// <exception cref="InvalidOperationException">The source has started reading.</exception>
    public override void ResumeFrom(SourcePosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (_reading is not null)
        {
            throw new InvalidOperationException($"Source {Uri.Text} has started reading; give it a position before.");
        }

        if (!ChangePosition.TryRead(position.Payload.Span, out ChangePosition resumed))
        {
            throw new InvalidDataException(
                $"The position '{position.Description}' is not one of a postgres change data capture source; start from a new checkpoint directory.");
        }

        _read = _taken = _resumedAt = resumed;
        _resumed = !resumed.IsStart;
    }

    /// <summary>
    /// Confirms the checkpoint's position to the server: the slot may now drop the changes before it. Called once the
    /// checkpoint that holds it is durable and its batch's sinks committed.
    /// </summary>
    public override async ValueTask CheckpointedAsync(SourcePosition position, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (ChangePosition.TryRead(position.Payload.Span, out ChangePosition checkpointed))
        {
            await ConfirmAsync(checkpointed, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Without a checkpoint, confirms everything the job took once its batch is committed, so a crash before the commit
    /// reads those changes again (at least once). With a checkpoint, <see cref="CheckpointedAsync"/> confirms.
    /// </summary>
    public override async ValueTask BatchCommittedAsync(CancellationToken cancellationToken)
    {
        if (!_confirmAtCheckpoint)
        {
            await ConfirmAsync(_taken, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the stream and closes its connection. Nothing is confirmed here.</summary>
    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_reading is { } reading)
        {
            try
            {
                await reading.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The stream's failure was handed to the run through the channel, or the run is being stopped.
            }
        }

        _stop.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Confirms a position: the server may drop the transactions whose commit record starts before its LSN (see
    // ChangePosition). Sent at once on the streaming connection; if there is none just now (the server is away, or the
    // new connection has not started streaming yet), the stream sends it with its next status update.
    private async ValueTask ConfirmAsync(ChangePosition position, CancellationToken cancellationToken)
    {
        ulong lsn = position.Lsn;
        if (lsn <= (ulong)Interlocked.Read(ref _confirmed))
        {
            return;
        }

        Interlocked.Exchange(ref _confirmed, (long)lsn);
        if (Volatile.Read(ref _streaming) is not { } connection)
        {
            return;
        }

        try
        {
            connection.SetReplicationStatus(new NpgsqlLogSequenceNumber(lsn));
            await connection.SendStatusUpdate(cancellationToken).ConfigureAwait(false);
            LogConfirmed(_options.Display, new NpgsqlLogSequenceNumber(lsn).ToString());
        }
        catch (Exception error) when (error is InvalidOperationException or ObjectDisposedException || PostgresFailures.IsRetryable(error))
        {
            // The connection is going away; the stream confirms the position again when it streams anew.
            LogConfirmLater(_options.Display, new NpgsqlLogSequenceNumber(lsn).ToString(), error.Message);
        }
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Debug, Message = "postgres source {Source}: confirmed {Lsn} to the server")]
    private partial void LogConfirmed(string source, string lsn);

    [LoggerMessage(EventId = 321, Level = LogLevel.Information, Message = "postgres source {Source}: could not confirm {Lsn} now ({Reason}); it is confirmed when the stream is back")]
    private partial void LogConfirmLater(string source, string lsn, string reason);
}
