namespace Compiled.Tests.State;

/// <summary>
/// [UpdateStateByKey(EventTime = true)]: the function is given the watermark of the [EventTime] stage above, after it has
/// moved on for the batch, in place of the batch time; so a key's state ends when event time, not the clock, passes a
/// time it holds, and the last batch of a bounded input (watermark past everything) ends every one.
/// </summary>
public class StateByWatermarkTests
{
    [Fact]
    public void TheFunction_IsGivenTheWatermark_SoAnAuctionClosesOnceEventTimePassesItsExpiry()
    {
        ClosingAuctions.Watermarks.Clear();
        using var test = new ClosingAuctions.TestDriver();
        test.Events.Batch((1, 1_000, 5_000, 10), (2, 1_500, 2_000, 7));
        test.Events.Batch((1, 2_500, 5_000, 30), (2, 2_600, 2_000, 9));
        test.Events.Batch((3, 6_000, 9_000, 4));
        test.Events.Batch();
        test.RunToEnd();

        // Batch 1: watermark 1500, nothing closed. Batch 2: watermark 2600 passes auction 2's expiry (2000): it closes
        // with its best bid 9. Batch 3: watermark 6000 passes auction 1's (5000). Batch 4, the end of the input: the watermark passes everything, closing auction 3.
        Assert.Equal([1_500, 2_600, 6_000, long.MaxValue], ClosingAuctions.Watermarks);
        Assert.Equal(
            ["", "(2,9)", "(1,30)", "(3,4)"],
            test.Closed.Batches.Select(b => string.Join(" ", b.Records.Select(r => $"({r.Auction},{r.Best})"))));
    }
}

/// <summary>Each auction's highest bid, until the watermark passes the auction's expiry; then it is emitted once as closed and dropped.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ClosingAuctions
{
    /// <summary>The distinct watermarks the state function was given, in order.</summary>
    public static List<long> Watermarks { get; } = [];

    [Source]
    public static partial Lines<(long Auction, long Time, long Expires, long Price)> Events();

    [EventTime(Lateness = "0")]
    public static long At((long Auction, long Time, long Expires, long Price) e) => e.Time;

    [Map]
    public static (long Auction, (long Expires, long Price) Bid) ByAuction((long Auction, long Time, long Expires, long Price) e) => (e.Auction, (e.Expires, e.Price));

    [UpdateStateByKey(EventTime = true)]
    public static (long Expires, long Best, bool Closed)? Close(long watermark, long auction, ReadOnlySpan<(long Expires, long Price)> bids, (long Expires, long Best, bool Closed)? state)
    {
        if (Watermarks.Count == 0 || Watermarks[^1] != watermark)
        {
            Watermarks.Add(watermark);
        }

        if (state is { Closed: true })
        {
            return null;
        }

        (long expires, long best, _) = state ?? (0, 0, false);
        foreach ((long Expires, long Price) bid in bids)
        {
            expires = bid.Expires;
            best = Math.Max(best, bid.Price);
        }

        return (expires, best, watermark > expires);
    }

    [Filter]
    public static bool JustClosed(long auction, (long Expires, long Best, bool Closed) state) => state.Closed;

    [Map]
    public static (long Auction, long Best) Result(long auction, (long Expires, long Best, bool Closed) state) => (auction, state.Best);

    [Sink]
    public static partial void Closed((long Auction, long Best) auction);
}
