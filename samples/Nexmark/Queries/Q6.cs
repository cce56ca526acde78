using System.Buffers;
using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// Nexmark Q6, average selling price by seller: each time one of a seller's auctions closes with a bid, the average
/// closing price of the seller's last ten closed auctions (fewer until ten have closed), in whole cents rounded down,
/// as <c>(seller, average)</c>. Closing prices are Q4's: the highest bid between the opening and the expiry.
/// </summary>
/// <remarks>
/// The auctions close as in Q4 ([UpdateStateByKey] given the watermark); a [Transform] puts the auctions each batch
/// closes in the order they closed (by expiry, then id), and a [MapWithState] per seller keeps the last ten prices.
/// </remarks>
[Pipeline(BatchInterval = "1s")]
public static partial class Q6
{
    /// <summary>The auctions, a CSV line each.</summary>
    [Source(Default = "nexmark:auctions?events=1000000")]
    public static partial Lines<Auction> Auctions();

    /// <summary>An auction's opening, under its id.</summary>
    [Map]
    public static (long Auction, AuctionEvent Event) Opened(Auction auction) => (auction.Id, AuctionEvent.Opened(auction));

    /// <summary>The bids, a CSV line each.</summary>
    [Source(Default = "nexmark:bids?events=1000000")]
    public static partial Lines<Bid> Bids();

    /// <summary>A bid, under its auction's id.</summary>
    [Map]
    public static (long Auction, AuctionEvent Event) BidOn(Bid bid) => (bid.Auction, AuctionEvent.BidOn(bid));

    /// <summary>Openings and bids together, by auction.</summary>
    [Union(Input = nameof(Opened), Other = nameof(BidOn))]
    public static partial (long Auction, AuctionEvent Event) ByAuction((long Auction, AuctionEvent Event) auctionEvent);

    /// <summary>An event happens at its dateTime; nothing is late, and a quiet source is never idle (as in Q4).</summary>
    [EventTime(Lateness = "0", IdleTimeout = "0")]
    public static long At((long Auction, AuctionEvent Event) auctionEvent) => auctionEvent.Event.DateTime;

    /// <summary>Each auction's highest bid in its time, until the watermark passes its expiry.</summary>
    [UpdateStateByKey(EventTime = true)]
    public static OpenAuction? Close(long watermark, long auction, ReadOnlySpan<AuctionEvent> events, OpenAuction? state) =>
        OpenAuction.Next(watermark, events, state);

    /// <summary>Keeps the auctions that closed in this batch with a bid.</summary>
    [Filter]
    public static bool Sold(long auction, OpenAuction state) => state.Closed && state.HasBid;

    /// <summary>The closed auction, with its closing price.</summary>
    [Map]
    public static ClosedAuction Closing(long auction, OpenAuction state) => state.AsClosed(auction);

    /// <summary>
    /// The batch's closed auctions in the order they closed: by expiry, then id (the watermark closes them in that order;
    /// the state lists them in the order their auctions were first seen). Sorted in a pooled array: no allocation once warm.
    /// </summary>
    [Transform]
    public static void InClosingOrder(ReadOnlySpan<ClosedAuction> closed, RecordBuffer<(long Seller, ClosedAuction Auction)> output)
    {
        ClosedAuction[] sorted = ArrayPool<ClosedAuction>.Shared.Rent(Math.Max(closed.Length, 1));
        Span<ClosedAuction> span = sorted.AsSpan(0, closed.Length);
        closed.CopyTo(span);
        span.Sort();
        foreach (ClosedAuction auction in span)
        {
            output.Add((auction.Seller, auction));
        }

        ArrayPool<ClosedAuction>.Shared.Return(sorted);
    }

    /// <summary>The seller's average closing price over its last ten closed auctions, this one included.</summary>
    [MapWithState]
    public static (long Seller, long Average) Average(long seller, ClosedAuction? auction, State<LastTen> lastTen)
    {
        LastTen prices = lastTen.GetValueOrDefault().With(auction!.Value.Price);
        lastTen.Update(prices);
        return (seller, prices.Average());
    }

    /// <summary>Each seller's average as each of its auctions closes.</summary>
    [Sink(Default = "console")]
    public static partial void Output((long Seller, long Average) average);
}
