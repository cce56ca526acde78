using System.Threading.Tasks.Dataflow;

namespace Compiled.Benchmarks.Peers.Hottest;

/// <summary>
/// The Q5-style job in TPL Dataflow: the bid file's lines posted (<c>SendAsync</c>, back pressure) to a
/// <see cref="TransformBlock{TInput, TOutput}"/> that parses them on every core (in order, the block's default), linked
/// to an <see cref="ActionBlock{TInput}"/> that counts each bid in a dictionary per window of the windows that hold it;
/// both bounded. When the input is done, each window's hottest auctions are taken from its counts.
/// </summary>
internal static class DataflowHottest
{
    private const int Capacity = 10_000;   // messages waiting in each block at most

    /// <summary>Each window's hottest auctions among the bids of the file <paramref name="inputPath"/>.</summary>
    public static async Task<IEnumerable<Hot>> Run(string inputPath)
    {
        var windows = new Dictionary<long, Dictionary<long, long>>();
        var parse = new TransformBlock<string, Bid>(
            HotBids.Parse,
            new ExecutionDataflowBlockOptions { BoundedCapacity = Capacity, MaxDegreeOfParallelism = Environment.ProcessorCount });
        var count = new ActionBlock<Bid>(
            bid =>
            {
                foreach (long start in HotBids.WindowStarts(bid.Time))
                {
                    if (!windows.TryGetValue(start, out Dictionary<long, long>? counts))
                    {
                        windows[start] = counts = [];
                    }

                    counts[bid.Auction] = counts.GetValueOrDefault(bid.Auction) + 1;
                }
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = Capacity });
        parse.LinkTo(count, new DataflowLinkOptions { PropagateCompletion = true });

        foreach (string line in File.ReadLines(inputPath))
        {
            if (line.Length > 0)
            {
                await parse.SendAsync(line);
            }
        }

        parse.Complete();
        await count.Completion;
        return windows.SelectMany(window => HotBids.Hottest(window.Key, window.Value));
    }
}
