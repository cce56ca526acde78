namespace Compiled.Benchmarks.Peers.Nexmark;

/// <summary>
/// Nexmark Q1 and Q2 in LINQ: the bid file's lines (<c>File.ReadLines</c>) parsed with <c>Select</c>; Q1 maps each bid to
/// euros, Q2 keeps the bids on the selected auctions with <c>Where</c>; each result's line written as it comes.
/// </summary>
internal static class LinqNexmark
{
    /// <summary>Runs <paramref name="query"/> over the bid file <paramref name="inputPath"/> into the new file <paramref name="outputPath"/>.</summary>
    public static void Run(string query, string inputPath, string outputPath)
    {
        IEnumerable<NexmarkBid> bids = File.ReadLines(inputPath).Where(line => line.Length > 0).Select(NexmarkBids.Parse);
        IEnumerable<string> lines = NexmarkBids.IsQ1(query)
            ? bids.Select(NexmarkBids.InEuros).Select(NexmarkBids.Q1Line)
            : bids.Where(NexmarkBids.OnSelectedAuction).Select(NexmarkBids.Q2Line);
        StreamWriter writer = NexmarkBids.Create(outputPath);
        foreach (string line in lines)
        {
            writer.Write(line);
            writer.Write('\n');
        }

        NexmarkBids.Close(writer);
    }
}
