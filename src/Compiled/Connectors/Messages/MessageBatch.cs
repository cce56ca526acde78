using System.Buffers;
using System.Runtime.CompilerServices;
using Compiled.Framing;

namespace Compiled.Connectors.Messages;

/// <summary>
/// Messages a <see cref="MessageSource"/> hands to the job at once: each message's payload, key and position are
/// copied into one buffer, and the job runs every payload through its source's fused loop in one call
/// (<see cref="Deliver{TConsumer}"/>), with no virtual call and no allocation per message.
/// </summary>
/// <remarks>
/// The run owns one batch per message source and reuses it: it clears the batch, lets the source fill it
/// (<see cref="MessageSource.TryRead"/>), has the job take it, and tells the source (<see cref="MessageSource.OnTaken"/>).
/// Once its buffer has grown to the largest batch, a batch allocates nothing. A batch is full
/// (<see cref="IsFull"/>) at <see cref="Capacity"/> messages or <see cref="MaxBytes"/> bytes, so what a source hands
/// over at once is bounded; a single message may be as long as its source's <c>maxRecordBytes</c>.
/// </remarks>
public sealed class MessageBatch : IDisposable
{
    /// <summary>The default number of messages a batch holds: 1024.</summary>
    public const int DefaultCapacity = 1024;

    /// <summary>The default number of bytes (payloads, keys and positions) after which a batch is full: 1 MiB.</summary>
    public const int DefaultMaxBytes = 1 << 20;

    private readonly string _source;
    private readonly int _maxRecordBytes;
    private readonly bool _skipOversize;
    private readonly SourceCounters _counters;
    private readonly ArrayPool<byte> _pool;
    private readonly Entry[] _entries;
    private byte[] _bytes;
    private int _used;
    private int _count;
    private long _payloadBytes;
    private int _delivering;

    /// <summary>Creates a batch for the source <paramref name="source"/>, counting into <paramref name="counters"/>.</summary>
    /// <param name="source">The source's URI, for the message of a payload that is too long.</param>
    /// <param name="limits">The source's limits: the longest payload it accepts and what happens to a longer one.</param>
    /// <param name="counters">The source's counters: records and bytes delivered, oversize payloads skipped.</param>
    /// <param name="capacity">The most messages the batch holds.</param>
    /// <param name="maxBytes">The bytes after which the batch is full; the message that crosses it is still added.</param>
    /// <param name="pool">Where the buffer comes from; <see cref="ArrayPool{T}.Shared"/> when <see langword="null"/>.</param>
    public MessageBatch(string source, FramingOptions limits, SourceCounters counters, int capacity = DefaultCapacity, int maxBytes = DefaultMaxBytes, ArrayPool<byte>? pool = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _source = source;
        _maxRecordBytes = limits.MaxRecordBytes;
        _skipOversize = limits.Oversize == OversizePolicy.Skip;
        _counters = counters;
        _pool = pool ?? ArrayPool<byte>.Shared;
        _entries = new Entry[capacity];
        _bytes = _pool.Rent(Math.Min(maxBytes, 4096));
        Capacity = capacity;
        MaxBytes = maxBytes;
    }

    /// <summary>The most messages the batch holds.</summary>
    public int Capacity { get; }

    /// <summary>The bytes (payloads, keys, positions) after which the batch is full.</summary>
    public int MaxBytes { get; }

    /// <summary>The messages in the batch.</summary>
    public int Count => _count;

    /// <summary>The bytes of the batch's payloads.</summary>
    public long PayloadBytes => _payloadBytes;

    /// <summary>Whether the batch takes no more messages: it holds <see cref="Capacity"/> of them, or <see cref="MaxBytes"/> bytes.</summary>
    public bool IsFull => _count == _entries.Length || _used >= MaxBytes;

    /// <summary>The message at <paramref name="index"/> (0-based), a view valid until the batch is cleared.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not that of a message in the batch.</exception>
    public Message this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
            ref readonly Entry entry = ref _entries[index];
            ReadOnlySpan<byte> bytes = _bytes;
            int keyLength = Math.Max(entry.KeyLength, 0);
            int payloadStart = entry.Start + keyLength;
            return new Message(
                bytes.Slice(payloadStart, entry.PayloadLength),
                bytes.Slice(entry.Start, keyLength),
                entry.KeyLength >= 0,
                entry.Timestamp,
                bytes.Slice(payloadStart + entry.PayloadLength, entry.PositionLength));
        }
    }

    /// <summary>The source's URI, as given to the constructor.</summary>
    public string Source => _source;

    /// <summary>
    /// The index of the message <see cref="Deliver{TConsumer}"/> is handing on: read while the consumer runs (a bad
    /// record's report), not after.
    /// </summary>
    public int Delivering => _delivering;

    /// <summary>The position of the source after the batch's last message; empty when the batch is empty.</summary>
    public ReadOnlySpan<byte> LastPosition => _count == 0 ? default : this[_count - 1].Position;

    /// <summary>Adds a message without a key. See <see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long, ReadOnlySpan{byte})"/>.</summary>
    /// <exception cref="MessageTooLongException">The payload is longer than the source's limit, and the source's policy is to fail.</exception>
    /// <exception cref="InvalidOperationException">The batch is full.</exception>
    public bool Add(ReadOnlySpan<byte> payload, long timestamp, ReadOnlySpan<byte> position) =>
        Add(payload, default, -1, timestamp, position);

    /// <summary>
    /// Adds a message: copies its payload, key and position into the batch. A payload longer than the source's
    /// <c>maxRecordBytes</c> fails (<see cref="MessageTooLongException"/>) or, with <c>onOversize=skip</c>, is counted
    /// and not added.
    /// </summary>
    /// <param name="payload">The message's body: the record.</param>
    /// <param name="key">The message's key (empty for an empty key; use the overload without a key for none).</param>
    /// <param name="timestamp">When the message was produced, in Unix milliseconds; 0 if the source does not know.</param>
    /// <param name="position">Where the source stands after this message, in the source's own bytes.</param>
    /// <returns>Whether the message was added; <see langword="false"/> when it was skipped as too long.</returns>
    /// <exception cref="MessageTooLongException">The payload is longer than the source's limit, and the source's policy is to fail.</exception>
    /// <exception cref="InvalidOperationException">The batch is full.</exception>
    public bool Add(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, long timestamp, ReadOnlySpan<byte> position) =>
        Add(payload, key, key.Length, timestamp, position);

    /// <summary>Empties the batch; its buffer is kept for the next messages.</summary>
    public void Clear()
    {
        _count = 0;
        _used = 0;
        _payloadBytes = 0;
    }

    /// <summary>
    /// Runs every payload of the batch, in order, through <paramref name="consumer"/> (the generated job's fused loop of
    /// the source), and counts them as the source's records and bytes. The consumer is a constrained generic struct, so
    /// the call per message is direct and inlined. Compiled fully optimised at its first call, as
    /// <see cref="LineFramer.Frame{TConsumer}"/> is: it runs once per batch, its loop once per message.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Deliver<TConsumer>(ref TConsumer consumer)
        where TConsumer : struct, IRecordConsumer
    {
        Entry[] entries = _entries;
        byte[] bytes = _bytes;
        int count = _count;
        for (int i = 0; i < count; i++)
        {
            ref readonly Entry entry = ref entries[i];
            _delivering = i;
            consumer.OnRecord(new ReadOnlySpan<byte>(bytes, entry.Start + Math.Max(entry.KeyLength, 0), entry.PayloadLength));
        }

        _counters.Records += count;
        _counters.Bytes += _payloadBytes;
    }

    /// <summary>Returns the buffer to its pool.</summary>
    public void Dispose()
    {
        byte[] bytes = _bytes;
        _bytes = [];
        _count = 0;
        _used = 0;
        if (bytes.Length > 0)
        {
            _pool.Return(bytes);
        }
    }

    private bool Add(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, int keyLength, long timestamp, ReadOnlySpan<byte> position)
    {
        if (_count == _entries.Length)
        {
            throw new InvalidOperationException(
                $"The message batch of '{_source}' is full ({_entries.Length} messages); a source adds messages only while IsFull is false.");
        }

        if (payload.Length > _maxRecordBytes)
        {
            return Oversize(payload.Length);
        }

        int length = key.Length + payload.Length + position.Length;
        int start = _used;
        if (_bytes.Length - start < length)
        {
            Grow(start + length);
        }

        Span<byte> target = _bytes.AsSpan(start, length);
        key.CopyTo(target);
        payload.CopyTo(target[key.Length..]);
        position.CopyTo(target[(key.Length + payload.Length)..]);
        _entries[_count++] = new Entry(start, keyLength, payload.Length, position.Length, timestamp);
        _used = start + length;
        _payloadBytes += payload.Length;
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Oversize(int length)
    {
        if (!_skipOversize)
        {
            throw new MessageTooLongException(_source, length, _maxRecordBytes);
        }

        _counters.OversizeSkipped++;
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        byte[] grown = _pool.Rent(Math.Max(needed, _bytes.Length * 2));
        _bytes.AsSpan(0, _used).CopyTo(grown);
        if (_bytes.Length > 0)
        {
            _pool.Return(_bytes);
        }

        _bytes = grown;
    }

    // Where a message lies in the buffer: its key (KeyLength bytes, -1 for none), then its payload, then its position.
    private readonly record struct Entry(int Start, int KeyLength, int PayloadLength, int PositionLength, long Timestamp);
}
