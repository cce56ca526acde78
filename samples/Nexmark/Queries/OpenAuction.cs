using Compiled.Checkpoints;

namespace Samples.Nexmark.Queries;

/// <summary>
/// What Q4 and Q6 keep of an auction until it closes: its seller, category, opening and expiry, and its highest bid so
/// far between them; before the opening has come, the bids that came first (kept only while the watermark has not
/// passed their time: once it has, any auction they could count for has come). Written into a checkpoint by itself.
/// </summary>
public readonly record struct OpenAuction : ICheckpointValue<OpenAuction>
{
    /// <summary>Whether the auction's opening has come.</summary>
    public bool IsKnown { get; init; }

    /// <summary>The seller's id.</summary>
    public long Seller { get; init; }

    /// <summary>The item's category.</summary>
    public long Category { get; init; }

    /// <summary>When the auction opened, in Unix milliseconds.</summary>
    public long Start { get; init; }

    /// <summary>When the auction closes, in Unix milliseconds.</summary>
    public long Expires { get; init; }

    /// <summary>Whether a bid has come between the opening and the expiry.</summary>
    public bool HasBid { get; init; }

    /// <summary>The highest of those bids, in cents.</summary>
    public long Best { get; init; }

    /// <summary>Whether the watermark has passed the expiry: the auction is closed and emitted once so, then dropped.</summary>
    public bool Closed { get; init; }

    /// <summary>Before the opening has come: the bids that came first, as (time, price); otherwise null.</summary>
    public (long Time, long Price)[]? Waiting { get; init; }

    /// <summary>
    /// The auction's state after a batch: its events of the batch (the opening first, whatever their order), then the
    /// watermark. An auction is closed once the watermark passes its expiry, so every bid at or before the expiry has
    /// come (the bids come in order of time, and the watermark follows the source furthest behind); the next batch drops
    /// it. Without an opening, the bids wait for it while the watermark has not passed them, and are dropped after.
    /// </summary>
    public static OpenAuction? Next(long watermark, ReadOnlySpan<AuctionEvent> events, OpenAuction? state)
    {
        if (state is { Closed: true })
        {
            return null;
        }

        OpenAuction auction = state ?? default;
        foreach (AuctionEvent e in events)
        {
            if (e.IsAuction)
            {
                auction = auction.Opened(e);
            }
        }

        foreach (AuctionEvent e in events)
        {
            if (!e.IsAuction)
            {
                auction = auction.IsKnown ? auction.Bid(e.DateTime, e.Price) : auction.Wait(e.DateTime, e.Price);
            }
        }

        if (auction.IsKnown)
        {
            return watermark > auction.Expires ? auction with { Closed = true } : auction;
        }

        return auction.WaitingFrom(watermark) is { } waiting ? auction with { Waiting = waiting } : null;
    }

    /// <summary>The closed auction, with its closing price.</summary>
    public ClosedAuction AsClosed(long id) => new(id, Seller, Category, Expires, Best);

    private OpenAuction Opened(AuctionEvent opening)
    {
        var auction = new OpenAuction { IsKnown = true, Seller = opening.Seller, Category = opening.Category, Start = opening.DateTime, Expires = opening.Expires };
        foreach ((long time, long price) in Waiting ?? [])
        {
            auction = auction.Bid(time, price);
        }

        return auction;
    }

    private OpenAuction Bid(long time, long price) =>
        time < Start || time > Expires || (HasBid && price <= Best) ? this : this with { HasBid = true, Best = price };

    // Rare (a bid on an auction not opened yet, or one that came through its source before the opening through its own),
    // so a copy one longer each time.
    private OpenAuction Wait(long time, long price)
    {
        int count = Waiting?.Length ?? 0;
        var waiting = new (long Time, long Price)[count + 1];
        Waiting?.CopyTo(waiting, 0);
        waiting[count] = (time, price);
        return this with { Waiting = waiting };
    }

    // The waiting bids the watermark has not passed; null when none is left.
    private (long Time, long Price)[]? WaitingFrom(long watermark)
    {
        if (Waiting is null)
        {
            return null;
        }

        int kept = 0;
        foreach ((long time, _) in Waiting)
        {
            kept += time >= watermark ? 1 : 0;
        }

        if (kept == Waiting.Length)
        {
            return Waiting;
        }

        if (kept == 0)
        {
            return null;
        }

        var left = new (long Time, long Price)[kept];
        int at = 0;
        foreach ((long Time, long Price) bid in Waiting)
        {
            if (bid.Time >= watermark)
            {
                left[at++] = bid;
            }
        }

        return left;
    }

    /// <inheritdoc />
    public static void WriteTo(in OpenAuction value, ref CheckpointWriter.Section section)
    {
        section.WriteUnmanaged(value.IsKnown);
        section.WriteUnmanaged(value.Seller);
        section.WriteUnmanaged(value.Category);
        section.WriteUnmanaged(value.Start);
        section.WriteUnmanaged(value.Expires);
        section.WriteUnmanaged(value.HasBid);
        section.WriteUnmanaged(value.Best);
        section.WriteUnmanaged(value.Closed);
        ReadOnlySpan<(long Time, long Price)> waiting = value.Waiting;
        section.WriteUnmanaged(waiting.Length);
        foreach ((long time, long price) in waiting)
        {
            section.WriteUnmanaged(time);
            section.WriteUnmanaged(price);
        }
    }

    /// <inheritdoc />
    public static OpenAuction ReadFrom(ref CheckpointReader.Section section)
    {
        var auction = new OpenAuction
        {
            IsKnown = section.ReadUnmanaged<bool>(),
            Seller = section.ReadUnmanaged<long>(),
            Category = section.ReadUnmanaged<long>(),
            Start = section.ReadUnmanaged<long>(),
            Expires = section.ReadUnmanaged<long>(),
            HasBid = section.ReadUnmanaged<bool>(),
            Best = section.ReadUnmanaged<long>(),
            Closed = section.ReadUnmanaged<bool>(),
        };
        int count = section.ReadUnmanaged<int>();
        if (count == 0)
        {
            return auction;
        }

        var waiting = new (long Time, long Price)[count];
        for (int i = 0; i < count; i++)
        {
            waiting[i] = (section.ReadUnmanaged<long>(), section.ReadUnmanaged<long>());
        }

        return auction with { Waiting = waiting };
    }
}
