namespace Compiled.Tests.Windows;

/// <summary>reduceByKeyAndWindow with an inverse and a filter that drops keys whose values are still in the window.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class LiveKeyFilter
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => RandomWindows.Pair(line);

    [ReduceByKeyAndWindow(Length = "2s", Inverse = nameof(Subtract), Filter = nameof(AtLeast100))]
    public static long Big(long a, long b) => a + b;

    [Sink]
    public static partial void BigOut(ReadOnlySpan<byte> key, long value);

    public static long Subtract(long a, long b) => a - b;

    public static bool AtLeast100(ReadOnlySpan<byte> key, long value) => value >= 100;
}

/// <summary>
/// An inverse that is not exact (it leaves 1 behind each time), so a forgotten key that returned on top of what it
/// left would show: the window forgets a key the filter drops once its values are gone, and a key that comes back
/// starts afresh, as a key new to Spark's state does.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class InexactInverse
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => RandomWindows.Pair(line);

    [ReduceByKeyAndWindow(Length = "2s", Inverse = nameof(SubtractLeavingOne), Filter = nameof(AtLeast5))]
    public static long Sum(long a, long b) => a + b;

    [Sink]
    public static partial void Out(ReadOnlySpan<byte> key, long value);

    public static long SubtractLeavingOne(long a, long b) => a - b + 1;

    public static bool AtLeast5(ReadOnlySpan<byte> key, long value) => value >= 5;
}

public class WindowFilterLiveKeyTests
{
    // Window 2, slide 1. "k 5" every third batch from batch 1: two batches after, it leaves, leaving 1 behind, which
    // the filter drops, so k is forgotten; the batch after that it comes back and the window holds 5, not 6. Forty
    // keys stay in the window throughout, so a forgotten k alone is not cleared out of the table (that waits for a
    // quarter of it) and comes back to its old entry; at batch 7, sixty keys come once, and when they are forgotten
    // at batch 9 with k, the table is cleared out, so k's return at batch 10 is to a new entry.
    [Fact]
    public void ReduceByKeyAndWindowWithFilter_AForgottenKeyThatComesBack_StartsAfresh()
    {
        using var test = new InexactInverse.TestDriver();
        for (int batch = 1; batch <= 12; batch++)
        {
            var lines = new List<string>();
            if (batch % 3 == 1)
            {
                lines.Add("k 5");
            }

            lines.AddRange(Enumerable.Range(0, 40).Select(i => $"s{i} 9"));
            if (batch == 7)
            {
                lines.AddRange(Enumerable.Range(0, 60).Select(i => $"o{i} 9"));
            }

            test.Input.Batch([.. lines]);
        }

        test.Run();

        for (int batch = 1; batch <= 12; batch++)
        {
            var expected = new List<(string, long)>();
            if (batch % 3 is 1 or 2)
            {
                expected.Add(("k", 5)); // 5 in the batch it comes and the next; then 1, dropped
            }

            // A steady key: 9, then 18, then one more each batch, as each batch that leaves leaves 1 behind.
            expected.AddRange(Enumerable.Range(0, 40).Select(i => ($"s{i}", batch == 1 ? 9L : 16L + batch)));
            if (batch is 7 or 8)
            {
                expected.AddRange(Enumerable.Range(0, 60).Select(i => ($"o{i}", 9L)));
            }

            Assert.Equal(expected.Order(), test.Out.Batches[batch - 1].Records.Order());
        }
    }

    // Window 2 batches, slide 1, filter value >= 100. Batch 3 drops "one" at 30 while batch 2's 30 is still in the
    // window; at batch 4 "one" comes back with 200 as batch 2's 30 leaves. The window (3..4) holds 200; Spark's
    // ReducedWindowedDStream also says 200 (the previous window has no value for the key, so it reduces the new
    // values and takes nothing back).
    [Fact]
    public void ReduceByKeyAndWindowWithFilter_KeyDroppedWhileItsValuesAreInTheWindow_ComesBackWithItsWindowValue()
    {
        using var test = new LiveKeyFilter.TestDriver();
        test.Input.Batch("one 100").Batch("one 30").Batch().Batch("one 200");
        test.Run();

        WindowAssert.BatchesAsSets(
            1000,
            [
                [("one", 100L)], // batch 1
                [("one", 130L)], // 1..2
                [],              // 2..3: 30, dropped
                [("one", 200L)], // 3..4
            ],
            test.BigOut);
    }

    // Window 3 batches, slide 1, filter value >= 8: "c 5" is dropped by the filter at batch 1, but its 5 stays in the
    // window until batch 3; "c 8" at batch 2 makes the window 13, and when batch 1's 5 leaves at batch 4 the window
    // holds 8, which passes.
    [Fact]
    public void ReduceByKeyAndWindowWithFilter_ValueLeavingAfterTheKeyCameBack_IsTakenFromTheRightState()
    {
        using var test = new LongerLiveKeyFilter.TestDriver();
        test.Input.Batch("c 5").Batch("c 8").Batch().Batch().Batch();
        test.Run();

        WindowAssert.BatchesAsSets(
            1000,
            [
                [],              // 1: 5
                [("c", 13L)],    // 1..2
                [("c", 13L)],    // 1..3
                [("c", 8L)],     // 2..4
                [],              // 3..5: nothing, and c is forgotten
            ],
            test.Out);
    }
}

/// <summary>reduceByKeyAndWindow over 3 batches with an inverse and a filter keeping values of at least 8.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class LongerLiveKeyFilter
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => RandomWindows.Pair(line);

    [ReduceByKeyAndWindow(Length = "3s", Inverse = nameof(Subtract), Filter = nameof(AtLeast8))]
    public static long Sum(long a, long b) => a + b;

    [Sink]
    public static partial void Out(ReadOnlySpan<byte> key, long value);

    public static long Subtract(long a, long b) => a - b;

    public static bool AtLeast8(ReadOnlySpan<byte> key, long value) => value >= 8;
}
