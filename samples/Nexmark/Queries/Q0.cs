using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// Nexmark Q0, pass-through: every bid, parsed and written again (<c>SELECT auction, bidder, price, dateTime FROM bid</c>).
/// It measures what reading, parsing and writing cost, with nothing else.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Q0
{
    /// <summary>The bids, a CSV line each.</summary>
    [Source(Default = "nexmark:bids?events=1000000")]
    public static partial Lines<Bid> Bids();

    /// <summary>Each bid as it came.</summary>
    [Sink(Default = "console")]
    public static partial void Output(Bid bid);
}
