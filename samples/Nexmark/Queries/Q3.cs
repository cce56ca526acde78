using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// Nexmark Q3, local item suggestion: each auction in category 10 whose seller lives in Oregon, Idaho or California,
/// with the seller's name, city and state (<c>SELECT P.name, P.city, P.state, A.id FROM auction A, person P WHERE
/// A.seller = P.id AND P.state IN ('OR', 'ID', 'CA') AND A.category = 10</c>), as an incremental join: each match is
/// emitted once, when the second of its two events arrives, whichever batch the first came in.
/// </summary>
/// <remarks>
/// Persons and auctions are turned into one record type keyed by the seller and unioned; a [MapWithState] keeps, per
/// seller, whether the person has registered and lives in one of the three states (with the name, city and state if
/// so), and the auctions that came before their seller. An auction whose seller is known and local is emitted at once;
/// a person's registration emits the auctions that waited for it. Every registered person keeps a small state for the
/// rest of the run, as the join of an unbounded stream must (a later auction may name any of them).
/// </remarks>
[Pipeline(BatchInterval = "1s")]
public static partial class Q3
{
    /// <summary>The category whose auctions are suggested.</summary>
    public const long Category = 10;

    /// <summary>The persons, a CSV line each.</summary>
    [Source(Default = "nexmark:persons?events=1000000")]
    public static partial Lines<Person> Persons();

    /// <summary>A person's registration, under the person's id.</summary>
    [Map]
    public static (long Seller, SellerEvent Event) Registered(Person person) => (person.Id, SellerEvent.Registered(person));

    /// <summary>The auctions, a CSV line each.</summary>
    [Source(Default = "nexmark:auctions?events=1000000")]
    public static partial Lines<Auction> Auctions();

    /// <summary>Keeps the auctions of the suggested category.</summary>
    [Filter]
    public static bool InCategory(Auction auction) => auction.Category == Category;

    /// <summary>An auction's opening, under its seller's id.</summary>
    [Map]
    public static (long Seller, SellerEvent Event) Opened(Auction auction) => (auction.Seller, SellerEvent.Opened(auction));

    /// <summary>Registrations and openings together, by seller.</summary>
    [Union(Input = nameof(Registered), Other = nameof(Opened))]
    public static partial (long Seller, SellerEvent Event) BySeller((long Seller, SellerEvent Event) sellerEvent);

    /// <summary>
    /// One event of a seller against what is known of the seller: an auction of a known local seller is a suggestion;
    /// one of a seller not yet registered waits; a registration records the person and, if local, suggests the auctions
    /// that waited.
    /// </summary>
    [MapWithState]
    public static Suggestions? Join(long seller, SellerEvent? sellerEvent, State<SellerState> state)
    {
        SellerEvent e = sellerEvent!.Value;
        SellerState known = state.GetValueOrDefault();
        if (e.IsPerson)
        {
            bool local = IsLocal(e.State);
            state.Update(local ? SellerState.Local(e.Name, e.City, e.State) : SellerState.Elsewhere);
            return local && known.Waiting is { Length: > 0 } waiting ? new Suggestions(e.Name, e.City, e.State, waiting) : null;
        }

        if (!known.Registered)
        {
            state.Update(known.Wait(e.Auction));
            return null;
        }

        return known.IsLocal ? new Suggestions(known.Name, known.City, known.State, e.Auction) : null;
    }

    /// <summary>Each suggestion of a seller's event on its own.</summary>
    [FlatMap]
    public static Suggestions Each(Suggestions suggestions) => suggestions;

    /// <summary>Each suggestion: the seller's name, city and state, and the auction.</summary>
    [Sink(Default = "console")]
    public static partial void Output((string Name, string City, string State, long Auction) suggestion);

    /// <summary>Whether a person of this state is suggested items: Oregon, Idaho or California.</summary>
    public static bool IsLocal(string state) => state is "OR" or "ID" or "CA";
}
