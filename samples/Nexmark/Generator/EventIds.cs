using static Samples.Nexmark.Generator.GeneratorConfig;

namespace Samples.Nexmark.Generator;

/// <summary>
/// The arithmetic of Nexmark's ids: which kind event n is, and which persons and auctions exist when it happens. In each
/// run of 50 events the first is a person, the next three auctions, the other 46 bids; so the ids of persons and
/// auctions follow from the event's number, and a bid or an auction can refer to those created before it.
/// </summary>
public static class EventIds
{
    /// <summary>The kind of event <paramref name="eventNumber"/> (from 0).</summary>
    public static EventKind KindOf(long eventNumber)
    {
        long offset = eventNumber % ProportionDenominator;
        return offset < PersonProportion ? EventKind.Person
            : offset < PersonProportion + AuctionProportion ? EventKind.Auction
            : EventKind.Bid;
    }

    /// <summary>The number (from 0) of the latest person at event <paramref name="eventNumber"/>: the person it creates, if it creates one.</summary>
    public static long LastPersonNumber(long eventNumber) => eventNumber / ProportionDenominator * PersonProportion;

    /// <summary>
    /// The number (from 0) of the latest auction at event <paramref name="eventNumber"/>: the auction it creates, if it
    /// creates one; -1 before the first auction.
    /// </summary>
    public static long LastAuctionNumber(long eventNumber)
    {
        long epoch = eventNumber / ProportionDenominator;
        long offset = eventNumber % ProportionDenominator;
        if (offset < PersonProportion)
        {
            // A person: the last auction is the previous run's last.
            epoch--;
            offset = AuctionProportion - 1;
        }
        else if (offset >= PersonProportion + AuctionProportion)
        {
            // A bid: the last auction is this run's last.
            offset = AuctionProportion - 1;
        }
        else
        {
            offset -= PersonProportion;
        }

        return epoch * AuctionProportion + offset;
    }

    /// <summary>The event time of event <paramref name="eventNumber"/>: the first event's time plus the inter-event delay for each event before it.</summary>
    public static long TimeOf(GeneratorConfig config, long eventNumber) =>
        config.BaseTimeMs + (long)(eventNumber * (Int128)1000 / config.Rate);

    /// <summary>The number of events of <paramref name="kind"/> among the first <paramref name="events"/>.</summary>
    public static long CountOf(EventKind kind, long events)
    {
        long runs = events / ProportionDenominator;
        long rest = events % ProportionDenominator;
        return kind switch
        {
            EventKind.Person => runs * PersonProportion + Math.Min(rest, PersonProportion),
            EventKind.Auction => runs * AuctionProportion + Math.Clamp(rest - PersonProportion, 0, AuctionProportion),
            _ => runs * BidProportion + Math.Max(rest - PersonProportion - AuctionProportion, 0),
        };
    }
}
