using Samples.Nexmark.Generator;
using static Samples.Nexmark.Generator.GeneratorConfig;

namespace Compiled.Nexmark.Tests;

/// <summary>
/// The generator on 10,000 events: the same stream for the same seed, the specification's proportions and order of
/// kinds, ids that count up and references that point at persons and auctions that exist (or are at most the
/// specification's lead ahead), hot auctions and bidders in the specification's ratios, and event times at the rate.
/// </summary>
public class GeneratorTests
{
    private static readonly NexmarkStream Stream = NexmarkStream.Generate(new GeneratorConfig(Seed: 42, Events: 10_000));

    [Fact]
    public void TheSameSeed_GivesTheSameStream_AndAnotherSeedAnother()
    {
        NexmarkStream again = NexmarkStream.Generate(new GeneratorConfig(Seed: 42, Events: 10_000));
        NexmarkStream other = NexmarkStream.Generate(new GeneratorConfig(Seed: 43, Events: 10_000));

        Assert.Equal(Stream.Events, again.Events);
        Assert.True(Stream.Events.Zip(other.Events).Count(p => p.First.Line != p.Second.Line) > 9_000, "another seed should change nearly every event");
    }

    [Fact]
    public void EachRunOfFiftyEvents_IsAPerson_ThreeAuctions_And46Bids()
    {
        Assert.Equal(200, Stream.Events.Count(e => e.Kind == EventKind.Person));
        Assert.Equal(600, Stream.Events.Count(e => e.Kind == EventKind.Auction));
        Assert.Equal(9_200, Stream.Events.Count(e => e.Kind == EventKind.Bid));
        for (int n = 0; n < Stream.Events.Count; n++)
        {
            EventKind expected = (n % 50) switch { 0 => EventKind.Person, < 4 => EventKind.Auction, _ => EventKind.Bid };
            Assert.Equal(expected, Stream.Events[n].Kind);
        }

        Assert.Equal(200, EventIds.CountOf(EventKind.Person, 10_000));
        // Counting without generating: 53 events are a run of 50, a person and two auctions.
        Assert.Equal((2L, 5L, 46L), (EventIds.CountOf(EventKind.Person, 53), EventIds.CountOf(EventKind.Auction, 53), EventIds.CountOf(EventKind.Bid, 53)));
    }

    [Fact]
    public void Lines_HaveTheirKindsColumns()
    {
        Assert.All(Stream.Fields(EventKind.Person), f => Assert.Equal(7, f.Length));
        Assert.All(Stream.Fields(EventKind.Auction), f => Assert.Equal(9, f.Length));
        Assert.All(Stream.Fields(EventKind.Bid), f => Assert.Equal(6, f.Length));
    }

    [Fact]
    public void PersonsAndAuctions_HaveIdsCountingUpFromTheFirst()
    {
        Assert.Equal(Enumerable.Range(1000, 200).Select(i => (long)i), Stream.Fields(EventKind.Person).Select(f => long.Parse(f[0])));
        Assert.Equal(Enumerable.Range(1000, 600).Select(i => (long)i), Stream.Fields(EventKind.Auction).Select(f => long.Parse(f[0])));
    }

    [Fact]
    public void SellersBiddersAndAuctions_ReferToThoseCreatedBefore_OrAtMostTheLeadAhead()
    {
        long lastPerson = FirstPersonId - 1, lastAuction = FirstAuctionId - 1;
        int bidsOnExistingAuctions = 0, bidsByExistingBidders = 0, bids = 0;
        foreach ((EventKind kind, _, string line) in Stream.Events)
        {
            string[] f = line.Split(',');
            switch (kind)
            {
                case EventKind.Person:
                    lastPerson = long.Parse(f[0]);
                    break;
                case EventKind.Auction:
                    lastAuction = long.Parse(f[0]);
                    Assert.InRange(long.Parse(f[7]), FirstPersonId, lastPerson + PersonIdLead);
                    break;
                default:
                    long auction = long.Parse(f[0]), bidder = long.Parse(f[1]);
                    Assert.InRange(auction, Math.Max(FirstAuctionId, lastAuction - InFlightAuctions), lastAuction + AuctionIdLead);
                    Assert.InRange(bidder, FirstPersonId, lastPerson + PersonIdLead);
                    bids++;
                    bidsOnExistingAuctions += auction <= lastAuction ? 1 : 0;
                    bidsByExistingBidders += bidder <= lastPerson ? 1 : 0;
                    break;
            }
        }

        // Only draws past the latest (the lead) refer ahead: few bids do.
        Assert.True(bidsOnExistingAuctions > 0.9 * bids, $"{bidsOnExistingAuctions} of {bids} bids are on an auction that exists");
        Assert.True(bidsByExistingBidders > 0.9 * bids, $"{bidsByExistingBidders} of {bids} bids are by a person who exists");
    }

    [Fact]
    public void HalfTheBids_AreOnTheHotAuction_AndThreeQuarters_ByTheHotBidder()
    {
        int bids = 0, hotAuction = 0, hotBidder = 0;
        for (int n = 0; n < Stream.Events.Count; n++)
        {
            if (Stream.Events[n].Kind != EventKind.Bid)
            {
                continue;
            }

            string[] f = Stream.Events[n].Line.Split(',');
            bids++;
            hotAuction += long.Parse(f[0]) == EventIds.LastAuctionNumber(n) / HotAuctionStep * HotAuctionStep + FirstAuctionId ? 1 : 0;
            hotBidder += long.Parse(f[1]) == EventIds.LastPersonNumber(n) / HotPersonStep * HotPersonStep + 1 + FirstPersonId ? 1 : 0;
        }

        // 1 - 1/2 of the bids are drawn hot (plus the few random draws that land on it); 1 - 1/4 of the bidders.
        Assert.InRange(hotAuction / (double)bids, 0.47, 0.56);
        Assert.InRange(hotBidder / (double)bids, 0.72, 0.80);
    }

    [Fact]
    public void EventTimes_AdvanceByTheInterEventDelay_AndEachLineEndsWithItsTime()
    {
        // 10,000 events per second: event n is n / 10 ms after the first.
        for (int n = 0; n < Stream.Events.Count; n++)
        {
            Assert.Equal(DefaultBaseTimeMs + n / 10, Stream.Events[n].Time);
        }

        Assert.All(Stream.Fields(EventKind.Person), f => Assert.True(long.Parse(f[6]) >= DefaultBaseTimeMs));
        Assert.Equal(
            Stream.Events.Where(e => e.Kind == EventKind.Bid).Select(e => e.Time),
            Stream.Fields(EventKind.Bid).Select(f => long.Parse(f[5])));
        NexmarkStream slow = NexmarkStream.Generate(new GeneratorConfig(Seed: 42, Events: 100, Rate: 4));
        Assert.Equal(DefaultBaseTimeMs + 99 * 250, slow.Events[^1].Time);
    }

    [Fact]
    public void PricesCategoriesAndAuctionTimes_AreInTheSpecificationsRanges()
    {
        // Prices are cents from $1 to $1,000,000; the reserve is above the initial bid; an auction ends after it opens.
        Assert.All(Stream.Fields(EventKind.Bid), f => Assert.InRange(long.Parse(f[2]), 100, 100_000_000));
        Assert.All(Stream.Fields(EventKind.Auction), f =>
        {
            Assert.InRange(long.Parse(f[3]), 100, 100_000_000);
            Assert.True(long.Parse(f[4]) > long.Parse(f[3]), $"reserve {f[4]} above initial bid {f[3]}");
            Assert.True(long.Parse(f[6]) > long.Parse(f[5]), $"expires {f[6]} after {f[5]}");
            Assert.InRange(long.Parse(f[8]), FirstCategoryId, FirstCategoryId + Categories - 1);
        });
        Assert.Equal(Categories, Stream.Fields(EventKind.Auction).Select(f => f[8]).Distinct().Count());

        // Bid prices spread evenly over the orders of magnitude: about a sixth below $10.
        double cheap = Stream.Fields(EventKind.Bid).Count(f => long.Parse(f[2]) < 1_000) / 9_200.0;
        Assert.InRange(cheap, 0.13, 0.20);
    }
}
