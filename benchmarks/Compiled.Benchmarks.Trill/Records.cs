namespace Compiled.Benchmarks.Trill;

// The queries' records. Trill compiles operators over its payload types at run time (in columnar mode, a column per
// field), so they are public types with public fields.

/// <summary>A bid: the fields of <c>auction,bidder,price,channel,url,dateTime</c> that Q2 and Q5 use.</summary>
public struct Bid
{
    /// <summary>The auction's id.</summary>
    public long Auction;

    /// <summary>The bidder's id.</summary>
    public long Bidder;

    /// <summary>The price, in cents.</summary>
    public long Price;

    /// <summary>The event time, in Unix milliseconds.</summary>
    public long DateTime;
}

/// <summary>Q2's output: a selected bid's auction and price.</summary>
public struct AuctionPrice
{
    /// <summary>The auction's id.</summary>
    public long Auction;

    /// <summary>The bid's price.</summary>
    public long Price;
}

/// <summary>Q5's counts: an auction's bids in one window.</summary>
public struct AuctionBids
{
    /// <summary>The auction's id.</summary>
    public long Auction;

    /// <summary>Its bids in the window.</summary>
    public long Bids;
}
