using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Compiled.Redis;

/// <summary>
/// Reads a Redis stream through a consumer group: <c>redis://host:port/STREAM?group=G&amp;consumer=C</c>. Each entry is
/// one message: its payload the entry's <c>value</c> field (or the one named by <c>field=</c>), its key the <c>key</c>
/// field when there is one, its timestamp the milliseconds of its id, its position the id.
/// </summary>
/// <remarks>
/// <para>
/// The source creates the group when it is missing (at the stream's end, or its beginning with <c>start=earliest</c>),
/// then reads with <c>XREADGROUP</c>, up to <c>count</c> entries at a time: first the entries this consumer was given
/// and never acknowledged (a run that stopped before they were checkpointed), then new ones; while the job takes one read's
/// entries, the next read is on its way (at most two reads' entries are held). When the stream has nothing
/// new it asks again after <c>block</c> (the client is multiplexed, so it does not hold the connection with
/// <c>BLOCK</c>).
/// </para>
/// <para>
/// <b>With a checkpoint</b> the source is replayable: its position is the id of the last entry the job took; an entry
/// is acknowledged (<c>XACK</c>) only once the checkpoint that holds it is durable and its batch's sinks committed
/// (<see cref="CheckpointedAsync"/>). A restarted run acknowledges the entries up to the checkpointed id that were still
/// pending, reads this consumer's pending entries after it again (their batch was lost), then new ones: with an
/// idempotent or transactional sink, no entry is lost or counted twice. <b>Without a checkpoint</b> an entry is
/// acknowledged once its batch is committed (<see cref="BatchCommittedAsync"/>): a crash before that leaves it pending, to
/// be read again (at least once).
/// </para>
/// <para>
/// <b>A server that is down or goes away.</b> Each read and acknowledgement is tried again after 100 ms, doubling to
/// 5 s, logging each try, for up to <c>retryFor</c> (5 minutes); then the run fails. Entries are only ever acknowledged
/// after they are safe, so nothing acknowledged is lost.
/// </para>
/// <para>
/// <b>Acknowledgements travel on their own.</b> A batch's <c>XACK</c>s (2,048 ids each) are sent one after the other
/// when it commits, and the run goes on without waiting for their answers; an XACK that failed is sent again, with
/// retries, at the next batch, one that fails again fails the run, and the run's end waits for those still on their
/// way. One lost in a crash leaves its entries pending, as a crash just before it would: read again by this
/// consumer's next run, or acknowledged by it from its checkpoint.
/// </para>
/// </remarks>
public sealed partial class RedisStreamSource : MessageSource
{
    private readonly RedisStreamSourceOptions _options;
    private readonly ILogger _log;
    private readonly RedisRetry _retry;
    private readonly bool _acknowledgeAtCheckpoint;
    private readonly RedisKey _stream;
    private readonly byte[] _field;

    // Entries read from the server and not yet handed over. The ids handed over and not yet acknowledged are in
    // _unacknowledged (RedisStreamSource.Acknowledging.cs).
    private StreamEntry[] _entries = [];
    private int _next;

    private ConnectionMultiplexer? _connection;
    private IDatabase? _database;
    private bool _started;
    private bool _groupReady;
    private bool _readingPending = true;
    private EntryId _pendingAfter;   // the id after which this consumer's pending entries are read
    private EntryId? _resumedAt;     // the checkpointed id a run resumed from, until the entries up to it are acknowledged
    private EntryId _taken;          // the id of the last entry the job took

    // The read sent ahead: once a read's entries are handed over, the next XREADGROUP is sent, so that the job finds it
    // answered when it asks for more (it takes them at once, on its own thread, instead of waiting and being woken),
    // with at most two reads' entries held. Entries it got that the job never takes (the run stopped) stay pending for
    // this consumer, and the next run reads them again, as it does those never acknowledged. It is the client's task
    // itself, with no continuation of ours (ReadNextAsync).
    private Task<StreamEntry[]>? _ahead;

    /// <summary>Creates the source; <see cref="RedisStreamSourceFactory"/> is how a run makes one.</summary>
    public RedisStreamSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
        _options = RedisStreamSourceOptions.Parse(uri);
        _log = context.LoggerFactory.CreateLogger<RedisStreamSource>();
        _retry = new RedisRetry(
            _log,
            $"source '{_options.SafeText}'",
            _options.RetryFor,
            ". Start the server, or give a longer retryFor; entries not acknowledged are read again by the next run.",
            _ => $"Check that key '{_options.Stream}' is a stream and that the user may read it and use group '{_options.Group}'.");
        _acknowledgeAtCheckpoint = context.CheckpointDirectory is not null;
        _stream = _options.Stream;
        _field = Encoding.UTF8.GetBytes(_options.Field);
    }

    /// <summary>What the source reads.</summary>
    public RedisStreamSourceOptions Options => _options;

    /// <summary>Entries acknowledged to the server so far: those whose <c>XACK</c> the server has answered.</summary>
    public long Acknowledged => CountAcknowledged();

    /// <inheritdoc />
    public override SourceReplay Replay => SourceReplay.Replayable;

    /// <summary>Connects and creates the group the first time, then waits until the stream has entries for this consumer.</summary>
    public override async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        _started = true;
        if (_next < _entries.Length)
        {
            return true;
        }

        await PrepareAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            StreamEntry[] read = await ReadNextAsync(cancellationToken).ConfigureAwait(false);
            if (read.Length > 0)
            {
                _entries = read;
                _next = 0;
                if (_readingPending)
                {
                    _pendingAfter = EntryId.Parse(read[^1].Id, _options.SafeText);
                }

                // The next read is sent now, while the job works through these entries.
                _ahead = SendRead();
                return true;
            }

            if (_readingPending)
            {
                // This consumer's pending entries are all read again: new ones from now on.
                _readingPending = false;
                continue;
            }

            await Task.Delay(_options.Block, cancellationToken).ConfigureAwait(false);
        }
    }

    // The answer of the read sent ahead, or of a new read. The read sent ahead is the client's own task, with nothing
    // waiting on it until the job asks for more: answered while the job works (as it mostly is), it wakes no thread to
    // run a continuation, and the job takes it at once on its own thread. One that failed is sent again, with the
    // retries of a server away (RedisRetry), as a read sent then would have been.
    private async ValueTask<StreamEntry[]> ReadNextAsync(CancellationToken cancellationToken)
    {
        if (_ahead is { } ahead)
        {
            _ahead = null;
            try
            {
                return await ahead.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Sent again below; an answer trying again cannot change fails there, saying what to do.
            }
        }

        return await WithRetriesAsync(ReadAsync, "read", cancellationToken).ConfigureAwait(false);
    }

    // One XREADGROUP, its task left alone. (The client may throw at once, with no connection.)
    private Task<StreamEntry[]> SendRead()
    {
        try
        {
            return ReadAsync(CancellationToken.None);
        }
        catch (Exception error)
        {
            return Task.FromException<StreamEntry[]>(error);
        }
    }

    /// <inheritdoc />
    public override bool TryRead(MessageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        bool added = false;
        Span<byte> nameBuffer = stackalloc byte[ShortLength];
        Span<byte> bodyBuffer = stackalloc byte[ShortLength];
        Span<byte> keyBuffer = stackalloc byte[ShortLength];
        while (_next < _entries.Length && !batch.IsFull)
        {
            StreamEntry entry = _entries[_next++];
            ReadOnlySpan<byte> id = ((ReadOnlyMemory<byte>)entry.Id).Span;
            EntryId parsed = EntryId.Parse(id, _options.SafeText);
            _unacknowledged.Enqueue(parsed);
            _newestTaken = parsed;
            // A pending entry deleted from the stream since it was read has no fields: nothing to hand over. (Not
            // StreamEntry.IsNull: it compares the id with RedisValue.Null, which tries the id's text as an integer and
            // as a real number first; in a profile that was half of this method's time.)
            NameValueEntry[]? fields = entry.Values;
            if (fields is null || fields.Length == 0)
            {
                continue;
            }

            // The record's field and the key field, found in one pass by their bytes: the client's own lookup by name
            // compares RedisValues, which tries each name as a number first.
            int payloadAt = -1, keyAt = -1;
            for (int i = 0; i < fields.Length && (payloadAt < 0 || keyAt < 0); i++)
            {
                ReadOnlySpan<byte> name = Bytes(fields[i].Name, nameBuffer);
                if (payloadAt < 0 && name.SequenceEqual(_field))
                {
                    payloadAt = i;
                }

                if (keyAt < 0 && name.SequenceEqual("key"u8))
                {
                    keyAt = i;
                }
            }

            if (payloadAt < 0)
            {
                LogNoField(_options.SafeText, Encoding.ASCII.GetString(id), _options.Field);
                continue;
            }

            ReadOnlySpan<byte> body = Bytes(fields[payloadAt].Value, bodyBuffer);
            added |= keyAt < 0
                ? batch.Add(body, parsed.Milliseconds, id)
                : batch.Add(body, Bytes(fields[keyAt].Value, keyBuffer), parsed.Milliseconds, id);
        }

        return added;
    }

    // A field's name or value as bytes. The client keeps a short one (up to a few bytes: "value", "key", a short word)
    // inside the RedisValue itself, and a cast to ReadOnlyMemory<byte> makes a new array of it (32 bytes for "value",
    // measured); copying it into the caller's buffer allocates nothing. A longer one is held as an array already, and
    // the cast gives it without a copy.
    private const int ShortLength = 16;

    private static ReadOnlySpan<byte> Bytes(RedisValue value, Span<byte> buffer) =>
        value.GetByteCount() <= buffer.Length ? buffer[..value.CopyTo(buffer)] : ((ReadOnlyMemory<byte>)value).Span;

    /// <summary>The job took the batch: the source's position is its last entry.</summary>
    protected override void OnTaken(MessageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _taken = EntryId.Parse(batch.LastPosition, _options.SafeText);
    }

    /// <summary>
    /// Without a checkpoint, acknowledges (<c>XACK</c>) every entry taken so far once their batch is committed, so a crash
    /// before the commit leaves them pending, to be read again (at least once). With a checkpoint, <see cref="CheckpointedAsync"/> does.
    /// The XACKs are sent, not awaited: their answers come while the run goes on (see the remarks on the class).
    /// </summary>
    /// <exception cref="IOException">An earlier XACK could not reach the server for <c>retryFor</c>.</exception>
    /// <exception cref="InvalidOperationException">The server refused an earlier XACK.</exception>
    public override ValueTask BatchCommittedAsync(CancellationToken cancellationToken) =>
        _acknowledgeAtCheckpoint ? default : AcknowledgeUpToAsync(_taken, cancellationToken);

    /// <inheritdoc />
    public override SourcePosition GetPosition()
    {
        string id = _taken.ToString();
        return new SourcePosition(Encoding.ASCII.GetBytes(id), $"{Uri.Text} after entry {id}");
    }

    /// <summary>Has the source acknowledge the pending entries up to the checkpointed id, and read those after it again, then new ones.</summary>
    /// <exception cref="InvalidDataException">The position is not an entry id.</exception>
    /// <exception cref="InvalidOperationException">The source has started reading.</exception>
    public override void ResumeFrom(SourcePosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (_started)
        {
            throw new InvalidOperationException($"Source {Uri.Text} has started reading; give it a position before.");
        }

        if (!EntryId.TryParse(position.Payload.Span, out EntryId id))
        {
            throw new InvalidDataException($"The position '{position.Description}' is not a Redis stream entry id; start from a new checkpoint directory.");
        }

        _taken = _pendingAfter = id;
        _resumedAt = id;
    }

    /// <summary>
    /// Acknowledges (<c>XACK</c>) every entry taken up to the checkpointed id: its batch is committed and durable. The
    /// XACKs are sent, not awaited, as by <see cref="BatchCommittedAsync"/>.
    /// </summary>
    public override ValueTask CheckpointedAsync(SourcePosition position, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(position);
        return EntryId.TryParse(position.Payload.Span, out EntryId upTo) ? AcknowledgeUpToAsync(upTo, cancellationToken) : default;
    }

    /// <summary>Waits for the acknowledgements still on their way, then closes the connection.</summary>
    public override async ValueTask DisposeAsync()
    {
        await FinishAcknowledgingAsync().ConfigureAwait(false);
        if (_ahead is { } ahead)
        {
            // A read sent ahead that the run never awaited: its failure (the connection closed under it) is no news.
            _ahead = null;
            _ = ahead.ContinueWith(
                static read => _ = read.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Connects, creates the group when missing, and acknowledges the entries up to a resumed checkpoint still pending.
    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            _connection = await ConnectionMultiplexer.ConnectAsync(_options.Client).ConfigureAwait(false);
            _database = _connection.GetDatabase();
            if (!_connection.IsConnected)
            {
                LogNotConnected(_options.SafeText);
            }
        }

        if (!_groupReady)
        {
            await WithRetriesAsync(CreateGroupAsync, "create the consumer group on", cancellationToken).ConfigureAwait(false);
            _groupReady = true;
        }

        if (_resumedAt is { } resumedAt)
        {
            await WithRetriesAsync(_ => AcknowledgeCheckpointedAsync(resumedAt), "acknowledge the checkpointed entries on", cancellationToken).ConfigureAwait(false);
            _resumedAt = null;
        }
    }

    private async Task<bool> CreateGroupAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Database.StreamCreateConsumerGroupAsync(
                _stream, _options.Group, _options.Start == RedisStreamStart.Earliest ? "0" : "$", createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            return false;   // The group is there already: it keeps its own position.
        }
    }

    private Task<StreamEntry[]> ReadAsync(CancellationToken cancellationToken) =>
        Database.StreamReadGroupAsync(
            _stream, _options.Group, _options.Consumer,
            _readingPending ? (RedisValue)_pendingAfter.ToString() : StreamPosition.NewMessages,
            _options.Count);

    private async Task<long> AcknowledgeAsync(RedisValue[] ids)
    {
        long acknowledged = await Database.StreamAcknowledgeAsync(_stream, _options.Group, ids).ConfigureAwait(false);
        lock (_sending)
        {
            _acknowledged += ids.Length;
        }

        return acknowledged;
    }

    // The entries up to the checkpointed id are in the checkpoint; those still pending (the run stopped before it
    // acknowledged them) are acknowledged now.
    private async Task<long> AcknowledgeCheckpointedAsync(EntryId upTo)
    {
        long total = 0;
        while (true)
        {
            StreamPendingMessageInfo[] pending = await Database.StreamPendingMessagesAsync(
                _stream, _options.Group, _options.Count, _options.Consumer, "-", upTo.ToString()).ConfigureAwait(false);
            if (pending.Length == 0)
            {
                return total;
            }

            total += await AcknowledgeAsync([.. pending.Select(p => p.MessageId)]).ConfigureAwait(false);
        }
    }

    private IDatabase Database => _database ?? throw new InvalidOperationException($"Source {Uri.Text} is not connected yet.");

    // Runs an operation, and runs it again while the server is away (RedisRetry).
    private Task<T> WithRetriesAsync<T>(Func<CancellationToken, Task<T>> operation, string what, CancellationToken cancellationToken) =>
        _retry.RunAsync(operation, what, cancellationToken);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Redis source {Source}: the server is not reachable yet; the client keeps trying, and reading waits for it")]
    private partial void LogNotConnected(string source);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Redis source {Source}: entry {Id} has no field '{Field}', so it has no record; it is skipped (name the record's field with ?field=NAME)")]
    private partial void LogNoField(string source, string id, string field);


    // A stream entry id, <milliseconds>-<sequence>, ordered as Redis orders them.
    private readonly record struct EntryId(long Milliseconds, long Sequence) : IComparable<EntryId>
    {
        public int CompareTo(EntryId other) =>
            Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

        public override string ToString() => $"{Milliseconds}-{Sequence}";

        public static bool TryParse(ReadOnlySpan<byte> text, out EntryId id)
        {
            id = default;
            int dash = text.IndexOf((byte)'-');
            if (dash <= 0
                || !Utf8Parser.TryParse(text[..dash], out long milliseconds, out int used) || used != dash
                || !Utf8Parser.TryParse(text[(dash + 1)..], out long sequence, out used) || used != text.Length - dash - 1)
            {
                return false;
            }

            id = new EntryId(milliseconds, sequence);
            return true;
        }

        public static EntryId Parse(RedisValue text, string source) => Parse(((ReadOnlyMemory<byte>)text).Span, source);

        public static EntryId Parse(ReadOnlySpan<byte> text, string source) =>
            TryParse(text, out EntryId id)
                ? id
                : throw new InvalidDataException($"redis source '{source}' got the entry id '{Encoding.ASCII.GetString(text)}', which is not <milliseconds>-<sequence>; read a Redis stream.");
    }
}
