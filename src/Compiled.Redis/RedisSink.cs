using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Sinks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Compiled.Redis;

/// <summary>
/// Writes a pipeline's keyed records to Redis: <c>redis://host:port/KEY?type=hash|string|zset|stream</c>.
/// </summary>
/// <remarks>
/// <para>
/// Each record of a batch is kept (its key's bytes in one reused buffer, its value beside them) until the batch
/// commits; then the whole batch is sent pipelined, one command per up to <see cref="ChunkSize"/> records
/// (<c>HSET KEY f1 v1 f2 v2 ...</c>, <c>MSET</c>, <c>ZADD</c>) or one <c>XADD</c> per record, and the commit awaits
/// every answer. A record taken as it is (<c>KeyValue&lt;long&gt;</c>, <c>KeyValue&lt;int&gt;</c>,
/// <c>KeyValue&lt;double&gt;</c>) is stored as its key bytes and number; any other record arrives as its text, and a
/// pair's text <c>(key,value)</c> is split at its last comma outside parentheses.
/// </para>
/// <para>
/// <b>Idempotent.</b> Writing a batch again leaves Redis as writing it once did: a hash field, a string key and a
/// sorted-set member are set to the record's value, whatever they held. A stream entry's id is
/// <c>&lt;batch time&gt;-&lt;index in the batch&gt;</c>, and Redis refuses an id that is not above the stream's last, so
/// the entries of a batch written again are refused as already there and only the missing ones are added. A run that
/// resumes from a checkpoint labels its first batch after the checkpoint's, so the sink writes the first non-empty batch
/// of a resumed run under the time of the stream's last entry when that is after the checkpoint (the batch whose
/// checkpoint was lost): its records are the ones read again. A stream written by anything else than this sink may
/// refuse entries; the sink logs how many it found already there.
/// </para>
/// <para>
/// <b>A server that is down or goes away.</b> The client reconnects in the background. A commit that cannot reach the
/// server, or whose answers are lost with the connection, sends its whole batch again after 100 ms, doubling to 5 s,
/// logging each try, for up to <c>retryFor</c> (5 minutes); the batch is kept meanwhile, the run waits (its sources
/// with it), and then the batch fails the run. Sending a batch again is safe because the writes are idempotent.
/// </para>
/// </remarks>
public sealed partial class RedisSink : Sink, IRecordWriter<KeyValue<long>>, IRecordWriter<KeyValue<int>>, IRecordWriter<KeyValue<double>>
{
    /// <summary>The most records sent in one <c>HSET</c>, <c>MSET</c> or <c>ZADD</c>.</summary>
    public const int ChunkSize = 512;

    private readonly RedisSinkOptions _options;
    private readonly ILogger _log;
    private readonly RedisRetry _retry;
    private readonly RedisKey _key;
    private readonly byte[] _prefixBytes;

    // The batch: key (and text value) bytes in one buffer, one entry per record, both reused across batches. The
    // entries are kept in segments of SegmentLength, added as a batch needs them, not in one array grown by doubling:
    // a first batch of 500,000 records then touches 12 MB of new memory once, where the doubling array touched twice
    // that and copied every entry along the way (a one-batch run's page faults and CPU over the raw client's).
    private const int SegmentShift = 12;
    private const int SegmentLength = 1 << SegmentShift;
    private const int SegmentMask = SegmentLength - 1;
    private readonly KeptBytes _bytes;
    private Entry[][] _segments = [new Entry[SegmentLength]];  // every slot holds a segment: room for Length << SegmentShift entries
    private int _count;
    private long _batchTime;

    private ConnectionMultiplexer? _connection;
    private long? _lastCommitted;
    private long? _replayOf;

    /// <summary>Creates a sink from its options; <see cref="RedisSinkFactory"/> is how a run makes one.</summary>
    public RedisSink(RedisSinkOptions options, SinkContext context)
        : base((options ?? throw new ArgumentNullException(nameof(options))).Uri, context)
    {
        _options = options;
        _bytes = new KeptBytes(16 * 1024, $"redis sink '{options.SafeText}' holds more than 2 GiB of keys in one batch; use a shorter batch interval.");
        _log = context.LoggerFactory.CreateLogger<RedisSink>();
        _retry = new RedisRetry(
            _log,
            $"sink '{options.SafeText}'",
            options.RetryFor,
            "; the batch is not committed. Start the server, or give a longer retryFor; with --checkpoint a restart writes the batch again.",
            Advice);
        _key = options.Key;
        _prefixBytes = Encoding.UTF8.GetBytes(options.Prefix);
    }

    /// <summary>What the sink writes to.</summary>
    public RedisSinkOptions Options => _options;

    /// <inheritdoc />
    public override SinkGuarantee Guarantee => SinkGuarantee.Idempotent;

    /// <summary>
    /// For a stream, the time of its last entry when the sink opened (or of the last batch it wrote since): a run
    /// begins after it, so that no batch of this run has an id the stream already holds. <see langword="null"/> for
    /// the other types, whose writes carry no time.
    /// </summary>
    public override long? LastCommittedBatchTime => _lastCommitted;

    /// <summary>The records of the current batch so far.</summary>
    public int PendingRecords => _count;

    /// <summary>
    /// Connects (in the background when the server is not there yet: the first commit then waits for it) and, for a
    /// stream, reads the time of its last entry, waiting for the server as a commit does.
    /// </summary>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(_options.Client).ConfigureAwait(false);
        if (!_connection.IsConnected)
        {
            LogNotConnected(_options.SafeText);
        }

        if (_options.Type == RedisDataType.Stream)
        {
            _lastCommitted = await WithRetriesAsync(ReadLastEntryTimeAsync, "read the last entry of", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// For a stream whose last entry is after the checkpointed batch (its batch was written, its checkpoint was not),
    /// the first non-empty batch of this run is written under that entry's time: it holds the records read again.
    /// </summary>
    public override ValueTask RecoverAsync(long checkpointedBatchTime, CancellationToken cancellationToken)
    {
        if (_options.Type == RedisDataType.Stream && _lastCommitted > checkpointedBatchTime)
        {
            _replayOf = _lastCommitted;
            LogReplaying(_options.SafeText, _lastCommitted.Value, checkpointedBatchTime);
        }

        return default;
    }

    /// <inheritdoc />
    public override void BeginBatch(long batchTimeMs)
    {
        _batchTime = batchTimeMs;
        Clear();
    }

    /// <summary>Keeps a record given as its text: a pair <c>(key,value)</c>, or for a stream any text (its <c>value</c> field).</summary>
    public override void Write(ReadOnlySpan<byte> record)
    {
        int comma = PairText.CommaIndex(record);
        if (comma < 0)
        {
            if (_options.Type != RedisDataType.Stream)
            {
                throw NotAPair(record);
            }

            ref Entry whole = ref Add(ReadOnlySpan<byte>.Empty);
            whole.Keyless = true;
            whole.Kind = ValueKind.Text;
            (whole.ValueStart, whole.ValueLength) = Keep(record);
            return;
        }

        ReadOnlySpan<byte> value = record[(comma + 1)..^1];
        ref Entry entry = ref Add(record[1..comma]);
        if (_options.Type == RedisDataType.Zset)
        {
            if (!Utf8Parser.TryParse(value, out double score, out int consumed) || consumed != value.Length)
            {
                throw new InvalidOperationException(
                    $"redis sink '{_options.SafeText}' (type=zset) scores each member by its value, and record '{Encoding.UTF8.GetString(record)}' has no number as its value; emit a number as the value, or use type=hash");
            }

            entry.Kind = ValueKind.Real;
            entry.Real = score;
            return;
        }

        entry.Kind = ValueKind.Text;
        (entry.ValueStart, entry.ValueLength) = Keep(value);
    }

    /// <summary>Keeps a keyed record with a whole-number value.</summary>
    public void Write(KeyValue<long> record)
    {
        ref Entry entry = ref Add(record.Key);
        entry.Kind = ValueKind.Integer;
        entry.Integer = record.Value;
    }

    /// <summary>Keeps a keyed record with a whole-number value.</summary>
    public void Write(KeyValue<int> record)
    {
        ref Entry entry = ref Add(record.Key);
        entry.Kind = ValueKind.Integer;
        entry.Integer = record.Value;
    }

    /// <summary>Keeps a keyed record with a real-number value.</summary>
    public void Write(KeyValue<double> record)
    {
        ref Entry entry = ref Add(record.Key);
        entry.Kind = ValueKind.Real;
        entry.Real = record.Value;
    }

    /// <summary>Sends the batch pipelined and waits for every answer, retrying a server that is down (see the remarks).</summary>
    public override async ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        if (_count == 0)
        {
            return;
        }

        long idTime = _replayOf ?? _batchTime;
        await WithRetriesAsync(token => SendBatchAsync(idTime), "write batch " + _batchTime + " ms to", cancellationToken).ConfigureAwait(false);
        _replayOf = null;
        if (_options.Type == RedisDataType.Stream)
        {
            _lastCommitted = Math.Max(_lastCommitted ?? 0, idTime);
        }

        Clear();
    }

    /// <inheritdoc />
    public override void AbortBatch() => Clear();

    /// <summary>Closes the connection; a batch not committed is dropped.</summary>
    public override async ValueTask DisposeAsync()
    {
        Clear();
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Clear()
    {
        _bytes.Clear();
        _count = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry Add(ReadOnlySpan<byte> key)
    {
        if (_count == _segments.Length << SegmentShift)
        {
            AddSegment();
        }

        ref Entry entry = ref EntryAt(_count++);
        entry.Keyless = false;
        (entry.KeyStart, entry.KeyLength) = Keep(key);
        return ref entry;
    }

    // Entry i of the batch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry EntryAt(int i) => ref _segments[i >> SegmentShift][i & SegmentMask];

    // One more segment; the array of segments grows by one slot (a pointer each, a few hundred for a batch of a million).
    private void AddSegment()
    {
        int used = _segments.Length;
        Array.Resize(ref _segments, used + 1);
        _segments[used] = new Entry[SegmentLength];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (int Start, int Length) Keep(ReadOnlySpan<byte> bytes) => (_bytes.Keep(bytes), bytes.Length);

    private InvalidOperationException NotAPair(ReadOnlySpan<byte> record) => new(
        $"redis sink '{_options.SafeText}' (type={_options.Type.ToString().ToLowerInvariant()}) writes keyed records, and record '{Encoding.UTF8.GetString(record)}' is not a (key,value) pair; emit KeyValue<T> or a (key, value) tuple from the sink's stage, or write to a stream (type=stream), which takes any record");

    private enum ValueKind : byte
    {
        Integer,
        Real,
        Text,
    }

    // One record of the batch, 24 bytes: its key's place in _bytes and its value, which is a whole number, a real
    // number or (Kind == Text) the place of its text in _bytes, overlaid on one 8-byte field.
    [StructLayout(LayoutKind.Explicit)]
    private struct Entry
    {
        [FieldOffset(0)]
        public int KeyStart;
        [FieldOffset(4)]
        public int KeyLength;
        [FieldOffset(8)]
        public long Integer;
        [FieldOffset(8)]
        public double Real;
        [FieldOffset(8)]
        public int ValueStart;
        [FieldOffset(12)]
        public int ValueLength;
        [FieldOffset(16)]
        public ValueKind Kind;
        [FieldOffset(17)]
        public bool Keyless;
    }
}
