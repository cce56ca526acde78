using System.Text;
using Samples.LogMonitor;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The LogMonitor's bound on endpoints (<see cref="EndpointBudget"/>): no more than its capacity are tracked at a
/// time, a released place goes to the next new endpoint, the set agrees with a reference set through any mix of
/// tracking and releasing, and a steady churn of endpoints allocates nothing.
/// </summary>
public class LogMonitorEndpointBudgetTests
{
    [Fact]
    public void EndpointBudget_Full_RefusesNewEndpointsButKeepsItsOwn()
    {
        var budget = new EndpointBudget(3);
        Assert.True(budget.TryTrack("GET /a"u8));
        Assert.True(budget.TryTrack("GET /b"u8));
        Assert.True(budget.TryTrack("GET /c"u8));
        Assert.False(budget.TryTrack("GET /d"u8));
        Assert.True(budget.TryTrack("GET /a"u8));
        Assert.Equal(3, budget.Count);
        Assert.False(budget.Contains("GET /d"u8));
    }

    [Fact]
    public void EndpointBudget_Release_GivesThePlaceToTheNextNewEndpoint()
    {
        var budget = new EndpointBudget(2);
        budget.TryTrack("GET /a"u8);
        budget.TryTrack("GET /b"u8);
        Assert.False(budget.TryTrack("GET /c"u8));

        Assert.True(budget.Release("GET /a"u8));
        Assert.False(budget.Release("GET /a"u8));
        Assert.False(budget.Release("(other)"u8));
        Assert.Equal(1, budget.Count);

        Assert.True(budget.TryTrack("GET /a-much-longer-endpoint-than-the-one-before/with/more/bytes"u8));
        Assert.False(budget.TryTrack("GET /c"u8));
        Assert.True(budget.Contains("GET /b"u8));
        Assert.True(budget.Contains("GET /a-much-longer-endpoint-than-the-one-before/with/more/bytes"u8));
    }

    [Fact]
    public void EndpointBudget_Reset_ForgetsEveryEndpointAndTakesTheNewCapacity()
    {
        var budget = new EndpointBudget(1);
        budget.TryTrack("GET /a"u8);
        budget.Reset(2);
        Assert.Equal(0, budget.Count);
        Assert.Equal(2, budget.Capacity);
        Assert.True(budget.TryTrack("GET /b"u8));
        Assert.True(budget.TryTrack("GET /c"u8));
        Assert.False(budget.Contains("GET /a"u8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(EndpointBudget.MaxCapacity + 1)]
    public void EndpointBudget_CapacityOutOfRange_IsRefused(int capacity)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EndpointBudget(capacity));
    }

    [Fact]
    public void EndpointBudget_RandomTrackAndRelease_AgreesWithAReferenceSet()
    {
        // Few distinct endpoints for a small table, so probes run long and releases shift entries back across the
        // end of the bucket array: every answer must be what a plain set with the same capacity gives.
        const int Capacity = 37;
        var random = new Random(2026);
        var budget = new EndpointBudget(Capacity);
        var reference = new HashSet<string>(StringComparer.Ordinal);
        for (int step = 0; step < 200_000; step++)
        {
            string endpoint = $"GET /p/{random.Next(120)}x";
            byte[] bytes = Encoding.ASCII.GetBytes(endpoint);
            switch (random.Next(3))
            {
                case 0:
                    bool expected = reference.Contains(endpoint) || (reference.Count < Capacity && reference.Add(endpoint));
                    Assert.Equal(expected, budget.TryTrack(bytes));
                    break;
                case 1:
                    Assert.Equal(reference.Remove(endpoint), budget.Release(bytes));
                    break;
                default:
                    Assert.Equal(reference.Contains(endpoint), budget.Contains(bytes));
                    break;
            }

            Assert.Equal(reference.Count, budget.Count);
        }
    }

    [Fact]
    public void EndpointBudget_ChurnOfEndpoints_AllocatesNothingOnceThePlacesHaveTheirBuffers()
    {
        var budget = new EndpointBudget(100);
        byte[][] endpoints = [.. Enumerable.Range(0, 1000).Select(i => Encoding.ASCII.GetBytes($"GET /wiki/page-{i}"))];
        Churn();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Churn();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"Tracking and releasing 1000 endpoints through 100 places allocated {allocated} bytes.");

        void Churn()
        {
            for (int i = 0; i < endpoints.Length; i++)
            {
                Assert.True(budget.TryTrack(endpoints[i]));
                if (i >= 99)
                {
                    Assert.True(budget.Release(endpoints[i - 99]));
                }
            }

            for (int i = endpoints.Length - 99; i < endpoints.Length; i++)
            {
                Assert.True(budget.Release(endpoints[i]));
            }
        }
    }
}
