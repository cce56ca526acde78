using System.Globalization;
using System.Text;

namespace Compiled.Tests.Batches;

// The two-stream pipelines the per-batch tests drive (joins, cogroups, unions); each reads both streams from branches
// of one source, as a single-source pipeline must.

/// <summary>
/// The two-stream stages over struct keys, both streams branches of one source of "side,key,value" lines:
/// side L is the left (Input) stream, side R the right (Other) one.
/// </summary>
[Pipeline]
public static partial class TwoStreams
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

    [Join(Input = nameof(Left), Other = nameof(Right))]
    public static (int Key, int Left, int Right) Joined(int key, int left, int right) => (key, left, right);

    [Sink]
    public static partial void Joins((int Key, int Left, int Right) joined);

    [LeftOuterJoin(Input = nameof(Left), Other = nameof(Right))]
    public static (int Key, int Left, int? Right) LeftJoined(int key, int left, int? right) => (key, left, right);

    [Sink]
    public static partial void LeftJoins((int Key, int Left, int? Right) joined);

    [RightOuterJoin(Input = nameof(Left), Other = nameof(Right))]
    public static (int Key, int? Left, int Right) RightJoined(int key, int? left, int right) => (key, left, right);

    [Sink]
    public static partial void RightJoins((int Key, int? Left, int Right) joined);

    [FullOuterJoin(Input = nameof(Left), Other = nameof(Right))]
    public static (int Key, int? Left, int? Right) FullJoined(int key, int? left, int? right) => (key, left, right);

    [Sink]
    public static partial void FullJoins((int Key, int? Left, int? Right) joined);

    [Cogroup(Input = nameof(Left), Other = nameof(Right))]
    public static (int Key, string Left, string Right) Cogrouped(int key, ReadOnlySpan<int> left, ReadOnlySpan<int> right) =>
        (key, string.Join(",", left.ToArray()), string.Join(",", right.ToArray()));

    [Sink]
    public static partial void Cogroups((int Key, string Left, string Right) cogroup);

    [Union(Input = nameof(Left), Other = nameof(Right))]
    public static partial (int Key, int Value) Both((int Key, int Value) record);

    [Sink]
    public static partial void Unioned((int Key, int Value) record);

    [Count(Input = nameof(Joined))]
    public static partial long JoinsCounted((int Key, int Left, int Right) joined);

    [Sink]
    public static partial void JoinCount(long count);

    [Map(Input = nameof(Joined))]
    public static long Product((int Key, int Left, int Right) joined) => (long)joined.Left * joined.Right;

    [Reduce]
    public static long SumOfProducts(long a, long b) => a + b;

    [Sink]
    public static partial void JoinProductSum(long sum);

    // Every record of both sides as the function saw them, tagged with its side, in the order seen.
    [TransformWith(Input = nameof(Left), Other = nameof(Right))]
    public static void Tagged(ReadOnlySpan<(int Key, int Value)> left, ReadOnlySpan<(int Key, int Value)> right, RecordBuffer<(char Side, int Key, int Value)> output)
    {
        foreach (var record in left)
        {
            output.Add(('L', record.Key, record.Value));
        }

        foreach (var record in right)
        {
            output.Add(('R', record.Key, record.Value));
        }
    }

    // The transformWith's output flows on: through a map, and into a keyed stage.
    [Map]
    public static string Describe((char Side, int Key, int Value) record) => $"{record.Side}{record.Key}={record.Value}";

    [Sink]
    public static partial void TaggedRecords(string record);

    [Map(Input = nameof(Tagged))]
    public static (char Side, int Count) One((char Side, int Key, int Value) record) => (record.Side, 1);

    [ReduceByKey]
    public static int CountPerSide(int a, int b) => a + b;

    [Sink]
    public static partial void PerSide((char Side, int Count) count);
}

/// <summary>
/// The two-stream stages over byte-span keys: lines "L key value" (left, an int) and "R key c" (right, a char),
/// the key being everything between the side and the last space (possibly empty).
/// </summary>
[Pipeline]
public static partial class TwoByteStreams
{
    [Source]
    public static partial Lines Input();

    [Filter]
    public static bool IsLeft(ReadOnlySpan<byte> line) => line[0] == (byte)'L';

    [Map]
    public static KeyValue<int> Left(ReadOnlySpan<byte> line)
    {
        int space = line.LastIndexOf((byte)' ');
        return new(line[2..space], int.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
    }

    [Filter(Input = nameof(Input))]
    public static bool IsRight(ReadOnlySpan<byte> line) => line[0] == (byte)'R';

    [Map]
    public static KeyValue<char> Right(ReadOnlySpan<byte> line)
    {
        int space = line.LastIndexOf((byte)' ');
        return new(line[2..space], (char)line[space + 1]);
    }

    [Join(Input = nameof(Left), Other = nameof(Right))]
    public static KeyValue<(int Left, char Right)> Joined(ReadOnlySpan<byte> key, int left, char right) => new(key, (left, right));

    [Sink]
    public static partial void Joins(KeyValue<(int Left, char Right)> joined);

    [LeftOuterJoin(Input = nameof(Left), Other = nameof(Right))]
    public static KeyValue<(int Left, char? Right)> LeftJoined(ReadOnlySpan<byte> key, int left, char? right) => new(key, (left, right));

    [Sink]
    public static partial void LeftJoins(KeyValue<(int Left, char? Right)> joined);

    [RightOuterJoin(Input = nameof(Left), Other = nameof(Right))]
    public static KeyValue<(int? Left, char Right)> RightJoined(ReadOnlySpan<byte> key, int? left, char right) => new(key, (left, right));

    [Sink]
    public static partial void RightJoins(KeyValue<(int? Left, char Right)> joined);

    [FullOuterJoin(Input = nameof(Left), Other = nameof(Right))]
    public static KeyValue<(int? Left, char? Right)> FullJoined(ReadOnlySpan<byte> key, int? left, char? right) => new(key, (left, right));

    [Sink]
    public static partial void FullJoins(KeyValue<(int? Left, char? Right)> joined);

    [Cogroup(Input = nameof(Left), Other = nameof(Right))]
    public static KeyValue<(string Left, string Right)> Cogrouped(ReadOnlySpan<byte> key, ReadOnlySpan<int> left, ReadOnlySpan<char> right) =>
        new(key, (string.Join(",", left.ToArray()), new string(right)));

    [Sink]
    public static partial void Cogroups(KeyValue<(string Left, string Right)> cogroup);

    // Spark's "transformWith" case: the two streams as (string, value) records, joined inside the function.
    [Map(Input = nameof(Left))]
    public static (string Key, int Value) LeftRecord(KeyValue<int> pair) => (Encoding.UTF8.GetString(pair.Key), pair.Value);

    [Map(Input = nameof(Right))]
    public static (string Key, char Value) RightRecord(KeyValue<char> pair) => (Encoding.UTF8.GetString(pair.Key), pair.Value);

    [TransformWith(Input = nameof(LeftRecord), Other = nameof(RightRecord))]
    public static void JoinInside(ReadOnlySpan<(string Key, int Value)> left, ReadOnlySpan<(string Key, char Value)> right, RecordBuffer<(string Key, (int, char) Value)> output)
    {
        foreach (var l in left)
        {
            foreach (var r in right)
            {
                if (l.Key == r.Key)
                {
                    output.Add((l.Key, (l.Value, r.Value)));
                }
            }
        }
    }

    [Sink]
    public static partial void JoinedInside((string Key, (int, char) Value) joined);
}

/// <summary>Two-stream stages that read one stream twice, and Spark's "union" case, over typed lines "key,value".</summary>
[Pipeline]
public static partial class SelfStreams
{
    [Source]
    public static partial Lines<(int Key, int Value)> Input();

    [Union(Input = nameof(Input), Other = nameof(Input))]
    public static partial (int Key, int Value) Twice((int Key, int Value) record);

    [Sink]
    public static partial void Doubled((int Key, int Value) record);

    [Join(Input = nameof(Input), Other = nameof(Input))]
    public static (int Key, int Left, int Right) SelfJoined(int key, int left, int right) => (key, left, right);

    [Sink]
    public static partial void SelfJoins((int Key, int Left, int Right) joined);

    [Cogroup(Input = nameof(Input), Other = nameof(Input))]
    public static (int Key, string Left, string Right) SelfCogrouped(int key, ReadOnlySpan<int> left, ReadOnlySpan<int> right) =>
        (key, string.Join(",", left.ToArray()), string.Join(",", right.ToArray()));

    [Sink]
    public static partial void SelfCogroups((int Key, string Left, string Right) cogroup);
}

/// <summary>Spark's "union" case, s.union(s.map(_ + 4)), and a union whose branches are filters of the source.</summary>
[Pipeline]
public static partial class UnionNumbers
{
    [Source]
    public static partial Lines<int> Input();

    [Map]
    public static int Plus4(int number) => number + 4;

    [Union(Input = nameof(Input), Other = nameof(Plus4))]
    public static partial int Together(int number);

    [Sink]
    public static partial void Unioned(int number);

    [Filter(Input = nameof(Input))]
    public static bool IsSmall(int number) => number < 10;

    [Filter(Input = nameof(Input))]
    public static bool IsOdd(int number) => number % 2 != 0;

    // A number both small and odd comes through both branches, so twice.
    [Union(Input = nameof(IsSmall), Other = nameof(IsOdd))]
    public static partial int SmallOrOdd(int number);

    [Sink]
    public static partial void SmallOrOddNumbers(int number);

    [Count(Input = nameof(SmallOrOdd))]
    public static partial long SmallOrOddCounted(int number);

    [Sink]
    public static partial void SmallOrOddCount(long count);
}
