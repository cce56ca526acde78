using Compiled;

namespace Samples.StatefulWordCount;

/// <summary>
/// Spark Streaming's stateful network word count (<c>StatefulNetworkWordCount</c>), compiled: lines split into words,
/// counted per batch, and added to each word's running total kept across batches with <c>mapWithState</c>. Each
/// batch prints the words it saw with their new totals, so the last line printed for a word is its count over all
/// the input so far.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class StatefulWordCount
{
    /// <summary>socketTextStream(...): lines; by default the word count's bundled book, or --source tcp://localhost:9999.</summary>
    [Source(Default = "file:input/genesis-kjv.txt")]
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

    /// <summary>
    /// <c>mapWithState(StateSpec.function(mappingFunc))</c>: the word's total so far plus its count in this batch,
    /// kept as the word's state and emitted as (word,total).
    /// </summary>
    [MapWithState]
    public static KeyValue<long> Total(ReadOnlySpan<byte> word, long? count, State<long> total)
    {
        long sum = total.GetValueOrDefault() + (count ?? 0);
        total.Update(sum);
        return new KeyValue<long>(word, sum);
    }

    /// <summary>stateDstream.print(): the first ten (word,total) pairs of each batch.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}
