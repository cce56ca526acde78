using System.Globalization;
using System.Text;

namespace Compiled.Tests.Batches;

// The pipelines the per-batch tests drive. Each is small and exercises a few stages; the two-stream ones read
// both streams from branches of one source, as a single-source pipeline must.

/// <summary>[Count] and [Reduce] over numbers, on the whole stream and on a filtered branch.</summary>
[Pipeline]
public static partial class CountAndReduce
{
    [Source]
    public static partial Lines<int> Input();

    [Count]
    public static partial long Counted(int number);

    [Sink]
    public static partial void Count(long count);

    [Reduce(Input = nameof(Input))]
    public static int Sum(int a, int b) => a + b;

    [Sink]
    public static partial void Total(int sum);

    [Filter(Input = nameof(Input))]
    public static bool IsEven(int number) => number % 2 == 0;

    [Count]
    public static partial long EvensCounted(int number);

    [Sink]
    public static partial void EvenCount(long count);

    [Reduce(Input = nameof(IsEven))]
    public static int Largest(int a, int b) => Math.Max(a, b);

    [Sink]
    public static partial void LargestEven(int largest);
}

/// <summary>[Reduce] with a function that is neither commutative nor associative, to see the order it folds in.</summary>
[Pipeline]
public static partial class FoldWords
{
    [Source]
    public static partial Lines<string> Input();

    [Reduce]
    public static string Concat(string a, string b) => "(" + a + "+" + b + ")";

    [Sink]
    public static partial void Folded(string folded);
}

/// <summary>A finite struct enumerable: <c>Count</c> values from <c>Start</c>, <c>Step</c> apart (no allocation per record).</summary>
public readonly struct Steps(int start, int step, int count)
{
    public Enumerator GetEnumerator() => new(start, step, count);

    public struct Enumerator(int start, int step, int count)
    {
        private int _index = -1;

        public readonly int Current => start + (_index * step);

        public bool MoveNext() => ++_index < count;
    }
}

/// <summary>Keyed stages over byte-span keys: lines "key value", the key being everything before the last space.</summary>
[Pipeline]
public static partial class ByteKeyed
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> Pair(ReadOnlySpan<byte> line)
    {
        int space = line.LastIndexOf((byte)' ');
        return new(line[..space], int.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
    }

    [MapValues]
    public static long Times3(int value) => value * 3L;

    [Sink]
    public static partial void Tripled(KeyValue<long> pair);

    // value % 3 values (none for a multiple of 3): value, value + 100, ...
    [FlatMapValues(Input = nameof(Pair))]
    public static Steps Expand(int value) => new(value, 100, value % 3);

    [Sink]
    public static partial void Expanded(KeyValue<int> pair);

    [GroupByKey(Input = nameof(Pair))]
    public static partial Grouped<int> Groups(ReadOnlySpan<byte> key, int value);

    [Sink]
    public static partial void Groupings(Grouped<int> group);

    // Spark's groupByKey().count(): the number of distinct keys of the batch.
    [Count(Input = nameof(Groups))]
    public static partial long GroupsCounted(Grouped<int> group);

    [Sink]
    public static partial void KeyCount(long keys);

    [CombineByKey(Input = nameof(Pair), MergeValue = nameof(AddValue), MergeCombiners = nameof(MergeStats))]
    public static (int First, int Last, int Count, long Sum) Stats(int value) => (value, value, 1, value);

    public static (int First, int Last, int Count, long Sum) AddValue((int First, int Last, int Count, long Sum) stats, int value) =>
        (stats.First, value, stats.Count + 1, stats.Sum + value);

    public static (int First, int Last, int Count, long Sum) MergeStats((int First, int Last, int Count, long Sum) a, (int First, int Last, int Count, long Sum) b) =>
        (a.First, b.Last, a.Count + b.Count, a.Sum + b.Sum);

    [Sink]
    public static partial void Combined(KeyValue<(int First, int Last, int Count, long Sum)> stats);

    // Spark's "mapValues" and "flatMapValues" cases: after a reduceByKey.
    [ReduceByKey(Input = nameof(Pair))]
    public static int Add(int a, int b) => a + b;

    [MapValues]
    public static int Plus10(int value) => value + 10;

    [Sink]
    public static partial void SumsPlus10(KeyValue<int> pair);

    [FlatMapValues(Input = nameof(Add))]
    public static Steps AndPlus10(int value) => new(value, 10, 2);

    [Sink]
    public static partial void SumsAndPlus10(KeyValue<int> pair);
}

/// <summary>Keyed stages over struct keys: typed lines "key,value".</summary>
[Pipeline]
public static partial class StructKeyed
{
    [Source]
    public static partial Lines<(int Key, int Value)> Input();

    [MapValues]
    public static long Times3(int value) => value * 3L;

    [Sink]
    public static partial void Tripled((int Key, long Value) pair);

    [FlatMapValues(Input = nameof(Input))]
    public static Steps Expand(int value) => new(value, 100, value % 3);

    [Sink]
    public static partial void Expanded((int Key, int Value) pair);

    [GroupByKey(Input = nameof(Input))]
    public static partial Grouped<int, int> Groups(int key, int value);

    [Sink]
    public static partial void Groupings(Grouped<int, int> group);

    [CombineByKey(Input = nameof(Input), MergeValue = nameof(AddValue), MergeCombiners = nameof(MergeStats))]
    public static (int First, int Last, int Count, long Sum) Stats(int value) => (value, value, 1, value);

    public static (int First, int Last, int Count, long Sum) AddValue((int First, int Last, int Count, long Sum) stats, int value) =>
        (stats.First, value, stats.Count + 1, stats.Sum + value);

    public static (int First, int Last, int Count, long Sum) MergeStats((int First, int Last, int Count, long Sum) a, (int First, int Last, int Count, long Sum) b) =>
        (a.First, b.Last, a.Count + b.Count, a.Sum + b.Sum);

    [Sink]
    public static partial void Combined((int Key, (int First, int Last, int Count, long Sum) Stats) stats);
}

/// <summary>A struct key of one's own.</summary>
public readonly record struct Sku(int Id, char Grade);

/// <summary>Grouping and joining by a struct key of one's own: typed lines "side,id,grade,value".</summary>
[Pipeline]
public static partial class SkuKeyed
{
    [Source]
    public static partial Lines<(string Side, int Id, char Grade, int Value)> Input();

    [Map]
    public static (Sku Sku, int Value) All((string Side, int Id, char Grade, int Value) line) => (new Sku(line.Id, line.Grade), line.Value);

    [GroupByKey]
    public static partial Grouped<Sku, int> Groups(Sku sku, int value);

    [Sink]
    public static partial void Groupings(Grouped<Sku, int> group);

    [Filter(Input = nameof(Input))]
    public static bool IsLeft((string Side, int Id, char Grade, int Value) line) => line.Side == "L";

    [Map]
    public static (Sku Sku, int Value) Left((string Side, int Id, char Grade, int Value) line) => (new Sku(line.Id, line.Grade), line.Value);

    [Filter(Input = nameof(Input))]
    public static bool IsRight((string Side, int Id, char Grade, int Value) line) => line.Side == "R";

    [Map]
    public static (Sku Sku, int Value) Right((string Side, int Id, char Grade, int Value) line) => (new Sku(line.Id, line.Grade), line.Value);

    [Join(Input = nameof(Left), Other = nameof(Right))]
    public static (Sku Sku, int Left, int Right) Joined(Sku sku, int left, int right) => (sku, left, right);

    [Sink]
    public static partial void Joins((Sku Sku, int Left, int Right) joined);
}

/// <summary>[Transform] and [ForEachBatch]: whole batches in, batches out.</summary>
[Pipeline]
public static partial class Transforms
{
    [Source]
    public static partial Lines<int> Input();

    // Spark's "transform" case: rdd.map(_.toString).
    [Transform]
    public static void AsText(ReadOnlySpan<int> numbers, RecordBuffer<string> output)
    {
        foreach (int number in numbers)
        {
            output.Add(number.ToString(CultureInfo.InvariantCulture));
        }
    }

    [Sink]
    public static partial void Texts(string text);

    // The batch reversed, then the number of records it had: so even an empty batch gives a record.
    [Transform(Input = nameof(Input))]
    public static void ReversedThenSize(ReadOnlySpan<int> numbers, RecordBuffer<int> output)
    {
        for (int i = numbers.Length - 1; i >= 0; i--)
        {
            output.Add(numbers[i]);
        }

        output.Add(-numbers.Length);
    }

    [Sink]
    public static partial void Reversed(int number);

    // The transform's output flows on: a per-record stage, and the batch stages below.
    [Map(Input = nameof(ReversedThenSize))]
    public static int Doubled(int number) => number * 2;

    [Sink]
    public static partial void DoubledReversed(int number);

    [Count(Input = nameof(ReversedThenSize))]
    public static partial long ReversedCounted(int number);

    [Sink]
    public static partial void ReversedCount(long count);

    [Map(Input = nameof(ReversedThenSize))]
    public static (int Sign, int Number) BySign(int number) => (Math.Sign(number), number);

    [GroupByKey]
    public static partial Grouped<int, int> SignGroups(int sign, int number);

    [Sink]
    public static partial void PerSign(Grouped<int, int> group);

    [ForEachBatch(Input = nameof(Input))]
    public static void Observe(ReadOnlySpan<int> numbers, long batchTime) => (Observed ??= []).Add((batchTime, numbers.ToArray()));

    [ForEachBatch(Input = nameof(ReversedThenSize))]
    public static void ObserveReversed(ReadOnlySpan<int> numbers, long batchTime) => (ObservedReversed ??= []).Add((batchTime, numbers.ToArray()));

    // A test drives its pipeline on its own thread, so each test sees only its own calls.
    [ThreadStatic]
    public static List<(long Time, int[] Records)>? Observed;

    [ThreadStatic]
    public static List<(long Time, int[] Records)>? ObservedReversed;
}

/// <summary>A join over byte keys for the allocation test: lines "L key value" and "R key value".</summary>
[Pipeline]
public static partial class JoinBytesForAllocation
{
    [Source]
    public static partial Lines Input();

    [Filter]
    public static bool IsLeft(ReadOnlySpan<byte> line) => line[0] == (byte)'L';

    [Map]
    public static KeyValue<int> Left(ReadOnlySpan<byte> line) => Parse(line);

    [Filter(Input = nameof(Input))]
    public static bool IsRight(ReadOnlySpan<byte> line) => line[0] == (byte)'R';

    [Map]
    public static KeyValue<int> Right(ReadOnlySpan<byte> line) => Parse(line);

    [Join(Input = nameof(Left), Other = nameof(Right))]
    public static KeyValue<long> Product(ReadOnlySpan<byte> key, int left, int right) => new(key, (long)left * right);

    [Sink]
    public static partial void Products(KeyValue<long> product);

    private static KeyValue<int> Parse(ReadOnlySpan<byte> line)
    {
        int space = line.LastIndexOf((byte)' ');
        return new(line[2..space], int.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
    }
}

/// <summary>A join over struct keys for the allocation test: typed lines "side,key,value", side 0 left and 1 right.</summary>
[Pipeline]
public static partial class JoinStructsForAllocation
{
    [Source]
    public static partial Lines<(int Side, int Key, int Value)> Input();

    [Filter]
    public static bool IsLeft((int Side, int Key, int Value) line) => line.Side == 0;

    [Map]
    public static (int Key, int Value) Left((int Side, int Key, int Value) line) => (line.Key, line.Value);

    [Filter(Input = nameof(Input))]
    public static bool IsRight((int Side, int Key, int Value) line) => line.Side == 1;

    [Map]
    public static (int Key, int Value) Right((int Side, int Key, int Value) line) => (line.Key, line.Value);

    [Join(Input = nameof(Left), Other = nameof(Right))]
    public static (int Key, long Product) Product(int key, int left, int right) => (key, (long)left * right);

    [Sink]
    public static partial void Products((int Key, long Product) product);
}

/// <summary>[GroupByKey] over byte keys for the allocation test: lines "key value".</summary>
[Pipeline]
public static partial class GroupBytesForAllocation
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> Pair(ReadOnlySpan<byte> line)
    {
        int space = line.LastIndexOf((byte)' ');
        return new(line[..space], int.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
    }

    [GroupByKey]
    public static partial Grouped<int> Groups(ReadOnlySpan<byte> key, int value);

    [Sink]
    public static partial void Output(Grouped<int> group);
}

/// <summary>[GroupByKey] over struct keys for the allocation test: typed lines "key,value".</summary>
[Pipeline]
public static partial class GroupStructsForAllocation
{
    [Source]
    public static partial Lines<(int Key, int Value)> Input();

    [GroupByKey]
    public static partial Grouped<int, int> Groups(int key, int value);

    [Sink]
    public static partial void Output(Grouped<int, int> group);
}

/// <summary>
/// Batch stages that read batch stages: a join of a reduceByKey's sums with a per-record stream, a groupByKey of
/// the join, a union of the sums with the per-record stream, a transform of a cogroup. Lines "side,key,value".
/// </summary>
[Pipeline]
public static partial class Composed
{
    [Source]
    public static partial Lines<(string Side, int Key, int Value)> Input();

    [Filter]
    public static bool IsLeft((string Side, int Key, int Value) line) => line.Side == "L";

    [Map]
    public static (int Key, int Value) Left((string Side, int Key, int Value) line) => (line.Key, line.Value);

    [Filter(Input = nameof(Input))]
    public static bool IsRight((string Side, int Key, int Value) line) => line.Side == "R";

    [Map]
    public static (int Key, int Value) Right((string Side, int Key, int Value) line) => (line.Key, line.Value);

    [ReduceByKey(Input = nameof(Left))]
    public static int LeftSums(int a, int b) => a + b;

    [Join(Input = nameof(LeftSums), Other = nameof(Right))]
    public static (int Key, int Value) SumTimesRight(int key, int sum, int right) => (key, sum * right);

    [Sink]
    public static partial void Products((int Key, int Value) product);

    [GroupByKey(Input = nameof(SumTimesRight))]
    public static partial Grouped<int, int> ProductGroups(int key, int product);

    [Sink]
    public static partial void ProductsPerKey(Grouped<int, int> group);

    [Union(Input = nameof(LeftSums), Other = nameof(Right))]
    public static partial (int Key, int Value) SumsAndRights((int Key, int Value) record);

    [Sink]
    public static partial void SumsThenRights((int Key, int Value) record);

    [CombineByKey(Input = nameof(SumsAndRights), MergeValue = nameof(AddOne), MergeCombiners = nameof(AddCounts))]
    public static int One(int value) => 1;

    public static int AddOne(int count, int value) => count + 1;

    public static int AddCounts(int a, int b) => a + b;

    [Sink]
    public static partial void RecordsPerKey((int Key, int Count) count);

    [Cogroup(Input = nameof(Left), Other = nameof(Right))]
    public static (int Key, int Sizes) Sizes(int key, ReadOnlySpan<int> left, ReadOnlySpan<int> right) => (key, (left.Length * 100) + right.Length);

    [Transform]
    public static void ByKey(ReadOnlySpan<(int Key, int Sizes)> cogroups, RecordBuffer<(int Key, int Sizes)> output)
    {
        foreach (var cogroup in cogroups.ToArray().OrderBy(c => c.Key))
        {
            output.Add(cogroup);
        }
    }

    [Sink]
    public static partial void SizesByKey((int Key, int Sizes) sizes);
}

/// <summary>
/// Batch stages over tumbling windows of 2 batches (Spark's <c>window(2s, 2s)</c> then reduce, groupByKey, join,
/// union): they emit at the window's slide, over the window's records. Typed lines "key,value".
/// </summary>
[Pipeline]
public static partial class Windowed
{
    [Source]
    public static partial Lines<(int Key, int Value)> Input();

    [Window(Length = "2s", Slide = "2s")]
    public static partial (int Key, int Value) Recent((int Key, int Value) record);

    [Reduce]
    public static (int Key, int Value) Last((int Key, int Value) a, (int Key, int Value) b) => b;

    [Sink]
    public static partial void RecentLast((int Key, int Value) last);

    [GroupByKey(Input = nameof(Recent))]
    public static partial Grouped<int, int> RecentGroups(int key, int value);

    [Sink]
    public static partial void RecentGrouped(Grouped<int, int> group);

    [Map(Input = nameof(Input))]
    public static (int Key, int Value) Negated((int Key, int Value) record) => (record.Key, -record.Value);

    [Window(Length = "2s", Slide = "2s")]
    public static partial (int Key, int Value) RecentNegated((int Key, int Value) record);

    [Join(Input = nameof(Recent), Other = nameof(RecentNegated))]
    public static (int Key, int Left, int Right) WindowJoined(int key, int left, int right) => (key, left, right);

    [Sink]
    public static partial void WindowJoins((int Key, int Left, int Right) joined);

    [Union(Input = nameof(Recent), Other = nameof(RecentNegated))]
    public static partial (int Key, int Value) BothWindows((int Key, int Value) record);

    [Sink]
    public static partial void WindowUnion((int Key, int Value) record);
}

/// <summary>[Count] over byte lines and over keyed byte records; [GroupByKey] and [Join] with reference-type values.</summary>
[Pipeline]
public static partial class ByteCounts
{
    [Source]
    public static partial Lines Input();

    [Count]
    public static partial long LinesCounted(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void LineCount(long lines);

    [FlatMap(Input = nameof(Input))]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [Count]
    public static partial long PairsCounted(KeyValue<long> pair);

    [Sink]
    public static partial void PairCount(long pairs);

    // "number name" pairs: names (strings) grouped, and joined with themselves, per number.
    [Map(Input = nameof(Input))]
    public static (int Number, string Name) Named(ReadOnlySpan<byte> line)
    {
        // A line that is not "number name" goes under -1.
        int space = line.IndexOf((byte)' ');
        return space > 0 && int.TryParse(line[..space], CultureInfo.InvariantCulture, out int number)
            ? (number, Encoding.UTF8.GetString(line[(space + 1)..]))
            : (-1, Encoding.UTF8.GetString(line));
    }

    [GroupByKey]
    public static partial Grouped<int, string> NamesPerNumber(int number, string name);

    [Sink]
    public static partial void NameGroups(Grouped<int, string> group);

    [Join(Input = nameof(Named), Other = nameof(Named))]
    public static (int Number, string First, string Second) NamePairs(int number, string first, string second) => (number, first, second);

    [Sink]
    public static partial void PairsOfNames((int Number, string First, string Second) pair);
}

/// <summary>[Union] of two branches of one source above a sink, for the allocation test: the second branch's byte lines are kept for the batch boundary.</summary>
[Pipeline]
public static partial class UnionBytesForAllocation
{
    [Source]
    public static partial Lines Input();

    [Filter]
    public static bool IsLeft(ReadOnlySpan<byte> line) => line.StartsWith("L "u8);

    [Filter(Input = nameof(Input))]
    public static bool IsRight(ReadOnlySpan<byte> line) => !line.StartsWith("L "u8);

    [Union(Input = nameof(IsLeft), Other = nameof(IsRight))]
    public static partial ReadOnlySpan<byte> Both(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> line);
}
