namespace Compiled.Benchmarks.WordCount;

/// <summary>
/// The seed's word count, stage for stage as in <c>samples/WordCount/WordCount.cs</c>, compiled into the
/// benchmark so its generated job can be driven directly, without I/O.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordCountPipeline
{
    /// <summary>The lines: bound to nothing here; the benchmark hands the job its buffers.</summary>
    [Source(Default = "stdin:")]
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

    /// <summary>The (word,count) records of the batch.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> word, long count);
}

/// <summary>
/// The same word count with every per-record call guarded (<c>OnError</c> declared, here Fail): what a guard costs on
/// the hot loop, next to <see cref="WordCountPipeline"/>, whose calls are not guarded.
/// </summary>
[Pipeline(BatchInterval = "1s", OnError = BadRecordPolicy.Fail)]
public static partial class GuardedWordCountPipeline
{
    /// <summary>The lines.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>The maximal runs of bytes other than the space, guarded.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>(word, 1), guarded.</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>The counts.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>The (word,count) records of the batch.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> word, long count);
}
