using System.Threading.Tasks.Dataflow;

namespace Compiled.Benchmarks.Peers.WordCount;

/// <summary>
/// The word count in TPL Dataflow, as a Dataflow user writes it: the file's lines posted (with back pressure,
/// <c>SendAsync</c>) to a <see cref="TransformManyBlock{TInput, TOutput}"/> that splits each into words on every core,
/// linked to an <see cref="ActionBlock{TInput}"/> that counts them into a dictionary (one at a time, the block's
/// default, so the dictionary needs no lock); both blocks bounded, completion propagated along the link.
/// </summary>
internal static class DataflowWordCount
{
    private const int Capacity = 10_000;   // messages waiting in each block at most

    /// <summary>The count of each word of the file <paramref name="inputPath"/>.</summary>
    public static Task<Dictionary<string, long>> Count(string inputPath) => Count(File.ReadLines(inputPath));

    /// <summary>The count of each word of <paramref name="lines"/> (a file's, or a connection's: <see cref="TcpLines"/>).</summary>
    public static async Task<Dictionary<string, long>> Count(IEnumerable<string> lines)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var split = new TransformManyBlock<string, string>(
            line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            new ExecutionDataflowBlockOptions { BoundedCapacity = Capacity, MaxDegreeOfParallelism = Environment.ProcessorCount });
        var count = new ActionBlock<string>(
            word => counts[word] = counts.GetValueOrDefault(word) + 1,
            new ExecutionDataflowBlockOptions { BoundedCapacity = Capacity });
        split.LinkTo(count, new DataflowLinkOptions { PropagateCompletion = true });

        foreach (string line in lines)
        {
            await split.SendAsync(line);
        }

        split.Complete();
        await count.Completion;
        return counts;
    }
}
