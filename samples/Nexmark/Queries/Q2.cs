using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// Nexmark Q2, selection: the bids on a few auctions, those whose id is a multiple of 123
/// (<c>SELECT auction, price FROM bid WHERE auction % 123 = 0</c>).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Q2
{
    /// <summary>The specification's divisor: the auctions kept are those whose id it divides.</summary>
    public const long AuctionDivisor = 123;

    /// <summary>The bids, a CSV line each.</summary>
    [Source(Default = "nexmark:bids?events=1000000")]
    public static partial Lines<Bid> Bids();

    /// <summary>Keeps the bids on the selected auctions.</summary>
    [Filter]
    public static bool OnSelectedAuction(Bid bid) => bid.Auction % AuctionDivisor == 0;

    /// <summary>The auction and the price.</summary>
    /// <remarks>Inlined into the fused loop: the JIT judged it unprofitable (it takes the 32-byte bid), a call per kept bid.</remarks>
    [Map]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static (long Auction, long Price) AuctionAndPrice(Bid bid) => (bid.Auction, bid.Price);

    /// <summary>Each selected bid's auction and price.</summary>
    [Sink(Default = "console")]
    public static partial void Output((long Auction, long Price) bid);
}
