namespace Compiled.Kafka.Sink;

/// <summary>
/// The byte arrays the sink hands Confluent.Kafka's producer for one part of a record (its key, or its value): one
/// array per length, reused for every record of that length, so that sending a record allocates no array once the
/// lengths a job writes have each been seen.
/// </summary>
/// <remarks>
/// Reusing an array is safe because librdkafka keeps none: <c>Produce</c> pins the arrays only while it runs and has
/// librdkafka copy their bytes (<c>RD_KAFKA_MSG_F_COPY</c>) before it returns. Only a delivery report could hand an
/// array back, and the sink reads no key or value from one (it has the client leave them out,
/// <c>dotnet.producer.delivery.report.fields=none</c>, see <see cref="KafkaSinkOptions"/>). Confluent.Kafka's API
/// takes an array whose whole length is the part, so an array cannot be longer than the part; a part longer than
/// <see cref="LongestReused"/> bytes gets an array of its own (the arrays kept for one part are then at most about
/// 512 KiB, whichever lengths occur).
/// </remarks>
internal sealed class ProducerArrays
{
    /// <summary>The longest part whose array is reused.</summary>
    public const int LongestReused = 1024;

    private readonly byte[]?[] _byLength = new byte[]?[LongestReused + 1];

    /// <summary>
    /// An array holding <paramref name="bytes"/>, exactly as long: the one kept for that length, or a new one for a
    /// part longer than <see cref="LongestReused"/>. Valid until the next call for the same length.
    /// </summary>
    public byte[] Holding(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > LongestReused)
        {
            return bytes.ToArray();
        }

        byte[] array = _byLength[bytes.Length] ??= new byte[bytes.Length];
        bytes.CopyTo(array);
        return array;
    }
}
