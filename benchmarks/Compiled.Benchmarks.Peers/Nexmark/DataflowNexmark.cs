using System.Threading.Tasks.Dataflow;

namespace Compiled.Benchmarks.Peers.Nexmark;

/// <summary>
/// Nexmark Q1 and Q2 in TPL Dataflow: the bid file's lines posted (<c>SendAsync</c>, back pressure) to a
/// <see cref="TransformBlock{TInput, TOutput}"/> that parses them on every core (in order, the block's default); Q1 maps
/// each bid to its line in euros in a second transform block, Q2 links only the bids on the selected auctions to it (a
/// link's predicate; the others go to a null target); an <see cref="ActionBlock{TInput}"/> writes the lines. Every
/// block is bounded.
/// </summary>
internal static class DataflowNexmark
{
    private const int Capacity = 10_000;   // messages waiting in each block at most

    /// <summary>Runs <paramref name="query"/> over the bid file <paramref name="inputPath"/> into the new file <paramref name="outputPath"/>.</summary>
    public static async Task Run(string query, string inputPath, string outputPath)
    {
        bool q1 = NexmarkBids.IsQ1(query);
        StreamWriter writer = NexmarkBids.Create(outputPath);
        var parse = new TransformBlock<string, NexmarkBid>(
            NexmarkBids.Parse,
            new ExecutionDataflowBlockOptions { BoundedCapacity = Capacity, MaxDegreeOfParallelism = Environment.ProcessorCount });
        var format = new TransformBlock<NexmarkBid, string>(
            bid => q1 ? NexmarkBids.Q1Line(NexmarkBids.InEuros(bid)) : NexmarkBids.Q2Line(bid),
            new ExecutionDataflowBlockOptions { BoundedCapacity = Capacity });
        var write = new ActionBlock<string>(
            line =>
            {
                writer.Write(line);
                writer.Write('\n');
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = Capacity });
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        if (q1)
        {
            parse.LinkTo(format, link);
        }
        else
        {
            parse.LinkTo(format, link, NexmarkBids.OnSelectedAuction);
            parse.LinkTo(DataflowBlock.NullTarget<NexmarkBid>());
        }

        format.LinkTo(write, link);
        foreach (string line in File.ReadLines(inputPath))
        {
            if (line.Length > 0)
            {
                await parse.SendAsync(line);
            }
        }

        parse.Complete();
        await write.Completion;
        NexmarkBids.Close(writer);
    }
}
