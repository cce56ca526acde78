namespace Compiled.Benchmarks.Checkpoints;

/// <summary>
/// The stateful word count, stage for stage as in <c>samples/StatefulWordCount</c>: each word's running total kept
/// across batches, which a checkpoint writes whole after every batch.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class StatefulWordCountPipeline
{
    /// <summary>The lines.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>The maximal runs of bytes other than the space.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>(word, 1).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>Each word once per batch with its count.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>The word's running total.</summary>
    [MapWithState]
    public static KeyValue<long> Total(ReadOnlySpan<byte> word, long? count, State<long> total)
    {
        long sum = total.GetValueOrDefault() + (count ?? 0);
        total.Update(sum);
        return new KeyValue<long>(word, sum);
    }

    /// <summary>The (word,total) records of the batch.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}
