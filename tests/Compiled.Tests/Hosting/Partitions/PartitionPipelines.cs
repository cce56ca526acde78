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
