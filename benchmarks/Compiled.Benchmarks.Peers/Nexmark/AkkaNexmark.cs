using System.Text;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.IO;
using Compiled.Benchmarks.Peers.WordCount;

namespace Compiled.Benchmarks.Peers.Nexmark;

/// <summary>
/// Nexmark Q1 and Q2 in Akka.Streams: the bid file's bytes from <see cref="FileIO.FromFile"/>, cut into lines by
/// <see cref="Framing.Delimiter"/>, decoded and parsed; Q1 maps each bid to euros, Q2 keeps the bids on the selected
/// auctions (<c>Where</c>); each result's line encoded and written by <see cref="FileIO.ToFile"/>, the file flushed to
/// disk once the stream completes.
/// </summary>
internal static class AkkaNexmark
{
    /// <summary>Runs <paramref name="query"/> over the bid file <paramref name="inputPath"/> into the new file <paramref name="outputPath"/>.</summary>
    public static async Task Run(string query, string inputPath, string outputPath)
    {
        bool q1 = NexmarkBids.IsQ1(query);
        using ActorSystem system = ActorSystem.Create("nexmark", AkkaWordCount.Quiet);
        try
        {
            Source<NexmarkBid, Task<IOResult>> bids = FileIO.FromFile(new FileInfo(inputPath))
                .Via(Framing.Delimiter(ByteString.FromString("\n"), maximumFrameLength: 1 << 16, allowTruncation: true))
                .Select(line => line.ToString(Encoding.UTF8))
                .Where(line => line.Length > 0)
                .Select(NexmarkBids.Parse);
            Source<string, Task<IOResult>> lines = q1
                ? bids.Select(NexmarkBids.InEuros).Select(NexmarkBids.Q1Line)
                : bids.Where(NexmarkBids.OnSelectedAuction).Select(NexmarkBids.Q2Line);
            IOResult written = await lines
                .Select(line => ByteString.FromString(line + "\n", Encoding.UTF8))
                .RunWith(FileIO.ToFile(new FileInfo(outputPath)), system.Materializer());
            if (!written.WasSuccessful)
            {
                throw new IOException($"Akka.Streams could not write '{outputPath}'.", written.Error);
            }
        }
        finally
        {
            await system.Terminate();
        }

        using var file = new FileStream(outputPath, FileMode.Open, FileAccess.Write, FileShare.None);
        file.Flush(flushToDisk: true);
    }
}
