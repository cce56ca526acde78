using System.Reactive.Linq;

namespace Compiled.Benchmarks.Peers.Hottest;

/// <summary>
/// The Q5-style job in System.Reactive: the bid file's lines as an observable, parsed, each bid paired with every window
/// that holds it (<c>SelectMany</c>), grouped by window (<c>GroupBy</c>), each window's bids folded into a dictionary of
/// counts per auction (<c>Aggregate</c>), and its hottest auctions taken from that. Rx has no event-time windows: a
/// group ends when its source does, so every window is open until the file ends (the answer is the same).
/// </summary>
internal static class RxHottest
{
    /// <summary>Each window's hottest auctions among the bids of the file <paramref name="inputPath"/>.</summary>
    public static async Task<IList<Hot>> Run(string inputPath) =>
        await File.ReadLines(inputPath).ToObservable()
            .Where(line => line.Length > 0)
            .Select(HotBids.Parse)
            .SelectMany(bid => HotBids.WindowStarts(bid.Time), (bid, start) => (Start: start, bid.Auction))
            .GroupBy(pair => pair.Start)
            .SelectMany(window => window
                .Aggregate(new Dictionary<long, long>(), (counts, pair) =>
                {
                    counts[pair.Auction] = counts.GetValueOrDefault(pair.Auction) + 1;
                    return counts;
                })
                .SelectMany(counts => HotBids.Hottest(window.Key, counts)))
            .ToList();
}
