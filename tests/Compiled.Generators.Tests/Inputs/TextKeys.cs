using Compiled;

namespace Market;

/// <summary>A trade with its venue and symbol as slices of the input line.</summary>
internal struct VenueTrade
{
    public Utf8Text Venue;
    public Utf8Text Symbol;
    public int Day;
    public long Volume;
}

/// <summary>A key of one's own holding text.</summary>
internal readonly record struct TextListing(Utf8Text Venue, Utf8Text Symbol);

/// <summary>
/// Keys holding Utf8Text inside a tuple and a record struct (copied once per new key into the tables), and a tuple key
/// of a string and a number with tuple state (written into a checkpoint member by member).
/// </summary>
[Pipeline(BatchInterval = "1s")]
internal static partial class TextPairVolumes
{
    [Source]
    internal static partial Lines<(string Venue, string Symbol, int Day, long Volume)> Trades();

    [Map]
    internal static VenueTrade Sliced(string venue, string symbol, int day, long volume) =>
        new() { Venue = new Utf8Text(venue), Symbol = new Utf8Text(symbol), Day = day, Volume = volume };

    [Map]
    internal static ((Utf8Text Venue, Utf8Text Symbol) Listing, long Volume) ByListing(VenueTrade trade) => ((trade.Venue, trade.Symbol), trade.Volume);

    [UpdateStateByKey]
    internal static long? Total(ReadOnlySpan<long> volumes, long? total) => (total ?? 0) + volumes.Length;

    [Sink(Default = "console")]
    internal static partial void Totals(((Utf8Text Venue, Utf8Text Symbol) Listing, long Volume) total);

    [Map(Input = nameof(Sliced))]
    internal static ((TextListing Listing, int Day) Key, long Volume) ByListingDay(VenueTrade trade) =>
        ((new TextListing(trade.Venue, trade.Symbol), trade.Day), trade.Volume);

    [ReduceByKeyAndWindow(Length = "2s")]
    internal static long Recent(long a, long b) => a + b;

    [Sink(Default = "console")]
    internal static partial void RecentOut(((TextListing Listing, int Day) Key, long Volume) recent);

    [Map(Input = nameof(Trades))]
    internal static ((string Symbol, int Day) Key, (string Venue, long Volume) Last) ByDay(string venue, string symbol, int day, long volume) =>
        ((symbol, day), (venue, volume));

    [ReduceByKeyAndWindow(Length = "2s")]
    internal static (string Venue, long Volume) Latest((string Venue, long Volume) a, (string Venue, long Volume) b) => b;

    [Sink(Default = "console")]
    internal static partial void LatestOut(((string Symbol, int Day) Key, (string Venue, long Volume) Last) latest);
}
