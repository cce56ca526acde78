using Compiled.Connectors.Messages;

namespace Compiled.ZeroMQ;

/// <summary>
/// Messages received and not yet handed to the job: each message's key and payload in one reused buffer, one entry per
/// message. The source keeps two, one filled by its receiving thread, one read by the run's loop; once grown to the
/// largest batch they allocate nothing.
/// </summary>
internal sealed class StagedMessages
{
    private readonly Entry[] _entries;
    private readonly int _maxBytes;
    private readonly KeptBytes _bytes = new(4096, "a ZeroMQ source's buffer of received messages would pass 2 GiB; send smaller messages.");
    private int _count;
    private int _next;

    /// <summary>Creates a buffer of at most <paramref name="capacity"/> messages, full at <paramref name="maxBytes"/> bytes.</summary>
    public StagedMessages(int capacity, int maxBytes)
    {
        _entries = new Entry[capacity];
        _maxBytes = maxBytes;
    }

    /// <summary>The messages held.</summary>
    public int Count => _count;

    /// <summary>The messages not yet moved to a batch.</summary>
    public int Unread => _count - _next;

    /// <summary>Whether no more messages fit: as many as it holds, or its bytes are reached.</summary>
    public bool IsFull => _count == _entries.Length || _bytes.Used >= _maxBytes;

    /// <summary>Adds a message of one frame, or without a key.</summary>
    public void Add(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, bool hasKey)
    {
        int keyStart = Keep(key);
        int payloadStart = Keep(payload);
        _entries[_count++] = new Entry(keyStart, hasKey ? key.Length : -1, payloadStart, payload.Length);
    }

    /// <summary>Keeps a key's bytes ahead of its payload; returns where they start.</summary>
    public int Keep(ReadOnlySpan<byte> bytes) => _bytes.Keep(bytes);

    /// <summary>Adds a message whose key was kept at <paramref name="keyStart"/>.</summary>
    public void AddKeyed(int keyStart, int keyLength, ReadOnlySpan<byte> payload)
    {
        int payloadStart = Keep(payload);
        _entries[_count++] = new Entry(keyStart, keyLength, payloadStart, payload.Length);
    }

    /// <summary>Moves messages not yet read into <paramref name="batch"/> while it takes more; returns whether it added any.</summary>
    public bool MoveTo(MessageBatch batch)
    {
        bool added = false;
        ReadOnlySpan<byte> bytes = _bytes.Span;
        while (_next < _count && !batch.IsFull)
        {
            ref readonly Entry entry = ref _entries[_next++];
            ReadOnlySpan<byte> payload = bytes.Slice(entry.PayloadStart, entry.PayloadLength);
            added |= entry.KeyLength < 0
                ? batch.Add(payload, 0, default)
                : batch.Add(payload, bytes.Slice(entry.KeyStart, entry.KeyLength), 0, default);
        }

        return added;
    }

    /// <summary>Empties the buffer for the next messages; its memory is kept.</summary>
    public void Clear()
    {
        _count = 0;
        _next = 0;
        _bytes.Clear();
    }

    // Where a message lies in the buffer: its key (KeyLength -1 for none) and its payload.
    private readonly record struct Entry(int KeyStart, int KeyLength, int PayloadStart, int PayloadLength);
}
