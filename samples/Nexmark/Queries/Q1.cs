using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// Nexmark Q1, currency conversion: every bid with its price from dollars to euros, at the specification's fixed rate
/// of 0.89 (<c>SELECT auction, bidder, price * 89 / 100, dateTime FROM bid</c>, in whole cents, rounded down). Written as
/// CSV by default: the auction, the bidder and the time, which the map copies unchanged, are copied from each bid's line.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Q1
{
    /// <summary>The bids, a CSV line each.</summary>
    [Source(Default = "nexmark:bids?events=1000000")]
    public static partial Lines<Bid> Bids();

    /// <summary>The bid, priced in euro cents.</summary>
    [Map]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static EuroBid InEuros(Bid bid) => new(bid.Auction, bid.Bidder, bid.Price * 89 / 100, bid.DateTime);

    /// <summary>Each bid in euros.</summary>
    [Sink(Default = "console:?format=csv")]
    public static partial void Output(EuroBid bid);
}
