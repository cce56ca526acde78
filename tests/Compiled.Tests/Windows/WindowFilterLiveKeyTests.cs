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

public class WindowFilterLiveKeyTests
{
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
