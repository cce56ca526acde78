namespace Samples.Nexmark.Queries;

/// <summary>
/// An auction that closed with at least one bid in its time: its closing price is its highest bid made between its
/// opening and its expiry, both included. Ordered by expiry, then id: the order in which auctions close.
/// </summary>
/// <param name="Id">The auction's id.</param>
/// <param name="Seller">The seller's (a person's) id.</param>
/// <param name="Category">The item's category.</param>
/// <param name="Expires">When the auction closed, in Unix milliseconds.</param>
/// <param name="Price">The closing price, in cents.</param>
public readonly record struct ClosedAuction(long Id, long Seller, long Category, long Expires, long Price) : IComparable<ClosedAuction>
{
    /// <inheritdoc />
    public int CompareTo(ClosedAuction other)
    {
        int byExpiry = Expires.CompareTo(other.Expires);
        return byExpiry != 0 ? byExpiry : Id.CompareTo(other.Id);
    }
}
