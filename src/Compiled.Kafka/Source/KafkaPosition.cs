using System.Globalization;
using System.Text;
using Compiled.Checkpoints;
using Confluent.Kafka;

namespace Compiled.Kafka;

/// <summary>
/// A Kafka source's position in a checkpoint: every partition's next offset, one line each, <c>kafka/1</c> first, then
/// <c>topic partition offset</c> lines in UTF-8 (a topic name has no spaces), so a checkpoint can be read by eye.
/// </summary>
internal static class KafkaPosition
{
    private const string Header = "kafka/1";

    /// <summary>The position of <paramref name="offsets"/>, described for logs as <c>topic[0]@17, topic[1]@5</c>.</summary>
    public static SourcePosition Write(string source, IEnumerable<(TopicPartition Partition, long Offset)> offsets)
    {
        var text = new StringBuilder(Header).Append('\n');
        var description = new StringBuilder();
        foreach ((TopicPartition partition, long offset) in offsets.OrderBy(static o => o.Partition.Topic, StringComparer.Ordinal).ThenBy(static o => o.Partition.Partition.Value))
        {
            text.Append(CultureInfo.InvariantCulture, $"{partition.Topic} {partition.Partition.Value} {offset}\n");
            description.Append(description.Length == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"{partition.Topic}[{partition.Partition.Value}]@{offset}");
        }

        string where = description.Length == 0 ? "before any record" : "at " + description;
        return new SourcePosition(Encoding.UTF8.GetBytes(text.ToString()), $"{source} {where}");
    }

    /// <summary>The partitions and offsets of a position <see cref="Write"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The position was not written by a Kafka source.</exception>
    public static List<(TopicPartition Partition, long Offset)> Read(SourcePosition position)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(position.Payload.Span);
        }
        catch (DecoderFallbackException)
        {
            throw NotKafka(position);
        }

        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != Header)
        {
            throw NotKafka(position);
        }

        var offsets = new List<(TopicPartition, long)>(lines.Length - 1);
        foreach (string line in lines.AsSpan(1))
        {
            string[] parts = line.Split(' ');
            if (parts.Length != 3
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int partition)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
            {
                throw NotKafka(position);
            }

            offsets.Add((new TopicPartition(parts[0], new Partition(partition)), offset));
        }

        return offsets;
    }

    private static InvalidDataException NotKafka(SourcePosition position) =>
        new($"The position '{position.Description}' is not a Kafka source's partitions and offsets; start from a new checkpoint directory, or point the run at the checkpoint of this source.");
}
