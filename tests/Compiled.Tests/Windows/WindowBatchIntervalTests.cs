using Compiled.Hosting;

namespace Compiled.Tests.Windows;

/// <summary>
/// A batch interval given at run time must divide every window's length and slide, as Spark requires; the test
/// driver refuses one that does not, naming the stage and saying what to write instead.
/// </summary>
public class WindowBatchIntervalTests
{
    [Fact]
    public void TestDriver_IntervalThatDividesNoWindow_IsRefused_NamingTheFirstStage()
    {
        var error = Assert.Throws<BatchIntervalException>(() => new IntervalChecked.TestDriver(TimeSpan.FromSeconds(7)));

        Assert.Contains("batch interval 7s", error.Message);
        Assert.Contains("'Short'", error.Message);
        Assert.Contains("(length 4s, slide 2s)", error.Message);
        Assert.Contains("choose an interval that divides both", error.Message);
        Assert.DoesNotContain("PerKey", error.Message);
    }

    [Fact]
    public void TestDriver_IntervalThatDividesOneWindowButNotTheOther_IsRefused_NamingThatStage()
    {
        // 2s divides 4s and 2s (Short) and 30s, but not the 15s slide of PerKey.
        var error = Assert.Throws<BatchIntervalException>(() => new IntervalChecked.TestDriver(TimeSpan.FromSeconds(2)));

        Assert.Contains("batch interval 2s", error.Message);
        Assert.Contains("'PerKey'", error.Message);
        Assert.Contains("(length 30s, slide 15s)", error.Message);
        Assert.Contains("choose an interval that divides both", error.Message);
        Assert.DoesNotContain("'Short'", error.Message);
    }

    [Fact]
    public void TestDriver_IntervalThatDividesTheLengthButNotTheSlide_IsRefused()
    {
        // 4s divides Short's length (4s) but not its slide (2s): a window cannot emit between batches.
        var error = Assert.Throws<BatchIntervalException>(() => new IntervalChecked.TestDriver(TimeSpan.FromSeconds(4)));
        Assert.Contains("'Short'", error.Message);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(500)]
    [InlineData(250)]
    public void TestDriver_IntervalThatDividesEveryWindow_IsTaken_AndTheWindowsKeepTheirDurations(int intervalMs)
    {
        // Short counts lines over 4s every 2s: one line in the first batch, so 1 at 2s and 4s, then 0.
        using var test = new IntervalChecked.TestDriver(TimeSpan.FromMilliseconds(intervalMs));
        test.Input.Batch("x");
        test.Run(6000 / intervalMs);

        Assert.Equal(TimeSpan.FromMilliseconds(intervalMs), test.BatchInterval);
        WindowAssert.Batches(2000, [[1L], [1L], [0L]], test.ShortOut);
        Assert.Empty(test.PerKeyOut.Batches); // its first slide is at 15s
    }
}
