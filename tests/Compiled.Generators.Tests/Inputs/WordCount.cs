using Compiled;

namespace Samples.WordCount;

/// <summary>
/// Spark Streaming's socket word count, compiled: lines, split into words, paired with 1, summed per word in
/// each one-second batch, and printed. The generator fuses the stages into one loop over the line's bytes.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordCount
{
    /// <summary>socketTextStream(...): lines; by default the bundled book, or --source tcp://localhost:9999.</summary>
    [Source(Default = "file:input/genesis-kjv.txt")]
    public static partial Lines Input();

    /// <summary>lines.flatMap(line => line.split(" ")): the maximal runs of bytes other than the space.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>words.map(word => (word, 1)).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>pairs.reduceByKey(_ + _).</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>wordCounts.pprint(): the first ten (word,count) pairs of each batch.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> word, long count);
}
