using System.Buffers.Binary;
using System.Text;

namespace Compiled.Checkpoints;

/// <summary>
/// Where a source stands after a batch: opaque bytes that only the source that wrote them reads (a file and a byte
/// offset in it, the files of a directory already read; later Kafka offsets per partition, a Redis stream id, a NATS
/// sequence number), and a description of them in words for logs and errors. A checkpoint stores it with
/// <see cref="ToBytes"/> and gives it back through <see cref="FromBytes"/>; the source resumes from it.
/// </summary>
/// <remarks>
/// Immutable. Two positions are equal when their <see cref="Payload"/> bytes are: the description says what the
/// bytes mean and is not part of the position's identity.
/// </remarks>
public sealed class SourcePosition : IEquatable<SourcePosition>
{
    // The first byte of ToBytes: the layout of the envelope (description, payload), not of the payload, which is the
    // source's own and carries its own version.
    private const byte EnvelopeVersion = 1;

    private readonly byte[] _payload;

    /// <summary>Creates a position of <paramref name="payload"/> (copied), described by <paramref name="description"/>.</summary>
    /// <param name="payload">The source's bytes: whatever it needs to resume.</param>
    /// <param name="description">What the position is, in words: <c>file /data/in.txt at byte 4096</c>.</param>
    public SourcePosition(ReadOnlySpan<byte> payload, string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        _payload = payload.ToArray();
        Description = description;
    }

    /// <summary>The source's bytes.</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary>What the position is, in words, for logs and errors.</summary>
    public string Description { get; }

    /// <summary>
    /// The position as a checkpoint stores it: a version byte, the description (length-prefixed UTF-8) and the
    /// payload (length-prefixed). <see cref="FromBytes"/> reads it back.
    /// </summary>
    public byte[] ToBytes()
    {
        int descriptionLength = Encoding.UTF8.GetByteCount(Description);
        byte[] bytes = new byte[1 + 4 + descriptionLength + 4 + _payload.Length];
        bytes[0] = EnvelopeVersion;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), descriptionLength);
        Encoding.UTF8.GetBytes(Description, bytes.AsSpan(5, descriptionLength));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(5 + descriptionLength), _payload.Length);
        _payload.CopyTo(bytes.AsSpan(9 + descriptionLength));
        return bytes;
    }

    /// <summary>Reads a position written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a whole position of a version this runtime reads.</exception>
    public static SourcePosition FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 9)
        {
            throw Invalid($"it is {bytes.Length} bytes long, shorter than the 9 bytes of an empty position");
        }

        if (bytes[0] != EnvelopeVersion)
        {
            throw new InvalidDataException(
                $"The source position is of version {bytes[0]}, and this runtime reads version {EnvelopeVersion}; resume with the version of Compiled that wrote the checkpoint, or start from a new checkpoint directory.");
        }

        int descriptionLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[1..]);
        if (descriptionLength < 0 || descriptionLength > bytes.Length - 9)
        {
            throw Invalid($"its description claims {descriptionLength} bytes, but only {bytes.Length - 9} follow the header");
        }

        string description;
        try
        {
            description = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.Slice(5, descriptionLength));
        }
        catch (DecoderFallbackException error)
        {
            throw Invalid("its description is not valid UTF-8", error);
        }

        int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[(5 + descriptionLength)..]);
        int rest = bytes.Length - 9 - descriptionLength;
        if (payloadLength != rest)
        {
            throw Invalid($"its payload claims {payloadLength} bytes, but {rest} follow");
        }

        return new SourcePosition(bytes[(9 + descriptionLength)..], description);
    }

    /// <inheritdoc/>
    public bool Equals(SourcePosition? other) =>
        other is not null && _payload.AsSpan().SequenceEqual(other._payload);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SourcePosition);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(_payload);
        return hash.ToHashCode();
    }

    /// <summary>The description: what the position is, in words.</summary>
    public override string ToString() => Description;

    private static InvalidDataException Invalid(string what, Exception? inner = null) =>
        new($"The source position is damaged: {what}; the checkpoint that holds it cannot be used: move it away to resume from an older checkpoint, or start from a new checkpoint directory.", inner);
}
