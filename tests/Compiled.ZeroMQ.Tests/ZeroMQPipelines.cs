namespace Compiled.ZeroMQ.Tests;

/// <summary>
/// Each message's payload as it is, from a ZeroMQ source to a ZeroMQ sink. The <c>Default</c> URIs are
/// <c>zmq+tcp://</c> ones, which the generator accepts because this project references Compiled.ZeroMQ (whose assembly
/// declares the schemes); the tests bind them to their own ports.
/// </summary>
[Pipeline(BatchInterval = "100ms")]
public static partial class ZeroMQPassThrough
{
    /// <summary>Messages from PUSH senders.</summary>
    [Source(Default = "zmq+tcp://127.0.0.1:5557?socket=pull")]
    public static partial Lines Input();

    /// <summary>Every message (a pass-through needs one stage).</summary>
    [Filter]
    public static bool Any(ReadOnlySpan<byte> line) => true;

    /// <summary>One frame per record, to a PULL receiver.</summary>
    [Sink(Default = "zmq+tcp://127.0.0.1:5558?socket=push")]
    public static partial void Output(ReadOnlySpan<byte> line);
}

/// <summary>Spark's stateful word count over subscribed messages, each word's running total sent as [word, total] frames.</summary>
[Pipeline(BatchInterval = "100ms")]
public static partial class ZeroMQWordCount
{
    /// <summary>Lines published on a topic.</summary>
    [Source(Default = "zmq+tcp://127.0.0.1:5556?socket=sub&topic=words")]
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

    /// <summary>[word, total] to a PULL receiver.</summary>
    [Sink(Default = "zmq+tcp://127.0.0.1:5558?socket=push")]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}
