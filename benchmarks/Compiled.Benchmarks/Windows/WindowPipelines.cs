using System.Runtime.CompilerServices;

namespace Compiled.Benchmarks.Windows;

/// <summary>The fields of a line of <see cref="Input.KeyedStream"/> (<c>key value</c>) and <see cref="Input.EventStream"/> (<c>timestamp key</c>).</summary>
public static class StreamLine
{
    /// <summary><c>user4821 7</c> → (<c>user4821</c>, 7): the key, and the single digit after the space.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static KeyValue<long> KeyAndValue(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        return new(line[..space], line[space + 1] - '0');
    }

    /// <summary><c>1795564800123 user4821</c> → 1795564800123.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Timestamp(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')], provider: null);

    /// <summary><c>1795564800123 user4821</c> → <c>user4821</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> EventKey(ReadOnlySpan<byte> line) => line[(line.IndexOf((byte)' ') + 1)..];
}

/// <summary>reduceByKeyAndWindow(_ + _, Seconds(10), Seconds(1)): each slide merges the window's 10 per-batch tables.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SlidingSumMerged
{
    /// <summary>The lines; the benchmark hands the job its buffers.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>(key, value).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => StreamLine.KeyAndValue(line);

    /// <summary>The sum per key over the last 10 s, every second.</summary>
    [ReduceByKeyAndWindow(Length = "10s", Slide = "1s")]
    public static long Sum(long a, long b) => a + b;

    /// <summary>Each key of the window with its sum.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> key, long sum);
}

/// <summary>reduceByKeyAndWindow(_ + _, _ - _, Seconds(10), Seconds(1), filterFunc = _._2 != 0): kept up to date from the batch that enters and the one that leaves.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SlidingSumInverse
{
    /// <summary>The lines; the benchmark hands the job its buffers.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>(key, value).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => StreamLine.KeyAndValue(line);

    /// <summary>The sum per key over the last 10 s, every second; keys whose sum fell to 0 dropped.</summary>
    [ReduceByKeyAndWindow(Length = "10s", Slide = "1s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long Sum(long a, long b) => a + b;

    /// <summary>The inverse of <see cref="Sum"/>.</summary>
    public static long Subtract(long a, long b) => a - b;

    /// <summary>Keeps keys with a sum other than 0.</summary>
    public static bool NonZero(ReadOnlySpan<byte> key, long sum) => sum != 0;

    /// <summary>Each key of the window with its sum.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> key, long sum);
}

/// <summary>As <see cref="SlidingSumInverse"/> without the filter: keys whose sum fell to 0 stay (Spark's behaviour without filterFunc). A diagnostic: it isolates what the filter costs.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SlidingSumInverseUnfiltered
{
    /// <summary>The lines; the benchmark hands the job its buffers.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>(key, value).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => StreamLine.KeyAndValue(line);

    /// <summary>The sum per key over the last 10 s, every second; keys stay when their sum falls to 0.</summary>
    [ReduceByKeyAndWindow(Length = "10s", Slide = "1s", Inverse = nameof(Subtract))]
    public static long Sum(long a, long b) => a + b;

    /// <summary>The inverse of <see cref="Sum"/>.</summary>
    public static long Subtract(long a, long b) => a - b;

    /// <summary>Each key of the window with its sum (0 included).</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> key, long sum);
}

/// <summary><see cref="SlidingSumMerged"/> over 30 s: three times the batches to merge per slide.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SlidingSumMerged30
{
    /// <summary>The lines; the benchmark hands the job its buffers.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>(key, value).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => StreamLine.KeyAndValue(line);

    /// <summary>The sum per key over the last 30 s, every second.</summary>
    [ReduceByKeyAndWindow(Length = "30s", Slide = "1s")]
    public static long Sum(long a, long b) => a + b;

    /// <summary>Each key of the window with its sum.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> key, long sum);
}

/// <summary><see cref="SlidingSumInverse"/> over 30 s.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SlidingSumInverse30
{
    /// <summary>The lines; the benchmark hands the job its buffers.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>(key, value).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => StreamLine.KeyAndValue(line);

    /// <summary>The sum per key over the last 30 s, every second; keys whose sum fell to 0 dropped.</summary>
    [ReduceByKeyAndWindow(Length = "30s", Slide = "1s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long Sum(long a, long b) => a + b;

    /// <summary>The inverse of <see cref="Sum"/>.</summary>
    public static long Subtract(long a, long b) => a - b;

    /// <summary>Keeps keys with a sum other than 0.</summary>
    public static bool NonZero(ReadOnlySpan<byte> key, long sum) => sum != 0;

    /// <summary>Each key of the window with its sum.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> key, long sum);
}

/// <summary><see cref="SlidingSumInverseUnfiltered"/> over 30 s.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SlidingSumInverseUnfiltered30
{
    /// <summary>The lines; the benchmark hands the job its buffers.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>(key, value).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => StreamLine.KeyAndValue(line);

    /// <summary>The sum per key over the last 30 s, every second; keys stay when their sum falls to 0.</summary>
    [ReduceByKeyAndWindow(Length = "30s", Slide = "1s", Inverse = nameof(Subtract))]
    public static long Sum(long a, long b) => a + b;

    /// <summary>The inverse of <see cref="Sum"/>.</summary>
    public static long Subtract(long a, long b) => a - b;

    /// <summary>Each key of the window with its sum (0 included).</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> key, long sum);
}

/// <summary>The floor: the same lines and the same sum per key, per batch, without a window (reduceByKey).</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class BatchSum
{
    /// <summary>The lines; the benchmark hands the job its buffers.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>(key, value).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => StreamLine.KeyAndValue(line);

    /// <summary>The sum per key of the batch.</summary>
    [ReduceByKey]
    public static long Sum(long a, long b) => a + b;

    /// <summary>Each key of the batch with its sum.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> key, long sum);
}

/// <summary>The event-time tumbling count: clicks per key per event-time minute, lateness 5 s.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class EventTimeCount
{
    /// <summary>The lines; the benchmark hands the job its buffers.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>The event time: the line's first field; records more than 5 s behind the latest are late.</summary>
    [EventTime(Lateness = "5s")]
    public static long Timestamp(ReadOnlySpan<byte> line) => StreamLine.Timestamp(line);

    /// <summary>(key, 1).</summary>
    [Map]
    public static KeyValue<long> PerKey(ReadOnlySpan<byte> line) => new(StreamLine.EventKey(line), 1);

    /// <summary>The count per key per event-time minute.</summary>
    [EventWindow(Size = "1m")]
    public static long Count(long a, long b) => a + b;

    /// <summary>Each key of each closed minute with its count.</summary>
    [Sink(Default = "console")]
    public static partial void Output(Windowed<long> count);
}

/// <summary>The floor of the event-time count: the same lines, the timestamp parsed and checked, counted per key per batch (reduceByKey, no window).</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class EventLinesCount
{
    /// <summary>The lines; the benchmark hands the job its buffers.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>Parses the timestamp as the event-time stage does, and keeps every line (none is negative).</summary>
    [Filter]
    public static bool HasTime(ReadOnlySpan<byte> line) => StreamLine.Timestamp(line) >= 0;

    /// <summary>(key, 1).</summary>
    [Map]
    public static KeyValue<long> PerKey(ReadOnlySpan<byte> line) => new(StreamLine.EventKey(line), 1);

    /// <summary>The count per key of the batch.</summary>
    [ReduceByKey]
    public static long Count(long a, long b) => a + b;

    /// <summary>Each key of the batch with its count.</summary>
    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> key, long count);
}
