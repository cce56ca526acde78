using Compiled;

namespace Auctions;

/// <summary>
/// State that ends in event time: each auction's highest bid, kept until the watermark passes the auction's expiry, then
/// emitted once as closed and dropped. The update function is given the watermark in place of the batch time.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Closing
{
    [Source]
    public static partial Lines<(long Auction, long Time, long Expires, long Price)> Events();

    [EventTime(Lateness = "0")]
    public static long At((long Auction, long Time, long Expires, long Price) e) => e.Time;

    [Map]
    public static (long Auction, (long Expires, long Price) Bid) ByAuction((long Auction, long Time, long Expires, long Price) e) => (e.Auction, (e.Expires, e.Price));

    [UpdateStateByKey(EventTime = true)]
    public static (long Expires, long Best, bool Closed)? Close(long watermark, long auction, ReadOnlySpan<(long Expires, long Price)> bids, (long Expires, long Best, bool Closed)? state)
    {
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

    [Sink(Default = "console")]
    public static partial void Auctions(long auction, (long Expires, long Best, bool Closed) state);
}
