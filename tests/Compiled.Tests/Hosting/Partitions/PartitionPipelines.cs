namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// Every partial that partitions merge, from one source's loop: the words counted by their length ([CountByValue] on a
/// struct key), the lines counted ([Count]), and the longest word ([Reduce]); the word count is <c>WordCountPipeline</c>.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordStatistics
{
    [Source]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line);

    [CountByValue]
    public static int Length(ReadOnlySpan<byte> word) => word.Length;

    [Sink]
    public static partial void LengthCounts(int length, long count);

    [Count(Input = nameof(Input))]
    public static partial long LineTotal(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void LineTotals(long count);

    [Map(Input = nameof(Words))]
    public static int WordLength(ReadOnlySpan<byte> word) => word.Length;

    [Reduce]
    public static int Longest(int a, int b) => Math.Max(a, b);

    [Sink]
    public static partial void LongestWords(int length);
}

/// <summary>
/// [CombineByKey] on partitions: per first letter, the count of its words and the sum and longest of their lengths;
/// the partitions' combiners are merged with MergeCombiners at the boundary.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class LetterStatistics
{
    [Source]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line);

    [Map]
    public static KeyValue<int> ByLetter(ReadOnlySpan<byte> word) => new(word[..1], word.Length);

    [CombineByKey(MergeValue = nameof(AddLength), MergeCombiners = nameof(MergeStats))]
    public static (int Count, long Sum, int Longest) Stats(int length) => (1, length, length);

    public static (int Count, long Sum, int Longest) AddLength((int Count, long Sum, int Longest) stats, int length) =>
        (stats.Count + 1, stats.Sum + length, Math.Max(stats.Longest, length));

    public static (int Count, long Sum, int Longest) MergeStats((int Count, long Sum, int Longest) a, (int Count, long Sum, int Longest) b) =>
        (a.Count + b.Count, a.Sum + b.Sum, Math.Max(a.Longest, b.Longest));

    [Sink]
    public static partial void Combined(KeyValue<(int Count, long Sum, int Longest)> stats);
}

/// <summary>
/// Values per key that partitions collect and append to the job's in the input's order: each word's lines grouped
/// ([GroupByKey], the line numbers' order kept), and a state per word ([UpdateStateByKey]) that depends on the order of
/// its values (the count, and a hash folded over the line lengths in order), updated once at the boundary.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordOrders
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> FirstWord(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        ReadOnlySpan<byte> word = space < 0 ? line : line[..space];
        return new(word.Length > 0 ? word : "-"u8, line.Length);
    }

    [GroupByKey]
    public static partial Grouped<int> Lengths(ReadOnlySpan<byte> word, int length);

    [Map]
    public static KeyValue<long> Folded(Grouped<int> lengths)
    {
        long hash = 17;
        foreach (int length in lengths.Values)
        {
            hash = (hash * 31) + length;
        }

        return new(lengths.Key, hash);
    }

    [Sink]
    public static partial void Groups(KeyValue<long> folded);

    [UpdateStateByKey(Input = nameof(FirstWord))]
    public static (long Count, long Hash)? Running(ReadOnlySpan<int> lengths, (long Count, long Hash)? state)
    {
        (long count, long hash) = state ?? (0, 17);
        foreach (int length in lengths)
        {
            count++;
            hash = (hash * 31) + length;
        }

        return (count, hash);
    }

    [Sink]
    public static partial void States(KeyValue<(long Count, long Hash)> state);
}

/// <summary>
/// A state per id ([UpdateStateByKey] of struct keys) that depends on the order of its values: the count, and a hash
/// folded over the values in order; the job's store updates its keys side by side on N partitions.
/// </summary>
[Pipeline(BatchInterval = "10m")]
public static partial class IdStates
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static (long Id, int Value) Parse(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        return (long.Parse(line[..space], System.Globalization.CultureInfo.InvariantCulture), int.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [UpdateStateByKey]
    public static (long Count, long Hash)? Running(ReadOnlySpan<int> values, (long Count, long Hash)? state)
    {
        (long count, long hash) = state ?? (0, 17);
        foreach (int value in values)
        {
            count++;
            hash = (hash * 31) + value;
        }

        return (count, hash);
    }

    [Sink]
    public static partial void States(long id, (long Count, long Hash) state);
}

/// <summary>
/// Every kind of window fed per record, whose batch parts partitions collect and merge into the job's windows at the
/// boundary: words summed per key (merged and incremental), word lengths counted per value, the longest word, the words
/// counted, and the lines of the window, typed and as bytes, in the input's order.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WindowStatistics
{
    [Source]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line);

    [Map]
    public static KeyValue<long> One(ReadOnlySpan<byte> word) => new(word, 1);

    [ReduceByKeyAndWindow(Length = "3s")]
    public static long Merged(long a, long b) => a + b;

    [Sink]
    public static partial void MergedOut(ReadOnlySpan<byte> word, long count);

    [ReduceByKeyAndWindow(Input = nameof(One), Length = "3s", Inverse = nameof(Subtract), Filter = nameof(Seen))]
    public static long Incremental(long a, long b) => a + b;

    public static long Subtract(long a, long b) => a - b;

    public static bool Seen(ReadOnlySpan<byte> word, long count) => count > 0;

    [Sink]
    public static partial void IncrementalOut(ReadOnlySpan<byte> word, long count);

    [Map(Input = nameof(Words))]
    public static int Length(ReadOnlySpan<byte> word) => word.Length;

    [CountByValueAndWindow(Length = "3s")]
    public static int Lengths(int length) => length;

    [Sink]
    public static partial void LengthsOut(int length, long count);

    [ReduceByWindow(Input = nameof(Length), Length = "3s")]
    public static int Longest(int a, int b) => Math.Max(a, b);

    [Sink]
    public static partial void LongestOut(int length);

    [CountByWindow(Input = nameof(Words), Length = "3s")]
    public static partial long WordTotal(ReadOnlySpan<byte> word);

    [Sink]
    public static partial void WordTotalOut(long count);

    [Map(Input = nameof(Input))]
    public static (int Length, int Spaces) Shape(ReadOnlySpan<byte> line) => (line.Length, line.Count((byte)' '));

    [Window(Length = "3s")]
    public static partial (int Length, int Spaces) RecentShapes((int Length, int Spaces) shape);

    [Sink]
    public static partial void RecentShapesOut((int Length, int Spaces) shape);

    [Window(Input = nameof(Input), Length = "3s")]
    public static partial ReadOnlySpan<byte> RecentLines(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void RecentLinesOut(ReadOnlySpan<byte> line);
}

/// <summary>
/// Event time on partitions: "millis user amount" lines, whose times wander back by up to a second; per user, the
/// lines per 10 s window (tumbling), the lines per 10 s window every 2 s (sliding, kept as panes), and the amounts per
/// 10 s window every 5 s (sliding, as a double: a table per window), and the lines per session of a user (a gap of 3 s).
/// Each partition judges lateness by the job's watermark and keeps its own windows and sessions of the batch, which
/// merge into the job's at the boundary.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class UserWindows
{
    [Source]
    public static partial Lines Input();

    [EventTime(Lateness = "2s")]
    public static long At(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')], System.Globalization.CultureInfo.InvariantCulture);

    [Map]
    public static KeyValue<long> User(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> rest = line[(line.IndexOf((byte)' ') + 1)..];
        return new(rest[..rest.IndexOf((byte)' ')], 1);
    }

    [EventWindow(Size = "10s")]
    public static long Tumbling(long a, long b) => a + b;

    [Sink]
    public static partial void TumblingOut(Windowed<long> lines);

    [EventWindow(Input = nameof(User), Size = "10s", Slide = "2s")]
    public static long Sliding(long a, long b) => a + b;

    [Sink]
    public static partial void SlidingOut(Windowed<long> lines);

    [Map(Input = nameof(At))]
    public static KeyValue<double> Amount(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> rest = line[(line.IndexOf((byte)' ') + 1)..];
        int space = rest.IndexOf((byte)' ');
        return new(rest[..space], double.Parse(rest[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [EventWindow(Size = "10s", Slide = "5s")]
    public static double Amounts(double a, double b) => a + b;

    [Sink]
    public static partial void AmountsOut(Windowed<double> amounts);

    [SessionWindow(Input = nameof(User), Gap = "3s")]
    public static long Sessions(long a, long b) => a + b;

    [Sink]
    public static partial void SessionsOut(Windowed<long> lines);
}

/// <summary>
/// Two streams of one source on partitions: the short words and the long words, each as (two of its letters, length);
/// their [Cogroup] per letters, their [Union] counted per (letter, length), and a [TransformWith] that folds each stream of
/// the batch in order. Each partition keeps its own values per key, second-stream records and batch records, appended to
/// the job's in partition order at the boundary.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SplitStreams
{
    [Source]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line);

    [Filter]
    public static bool IsShort(ReadOnlySpan<byte> word) => word.Length <= 5;

    [Map]
    public static (int Letter, int Length) Short(ReadOnlySpan<byte> word) => (Letters(word), word.Length);

    [Filter(Input = nameof(Words))]
    public static bool IsLong(ReadOnlySpan<byte> word) => word.Length > 5;

    [Map]
    public static (int Letter, int Length) Long(ReadOnlySpan<byte> word) => (Letters(word), word.Length * 1000 + word[^1]);

    [Cogroup(Input = nameof(Short), Other = nameof(Long))]
    public static (int Letter, long Shorts, long Longs) Grouped(int letter, ReadOnlySpan<int> shorts, ReadOnlySpan<int> longs) =>
        (letter, Fold(shorts), Fold(longs));

    [Sink]
    public static partial void Groups((int Letter, long Shorts, long Longs) group);

    [Union(Input = nameof(Short), Other = nameof(Long))]
    public static partial (int Letter, int Length) Both((int Letter, int Length) word);

    [CountByValue]
    public static (int Letter, int Length) Counted((int Letter, int Length) word) => word;

    [Sink]
    public static partial void Counts(((int Letter, int Length) Word, long Count) count);

    [TransformWith(Input = nameof(Short), Other = nameof(Long))]
    public static void Digest(ReadOnlySpan<(int Letter, int Length)> shorts, ReadOnlySpan<(int Letter, int Length)> longs, RecordBuffer<(long Shorts, long Longs)> output)
    {
        long a = 17;
        foreach ((int letter, int length) in shorts)
        {
            a = (a * 31) + letter + length;
        }

        long b = 17;
        foreach ((int letter, int length) in longs)
        {
            b = (b * 31) + letter + length;
        }

        output.Add((a, b));
    }

    [Sink]
    public static partial void Digests((long Shorts, long Longs) digest);

    // The word's second and last characters: a hundred keys over the test's words ("w" and a number).
    private static int Letters(ReadOnlySpan<byte> word) => (word[word.Length > 1 ? 1 : 0] * 256) + word[^1];

    private static long Fold(ReadOnlySpan<int> values)
    {
        long hash = 17;
        foreach (int value in values)
        {
            hash = (hash * 31) + value;
        }

        return hash;
    }
}

/// <summary>
/// Two file sources on partitions: orders ("user amount") and refunds ("user amount"); the orders summed per user, the
/// refunds cogrouped with the orders per user, and both counted per user through a [Union]. Each source's files are
/// split into the same number of ranges; partition p reads range p of each.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class OrdersAndRefunds
{
    [Source]
    public static partial Lines<(string User, long Amount)> Orders();

    [Source]
    public static partial Lines<(string User, long Amount)> Refunds();

    [ReduceByKey(Input = nameof(Orders))]
    public static long Spent(long a, long b) => a + b;

    [Sink]
    public static partial void SpentOut((string User, long Amount) spent);

    [Cogroup(Input = nameof(Orders), Other = nameof(Refunds))]
    public static (string User, long Orders, long Refunds) Balance(string user, ReadOnlySpan<long> orders, ReadOnlySpan<long> refunds)
    {
        long hash = 17;
        foreach (long amount in orders)
        {
            hash = (hash * 31) + amount;
        }

        long back = 17;
        foreach (long amount in refunds)
        {
            back = (back * 31) + amount;
        }

        return (user, hash, back);
    }

    [Sink]
    public static partial void Balances((string User, long Orders, long Refunds) balance);

    [Union(Input = nameof(Orders), Other = nameof(Refunds))]
    public static partial (string User, long Amount) Both((string User, long Amount) movement);

    [Map]
    public static (string User, long One) One((string User, long Amount) movement) => (movement.User, 1);

    [ReduceByKey]
    public static long Movements(long a, long b) => a + b;

    [Sink]
    public static partial void MovementsOut((string User, long Count) movements);
}

/// <summary>
/// A per-record stage that keeps state of its own (each line numbered by a counter of the stage's), declared InOrder:
/// the pipeline stays on one partition, so the numbers follow the input.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class NumberedLines
{
    private static long s_next;

    [Source]
    public static partial Lines Input();

    [Map(InOrder = true)]
    public static long Numbered(ReadOnlySpan<byte> line) => ++s_next;

    [Reduce]
    public static long Last(long a, long b) => Math.Max(a, b);

    [Sink]
    public static partial void LastOut(long last);

    /// <summary>Starts the numbering again, for a test that runs the pipeline.</summary>
    public static void Restart() => s_next = 0;
}
