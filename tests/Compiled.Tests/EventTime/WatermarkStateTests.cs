using Compiled.Windows;

namespace Compiled.Tests.EventTimeTests;

/// <summary><see cref="Watermark"/>'s state view: a copy made from <c>Value</c> and <c>LatestOf</c> moves on as the original does.</summary>
public class WatermarkStateTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void StateCopiedThroughItsView_MovesOnAsTheOriginal(int inputs)
    {
        var random = new Random(inputs);
        var original = new Watermark(500, inputs);
        for (int i = 0; i < 20; i++)
        {
            Observe(original, random.Next(inputs), random.Next(10_000));
        }

        original.Advance(1000, isLast: false);
        long[] latest = [.. Enumerable.Range(0, original.Inputs).Select(original.LatestOf)];
        var copy = new Watermark(original.Lateness, original.Inputs);
        copy.Restore(original.Value, latest);
        Assert.Equal(original.Value, copy.Value);

        for (int batch = 0; batch < 10; batch++)
        {
            for (int i = 0; i < 5; i++)
            {
                int input = random.Next(inputs);
                long time = 5_000 + random.Next(20_000);
                Observe(original, input, time);
                Observe(copy, input, time);
            }

            original.Advance((batch + 2) * 1000, isLast: false);
            copy.Advance((batch + 2) * 1000, isLast: false);
            Assert.Equal(original.Value, copy.Value);
            Assert.Equal(original.IsLate(12_000), copy.IsLate(12_000));
        }
    }

    [Fact]
    public void LatestOf_BeforeAnyRecord_IsMinValue()
    {
        var watermark = new Watermark(0, inputs: 2);
        watermark.Observe(1, 42);
        Assert.Equal(long.MinValue, watermark.LatestOf(0));
        Assert.Equal(42, watermark.LatestOf(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => watermark.LatestOf(2));
    }

    [Fact]
    public void Restore_WrongNumberOfInputs_ThrowsNamingBoth()
    {
        var watermark = new Watermark(0, inputs: 2);
        var error = Assert.Throws<ArgumentException>(() => watermark.Restore(0, [1]));
        Assert.Contains("follows 2 input(s) but 1 latest time(s)", error.Message, StringComparison.Ordinal);
    }

    private static void Observe(Watermark watermark, int input, long time)
    {
        if (watermark.Inputs == 1)
        {
            watermark.Observe(time);
        }
        else
        {
            watermark.Observe(input, time);
        }
    }
}
