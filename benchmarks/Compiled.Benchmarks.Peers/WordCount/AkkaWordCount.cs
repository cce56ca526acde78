using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.IO;

namespace Compiled.Benchmarks.Peers.WordCount;

/// <summary>
/// The word count in Akka.Streams, as an Akka.NET user writes it: the file's bytes from <see cref="FileIO.FromFile"/>,
/// cut into lines by <see cref="Framing.Delimiter"/>, each decoded and split into words (<c>SelectMany</c>, Akka's
/// mapConcat), and the words folded into a dictionary (<c>RunAggregate</c>) by a materialized stream in an actor system
/// with its default settings (logging only warnings, so that the process prints nothing on a good run).
/// </summary>
internal static class AkkaWordCount
{
    /// <summary>The count of each word of the file <paramref name="inputPath"/>.</summary>
    public static Task<Dictionary<string, long>> Count(string inputPath) => Count(FileIO.FromFile(new FileInfo(inputPath)));

    /// <summary>
    /// The count of each word of the bytes <paramref name="bytes"/> gives: a file's, or a TCP connection's
    /// (<c>StreamConverters.FromInputStream</c> over its <see cref="System.Net.Sockets.NetworkStream"/>).
    /// </summary>
    public static async Task<Dictionary<string, long>> Count(Source<ByteString, Task<IOResult>> bytes)
    {
        using ActorSystem system = ActorSystem.Create("wordcount", Quiet);
        try
        {
            return await bytes
                .Via(Framing.Delimiter(ByteString.FromString("\n"), maximumFrameLength: 1 << 16, allowTruncation: true))
                .Select(line => line.ToString(Encoding.UTF8))
                .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .RunAggregate(
                    new Dictionary<string, long>(StringComparer.Ordinal),
                    (counts, word) =>
                    {
                        counts[word] = counts.GetValueOrDefault(word) + 1;
                        return counts;
                    },
                    system.Materializer());
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Akka's defaults, but warnings only on the console.</summary>
    internal static Config Quiet => ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\nakka.log-dead-letters = off");
}
