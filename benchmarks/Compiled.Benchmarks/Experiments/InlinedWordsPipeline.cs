namespace Compiled.Benchmarks.Experiments;

/// <summary>
/// <see cref="WordCount.WordCountPipeline"/> with its <c>[FlatMap]</c> returning <see cref="InlinedUtf8Words"/>:
/// the same generated code, with <c>MoveNext</c> marked for inlining.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class InlinedWordsPipeline
{
    /// <summary>The lines.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>The words, split by the experiment's enumerator.</summary>
    [FlatMap]
    public static InlinedUtf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>words.map(word => (word, 1)).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>pairs.reduceByKey(_ + _).</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>The (word,count) records of the batch.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> word, long count);
}
