namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// Spark Streaming's Kafka word count, each batch's counts per word written to a file per batch: the lines of a Kafka
/// topic, split into words, counted per batch. A run is pointed at the test's broker and output with <c>--source</c> and
/// <c>--sink</c>.
/// </summary>
[Pipeline(BatchInterval = "200ms")]
public static partial class KafkaWordCountPipeline
{
    /// <summary>The lines: each record's value.</summary>
    [Source(Default = "kafka://127.0.0.1:9092/lines?group=word-count")]
    public static partial Lines Input();

    /// <summary>lines.flatMap(line => line.split(" ")).</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line);

    /// <summary>words.map(word => (word, 1)).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>pairs.reduceByKey(_ + _): each word once per batch, with its count in the batch.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>(word,count), one line each.</summary>
    [Sink(Default = "file:out/part")]
    public static partial void Output(ReadOnlySpan<byte> word, long count);
}
