using Samples.Nexmark.Generator;
using Samples.Nexmark.Queries;

namespace Compiled.Nexmark.Tests;

/// <summary>
/// A generated stream, parsed, with the batch of each event: events are fed in batches of <see cref="EventsPerBatch"/>
/// consecutive events, each source its events of the batch.
/// </summary>
internal sealed record NexmarkEvents(Person[] Persons, Auction[] Auctions, Bid[] Bids, int[] PersonBatch, int[] AuctionBatch, int[] BidBatch, int Batches)
{
    /// <summary>The events of a batch.</summary>
    public const int EventsPerBatch = 200;

    // 200 events a second: 20,000 events are 100 s of event time, ten 10 s windows.
    public static NexmarkEvents Generate(long seed, long count)
    {
        var generator = new EventGenerator(new GeneratorConfig(seed, count, Rate: 200));
        byte[] line = new byte[EventGenerator.MaxLineBytes];
        var persons = new List<Person>();
        var auctions = new List<Auction>();
        var bids = new List<Bid>();
        var personBatch = new List<int>();
        var auctionBatch = new List<int>();
        var bidBatch = new List<int>();
        for (long n = 0; n < count; n++)
        {
            int length = generator.Write(n, line, out EventKind kind, out _);
            ReadOnlySpan<byte> text = line.AsSpan(0, length);
            int batch = (int)(n / EventsPerBatch);
            switch (kind)
            {
                case EventKind.Person:
                    persons.Add(Person.Parse(text, null));
                    personBatch.Add(batch);
                    break;
                case EventKind.Auction:
                    auctions.Add(Auction.Parse(text, null));
                    auctionBatch.Add(batch);
                    break;
                default:
                    bids.Add(BidLines.Parse(text));
                    bidBatch.Add(batch);
                    break;
            }
        }

        return new NexmarkEvents([.. persons], [.. auctions], [.. bids], [.. personBatch], [.. auctionBatch], [.. bidBatch], (int)((count + EventsPerBatch - 1) / EventsPerBatch));
    }

    /// <summary>
    /// Every auction with a bid between its opening and its expiry (both included), with the highest such bid as its
    /// closing price.
    /// </summary>
    public ClosedAuction[] Closed() => (
        from a in Auctions
        join b in Bids on a.Id equals b.Auction
        where b.DateTime >= a.DateTime && b.DateTime <= a.Expires
        group b.Price by a into prices
        select new ClosedAuction(prices.Key.Id, prices.Key.Seller, prices.Key.Category, prices.Key.Expires, prices.Max())).ToArray();

    /// <summary>The watermark after batch <paramref name="batch"/>: the latest event time of the auctions or of the bids so far, whichever is behind.</summary>
    public long WatermarkAfter(int batch) => Math.Min(
        Auctions.Where((_, i) => AuctionBatch[i] <= batch).Max(a => a.DateTime),
        Bids.Where((_, i) => BidBatch[i] <= batch).Max(b => b.DateTime));

    /// <summary>Gives each source its events of each batch (a source that is not given is left out).</summary>
    public void Feed(Compiled.Testing.TestInput<Person>? persons, Compiled.Testing.TestInput<Auction>? auctions, Compiled.Testing.TestInput<Bid>? bids) =>
        Feed(0, Batches, persons, auctions, bids);

    /// <summary>Gives each source its events of batches <paramref name="from"/> to <paramref name="to"/> (not included).</summary>
    public void Feed(int from, int to, Compiled.Testing.TestInput<Person>? persons, Compiled.Testing.TestInput<Auction>? auctions, Compiled.Testing.TestInput<Bid>? bids)
    {
        for (int batch = from; batch < to; batch++)
        {
            persons?.Batch(Of(Persons, PersonBatch, batch));
            auctions?.Batch(Of(Auctions, AuctionBatch, batch));
            bids?.Batch(Of(Bids, BidBatch, batch));
        }
    }

    private static T[] Of<T>(T[] events, int[] batchOf, int batch) => events.Where((_, i) => batchOf[i] == batch).ToArray();
}
