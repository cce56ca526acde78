using System.Text;
using Compiled.Testing;

namespace Compiled.Tests.Windows;

/// <summary>
/// Whole-batch stages below a window whose slide is more than one batch ([Count], [Transform], [GroupByKey] then
/// [Count]): they see the window's records at each slide, and emit only then, as their sinks receive only those
/// batches; Spark's <c>window(3, 2).count()</c>, <c>window(3, 2).transform(...)</c>,
/// <c>groupByKeyAndWindow(3, 2).count()</c>.
/// </summary>
public class BelowWindowTests
{
    [Fact]
    public void Count_BelowAWindowSlidingEveryTwoBatches_EmitsTheWindowsCountAtEachSlide()
    {
        using var test = Run();

        Assert.Equal(
            ["2000: 3", "4000: 3", "6000: 2"],
            test.Counts.Batches.Select(b => $"{b.Time}: {string.Join(",", b.Records)}"));
    }

    [Fact]
    public void Transform_BelowAWindowSlidingEveryTwoBatches_SeesTheWindowsRecordsAtEachSlide()
    {
        using var test = Run();

        Assert.Equal(
            ["2000: a b a", "4000: a b c", "6000: c d"],
            test.Texts.Batches.Select(b => $"{b.Time}: {string.Join(" ", b.Records)}"));
    }

    [Fact]
    public void GroupByKeyThenCount_BelowAWindowSlidingEveryTwoBatches_CountsTheWindowsKeysAtEachSlide()
    {
        using var test = Run();

        Assert.Equal(
            ["2000: 2", "4000: 3", "6000: 2"],
            test.KeyCounts.Batches.Select(b => $"{b.Time}: {string.Join(",", b.Records)}"));
    }

    // Batches 1 to 6 of 1s; the window of 3s sliding every 2s covers batches 1-2 at 2s, 2-4 at 4s, 4-6 at 6s.
    private static BelowWindow.TestDriver Run()
    {
        var test = new BelowWindow.TestDriver();
        test.Input.Batch("a", "b");
        test.Input.Batch("a");
        test.Input.Batch("b", "c");
        test.Input.Batch();
        test.Input.Batch("c");
        test.Input.Batch("d");
        test.Run(6);
        return test;
    }
}

/// <summary>A window of 3s sliding every 2s, with a [Count], a [Transform] and a [GroupByKey] → [Count] below it.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class BelowWindow
{
    [Source]
    public static partial Lines<string> Input();

    [Window(Length = "3s", Slide = "2s")]
    public static partial string Recent(string word);

    [Count]
    public static partial long Records(string word);

    [Sink]
    public static partial void Counts(long count);

    [Transform(Input = nameof(Recent))]
    public static void Joined(ReadOnlySpan<string> words, RecordBuffer<string> output) => output.Add(string.Join(" ", words.ToArray()));

    [Sink]
    public static partial void Texts(string text);

    [Map(Input = nameof(Recent))]
    public static KeyValue<int> Pair(string word) => new(Encoding.UTF8.GetBytes(word), 1);

    [GroupByKey]
    public static partial Grouped<int> ByWord(ReadOnlySpan<byte> word, int one);

    [Count]
    public static partial long Keys(Grouped<int> group);

    [Sink]
    public static partial void KeyCounts(long keys);
}
