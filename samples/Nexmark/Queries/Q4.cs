using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// Nexmark Q4, average closing price per category: an auction's closing price is its highest bid made between its
/// opening and its expiry (both included); each batch, every category's average closing price over the auctions
/// closed so far, in whole cents rounded down (<c>SELECT category, AVG(final) FROM (SELECT MAX(B.price) AS final,
/// A.category FROM auction A, bid B WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires GROUP BY
/// A.id, A.category) GROUP BY category</c>). An auction without such a bid has no closing price and is not counted.
/// </summary>
/// <remarks>
/// Auctions and bids are turned into one record type keyed by the auction and unioned; an [UpdateStateByKey] given the
/// union's watermark (EventTime = true) keeps each auction's highest bid until the watermark passes its expiry, when
/// the auction is emitted as closed, once. A second [UpdateStateByKey] keeps each category's total and count.
/// </remarks>
[Pipeline(BatchInterval = "1s")]
public static partial class Q4
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

    /// <summary>
    /// An event happens at its dateTime; each source's event times never go back, so nothing is late, and the generated
    /// stream's event time does not follow the clock, so a quiet source is never idle.
    /// </summary>
    [EventTime(Lateness = "0", IdleTimeout = "0")]
    public static long At((long Auction, AuctionEvent Event) auctionEvent) => auctionEvent.Event.DateTime;

    /// <summary>Each auction's highest bid in its time, until the watermark passes its expiry.</summary>
    [UpdateStateByKey(EventTime = true)]
    public static OpenAuction? Close(long watermark, long auction, ReadOnlySpan<AuctionEvent> events, OpenAuction? state) =>
        OpenAuction.Next(watermark, events, state);

    /// <summary>Keeps the auctions that closed in this batch with a bid.</summary>
    [Filter]
    public static bool Sold(long auction, OpenAuction state) => state.Closed && state.HasBid;

    /// <summary>The auction's category and closing price.</summary>
    [Map]
    public static (long Category, long Price) ClosingPrice(long auction, OpenAuction state) => (state.Category, state.Best);

    /// <summary>Each category's total of closing prices and number of closed auctions.</summary>
    [UpdateStateByKey]
    public static (long Total, long Auctions)? PerCategory(ReadOnlySpan<long> prices, (long Total, long Auctions)? sofar)
    {
        (long total, long auctions) = sofar ?? (0, 0);
        foreach (long price in prices)
        {
            total += price;
            auctions++;
        }

        return (total, auctions);
    }

    /// <summary>The category's average closing price, in whole cents rounded down.</summary>
    [Map]
    public static (long Category, long Average) Average(long category, (long Total, long Auctions) prices) => (category, prices.Total / prices.Auctions);

    /// <summary>Each batch, every category's average closing price so far.</summary>
    [Sink(Default = "console")]
    public static partial void Output((long Category, long Average) average);
}
