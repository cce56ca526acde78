using Samples.Nexmark.Generator;
using Samples.Nexmark.Queries;

namespace Compiled.Nexmark.Tests;

/// <summary>
/// The queries that join persons, auctions and bids (Q3, Q4, Q6, Q8): each one's output on generated streams of several
/// seeds equals a plain LINQ reference over the parsed events. The events are fed to the query's test driver in
/// batches of consecutive events (each source its events of the batch), so a person, an auction and the bids on it
/// often come in different batches, and now and then an auction before its seller or a bid before its auction.
/// </summary>
public class JoinQueryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(11)]
    public void Q3_SuggestsEachCategory10AuctionOfASellerInOregonIdahoOrCalifornia_OnceItsSellerIsKnown(long seed)
    {
        NexmarkEvents events = NexmarkEvents.Generate(seed, 20_000);
        using var test = new Q3.TestDriver();
        events.Feed(test.Persons, test.Auctions, bids: null);
        test.RunToEnd();

        var matches = (
            from a in events.Auctions
            where a.Category == 10
            join p in events.Persons on a.Seller equals p.Id
            where p.State is "OR" or "ID" or "CA"
            select (Suggestion: (p.Name, p.City, p.State, a.Id), AuctionFirst: a.DateTime < p.DateTime)).ToArray();
        var expected = matches.Select(m => m.Suggestion).Order().ToArray();
        Assert.True(expected.Length >= 50, $"{expected.Length} suggestions: enough to say something");
        Assert.Contains(matches, m => m.AuctionFirst);
        Assert.Equal(expected, test.Output.Records.Order().ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(11)]
    public void Q8_GivesThePersonsWhoOpenedAnAuctionInThe10sWindowTheyRegisteredIn(long seed)
    {
        NexmarkEvents events = NexmarkEvents.Generate(seed, 20_000);
        using var test = new Q8.TestDriver();
        events.Feed(test.Persons, test.Auctions, bids: null);
        test.RunToEnd();

        var expected = (
            from p in events.Persons
            join a in events.Auctions on (p.Id, Start: Window10s(p.DateTime)) equals (Id: a.Seller, Start: Window10s(a.DateTime))
            select (p.Id, p.Name, Window10s(p.DateTime))).Distinct().Order().ToArray();
        Assert.True(expected.Length >= 5, $"{expected.Length} new users: enough to say something");
        Assert.Equal(expected, test.Output.Records.Order().ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(11)]
    public void Q4_GivesEachBatchEveryCategorysAverageClosingPrice_OverTheAuctionsTheWatermarkHasClosed(long seed)
    {
        NexmarkEvents events = NexmarkEvents.Generate(seed, 20_000);
        using var test = new Q4.TestDriver();
        events.Feed(persons: null, test.Auctions, test.Bids);
        test.RunToEnd();

        ClosedAuction[] closed = events.Closed();
        Assert.Contains(events.Bids, b => events.Auctions.All(a => a.Id != b.Auction || a.DateTime > b.DateTime));
        Assert.True(closed.Length >= 500, $"{closed.Length} auctions closed with a bid: enough to say something");
        Assert.Equal(events.Batches, test.Output.Batches.Count);
        for (int batch = 0; batch < events.Batches; batch++)
        {
            // After batch k the watermark is the latest time both sources have reached (the end of time after the last).
            long watermark = batch == events.Batches - 1 ? long.MaxValue : events.WatermarkAfter(batch);
            var expected = closed
                .Where(a => a.Expires < watermark)
                .GroupBy(a => a.Category)
                .Select(g => (Category: g.Key, Average: g.Sum(a => a.Price) / g.Count()))
                .Order()
                .ToArray();
            Assert.Equal(expected, test.Output.Batches[batch].Records.Order().ToArray());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(11)]
    public void Q6_GivesTheSellersAverageOverItsLastTenClosedAuctions_AsEachCloses(long seed)
    {
        NexmarkEvents events = NexmarkEvents.Generate(seed, 20_000);
        using var test = new Q6.TestDriver();
        events.Feed(persons: null, test.Auctions, test.Bids);
        test.RunToEnd();

        var sold = new Dictionary<long, List<long>>();
        var expected = new List<(long Seller, long Average)>();
        foreach (ClosedAuction auction in events.Closed().Order())
        {
            List<long> prices = sold.TryGetValue(auction.Seller, out List<long>? p) ? p : sold[auction.Seller] = [];
            prices.Add(auction.Price);
            expected.Add((auction.Seller, prices.TakeLast(10).Sum() / Math.Min(prices.Count, 10)));
        }

        Assert.Contains(sold.Values, prices => prices.Count > 10);
        Assert.Equal(expected, test.Output.Records);
    }

    private static long Window10s(long time) => time - time % 10_000;
}
