using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// Nexmark Q7, highest bid: in each 10 s tumbling window of event time, the bid with the highest price (of equal
/// highest, the first to arrive). All bids share one key, so the window's reduction is the maximum over the window.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Q7
{
    /// <summary>The bids, a CSV line each.</summary>
    [Source(Default = "nexmark:bids?events=1000000")]
    public static partial Lines<Bid> Bids();

    /// <summary>A bid happens at its dateTime; the generator's event times never go back, so nothing is late.</summary>
    [EventTime(Lateness = "0")]
    public static long At(Bid bid) => bid.DateTime;

    /// <summary>Every bid under the same key: the window compares them all.</summary>
    [Map]
    public static (long All, Bid Bid) Together(Bid bid) => (0, bid);

    /// <summary>The higher of two bids; the earlier of two at the same price.</summary>
    [EventWindow(Size = "10s")]
    public static Bid Highest(Bid first, Bid second) => second.Price > first.Price ? second : first;

    /// <summary>The window's highest bid.</summary>
    [Map]
    public static Bid Winner(Windowed<long, Bid> highest) => highest.Value;

    /// <summary>Each window's highest bid.</summary>
    [Sink(Default = "console")]
    public static partial void Output(Bid bid);
}
