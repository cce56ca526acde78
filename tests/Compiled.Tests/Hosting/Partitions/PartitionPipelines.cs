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
