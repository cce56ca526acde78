namespace Samples.Nexmark.Queries;

/// <summary>
/// A person's registration or an auction's opening, keyed by the seller they concern: the one record type into which
/// Q3 and Q8 turn persons and auctions, so that a [Union] of the two sources can bring a seller's events together.
/// </summary>
/// <param name="IsPerson">Whether this is the person's registration (otherwise an auction the person opened).</param>
/// <param name="Name">The person's name; empty for an auction.</param>
/// <param name="City">The person's city; empty for an auction.</param>
/// <param name="State">The person's state; empty for an auction.</param>
/// <param name="Auction">The auction's id; 0 for a person.</param>
/// <param name="DateTime">The event time, in Unix milliseconds.</param>
public readonly record struct SellerEvent(bool IsPerson, string Name, string City, string State, long Auction, long DateTime)
{
    /// <summary>The person's registration.</summary>
    public static SellerEvent Registered(Person person) => new(true, person.Name, person.City, person.State, 0, person.DateTime);

    /// <summary>The auction's opening by its seller.</summary>
    public static SellerEvent Opened(Auction auction) => new(false, "", "", "", auction.Id, auction.DateTime);
}
