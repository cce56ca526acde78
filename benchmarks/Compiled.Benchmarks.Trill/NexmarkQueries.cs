using Microsoft.StreamProcessing;

namespace Compiled.Benchmarks.Trill;

/// <summary>
/// Nexmark Q2 and Q5 as Trill queries, with the semantics and output of samples/Nexmark's Q2 and Q5: the bid file is
/// ingressed as point events (<see cref="BidFile"/>) with a punctuation every second of event time, the query runs on
/// the reading thread, and its output is egressed as stream events and written as the compiled job's file sink writes
/// its tuples.
/// </summary>
internal static class NexmarkQueries
{
    private const long AuctionDivisor = 123;
    private const long WindowSize = 10_000;
    private const long WindowSlide = 2_000;

    /// <summary>Q2, selection: <c>SELECT auction, price FROM bid WHERE auction % 123 = 0</c>, as <c>(auction,price)</c> lines.</summary>
    public static long Q2(string bidsPath, string outputPath)
    {
        var bids = new BidFile(bidsPath, timeShift: 0);
        using var output = new LineWriter(outputPath);
        IStreamable<Empty, AuctionPrice> query = Ingress(bids)
            .Where(bid => bid.Auction % AuctionDivisor == 0)
            .Select(bid => new AuctionPrice { Auction = bid.Auction, Price = bid.Price });
        using (query.ToStreamEventObservable().Subscribe(new Egress<AuctionPrice>(e => output.Write(e.Payload.Auction, e.Payload.Price))))
        {
            bids.Run();
        }

        return output.Lines;
    }

    /// <summary>
    /// Q5, hot items: in each 10 s window of event time, sliding every 2 s, every auction with the most bids, as
    /// <c>(windowStart,auction,bids)</c> lines. The bids are counted per auction in a hopping window
    /// (<c>HoppingWindowLifetime</c>, <c>GroupApply</c>, <c>Count</c>), each window's most bids found by <c>Max</c>, and
    /// the counts joined with it on the count (the query shares its counts through <c>Multicast</c>).
    /// </summary>
    /// <remarks>
    /// Trill's hopping window moves each event's start up to the next multiple of the slide, so the window whose
    /// snapshot starts at <c>s</c> holds the events in <c>(s - 10 s, s]</c>; samples/Nexmark's window that starts at
    /// <c>w</c> holds those in <c>[w, w + 10 s)</c>. Each bid is ingressed 1 ms after its time, so that Trill's
    /// snapshot at <c>s</c> holds exactly the bids of the window <c>[s - 10 s, s)</c>: its lines say window start
    /// <c>s - 10 s</c>. A count unchanged over several snapshots comes out of Trill as one event over them; it is
    /// written once per snapshot (every 2 s of its lifetime).
    /// </remarks>
    public static long Q5(string bidsPath, string outputPath)
    {
        var bids = new BidFile(bidsPath, timeShift: 1);
        using var output = new LineWriter(outputPath);
        IStreamable<Empty, AuctionBids> query = Ingress(bids)
            .HoppingWindowLifetime(WindowSize, WindowSlide)
            .GroupApply(bid => bid.Auction, bidsOfAuction => bidsOfAuction.Count(), (group, count) => new AuctionBids { Auction = group.Key, Bids = (long)count })
            .Multicast(counts => counts.Join(counts.Max(c => c.Bids), c => c.Bids, most => most, (c, most) => c));
        var egress = new Egress<AuctionBids>(e =>
        {
            for (long snapshot = e.StartTime; snapshot < e.EndTime; snapshot += WindowSlide)
            {
                output.Write(snapshot - WindowSize, e.Payload.Auction, e.Payload.Bids);
            }
        });
        using (query.ToStreamEventObservable().Subscribe(egress))
        {
            bids.Run();
        }

        return output.Lines;
    }

    // The file's bids, in order of time (a bid that goes back in time is an error), punctuated every second of event time.
    private static IStreamable<Empty, Bid> Ingress(BidFile bids) =>
        bids.ToStreamable(DisorderPolicy.Throw(), FlushPolicy.FlushOnPunctuation, PeriodicPunctuationPolicy.Time(1_000));

    // Hands each data event that has its whole lifetime (a point, an interval, or an end edge, which carries its start)
    // to `write`; start edges are written when their end edge comes, punctuations not at all.
    private sealed class Egress<T>(Action<StreamEvent<T>> write) : IObserver<StreamEvent<T>>
    {
        public void OnNext(StreamEvent<T> value)
        {
            if (value.IsData && !value.IsStart)
            {
                write(value);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error) => throw new InvalidOperationException("The Trill query failed: " + error.Message, error);
    }
}
