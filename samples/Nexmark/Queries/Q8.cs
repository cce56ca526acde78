using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// Nexmark Q8, monitor new users: the persons who registered and opened an auction within the same 10 s tumbling
/// window of event time, as <c>(id, name, windowStart)</c> (the specification's <c>SELECT P.id, P.name, P.starttime</c>
/// of persons and auctions grouped by 10 s tumbling windows and joined on <c>P.id = A.seller</c> and the window).
/// </summary>
/// <remarks>
/// Persons and auctions are turned into one record type keyed by the seller and unioned; the union's event time (its
/// watermark follows the source furthest behind) windows each seller's events, reduced to whether the window holds the
/// registration (and the name) and an opening; a window that holds both is a new user who sold at once.
/// </remarks>
[Pipeline(BatchInterval = "1s")]
public static partial class Q8
{
    /// <summary>The persons, a CSV line each.</summary>
    [Source(Default = "nexmark:persons?events=1000000")]
    public static partial Lines<Person> Persons();

    /// <summary>A person's registration, under the person's id.</summary>
    [Map]
    public static (long Seller, SellerEvent Event) Registered(Person person) => (person.Id, SellerEvent.Registered(person));

    /// <summary>The auctions, a CSV line each.</summary>
    [Source(Default = "nexmark:auctions?events=1000000")]
    public static partial Lines<Auction> Auctions();

    /// <summary>An auction's opening, under its seller's id.</summary>
    [Map]
    public static (long Seller, SellerEvent Event) Opened(Auction auction) => (auction.Seller, SellerEvent.Opened(auction));

    /// <summary>Registrations and openings together, by seller.</summary>
    [Union(Input = nameof(Registered), Other = nameof(Opened))]
    public static partial (long Seller, SellerEvent Event) BySeller((long Seller, SellerEvent Event) sellerEvent);

    /// <summary>
    /// An event happens at its dateTime; each source's event times never go back, so nothing is late, and the generated
    /// stream's event time does not follow the clock, so a quiet source is never idle.
    /// </summary>
    [EventTime(Lateness = "0", IdleTimeout = "0")]
    public static long At((long Seller, SellerEvent Event) sellerEvent) => sellerEvent.Event.DateTime;

    /// <summary>What the event says of its seller.</summary>
    [Map]
    public static (long Seller, NewUser Seen) Seen((long Seller, SellerEvent Event) sellerEvent) => (sellerEvent.Seller, NewUser.Of(sellerEvent.Event));

    /// <summary>What each seller's events in a 10 s window say together.</summary>
    [EventWindow(Size = "10s")]
    public static NewUser InWindow(NewUser a, NewUser b) => NewUser.Merge(a, b);

    /// <summary>Keeps the windows in which the seller both registered and opened an auction.</summary>
    [Filter]
    public static bool RegisteredAndOpened(Windowed<long, NewUser> seller) => seller.Value.Registered && seller.Value.Opened;

    /// <summary>The new user: id, name and the window's start.</summary>
    [Map]
    public static (long Id, string Name, long WindowStart) NewSeller(Windowed<long, NewUser> seller) => (seller.Key, seller.Value.Name, seller.Window.Start);

    /// <summary>Each person who opened an auction in the window they registered in.</summary>
    [Sink(Default = "console")]
    public static partial void Output((long Id, string Name, long WindowStart) newUser);
}
