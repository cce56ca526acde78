using Compiled;

namespace Samples.KafkaWordCount;

/// <summary>
/// Spark Streaming's Kafka word count with running totals: lines from a Kafka topic, split into words, counted per
/// batch, added to each word's total kept across batches, and written to a Redis hash, one field per word holding its
/// total, so <c>redis-cli HGETALL word-counts</c> shows the counts of everything produced so far. With
/// <c>--checkpoint DIR</c> the totals and the topic's offsets are kept together, and the hash's fields are set (never
/// incremented), so a job killed and restarted ends with every line counted once.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class KafkaWordCount
{
    /// <summary>The lines: each message of the topic <c>lines</c>, read by consumer group <c>kafka-word-count</c> from the earliest offset.</summary>
    [Source(Default = "kafka://localhost:9092/lines?group=kafka-word-count&start=earliest")]
    public static partial Lines Input();

    /// <summary>lines.flatMap(line => line.split(" ")): the maximal runs of bytes other than the space.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>words.map(word => (word, 1)).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>pairs.reduceByKey(_ + _): each word once per batch, with its count in the batch.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>The word's total so far plus its count in this batch, kept as the word's state and emitted as (word,total).</summary>
    [MapWithState]
    public static KeyValue<long> Total(ReadOnlySpan<byte> word, long? count, State<long> total)
    {
        long sum = total.GetValueOrDefault() + (count ?? 0);
        total.Update(sum);
        return new KeyValue<long>(word, sum);
    }

    /// <summary>HSET word-counts word total, for each word of the batch.</summary>
    [Sink(Default = "redis://localhost:6379/word-counts?type=hash")]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}
