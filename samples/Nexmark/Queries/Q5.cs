using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// Nexmark Q5, hot items: in each 10 s window of event time, sliding every 2 s, the auction with the most bids (every
/// auction tied for the most). Bids are counted per auction in an event-time window keyed by a struct, and a
/// [Transform] below the window picks, among the windows each batch closes, the leaders of each window.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Q5
{
    /// <summary>The bids, a CSV line each.</summary>
    [Source(Default = "nexmark:bids?events=1000000")]
    public static partial Lines<Bid> Bids();

    /// <summary>A bid happens at its dateTime; the generator's event times never go back, so nothing is late.</summary>
    [EventTime(Lateness = "0")]
    public static long At(Bid bid) => bid.DateTime;

    /// <summary>One bid for its auction.</summary>
    [Map]
    public static (long Auction, long One) PerAuction(Bid bid) => (bid.Auction, 1);

    /// <summary>The bids per auction per window.</summary>
    [EventWindow(Size = "10s", Slide = "2s")]
    public static long Count(long a, long b) => a + b;

    /// <summary>
    /// Per window, every auction with the most bids, in the order the window gives them. A window's counts come
    /// together, and the windows in order of their end, so each window is one run of the span: a pass finds its most
    /// bids, a second writes its leaders.
    /// </summary>
    [Transform]
    public static void Hottest(ReadOnlySpan<Windowed<long, long>> counts, RecordBuffer<(long WindowStart, long Auction, long Bids)> output)
    {
        int start = 0;
        while (start < counts.Length)
        {
            EventWindow window = counts[start].Window;
            int end = start;
            long most = 0;
            while (end < counts.Length && counts[end].Window == window)
            {
                most = Math.Max(most, counts[end].Value);
                end++;
            }

            for (int i = start; i < end; i++)
            {
                if (counts[i].Value == most)
                {
                    output.Add((window.Start, counts[i].Key, most));
                }
            }

            start = end;
        }
    }

    /// <summary>Each window's hottest auctions: the window's start, the auction, its bids.</summary>
    [Sink(Default = "console")]
    public static partial void Output((long WindowStart, long Auction, long Bids) hottest);
}
