using Samples.Nexmark.Generator;
using Samples.Nexmark.Queries;

namespace Compiled.Nexmark.Tests;

/// <summary>
/// Each query's output on a generated stream equals a plain LINQ reference over the parsed bids. The bids are fed to
/// the query's test driver a few hundred per batch, in the order the generator writes them.
/// </summary>
public class QueryTests
{
    private const int BidsPerBatch = 400;

    // 5,000 events at 200 a second: 25 s of event time, so Q5 has a dozen sliding windows.
    private static readonly Bid[] Bids = NexmarkStream.Generate(new GeneratorConfig(Seed: 11, Events: 5_000, Rate: 200))
        .Lines(EventKind.Bid)
        .Select(line => BidLines.Parse(System.Text.Encoding.UTF8.GetBytes(line)))
        .ToArray();

    [Fact]
    public void TheBidsParse_AsTheirLinesSay()
    {
        Assert.Equal(4_600, Bids.Length);
        Bid first = Bids[0];
        string line = NexmarkStream.Generate(new GeneratorConfig(Seed: 11, Events: 5, Rate: 200)).Lines(EventKind.Bid).Single();
        string[] f = line.Split(',');
        Assert.Equal(new Bid(long.Parse(f[0]), long.Parse(f[1]), long.Parse(f[2]), long.Parse(f[5])), first);
        var reader = new BidLines();
        Assert.True(reader.TryRead("1,2,3,Google,https://x/,4"u8, out _));
        Assert.False(reader.TryRead("1,2,3,Google,https://x/,notatime"u8, out _));
        Assert.False(reader.TryRead("1,2,3,Google"u8, out _));
        // A column past the bid's is not looked at (Bid is declared CheckUnreadColumns = false).
        Assert.True(reader.TryRead("1,2,3,Google,https://x/,4,5"u8, out Bid longer));
        Assert.Equal(new Bid(1, 2, 3, 4), longer);
    }

    [Fact]
    public void ABidReadForQ2_HasItsAuctionAndPrice_AndLeavesTheRestUnread()
    {
        // Q2's source reads the auction and the price (its generated code passes 0x5): the bidder and the time stay 0,
        // and a time that is not a number is not parsed, so it does not refuse the bid; nor does a row without the time's
        // column, since Bid checks only the columns read (CheckUnreadColumns = false); a price that is not a number does.
        var reader = new BidLines();
        Assert.True(reader.TryRead("7,8,9,Google,https://x/,10"u8, out _));
        Assert.True(reader.TryRead("123,45,678,Google,https://x/,1767225600000"u8, 0x5UL, out Bid bid));
        Assert.Equal(new Bid(123, 0, 678, 0), bid);
        Assert.True(reader.TryRead("246,45,679,Google,https://x/,notatime"u8, 0x5UL, out bid));
        Assert.Equal(new Bid(246, 0, 679, 0), bid);
        Assert.True(reader.TryRead("369,45,680,Google,https://x/"u8, 0x5UL, out bid));
        Assert.Equal(new Bid(369, 0, 680, 0), bid);
        Assert.False(reader.TryRead("369,45"u8, 0x5UL, out _));
        Assert.False(reader.TryRead("369,45,cheap,Google,https://x/,1"u8, 0x5UL, out _));
    }

    [Fact]
    public void ABidWithQuotedFieldsOrOddNumbers_ReadsAsThePlainLineWould()
    {
        // A quoted channel and URL (with a comma inside), a number with a '+' or spaces: none is the plain form the parser
        // reads straight from the line, so each goes through the reader's general path, which reads them as RFC 4180 says.
        var reader = new BidLines();
        Assert.True(reader.TryRead("1,2,3,Google,https://x/,4"u8, out Bid plain));
        Assert.Equal(new Bid(1, 2, 3, 4), plain);
        Assert.True(reader.TryRead("1,2,3,\"Goo,gle\",\"https://x/?a=1,b=2\",4"u8, out Bid quoted));
        Assert.Equal(plain, quoted);
        Assert.True(reader.TryRead("+1, 2,3,Google,https://x/,4"u8, out Bid odd));
        Assert.Equal(plain, odd);
        Assert.True(reader.TryRead("1,2,3,\"Goo,gle\",https://x/,4"u8, 0x5UL, out Bid pruned));
        Assert.Equal(new Bid(1, 0, 3, 0), pruned);

        // A bid is one line (MultiLine = false): a quote left open is that line's mistake, and the next line is a bid.
        Assert.False(reader.TryRead("1,2,3,\"Google,https://x/,4"u8, out _));
        Assert.True(reader.TryRead("5,6,7,Google,https://x/,8"u8, out Bid next));
        Assert.Equal(new Bid(5, 6, 7, 8), next);
    }

    [Fact]
    public void Q0_PassesEveryBidThrough()
    {
        using var test = new Q0.TestDriver();
        Feed(test.Bids);
        test.RunToEnd();

        Assert.Equal(Bids, test.Output.Records);
    }

    [Fact]
    public void Q1_ConvertsEachPriceToEuros()
    {
        using var test = new Q1.TestDriver();
        Feed(test.Bids);
        test.RunToEnd();

        Assert.Equal(Bids.Select(b => new EuroBid(b.Auction, b.Bidder, b.Price * 89 / 100, b.DateTime)), test.Output.Records);
    }

    [Fact]
    public void Q2_KeepsTheBidsOnAuctionsWhoseIdIsAMultipleOf123()
    {
        using var test = new Q2.TestDriver();
        Feed(test.Bids);
        test.RunToEnd();

        (long, long)[] expected = Bids.Where(b => b.Auction % 123 == 0).Select(b => (b.Auction, b.Price)).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, test.Output.Records);
    }

    [Fact]
    public void Q5_GivesEachWindowsAuctionsWithTheMostBids()
    {
        using var test = new Q5.TestDriver();
        Feed(test.Bids);
        test.RunToEnd();

        // Each bid is in the five 10 s windows, starting every 2 s, that hold its time.
        var expected = Bids
            .SelectMany(b => Enumerable.Range(0, 5).Select(k => (Start: (b.DateTime / 2_000 - k) * 2_000, b.Auction)))
            .GroupBy(w => w)
            .Select(g => (g.Key.Start, g.Key.Auction, Bids: (long)g.Count()))
            .GroupBy(c => c.Start)
            .SelectMany(window => window.Where(c => c.Bids == window.Max(x => x.Bids)))
            .Order()
            .ToArray();
        Assert.True(expected.Select(e => e.Start).Distinct().Count() >= 12, "the stream spans a dozen windows");
        Assert.Equal(expected, test.Output.Records.Order().ToArray());
    }

    [Fact]
    public void Q7_GivesEachTumblingWindowsHighestBid()
    {
        using var test = new Q7.TestDriver();
        Feed(test.Bids);
        test.RunToEnd();

        Bid[] expected = Bids
            .GroupBy(b => b.DateTime / 10_000)
            .OrderBy(window => window.Key)
            .Select(window => window.First(b => b.Price == window.Max(x => x.Price)))
            .ToArray();
        Assert.True(expected.Length >= 3, "the stream spans three windows");
        Assert.Equal(expected, test.Output.Records);
    }

    private static void Feed(Compiled.Testing.TestInput<Bid> input)
    {
        foreach (Bid[] chunk in Bids.Chunk(BidsPerBatch))
        {
            input.Batch(chunk);
        }
    }
}
