namespace Compiled.Tests.Keys;

/// <summary>A trade read as CSV "venue,symbol,day,volume" with its venue and symbol slices of the line, not strings.</summary>
[Record(Header = RecordHeader.None)]
public partial struct VenueTrade
{
    [Column(Index = 0)] public Utf8Text Venue;
    [Column(Index = 1)] public Utf8Text Symbol;
    [Column(Index = 2)] public int Day;
    [Column(Index = 3)] public long Volume;
}

/// <summary>A key of one's own that holds text: a record struct, whose equality compares the texts by their bytes.</summary>
public readonly record struct TextListing(Utf8Text Venue, Utf8Text Symbol);

/// <summary>
/// Trades keyed by tuples and record structs that hold <see cref="Utf8Text"/> slices of the input: the key tables keep
/// a copy of each new key with its text copied out, and a checkpoint writes such keys member by member.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class TextPairVolumes
{
    [Source]
    public static partial Lines<VenueTrade> Trades();

    // A tuple of two texts as the key: summed per batch, and a running total kept across batches.
    [Map]
    public static ((Utf8Text Venue, Utf8Text Symbol) Listing, long Volume) ByListing(VenueTrade trade) => ((trade.Venue, trade.Symbol), trade.Volume);

    [ReduceByKey]
    public static long Volume(long a, long b) => a + b;

    [Sink]
    public static partial void Volumes(((Utf8Text Venue, Utf8Text Symbol) Listing, long Volume) volume);

    [UpdateStateByKey(Input = nameof(ByListing))]
    public static long? Total(ReadOnlySpan<long> volumes, long? total)
    {
        long sum = total ?? 0;
        foreach (long volume in volumes)
        {
            sum += volume;
        }

        return sum;
    }

    [Sink]
    public static partial void Totals(((Utf8Text Venue, Utf8Text Symbol) Listing, long Volume) total);

    // A record struct holding texts, nested in a tuple with a number: a window over the last two batches.
    [Map(Input = nameof(Trades))]
    public static ((TextListing Listing, int Day) Key, long Volume) ByListingDay(VenueTrade trade) =>
        ((new TextListing(trade.Venue, trade.Symbol), trade.Day), trade.Volume);

    [ReduceByKeyAndWindow(Length = "2s", Slide = "1s")]
    public static long Recent(long a, long b) => a + b;

    [Sink]
    public static partial void RecentOut(((TextListing Listing, int Day) Key, long Volume) recent);

    // The record struct alone, counted.
    [Map(Input = nameof(Trades))]
    public static TextListing Listed(VenueTrade trade) => new(trade.Venue, trade.Symbol);

    [CountByValue]
    public static TextListing Count(TextListing listing) => listing;

    [Sink]
    public static partial void Counts((TextListing Listing, long Count) count);
}

/// <summary>Trades keyed by a tuple of a string and a number, with state a checkpoint writes member by member.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SymbolDayTotals
{
    [Source]
    public static partial Lines<(string Symbol, int Day, long Volume)> Trades();

    [Map]
    public static ((string Symbol, int Day) Key, (string Venue, long Volume) Last) ByDay(string symbol, int day, long volume) =>
        ((symbol, day), ("XNAS", volume));

    [UpdateStateByKey]
    public static (string Venue, long Volume)? Total(ReadOnlySpan<(string Venue, long Volume)> trades, (string Venue, long Volume)? total)
    {
        long sum = total?.Volume ?? 0;
        foreach ((string _, long volume) in trades)
        {
            sum += volume;
        }

        return ("XNAS", sum);
    }

    [Sink]
    public static partial void Totals(((string Symbol, int Day) Key, (string Venue, long Volume) Total) total);
}

/// <summary>
/// Volumes per (venue, symbol) text pair each batch, read as JSON lines ({"Venue":"XNAS","Symbol":"AAPL","Day":1,"Volume":10})
/// and nothing kept across batches: a job that runs on partitions.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class TextPairBatchVolumes
{
    [Source(Format = RecordFormat.Json)]
    public static partial Lines<VenueTrade> Trades();

    [Map]
    public static ((Utf8Text Venue, Utf8Text Symbol) Listing, long Volume) ByListing(VenueTrade trade) => ((trade.Venue, trade.Symbol), trade.Volume);

    [ReduceByKey]
    public static long Volume(long a, long b) => a + b;

    [Sink]
    public static partial void Volumes(((Utf8Text Venue, Utf8Text Symbol) Listing, long Volume) volume);
}
