using System.Buffers.Text;
using System.Text;

namespace Compiled.Tests.Windows;

// Pipelines for the window tests. Each windowed stage feeds its own sink, so a test reads one stage's output.
// Names say the window in seconds at the declared 1s interval: L4S2 is Length = "4s", Slide = "2s".

/// <summary>
/// Spark's WindowOperationsSuite on a stream of integers: window (basic, tumbling, larger, non-overlapping)
/// and countByWindow, batches of 1s as in the suite.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SparkInts
{
    [Source]
    public static partial Lines<int> Input();

    [Window(Length = "2s")]
    public static partial int Basic(int record);

    [Sink]
    public static partial void BasicOut(int record);

    [Window(Input = nameof(Input), Length = "2s", Slide = "2s")]
    public static partial int Tumbling(int record);

    [Sink]
    public static partial void TumblingOut(int record);

    [Window(Input = nameof(Input), Length = "4s", Slide = "2s")]
    public static partial int Larger(int record);

    [Sink]
    public static partial void LargerOut(int record);

    [Window(Input = nameof(Input), Length = "2s", Slide = "3s")]
    public static partial int NonOverlapping(int record);

    [Sink]
    public static partial void NonOverlappingOut(int record);

    [CountByWindow(Input = nameof(Input), Length = "2s")]
    public static partial long Count(int record);

    [Sink]
    public static partial void CountOut(long count);
}

/// <summary>
/// Spark's WindowOperationsSuite on a pair stream <c>(String, Int)</c>: reduceByKeyAndWindow without an inverse,
/// with one, and with one and a filter, at window 2s / slide 1s and window 4s / slide 2s; groupByKeyAndWindow.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SparkPairs
{
    [Source]
    public static partial Lines<(string Key, int Value)> Input();

    [Map]
    public static KeyValue<int> Pair((string Key, int Value) record) => new(Encoding.UTF8.GetBytes(record.Key), record.Value);

    [ReduceByKeyAndWindow(Length = "2s")]
    public static int Naive(int a, int b) => a + b;

    [Sink]
    public static partial void NaiveOut(ReadOnlySpan<byte> key, int value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "2s", Inverse = nameof(Subtract))]
    public static int Inverse(int a, int b) => a + b;

    [Sink]
    public static partial void InverseOut(ReadOnlySpan<byte> key, int value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "2s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static int Filtered(int a, int b) => a + b;

    [Sink]
    public static partial void FilteredOut(ReadOnlySpan<byte> key, int value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "4s", Slide = "2s")]
    public static int NaiveLargerSlide(int a, int b) => a + b;

    [Sink]
    public static partial void NaiveLargerSlideOut(ReadOnlySpan<byte> key, int value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "4s", Slide = "2s", Inverse = nameof(Subtract))]
    public static int InverseLargerSlide(int a, int b) => a + b;

    [Sink]
    public static partial void InverseLargerSlideOut(ReadOnlySpan<byte> key, int value);

    // groupByKeyAndWindow(2s, 1s): a window of the pairs, grouped by key.
    [Window(Input = nameof(Pair), Length = "2s")]
    public static partial KeyValue<int> PairWindow(KeyValue<int> pair);

    [GroupByKey]
    public static partial Grouped<int> GroupedInWindow(ReadOnlySpan<byte> key, int value);

    [Sink]
    public static partial void GroupedOut(Grouped<int> group);

    public static int Subtract(int a, int b) => a - b;

    // Spark's filterFunc in the suite: (p: (String, Int)) => p._2 != 0
    public static bool NonZero(ReadOnlySpan<byte> key, int value) => value != 0;
}

/// <summary>Spark's WindowOperationsSuite countByValueAndWindow, on byte lines.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SparkValues
{
    [Source]
    public static partial Lines Input();

    [CountByValueAndWindow(Length = "2s")]
    public static ReadOnlySpan<byte> Word(ReadOnlySpan<byte> line) => line;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> word, long count);
}

/// <summary>
/// Every windowed operator at several lengths and slides over "key value" lines, for the random-input
/// property tests; and windows of a window.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class RandomWindows
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        return Utf8Parser.TryParse(line[(space + 1)..], out long value, out _)
            ? new(line[..space], value)
            : throw new FormatException("not a 'key value' line: " + Encoding.UTF8.GetString(line));
    }

    // reduceByKeyAndWindow, merged again at every slide.
    [ReduceByKeyAndWindow(Length = "3s")]
    public static long MergedL3S1(long a, long b) => a + b;

    [Sink]
    public static partial void MergedL3S1Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "4s", Slide = "2s")]
    public static long MergedL4S2(long a, long b) => a + b;

    [Sink]
    public static partial void MergedL4S2Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "6s", Slide = "3s")]
    public static long MergedL6S3(long a, long b) => a + b;

    [Sink]
    public static partial void MergedL6S3Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "2s", Slide = "3s")]
    public static long MergedL2S3(long a, long b) => a + b;

    [Sink]
    public static partial void MergedL2S3Out(ReadOnlySpan<byte> key, long value);

    // reduceByKeyAndWindow with an inverse and no filter: keys stay, at zero.
    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "3s", Inverse = nameof(Subtract))]
    public static long InverseL3S1(long a, long b) => a + b;

    [Sink]
    public static partial void InverseL3S1Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "4s", Slide = "2s", Inverse = nameof(Subtract))]
    public static long InverseL4S2(long a, long b) => a + b;

    [Sink]
    public static partial void InverseL4S2Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "6s", Slide = "3s", Inverse = nameof(Subtract))]
    public static long InverseL6S3(long a, long b) => a + b;

    [Sink]
    public static partial void InverseL6S3Out(ReadOnlySpan<byte> key, long value);

    // reduceByKeyAndWindow with an inverse and a filter that drops zero values.
    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "3s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long FilteredL3S1(long a, long b) => a + b;

    [Sink]
    public static partial void FilteredL3S1Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "4s", Slide = "2s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long FilteredL4S2(long a, long b) => a + b;

    [Sink]
    public static partial void FilteredL4S2Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "6s", Slide = "3s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long FilteredL6S3(long a, long b) => a + b;

    [Sink]
    public static partial void FilteredL6S3Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "2s", Slide = "3s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long FilteredL2S3(long a, long b) => a + b;

    [Sink]
    public static partial void FilteredL2S3Out(ReadOnlySpan<byte> key, long value);

    // countByValueAndWindow of the keys.
    [CountByValueAndWindow(Input = nameof(Input), Length = "3s")]
    public static ReadOnlySpan<byte> KeysL3S1(ReadOnlySpan<byte> line) => line[..line.IndexOf((byte)' ')];

    [Sink]
    public static partial void KeysL3S1Out(ReadOnlySpan<byte> key, long count);

    [CountByValueAndWindow(Input = nameof(Input), Length = "4s", Slide = "2s")]
    public static ReadOnlySpan<byte> KeysL4S2(ReadOnlySpan<byte> line) => line[..line.IndexOf((byte)' ')];

    [Sink]
    public static partial void KeysL4S2Out(ReadOnlySpan<byte> key, long count);

    [CountByValueAndWindow(Input = nameof(Input), Length = "2s", Slide = "3s")]
    public static ReadOnlySpan<byte> KeysL2S3(ReadOnlySpan<byte> line) => line[..line.IndexOf((byte)' ')];

    [Sink]
    public static partial void KeysL2S3Out(ReadOnlySpan<byte> key, long count);

    // The values alone, for the streams that are not keyed.
    [Map(Input = nameof(Pair))]
    public static long Value(ReadOnlySpan<byte> key, long value) => value;

    // reduceByWindow, merged again at every slide.
    [ReduceByWindow(Length = "3s")]
    public static long SumL3S1(long a, long b) => a + b;

    [Sink]
    public static partial void SumL3S1Out(long sum);

    [ReduceByWindow(Input = nameof(Value), Length = "4s", Slide = "2s")]
    public static long SumL4S2(long a, long b) => a + b;

    [Sink]
    public static partial void SumL4S2Out(long sum);

    [ReduceByWindow(Input = nameof(Value), Length = "2s", Slide = "3s")]
    public static long SumL2S3(long a, long b) => a + b;

    [Sink]
    public static partial void SumL2S3Out(long sum);

    // reduceByWindow with an inverse.
    [ReduceByWindow(Input = nameof(Value), Length = "3s", Inverse = nameof(Subtract))]
    public static long InverseSumL3S1(long a, long b) => a + b;

    [Sink]
    public static partial void InverseSumL3S1Out(long sum);

    [ReduceByWindow(Input = nameof(Value), Length = "4s", Slide = "2s", Inverse = nameof(Subtract))]
    public static long InverseSumL4S2(long a, long b) => a + b;

    [Sink]
    public static partial void InverseSumL4S2Out(long sum);

    [ReduceByWindow(Input = nameof(Value), Length = "6s", Slide = "3s", Inverse = nameof(Subtract))]
    public static long InverseSumL6S3(long a, long b) => a + b;

    [Sink]
    public static partial void InverseSumL6S3Out(long sum);

    // countByWindow.
    [CountByWindow(Input = nameof(Input), Length = "3s")]
    public static partial long CountL3S1(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void CountL3S1Out(long count);

    [CountByWindow(Input = nameof(Input), Length = "4s", Slide = "2s")]
    public static partial long CountL4S2(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void CountL4S2Out(long count);

    [CountByWindow(Input = nameof(Input), Length = "6s", Slide = "3s")]
    public static partial long CountL6S3(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void CountL6S3Out(long count);

    [CountByWindow(Input = nameof(Input), Length = "2s", Slide = "3s")]
    public static partial long CountL2S3(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void CountL2S3Out(long count);

    // window, of keyed records.
    [Window(Input = nameof(Pair), Length = "3s")]
    public static partial KeyValue<long> RecentL3S1(KeyValue<long> pair);

    [Sink]
    public static partial void RecentL3S1Out(ReadOnlySpan<byte> key, long value);

    [Window(Input = nameof(Pair), Length = "4s", Slide = "2s")]
    public static partial KeyValue<long> RecentL4S2(KeyValue<long> pair);

    [Sink]
    public static partial void RecentL4S2Out(ReadOnlySpan<byte> key, long value);

    [Window(Input = nameof(Pair), Length = "2s", Slide = "3s")]
    public static partial KeyValue<long> RecentL2S3(KeyValue<long> pair);

    [Sink]
    public static partial void RecentL2S3Out(ReadOnlySpan<byte> key, long value);

    // Windows of a window: the outer windows' lengths and slides are multiples of the inner window's slide (2s).
    [Window(Input = nameof(Pair), Length = "4s", Slide = "2s")]
    public static partial KeyValue<long> Inner(KeyValue<long> pair);

    [ReduceByKeyAndWindow(Input = nameof(Inner), Length = "6s", Slide = "4s")]
    public static long OuterMergedL6S4(long a, long b) => a + b;

    [Sink]
    public static partial void OuterMergedL6S4Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Inner), Length = "8s", Slide = "2s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long OuterFilteredL8S2(long a, long b) => a + b;

    [Sink]
    public static partial void OuterFilteredL8S2Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Inner), Length = "4s", Slide = "4s", Inverse = nameof(Subtract))]
    public static long OuterInverseL4S4(long a, long b) => a + b;

    [Sink]
    public static partial void OuterInverseL4S4Out(ReadOnlySpan<byte> key, long value);

    [Window(Input = nameof(Inner), Length = "4s", Slide = "4s")]
    public static partial KeyValue<long> OuterWindowL4S4(KeyValue<long> pair);

    [Sink]
    public static partial void OuterWindowL4S4Out(ReadOnlySpan<byte> key, long value);

    [CountByWindow(Input = nameof(Inner), Length = "6s", Slide = "2s")]
    public static partial long OuterCountL6S2(KeyValue<long> pair);

    [Sink]
    public static partial void OuterCountL6S2Out(long count);

    // Stateless stages below windows: they run as the window emits, and their sinks receive its slides.
    [Filter(Input = nameof(MergedL4S2))]
    public static bool AtLeastFive(ReadOnlySpan<byte> key, long value) => value >= 5;

    [Sink]
    public static partial void AtLeastFiveOut(ReadOnlySpan<byte> key, long value);

    [Map(Input = nameof(Inner))]
    public static long InnerValue(ReadOnlySpan<byte> key, long value) => value;

    [ReduceByWindow(Length = "6s", Slide = "4s")]
    public static long OuterSumL6S4(long a, long b) => a + b;

    [Sink]
    public static partial void OuterSumL6S4Out(long sum);

    [ReduceByWindow(Input = nameof(InnerValue), Length = "4s", Slide = "2s", Inverse = nameof(Subtract))]
    public static long OuterInverseSumL4S2(long a, long b) => a + b;

    [Sink]
    public static partial void OuterInverseSumL4S2Out(long sum);

    [CountByValueAndWindow(Input = nameof(Inner), Length = "6s", Slide = "2s")]
    public static ReadOnlySpan<byte> OuterKeysL6S2(ReadOnlySpan<byte> key, long value) => key;

    [Sink]
    public static partial void OuterKeysL6S2Out(ReadOnlySpan<byte> key, long count);

    // Lengths that are not multiples of the slide.
    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "3s", Slide = "2s")]
    public static long MergedL3S2(long a, long b) => a + b;

    [Sink]
    public static partial void MergedL3S2Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "5s", Slide = "2s", Inverse = nameof(Subtract))]
    public static long InverseL5S2(long a, long b) => a + b;

    [Sink]
    public static partial void InverseL5S2Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "5s", Slide = "3s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long FilteredL5S3(long a, long b) => a + b;

    [Sink]
    public static partial void FilteredL5S3Out(ReadOnlySpan<byte> key, long value);

    [CountByValueAndWindow(Input = nameof(Input), Length = "5s", Slide = "2s")]
    public static ReadOnlySpan<byte> KeysL5S2(ReadOnlySpan<byte> line) => line[..line.IndexOf((byte)' ')];

    [Sink]
    public static partial void KeysL5S2Out(ReadOnlySpan<byte> key, long count);

    [ReduceByWindow(Input = nameof(Value), Length = "5s", Slide = "2s")]
    public static long SumL5S2(long a, long b) => a + b;

    [Sink]
    public static partial void SumL5S2Out(long sum);

    [ReduceByWindow(Input = nameof(Value), Length = "5s", Slide = "3s", Inverse = nameof(Subtract))]
    public static long InverseSumL5S3(long a, long b) => a + b;

    [Sink]
    public static partial void InverseSumL5S3Out(long sum);

    [CountByWindow(Input = nameof(Input), Length = "5s", Slide = "2s")]
    public static partial long CountL5S2(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void CountL5S2Out(long count);

    // window of the lines themselves (byte records).
    [Window(Input = nameof(Input), Length = "5s", Slide = "3s")]
    public static partial ReadOnlySpan<byte> LinesL5S3(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void LinesL5S3Out(ReadOnlySpan<byte> line);

    // Struct keys: the key's bytes as a number, (first byte × 10 + length), -1 for the empty key.
    [Map(Input = nameof(Pair))]
    public static (int Key, long Value) Numbered(ReadOnlySpan<byte> key, long value) => (StructKey(key), value);

    [ReduceByKeyAndWindow(Length = "4s", Slide = "2s")]
    public static long StructMergedL4S2(long a, long b) => a + b;

    [Sink]
    public static partial void StructMergedL4S2Out((int Key, long Value) pair);

    [ReduceByKeyAndWindow(Input = nameof(Numbered), Length = "3s", Inverse = nameof(Subtract))]
    public static long StructInverseL3S1(long a, long b) => a + b;

    [Sink]
    public static partial void StructInverseL3S1Out((int Key, long Value) pair);

    [ReduceByKeyAndWindow(Input = nameof(Numbered), Length = "5s", Slide = "2s", Inverse = nameof(Subtract), Filter = nameof(StructNonZero))]
    public static long StructFilteredL5S2(long a, long b) => a + b;

    [Sink]
    public static partial void StructFilteredL5S2Out((int Key, long Value) pair);

    [CountByValueAndWindow(Input = nameof(Numbered), Length = "3s", Slide = "2s")]
    public static int StructKeysL3S2(int key, long value) => key;

    [Sink]
    public static partial void StructKeysL3S2Out((int Key, long Count) pair);

    [Window(Input = nameof(Numbered), Length = "4s", Slide = "2s")]
    public static partial (int Key, long Value) StructRecentL4S2((int Key, long Value) pair);

    [Sink]
    public static partial void StructRecentL4S2Out((int Key, long Value) pair);

    // Per-batch keyed stages below a window (Spark's window(...).reduceByKey(...), window(...).countByValue()), and a
    // window of a per-batch reduce (reduceByKey(...).window(...)).
    [ReduceByKey(Input = nameof(RecentL4S2))]
    public static long SumOfRecentL4S2(long a, long b) => a + b;

    [Sink]
    public static partial void SumOfRecentL4S2Out(ReadOnlySpan<byte> key, long value);

    [CountByValue(Input = nameof(RecentL4S2))]
    public static ReadOnlySpan<byte> KeysOfRecentL4S2(ReadOnlySpan<byte> key, long value) => key;

    [Sink]
    public static partial void KeysOfRecentL4S2Out(ReadOnlySpan<byte> key, long count);

    [ReduceByKey(Input = nameof(Pair))]
    public static long PerBatch(long a, long b) => a + b;

    [Window(Length = "3s", Slide = "2s")]
    public static partial KeyValue<long> SumsL3S2(KeyValue<long> pair);

    [Sink]
    public static partial void SumsL3S2Out(ReadOnlySpan<byte> key, long value);

    public static int StructKey(ReadOnlySpan<byte> key) => key.IsEmpty ? -1 : key[0] * 10 + key.Length;

    // A filter that takes the record whole.
    public static bool StructNonZero((int Key, long Value) pair) => pair.Value != 0;

    public static long Subtract(long a, long b) => a - b;

    public static bool NonZero(ReadOnlySpan<byte> key, long value) => value != 0;
}

/// <summary>
/// reduceByWindow with a reduce that is associative but not commutative (concatenation), to see the order in
/// which a window combines its records: oldest batch first, each batch in arrival order.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ConcatWindow
{
    [Source]
    public static partial Lines<string> Input();

    [ReduceByWindow(Length = "3s", Slide = "2s")]
    public static string Concat(string a, string b) => a + b;

    [Sink]
    public static partial void Output(string text);
}

/// <summary>Word counts over a window of 4 batches sliding by 2, merged and incremental: for the allocation test.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class KeyedWindowLoad
{
    [Source]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line);

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [ReduceByKeyAndWindow(Length = "4s", Slide = "2s")]
    public static long Merged(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void MergedOut(ReadOnlySpan<byte> word, long count);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "4s", Slide = "2s", Inverse = nameof(Subtract), Filter = nameof(Positive))]
    public static long Incremental(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void IncrementalOut(ReadOnlySpan<byte> word, long count);

    public static long Subtract(long a, long b) => a - b;

    public static bool Positive(ReadOnlySpan<byte> word, long count) => count > 0;
}

/// <summary>Lines counted over a window of 4 batches sliding by 2: for the allocation test.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class CountWindowLoad
{
    [Source]
    public static partial Lines Input();

    [CountByWindow(Length = "4s", Slide = "2s")]
    public static partial long Lines(ReadOnlySpan<byte> line);

    [Sink(Default = "console")]
    public static partial void Output(long count);
}

/// <summary>The other windowed stages over known records (window, reduceByWindow, countByValueAndWindow): for the allocation test.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class OtherWindowLoad
{
    [Source]
    public static partial Lines Input();

    [Window(Length = "3s", Slide = "1s")]
    public static partial ReadOnlySpan<byte> Recent(ReadOnlySpan<byte> line);

    [Sink(Default = "console")]
    public static partial void RecentOut(ReadOnlySpan<byte> line);

    [Map(Input = nameof(Input))]
    public static int Length(ReadOnlySpan<byte> line) => line.Length;

    [ReduceByWindow(Length = "4s", Slide = "2s")]
    public static int Longest(int a, int b) => Math.Max(a, b);

    [Sink(Default = "console")]
    public static partial void LongestOut(int length);

    [ReduceByWindow(Input = nameof(Length), Length = "4s", Slide = "2s", Inverse = nameof(Minus))]
    public static int Total(int a, int b) => a + b;

    [Sink(Default = "console")]
    public static partial void TotalOut(int length);

    [CountByValueAndWindow(Input = nameof(Input), Length = "4s", Slide = "2s")]
    public static ReadOnlySpan<byte> Distinct(ReadOnlySpan<byte> line) => line;

    [Sink(Default = "console")]
    public static partial void DistinctOut(ReadOnlySpan<byte> line, long count);

    public static int Minus(int a, int b) => a - b;
}

/// <summary>Windows of 4s sliding by 2s and of 30s sliding by 15s, declared at 1s: a run-time interval must divide them all.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class IntervalChecked
{
    [Source]
    public static partial Lines Input();

    [CountByWindow(Length = "4s", Slide = "2s")]
    public static partial long Short(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void ShortOut(long count);

    [Map(Input = nameof(Input))]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => new(line, 1);

    [ReduceByKeyAndWindow(Length = "30s", Slide = "15s")]
    public static long PerKey(long a, long b) => a + b;

    [Sink]
    public static partial void PerKeyOut(ReadOnlySpan<byte> key, long count);
}

/// <summary>
/// The keyed windows of <see cref="RandomWindows"/> alone (their sinks receive keys, not whole windows of records),
/// for inputs of thousands of keys.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ManyKeyWindows
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => RandomWindows.Pair(line);

    [ReduceByKeyAndWindow(Length = "4s", Slide = "2s")]
    public static long MergedL4S2(long a, long b) => a + b;

    [Sink]
    public static partial void MergedL4S2Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "2s", Slide = "3s")]
    public static long MergedL2S3(long a, long b) => a + b;

    [Sink]
    public static partial void MergedL2S3Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "3s", Inverse = nameof(Subtract))]
    public static long InverseL3S1(long a, long b) => a + b;

    [Sink]
    public static partial void InverseL3S1Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "4s", Slide = "2s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long FilteredL4S2(long a, long b) => a + b;

    [Sink]
    public static partial void FilteredL4S2Out(ReadOnlySpan<byte> key, long value);

    [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "2s", Slide = "3s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long FilteredL2S3(long a, long b) => a + b;

    [Sink]
    public static partial void FilteredL2S3Out(ReadOnlySpan<byte> key, long value);

    [CountByValueAndWindow(Input = nameof(Input), Length = "3s")]
    public static ReadOnlySpan<byte> KeysL3S1(ReadOnlySpan<byte> line) => line[..line.IndexOf((byte)' ')];

    [Sink]
    public static partial void KeysL3S1Out(ReadOnlySpan<byte> key, long count);

    [Map(Input = nameof(Pair))]
    public static (int Key, long Value) Numbered(ReadOnlySpan<byte> key, long value) => (RandomWindows.StructKey(key), value);

    [ReduceByKeyAndWindow(Length = "5s", Slide = "2s", Inverse = nameof(Subtract), Filter = nameof(StructNonZero))]
    public static long StructFilteredL5S2(long a, long b) => a + b;

    [Sink]
    public static partial void StructFilteredL5S2Out((int Key, long Value) pair);

    [Window(Input = nameof(Pair), Length = "4s", Slide = "2s")]
    public static partial KeyValue<long> Inner(KeyValue<long> pair);

    [ReduceByKeyAndWindow(Length = "8s", Slide = "2s", Inverse = nameof(Subtract), Filter = nameof(NonZero))]
    public static long OuterFilteredL8S2(long a, long b) => a + b;

    [Sink]
    public static partial void OuterFilteredL8S2Out(ReadOnlySpan<byte> key, long value);

    public static long Subtract(long a, long b) => a - b;

    public static bool NonZero(ReadOnlySpan<byte> key, long value) => value != 0;

    public static bool StructNonZero((int Key, long Value) pair) => pair.Value != 0;
}

/// <summary>
/// Windowed stages over other record shapes and signature forms: a typed tuple source keyed as it is, a reduce of
/// tuples, a filter that takes the record whole, a sink that takes the keyed record whole, a window of a per-batch
/// count, a window as long as a batch, a window whose slide is left to default below another window, at 500ms.
/// </summary>
[Pipeline(BatchInterval = "500ms")]
public static partial class WindowShapes
{
    [Source]
    public static partial Lines<(int Customer, long Cents)> Orders();

    // Keyed by the tuple's first field, without a map.
    [ReduceByKeyAndWindow(Length = "1500ms", Slide = "1s", Inverse = nameof(Minus), Filter = nameof(Positive))]
    public static long Spent(long a, long b) => a + b;

    [Sink]
    public static partial void SpentOut((int Customer, long Cents) total);

    [ReduceByWindow(Input = nameof(Orders), Length = "1s", Inverse = nameof(Retract))]
    public static (int Customer, long Cents) Totals((int Customer, long Cents) a, (int Customer, long Cents) b) => (a.Customer + b.Customer, a.Cents + b.Cents);

    [Sink]
    public static partial void TotalsOut((int Customers, long Cents) total);

    [CountByValue(Input = nameof(Orders))]
    public static int Customer(int customer, long cents) => customer;

    [Window(Length = "1s")]
    public static partial (int, long) RecentCounts((int, long) count);

    [Sink]
    public static partial void RecentCountsOut((int Customer, long Orders) count);

    [Window(Input = nameof(Orders), Length = "500ms")]
    public static partial (int Customer, long Cents) Same((int Customer, long Cents) order);

    [Sink]
    public static partial void SameOut((int Customer, long Cents) order);

    [Map(Input = nameof(Orders))]
    public static KeyValue<long> Named(int customer, long cents) => new(customer switch { 1 => "one"u8, 2 => "two"u8, _ => "many"u8 }, cents);

    [Window(Length = "1s", Slide = "1s")]
    public static partial KeyValue<long> Tumbling(KeyValue<long> pair);

    [Sink]
    public static partial void TumblingOut(KeyValue<long> pair);

    // Slide left out: the slide of its input, the tumbling window's 1s.
    [Window(Length = "2s")]
    public static partial KeyValue<long> Sliding(KeyValue<long> pair);

    [Sink]
    public static partial void SlidingOut(ReadOnlySpan<byte> name, long cents);

    [ReduceByKeyAndWindow(Input = nameof(Named), Length = "1s", Inverse = nameof(Minus), Filter = nameof(NonZero))]
    public static long ByName(long a, long b) => a + b;

    [Sink]
    public static partial void ByNameOut(KeyValue<long> pair);

    public static long Minus(long a, long b) => a - b;

    public static (int Customer, long Cents) Retract((int Customer, long Cents) a, (int Customer, long Cents) b) => (a.Customer - b.Customer, a.Cents - b.Cents);

    public static bool Positive(int customer, long cents) => cents > 0;

    // A filter that takes the keyed record whole.
    public static bool NonZero(KeyValue<long> pair) => pair.Value != 0;
}
