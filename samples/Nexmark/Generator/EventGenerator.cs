using static Samples.Nexmark.Generator.GeneratorConfig;

namespace Samples.Nexmark.Generator;

/// <summary>
/// Writes the events of a Nexmark stream as CSV lines, one kind per stream:
/// <list type="bullet">
/// <item>person: <c>id,name,email,creditCard,city,state,dateTime</c></item>
/// <item>auction: <c>id,itemName,description,initialBid,reserve,dateTime,expires,seller,category</c></item>
/// <item>bid: <c>auction,bidder,price,channel,url,dateTime</c></item>
/// </list>
/// Times are Unix milliseconds, prices cents. Each event depends only on the configuration and its number, so a stream
/// is the same however it is read (whole, one kind at a time, or from the middle).
/// </summary>
public sealed class EventGenerator
{
    /// <summary>The longest line an event makes, with room to spare.</summary>
    public const int MaxLineBytes = 512;

    private readonly GeneratorConfig _config;

    /// <summary>A generator of the stream <paramref name="config"/> describes.</summary>
    public EventGenerator(GeneratorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
    }

    /// <summary>The stream this generator writes.</summary>
    public GeneratorConfig Config => _config;

    /// <summary>
    /// Writes event <paramref name="eventNumber"/> (from 0) into <paramref name="line"/>, at least
    /// <see cref="MaxLineBytes"/> long, without a newline; returns the bytes written.
    /// </summary>
    public int Write(long eventNumber, Span<byte> line, out EventKind kind, out long timeMs)
    {
        if (line.Length < MaxLineBytes)
        {
            throw new ArgumentException($"The buffer holds {line.Length} bytes; give one of at least {MaxLineBytes}.", nameof(line));
        }

        kind = EventIds.KindOf(eventNumber);
        timeMs = EventIds.TimeOf(_config, eventNumber);
        var random = new NexmarkRandom(_config.Seed, eventNumber);
        var csv = new CsvLine(line);
        switch (kind)
        {
            case EventKind.Person:
                WritePerson(eventNumber, timeMs, ref random, ref csv);
                break;
            case EventKind.Auction:
                WriteAuction(eventNumber, timeMs, ref random, ref csv);
                break;
            default:
                WriteBid(eventNumber, timeMs, ref random, ref csv);
                break;
        }

        return csv.Length;
    }

    private static void WritePerson(long eventNumber, long timeMs, ref NexmarkRandom random, ref CsvLine csv)
    {
        csv.Number(EventIds.LastPersonNumber(eventNumber) + FirstPersonId);
        csv.Comma();
        csv.Bytes(Vocabulary.FirstNames[random.NextInt(Vocabulary.FirstNames.Length)]);
        csv.Byte((byte)' ');
        csv.Bytes(Vocabulary.LastNames[random.NextInt(Vocabulary.LastNames.Length)]);
        csv.Comma();
        csv.Text(ref random, 7);
        csv.Byte((byte)'@');
        csv.Text(ref random, 5);
        csv.Bytes(".com"u8);
        csv.Comma();
        for (int group = 0; group < 4; group++)
        {
            if (group > 0)
            {
                csv.Byte((byte)' ');
            }

            csv.Padded(random.NextInt(10_000), 4);
        }

        csv.Comma();
        csv.Bytes(Vocabulary.Cities[random.NextInt(Vocabulary.Cities.Length)]);
        csv.Comma();
        csv.Bytes(Vocabulary.States[random.NextInt(Vocabulary.States.Length)]);
        csv.Comma();
        csv.Number(timeMs);
    }

    private void WriteAuction(long eventNumber, long timeMs, ref NexmarkRandom random, ref CsvLine csv)
    {
        long seller = random.NextInt(HotSellersRatio) > 0
            ? EventIds.LastPersonNumber(eventNumber) / HotPersonStep * HotPersonStep
            : NextPersonNumber(eventNumber, ref random);
        long initialBid = NextPrice(ref random);
        csv.Number(EventIds.LastAuctionNumber(eventNumber) + FirstAuctionId);
        csv.Comma();
        csv.Text(ref random, 20);
        csv.Comma();
        csv.Text(ref random, 100);
        csv.Comma();
        csv.Number(initialBid);
        csv.Comma();
        csv.Number(initialBid + NextPrice(ref random));
        csv.Comma();
        csv.Number(timeMs);
        csv.Comma();
        csv.Number(timeMs + NextAuctionLengthMs(eventNumber, timeMs, ref random));
        csv.Comma();
        csv.Number(seller + FirstPersonId);
        csv.Comma();
        csv.Number(FirstCategoryId + random.NextInt(Categories));
    }

    private static void WriteBid(long eventNumber, long timeMs, ref NexmarkRandom random, ref CsvLine csv)
    {
        long auction = random.NextInt(HotAuctionRatio) > 0
            ? EventIds.LastAuctionNumber(eventNumber) / HotAuctionStep * HotAuctionStep
            : NextAuctionNumber(eventNumber, ref random);
        long bidder = random.NextInt(HotBiddersRatio) > 0
            ? EventIds.LastPersonNumber(eventNumber) / HotPersonStep * HotPersonStep + 1
            : NextPersonNumber(eventNumber, ref random);
        csv.Number(auction + FirstAuctionId);
        csv.Comma();
        csv.Number(bidder + FirstPersonId);
        csv.Comma();
        csv.Number(NextPrice(ref random));
        csv.Comma();

        // Most bids come through one of a few channels, each with its own address; the rest through one of 10,000 others.
        int hot = random.NextInt(Vocabulary.HotChannels.Length + 6);
        csv.Bytes(hot < Vocabulary.HotChannels.Length ? Vocabulary.HotChannels[hot] : "channel-"u8);
        if (hot >= Vocabulary.HotChannels.Length)
        {
            csv.Number(random.NextInt(10_000));
        }

        csv.Comma();
        csv.Bytes("https://www.nexmark.com/"u8);
        csv.Text(ref random, 5);
        csv.Byte((byte)'/');
        csv.Text(ref random, 5);
        csv.Bytes("/item.htm?query=1"u8);
        csv.Comma();
        csv.Number(timeMs);
    }

    /// <summary>A seller or bidder drawn from the latest <see cref="ActivePeople"/> persons, or up to <see cref="PersonIdLead"/> past them.</summary>
    private static long NextPersonNumber(long eventNumber, ref NexmarkRandom random)
    {
        long people = EventIds.LastPersonNumber(eventNumber) + 1;
        long active = Math.Min(people, ActivePeople);
        return people - active + random.NextLong(active + PersonIdLead);
    }

    /// <summary>An auction drawn from the latest <see cref="InFlightAuctions"/>, or up to <see cref="AuctionIdLead"/> past them.</summary>
    private static long NextAuctionNumber(long eventNumber, ref NexmarkRandom random)
    {
        long last = EventIds.LastAuctionNumber(eventNumber);
        long first = Math.Max(last - InFlightAuctions, 0);
        return first + random.NextLong(last - first + 1 + AuctionIdLead);
    }

    /// <summary>A price in cents from $1 to $1,000,000, evenly spread over the orders of magnitude.</summary>
    private static long NextPrice(ref NexmarkRandom random) => (long)Math.Round(Math.Pow(10.0, random.NextDouble() * 6.0) * 100.0);

    /// <summary>
    /// How long an auction stays open: up to twice the event time that <see cref="InFlightAuctions"/> auctions take to be
    /// opened, so about that many are open at once.
    /// </summary>
    private long NextAuctionLengthMs(long eventNumber, long timeMs, ref NexmarkRandom random)
    {
        long eventsForAuctions = (long)InFlightAuctions * ProportionDenominator / AuctionProportion;
        long horizonMs = EventIds.TimeOf(_config, eventNumber + eventsForAuctions) - timeMs;
        return 1 + random.NextLong(Math.Max(horizonMs * 2, 1));
    }
}
