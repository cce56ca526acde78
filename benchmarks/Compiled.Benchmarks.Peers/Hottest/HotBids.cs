using System.Globalization;

namespace Compiled.Benchmarks.Peers.Hottest;

/// <summary>A bid as the Q5-style job reads it: its auction and its event time in milliseconds.</summary>
internal readonly record struct Bid(long Auction, long Time);

/// <summary>One line of the Q5-style job's answer: in the window starting at <c>Start</c>, an auction with the most bids.</summary>
internal readonly record struct Hot(long Start, long Auction, long Bids);

/// <summary>
/// What every Q5-style peer shares, written as a user of any of these libraries would: a bid parsed from its CSV line
/// (<c>auction,bidder,price,channel,url,dateTime</c>) with <see cref="string.Split(char, StringSplitOptions)"/> and
/// <see cref="long.Parse(string, IFormatProvider?)"/>; the starts of the 10 s windows, sliding every 2 s, that hold an event time; and a
/// window's hottest auctions from its counts.
/// </summary>
internal static class HotBids
{
    /// <summary>A window's length in milliseconds.</summary>
    public const long Size = 10_000;

    /// <summary>How far apart windows start, in milliseconds.</summary>
    public const long Slide = 2_000;

    /// <summary>The bid on the CSV line <paramref name="line"/>.</summary>
    public static Bid Parse(string line)
    {
        string[] fields = line.Split(',');
        return new Bid(long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[^1], CultureInfo.InvariantCulture));
    }

    /// <summary>The start of every window that holds the event time <paramref name="time"/>, latest first.</summary>
    public static IEnumerable<long> WindowStarts(long time)
    {
        for (long start = time - (((time % Slide) + Slide) % Slide); start > time - Size; start -= Slide)
        {
            yield return start;
        }
    }

    /// <summary>The auctions with the most bids among <paramref name="counts"/>, the window starting at <paramref name="start"/>'s.</summary>
    public static IEnumerable<Hot> Hottest(long start, IReadOnlyDictionary<long, long> counts)
    {
        long most = counts.Values.Max();
        return counts.Where(count => count.Value == most).Select(count => new Hot(start, count.Key, most));
    }

    /// <summary>
    /// Writes <paramref name="hottest"/> as <c>(windowStart,auction,bids)</c> lines to the new file
    /// <paramref name="outputPath"/>, the format the harness checks, and flushes it to disk.
    /// </summary>
    public static void Write(string outputPath, IEnumerable<Hot> hottest)
    {
        using var file = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using (var writer = new StreamWriter(file, leaveOpen: true))
        {
            foreach (Hot hot in hottest)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"({hot.Start},{hot.Auction},{hot.Bids})\n"));
            }
        }

        file.Flush(flushToDisk: true);
    }
}
