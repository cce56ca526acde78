namespace Samples.Nexmark.Generator;

/// <summary>The three kinds of Nexmark event.</summary>
public enum EventKind
{
    /// <summary>A person joins the auction site (1 event in 50).</summary>
    Person,

    /// <summary>A person puts an item up for auction (3 events in 50).</summary>
    Auction,

    /// <summary>A person bids on an auction (46 events in 50).</summary>
    Bid,
}
