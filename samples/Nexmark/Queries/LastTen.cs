using System.Runtime.CompilerServices;

namespace Samples.Nexmark.Queries;

/// <summary>
/// The closing prices of a seller's last ten closed auctions (fewer until ten have closed), held inline: an unmanaged
/// struct, so the state costs no allocation and a checkpoint writes it as its bytes.
/// </summary>
public struct LastTen
{
    /// <summary>How many prices are kept at most.</summary>
    public const int Size = 10;

    private Prices _prices;
    private int _count;
    private int _next;

    /// <summary>How many prices are kept: the closed auctions so far, at most ten.</summary>
    public readonly int Count => _count;

    /// <summary>These prices with <paramref name="price"/> in place of the oldest once ten are kept.</summary>
    public readonly LastTen With(long price)
    {
        LastTen next = this;
        next._prices[_next] = price;
        next._next = (_next + 1) % Size;
        next._count = Math.Min(_count + 1, Size);
        return next;
    }

    /// <summary>The average of the kept prices, in whole cents rounded down.</summary>
    public readonly long Average()
    {
        long total = 0;
        for (int i = 0; i < _count; i++)
        {
            total += _prices[i];
        }

        return total / _count;
    }

    [InlineArray(Size)]
    private struct Prices
    {
        private long _first;
    }
}
