using Compiled.Testing;

namespace Compiled.Tests.Windows;

/// <summary>
/// A window below a [Union] whose second stream's records wait for the batch boundary (so that the union lists the
/// first stream's records of a batch before the second's): at the end of a bounded input, records that came only
/// through the second stream are still reported, and the window's sink receives that last batch.
/// </summary>
public class UnionIntoWindowTests
{
    [Fact]
    public void RunToEnd_LastRecordsOnlyThroughTheUnionsSecondStream_TheWindowReportsThem()
    {
        using var test = new UnionIntoWindow.TestDriver();

        // 2 is small (first stream), 4 too; 13 is large and odd, so it comes only through the second stream, in
        // batch 3, between the slides at 2 and 4, and the input ends there.
        test.Input.Batches([[2], [4], [13]]);
        test.RunToEnd();

        Assert.Equal(
            ["2000: 2,4", "3000: 4,13"],
            test.Recent.Batches.Select(b => $"{b.Time}: {string.Join(",", b.Records)}"));
    }
}

/// <summary>The numbers that are small or odd (a union of two filters of the source), in a window of 2s sliding every 2s.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class UnionIntoWindow
{
    [Source]
    public static partial Lines<int> Input();

    [Filter(Input = nameof(Input))]
    public static bool IsSmall(int number) => number < 10;

    [Filter(Input = nameof(Input))]
    public static bool IsOdd(int number) => number % 2 != 0;

    [Union(Input = nameof(IsSmall), Other = nameof(IsOdd))]
    public static partial int SmallOrOdd(int number);

    [Window(Length = "2s", Slide = "2s")]
    public static partial int Pairs(int number);

    [Sink]
    public static partial void Recent(int number);
}
