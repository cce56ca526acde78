using Compiled;

namespace Compiled.Benchmarks.Kafka.Pipeline;

/// <summary>
/// samples/WordCount's pipeline on a Kafka topic: each message a line, split into words, paired with 1, summed per
/// word in each batch, and written to files as <c>(word,count)</c> lines (a word counted in two batches is in two
/// files; the check sums them).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class TopicWordCount
{
    /// <summary>The lines: each message of the topic, read by the job's consumer group.</summary>
    [Source(Default = "kafka://localhost:9092/lines?group=topic-word-count&start=earliest")]
    public static partial Lines Input();

    /// <summary>The maximal runs of bytes other than the space.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>(word, 1).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>The sum per word in the batch.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>Each batch's counts into a file of their own.</summary>
    [Sink(Default = "file:///tmp/topic-word-count/counts?suffix=txt")]
    public static partial void Output(ReadOnlySpan<byte> word, long count);
}
