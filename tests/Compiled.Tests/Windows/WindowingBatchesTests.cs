using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Windows;

namespace Compiled.Tests.Windows;

/// <summary><see cref="Windowing.Batches"/>: a window (or timeout) in batches of the job's interval.</summary>
public sealed class WindowingBatchesTests
{
    private static JobContext Context(TimeSpan interval) =>
        new([FramingOptions.Default], [new SourceCounters()], [], interval);

    [Fact]
    public void A_window_the_interval_divides_is_that_many_batches()
    {
        Assert.Equal(30, Windowing.Batches(Context(TimeSpan.FromSeconds(1)), 30_000));
    }

    [Fact]
    public void A_window_the_interval_does_not_divide_is_refused_with_what_to_do()
    {
        var error = Assert.Throws<BatchIntervalException>(() => Windowing.Batches(Context(TimeSpan.FromSeconds(4)), 30_000));
        Assert.Contains("does not divide", error.Message);
        Assert.Contains("choose an interval that divides it", error.Message);
    }
}
