using System.Globalization;
using System.Text;

namespace Compiled.Benchmarks.Peers.Nexmark;

/// <summary>A Nexmark bid as the Q1 and Q2 peers read it: the fields the queries use (the channel and the URL are skipped).</summary>
internal readonly record struct NexmarkBid(long Auction, long Bidder, long Price, long DateTime);

/// <summary>
/// What every Nexmark Q1 and Q2 peer shares, written as a user of any of these libraries would: a bid parsed from its
/// CSV line (<c>auction,bidder,price,channel,url,dateTime</c>) with <see cref="string.Split(char, StringSplitOptions)"/>
/// and <see cref="long.Parse(string, IFormatProvider?)"/>; each query's step and its output line, in the format
/// samples/Nexmark's file sink writes; and the output file.
/// </summary>
internal static class NexmarkBids
{
    /// <summary>Q2's divisor: the auctions kept are those whose id it divides.</summary>
    public const long AuctionDivisor = 123;

    /// <summary>The bid on the CSV line <paramref name="line"/>.</summary>
    public static NexmarkBid Parse(string line)
    {
        string[] fields = line.Split(',');
        return new NexmarkBid(
            long.Parse(fields[0], CultureInfo.InvariantCulture),
            long.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[2], CultureInfo.InvariantCulture),
            long.Parse(fields[^1], CultureInfo.InvariantCulture));
    }

    /// <summary>Q1's step: the bid priced in euro cents, at the specification's rate of 0.89, rounded down.</summary>
    public static NexmarkBid InEuros(NexmarkBid bid) => bid with { Price = bid.Price * 89 / 100 };

    /// <summary>Q2's filter: whether the bid is on a selected auction.</summary>
    public static bool OnSelectedAuction(NexmarkBid bid) => bid.Auction % AuctionDivisor == 0;

    /// <summary>Q1's output line: <c>auction,bidder,price,dateTime</c>.</summary>
    public static string Q1Line(NexmarkBid bid) =>
        string.Create(CultureInfo.InvariantCulture, $"{bid.Auction},{bid.Bidder},{bid.Price},{bid.DateTime}");

    /// <summary>Q2's output line: <c>(auction,price)</c>.</summary>
    public static string Q2Line(NexmarkBid bid) => string.Create(CultureInfo.InvariantCulture, $"({bid.Auction},{bid.Price})");

    /// <summary>Whether <paramref name="query"/> is Q1 (else Q2); anything else is refused.</summary>
    public static bool IsQ1(string query) => query switch
    {
        "q1" => true,
        "q2" => false,
        _ => throw new ArgumentException($"'{query}' is not a query of these peers; use q1 or q2."),
    };

    /// <summary>A new output file, written through a <see cref="StreamWriter"/> (UTF-8, no mark).</summary>
    public static StreamWriter Create(string outputPath) =>
        new(new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), new UTF8Encoding(false), 1 << 16);

    /// <summary>Flushes <paramref name="writer"/> and its file to disk, as the hand-written job and the compiled job's file sink do, and closes it.</summary>
    public static void Close(StreamWriter writer)
    {
        writer.Flush();
        ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
        writer.Dispose();
    }
}
