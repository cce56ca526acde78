using System.Reactive.Linq;

namespace Compiled.Benchmarks.Peers.Nexmark;

/// <summary>
/// Nexmark Q1 and Q2 in System.Reactive: the bid file's lines as an observable (<c>File.ReadLines(path).ToObservable()</c>),
/// parsed with <c>Select</c>; Q1 maps each bid to euros, Q2 keeps the bids on the selected auctions with <c>Where</c>;
/// each result's line written by the subscriber (<c>ForEachAsync</c>) as it arrives.
/// </summary>
internal static class RxNexmark
{
    /// <summary>Runs <paramref name="query"/> over the bid file <paramref name="inputPath"/> into the new file <paramref name="outputPath"/>.</summary>
    public static async Task Run(string query, string inputPath, string outputPath)
    {
        IObservable<NexmarkBid> bids = File.ReadLines(inputPath).ToObservable().Where(line => line.Length > 0).Select(NexmarkBids.Parse);
        IObservable<string> lines = NexmarkBids.IsQ1(query)
            ? bids.Select(NexmarkBids.InEuros).Select(NexmarkBids.Q1Line)
            : bids.Where(NexmarkBids.OnSelectedAuction).Select(NexmarkBids.Q2Line);
        StreamWriter writer = NexmarkBids.Create(outputPath);
        await lines.ForEachAsync(line =>
        {
            writer.Write(line);
            writer.Write('\n');
        });
        NexmarkBids.Close(writer);
    }
}
