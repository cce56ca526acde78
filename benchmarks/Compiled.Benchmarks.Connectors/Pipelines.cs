namespace Compiled.Benchmarks.Connectors;

/// <summary>
/// A keyed pass-through: each line is a key, written with the value 1 (a Redis hash field, a PostgreSQL row, a
/// two-frame ZeroMQ message). The sink's URI is given per run.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class KeyedPassThrough
{
    /// <summary>One key per line.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>(line, 1).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => new(line, 1);

    /// <summary>The connector under measure.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> key, long value);
}

/// <summary>Each message as it is, one frame in and one frame out: the ZeroMQ pass-through.</summary>
[Pipeline(BatchInterval = "100ms")]
public static partial class PassThrough
{
    /// <summary>Messages.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>Every message (a pipeline needs one stage).</summary>
    [Filter]
    public static bool Any(ReadOnlySpan<byte> line) => true;

    /// <summary>The connector under measure.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> line);
}

/// <summary>Spark's stateful word count: each word's running total across batches, written as (word, total).</summary>
[Pipeline(BatchInterval = "100ms")]
public static partial class WordCount
{
    /// <summary>Lines of words.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>The words of a line.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>(word, 1).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>Each word's count in the batch.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>Each word's total over every batch so far.</summary>
    [MapWithState]
    public static KeyValue<long> Total(ReadOnlySpan<byte> word, long? count, State<long> total)
    {
        long sum = total.GetValueOrDefault() + (count ?? 0);
        total.Update(sum);
        return new KeyValue<long>(word, sum);
    }

    /// <summary>The connector under measure.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}
