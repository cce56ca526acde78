namespace Compiled.Benchmarks.Peers.Hottest;

/// <summary>
/// The Q5-style job in LINQ: the bid file's lines parsed, each bid paired with every window that holds it
/// (<c>SelectMany</c>), the (window, auction) pairs counted with <c>CountBy</c>, the counts grouped by window, and each
/// window's auctions with the most bids kept.
/// </summary>
internal static class LinqHottest
{
    /// <summary>Each window's hottest auctions among the bids of the file <paramref name="inputPath"/>.</summary>
    public static IEnumerable<Hot> Run(string inputPath) =>
        File.ReadLines(inputPath)
            .Where(line => line.Length > 0)
            .Select(HotBids.Parse)
            .SelectMany(bid => HotBids.WindowStarts(bid.Time), (bid, start) => (Start: start, bid.Auction))
            .CountBy(pair => pair)
            .GroupBy(count => count.Key.Start, count => KeyValuePair.Create(count.Key.Auction, (long)count.Value))
            .SelectMany(window => HotBids.Hottest(window.Key, window.ToDictionary()))
            .ToList();
}
