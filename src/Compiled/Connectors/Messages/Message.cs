namespace Compiled.Connectors.Messages;

/// <summary>
/// One message of a <see cref="MessageBatch"/>: its payload (the record), its key, its timestamp and the position of
/// its source after it. A view into the batch's buffer, valid until the batch is cleared.
/// </summary>
public readonly ref struct Message
{
    internal Message(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, bool hasKey, long timestamp, ReadOnlySpan<byte> position)
    {
        Payload = payload;
        Key = key;
        HasKey = hasKey;
        Timestamp = timestamp;
        Position = position;
    }

    /// <summary>The message's body: the record the pipeline's source hands to its stages.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The message's key bytes (a Kafka record's key, a Redis stream entry's field name); empty when <see cref="HasKey"/> is false.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>Whether the message has a key; a message with an empty key has one, of no bytes.</summary>
    public bool HasKey { get; }

    /// <summary>When the message was produced, in Unix milliseconds, as its source tells it; 0 when it does not.</summary>
    public long Timestamp { get; }

    /// <summary>
    /// Where the source stands after this message, in bytes only that source reads (a Kafka partition and offset, a
    /// Redis entry id, a log sequence number).
    /// </summary>
    public ReadOnlySpan<byte> Position { get; }
}
