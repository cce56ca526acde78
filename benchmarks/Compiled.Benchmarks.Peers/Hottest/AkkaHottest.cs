using System.Text;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Compiled.Benchmarks.Peers.WordCount;

namespace Compiled.Benchmarks.Peers.Hottest;

/// <summary>
/// The Q5-style job in Akka.Streams: the bid file's bytes from <see cref="FileIO.FromFile"/>, cut into lines by
/// <see cref="Framing.Delimiter"/>, decoded and parsed, each bid paired with every window that holds it
/// (<c>SelectMany</c>), and the pairs folded into a dictionary per window of counts per auction (<c>RunAggregate</c>);
/// each window's hottest auctions are taken from the materialized dictionaries.
/// </summary>
internal static class AkkaHottest
{
    /// <summary>Each window's hottest auctions among the bids of the file <paramref name="inputPath"/>.</summary>
    public static async Task<IEnumerable<Hot>> Run(string inputPath)
    {
        using ActorSystem system = ActorSystem.Create("hottest", AkkaWordCount.Quiet);
        try
        {
            Dictionary<long, Dictionary<long, long>> windows = await FileIO.FromFile(new FileInfo(inputPath))
                .Via(Framing.Delimiter(ByteString.FromString("\n"), maximumFrameLength: 1 << 16, allowTruncation: true))
                .Select(line => line.ToString(Encoding.UTF8))
                .Where(line => line.Length > 0)
                .Select(HotBids.Parse)
                .SelectMany(bid => HotBids.WindowStarts(bid.Time).Select(start => (Start: start, bid.Auction)))
                .RunAggregate(
                    new Dictionary<long, Dictionary<long, long>>(),
                    (windows, pair) =>
                    {
                        if (!windows.TryGetValue(pair.Start, out Dictionary<long, long>? counts))
                        {
                            windows[pair.Start] = counts = [];
                        }

                        counts[pair.Auction] = counts.GetValueOrDefault(pair.Auction) + 1;
                        return windows;
                    },
                    system.Materializer());
            return windows.SelectMany(window => HotBids.Hottest(window.Key, window.Value)).ToList();
        }
        finally
        {
            await system.Terminate();
        }
    }
}
