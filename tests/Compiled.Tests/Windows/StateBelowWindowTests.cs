using System.Text;
using Compiled.Testing;

namespace Compiled.Tests.Windows;

/// <summary>
/// An [UpdateStateByKey] or a [MapWithState] with a timeout below a window whose slide is more than one batch, as
/// Spark's <c>pairs.window(2, 2).updateStateByKey(...)</c>: the state stage runs at the window's slides only (its
/// updates and its timeouts), over the window's records, and its sink receives those batches.
/// </summary>
public class StateBelowWindowTests
{
    [Fact]
    public void UpdateStateByKey_BelowAWindowSlidingEveryTwoBatches_UpdatesAndEmitsAtEachSlide()
    {
        using var test = new StateBelowWindow.TestDriver();
        test.Input.Batch("a", "b");
        test.Input.Batch("a");
        test.Input.Batch("b");
        test.Input.Batch();
        test.Run();

        // Window 1-2 at 2s: a 2, b 1. Window 3-4 at 4s: b 1 more.
        Assert.Equal(
            ["2000: a=2,b=1", "4000: a=2,b=2"],
            test.Totals.Batches.Select(b => $"{b.Time}: {string.Join(",", b.Records.Select(r => $"{r.Key}={r.Value}").Order())}"));
    }

    [Fact]
    public void MapWithStateWithTimeout_BelowAWindowSlidingEveryTwoBatches_TimesOutAtASlide()
    {
        using var test = new StateBelowWindow.TestDriver();
        test.Input.Batch("a");
        test.Input.Batch();
        test.Input.Batch();
        test.Input.Batch();
        test.Input.Batch();
        test.Input.Batch();
        test.Run();

        // "a" is seen at the slide at 2s (batch 2) and idle after: more than 2s later, at the slide at 6s, it times
        // out, reporting its count negated. The sink receives only the slides.
        Assert.Equal(
            ["2000: a=1", "4000: ", "6000: a=-1"],
            test.Seen.Batches.Select(b => $"{b.Time}: {string.Join(",", b.Records.Select(r => $"{r.Key}={r.Value}"))}"));
    }
}

/// <summary>
/// Words in a window of 2s sliding every 2s, added up across windows by an [UpdateStateByKey], and counted by a
/// [MapWithState] whose keys time out after 2s idle.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class StateBelowWindow
{
    [Source]
    public static partial Lines<string> Input();

    [Map]
    public static KeyValue<long> Pair(string word) => new(Encoding.UTF8.GetBytes(word), 1);

    [Window(Length = "2s", Slide = "2s")]
    public static partial KeyValue<long> Recent(KeyValue<long> pair);

    [UpdateStateByKey]
    public static long? Total(ReadOnlySpan<long> values, long? state)
    {
        long sum = state ?? 0;
        foreach (long value in values)
        {
            sum += value;
        }

        return sum;
    }

    [Sink]
    public static partial void Totals(ReadOnlySpan<byte> word, long total);

    // Each word's count across windows; a word idle for more than 2s times out with its count negated.
    [MapWithState(Input = nameof(Recent), Timeout = "2s")]
    public static KeyValue<long> Tally(ReadOnlySpan<byte> word, long? one, State<long> count)
    {
        if (count.IsTimingOut)
        {
            return new KeyValue<long>(word, -count.Value);
        }

        long next = (count.Exists ? count.Value : 0) + (one ?? 0);
        count.Update(next);
        return new KeyValue<long>(word, next);
    }

    [Sink]
    public static partial void Seen(ReadOnlySpan<byte> word, long count);
}
