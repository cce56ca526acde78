namespace Samples.Nexmark.Generator;

/// <summary>
/// What a Nexmark stream is made of: its seed, its length and its event rate, with the constants of the Nexmark
/// specification (as its reference generators, Apache Beam's and Flink's, define them).
/// </summary>
/// <param name="Seed">The seed: the same seed, length and rate always give the same stream.</param>
/// <param name="Events">The number of events, of all three kinds, in the stream.</param>
/// <param name="Rate">Events per second of event time: consecutive events are 1/<paramref name="Rate"/> s apart.</param>
/// <param name="BaseTimeMs">The event time of the first event, in Unix milliseconds.</param>
public sealed record GeneratorConfig(long Seed, long Events, int Rate = GeneratorConfig.DefaultRate, long BaseTimeMs = GeneratorConfig.DefaultBaseTimeMs)
{
    /// <summary>The default rate, as the reference generators': 10,000 events per second.</summary>
    public const int DefaultRate = 10_000;

    /// <summary>The default time of the first event: 2026-01-01T00:00:00Z, so a stream does not depend on when it is generated.</summary>
    public const long DefaultBaseTimeMs = 1_767_225_600_000;

    /// <summary>Persons in each <see cref="ProportionDenominator"/> events.</summary>
    public const int PersonProportion = 1;

    /// <summary>Auctions in each <see cref="ProportionDenominator"/> events.</summary>
    public const int AuctionProportion = 3;

    /// <summary>Bids in each <see cref="ProportionDenominator"/> events.</summary>
    public const int BidProportion = 46;

    /// <summary>The events in which the proportions repeat: 50 (1 person, then 3 auctions, then 46 bids).</summary>
    public const int ProportionDenominator = PersonProportion + AuctionProportion + BidProportion;

    /// <summary>The id of the first person.</summary>
    public const long FirstPersonId = 1000;

    /// <summary>The id of the first auction.</summary>
    public const long FirstAuctionId = 1000;

    /// <summary>The id of the first category; there are <see cref="Categories"/> in all.</summary>
    public const long FirstCategoryId = 10;

    /// <summary>The number of categories.</summary>
    public const int Categories = 5;

    /// <summary>The persons that sellers and bidders are drawn from: the latest 1,000.</summary>
    public const int ActivePeople = 1000;

    /// <summary>The auctions that bids are drawn from: the latest 100.</summary>
    public const int InFlightAuctions = 100;

    /// <summary>How far past the latest person a seller or bidder may be (one who has not joined yet): 10.</summary>
    public const int PersonIdLead = 10;

    /// <summary>How far past the latest auction a bid's auction may be (one not opened yet): 10.</summary>
    public const int AuctionIdLead = 10;

    /// <summary>One bid in this many is on a drawn auction, the others on the hot one: 2 (half the bids are hot).</summary>
    public const int HotAuctionRatio = 2;

    /// <summary>One auction in this many has a drawn seller, the others the hot one: 4.</summary>
    public const int HotSellersRatio = 4;

    /// <summary>One bid in this many has a drawn bidder, the others the hot one: 4.</summary>
    public const int HotBiddersRatio = 4;

    /// <summary>The hot auction is the latest multiple of this among auction numbers (from 0): 100.</summary>
    public const int HotAuctionStep = 100;

    /// <summary>The hot seller and bidder are the latest multiple of this among person numbers (from 0), plus one for the bidder: 100.</summary>
    public const int HotPersonStep = 100;

    /// <summary>Refuses a length below 0, a rate below 1.</summary>
    public void Validate()
    {
        if (Events < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Events), Events, "The number of events must be 0 or more; give --events N (events=N) with N >= 0.");
        }

        if (Rate < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Rate), Rate, "The rate must be at least 1 event per second; give --rate R (rate=R) with R >= 1.");
        }
    }
}
