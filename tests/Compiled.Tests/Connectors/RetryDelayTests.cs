using Compiled.Connectors;

namespace Compiled.Tests.Connectors;

/// <summary>RetryDelay doubles from the first wait up to the longest, and a long outage does not overflow it.</summary>
public sealed class RetryDelayTests
{
    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(6, 3200)]
    [InlineData(7, 5000)]
    [InlineData(1_000_000, 5000)]
    public void Doubles_from_the_first_wait_up_to_the_longest(int failures, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RetryDelay.After(failures, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5)));
}
