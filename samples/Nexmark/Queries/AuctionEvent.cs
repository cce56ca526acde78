namespace Samples.Nexmark.Queries;

/// <summary>
/// An auction's opening or a bid on it, keyed by the auction: the one record type into which Q4 and Q6 turn auctions
/// and bids, so that a [Union] of the two sources can bring an auction's events together.
/// </summary>
/// <param name="IsAuction">Whether this is the auction's opening (otherwise a bid on it).</param>
/// <param name="Seller">The auction's seller; 0 for a bid.</param>
/// <param name="Category">The auction's category; 0 for a bid.</param>
/// <param name="Expires">When the auction closes, in Unix milliseconds; 0 for a bid.</param>
/// <param name="Price">The bid's price in cents; 0 for an auction.</param>
/// <param name="DateTime">The event time, in Unix milliseconds: the auction's opening, or the bid's.</param>
public readonly record struct AuctionEvent(bool IsAuction, long Seller, long Category, long Expires, long Price, long DateTime)
{
    /// <summary>The auction's opening.</summary>
    public static AuctionEvent Opened(Auction auction) => new(true, auction.Seller, auction.Category, auction.Expires, 0, auction.DateTime);

    /// <summary>A bid on the auction.</summary>
    public static AuctionEvent BidOn(Bid bid) => new(false, 0, 0, 0, bid.Price, bid.DateTime);
}
