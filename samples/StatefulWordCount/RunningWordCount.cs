using Compiled;

namespace Samples.StatefulWordCount;

/// <summary>
/// A running count per word, kept record by record: each word of each line is mapped with its count so far
/// (<c>[MapWithState]</c> fed per record, with no per-batch reduce before it), and a word is written when its count
/// reaches 1, 10, 100 and so on. It runs on N partitions (<c>--parallelism</c>): each partition after the first keeps
/// its words of the batch, and the job counts them at the boundary after the words of the ranges before.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class RunningWordCount
{
    /// <summary>Lines; by default the word count's bundled book.</summary>
    [Source(Default = "file:input/genesis-kjv.txt")]
    public static partial Lines Input();

    /// <summary>The maximal runs of bytes other than the space.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>Each word with a count of one.</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>The word's count so far plus this one; the word and its count when the count is a power of ten.</summary>
    [MapWithState]
    public static (string Word, long Count)? Milestone(ReadOnlySpan<byte> word, long? one, State<long> count)
    {
        long next = count.GetValueOrDefault() + one!.Value;
        count.Update(next);
        return IsPowerOfTen(next) ? (System.Text.Encoding.UTF8.GetString(word), next) : null;
    }

    /// <summary>Each word as its count reaches 1, 10, 100, ...</summary>
    [Sink(Default = "console")]
    public static partial void Milestones((string Word, long Count) milestone);

    private static bool IsPowerOfTen(long value)
    {
        while (value >= 10 && value % 10 == 0)
        {
            value /= 10;
        }

        return value == 1;
    }
}
