using Compiled.Checkpoints;

namespace Compiled.Tests.Keys;

/// <summary>
/// Trades keyed by their symbol, a <c>string</c>, as a user writes them without a key type of their own: typed lines
/// "time,symbol,price,volume" through every kind of keyed stage.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SymbolTrades
{
    [Source]
    public static partial Lines<(long Time, string Symbol, decimal Price, long Volume)> Trades();

    [Map]
    public static (string Symbol, decimal Price) Price(long time, string symbol, decimal price, long volume) => (symbol, price);

    // The highest price of each symbol, per batch.
    [ReduceByKey]
    public static decimal High(decimal a, decimal b) => Math.Max(a, b);

    [Sink]
    public static partial void Highs((string Symbol, decimal Price) high);

    [Map(Input = nameof(Trades))]
    public static (string Symbol, long Volume) Volume(long time, string symbol, decimal price, long volume) => (symbol, volume);

    // The volume of each symbol over the last 3 batches, merged from the batches' partials.
    [ReduceByKeyAndWindow(Length = "3s")]
    public static long WindowVolume(long a, long b) => a + b;

    [Sink]
    public static partial void WindowVolumes((string Symbol, long Volume) volume);

    // The same, kept up to date by an inverse; symbols without volume in the window are dropped.
    [ReduceByKeyAndWindow(Input = nameof(Volume), Length = "3s", Inverse = nameof(Minus), Filter = nameof(Traded))]
    public static long ActiveVolume(long a, long b) => a + b;

    [Sink]
    public static partial void ActiveVolumes((string Symbol, long Volume) volume);

    public static long Minus(long a, long b) => a - b;

    public static bool Traded(string symbol, long volume) => volume != 0;

    // The running volume of each symbol, from an opening volume for some.
    [UpdateStateByKey(Input = nameof(Volume), InitialState = nameof(Opening))]
    public static long? TotalVolume(ReadOnlySpan<long> volumes, long? total)
    {
        long sum = total ?? 0;
        foreach (long volume in volumes)
        {
            sum += volume;
        }

        return sum;
    }

    public static IEnumerable<(string Symbol, long Volume)> Opening() => [("MSFT", 1000)];

    [Sink]
    public static partial void TotalVolumes((string Symbol, long Volume) total);

    // The trades of a symbol until it has been quiet for 2 batches.
    [MapWithState(Input = nameof(Price), Timeout = "2s")]
    public static (string Symbol, int Trades)? Streak(string symbol, decimal? price, State<int> trades)
    {
        if (trades.IsTimingOut)
        {
            return (symbol, trades.Value);
        }

        trades.Update(trades.GetValueOrDefault() + 1);
        return null;
    }

    [Sink]
    public static partial void QuietSymbols((string Symbol, int Trades) ended);

    [CountByValue(Input = nameof(Trades))]
    public static string Symbol(long time, string symbol, decimal price, long volume) => symbol;

    [Sink]
    public static partial void TradeCounts((string Symbol, long Count) count);

    [GroupByKey(Input = nameof(Price))]
    public static partial Grouped<string, decimal> Prices(string symbol, decimal price);

    [Sink]
    public static partial void PriceLists(Grouped<string, decimal> prices);

    // Each symbol's highest price next to its volume in the batch.
    [ReduceByKey(Input = nameof(Volume))]
    public static long BatchVolume(long a, long b) => a + b;

    [Join(Input = nameof(High), Other = nameof(BatchVolume))]
    public static (string Symbol, decimal High, long Volume) HighAndVolume(string symbol, decimal high, long volume) => (symbol, high, volume);

    [Sink]
    public static partial void HighsAndVolumes((string Symbol, decimal High, long Volume) joined);

    [Cogroup(Input = nameof(Price), Other = nameof(Volume))]
    public static (string Symbol, int Prices, long Volume) Both(string symbol, ReadOnlySpan<decimal> prices, ReadOnlySpan<long> volumes)
    {
        long volume = 0;
        foreach (long v in volumes)
        {
            volume += v;
        }

        return (symbol, prices.Length, volume);
    }

    [Sink]
    public static partial void Cogrouped((string Symbol, int Prices, long Volume) both);
}

/// <summary>A key of one's own with string fields: value equality comes with the record struct; a checkpoint writes it through its codec.</summary>
public readonly record struct Listing(string Venue, string Symbol) : ICheckpointValue<Listing>
{
    public static void WriteTo(in Listing value, ref CheckpointWriter.Section section)
    {
        section.WriteString(value.Venue);
        section.WriteString(value.Symbol);
    }

    public static Listing ReadFrom(ref CheckpointReader.Section section) => new(section.ReadString(), section.ReadString());
}

/// <summary>Trades keyed by a record struct with two string fields: typed lines "venue,symbol,volume".</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ListingVolumes
{
    [Source]
    public static partial Lines<(string Venue, string Symbol, long Volume)> Trades();

    [Map]
    public static (Listing Listing, long Volume) ByListing(string venue, string symbol, long volume) => (new Listing(venue, symbol), volume);

    [UpdateStateByKey]
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
    public static partial void Totals((Listing Listing, long Volume) total);
}

/// <summary>A trade read as CSV with its symbol a slice of the line, not a string.</summary>
[Record(Header = RecordHeader.None)]
public partial struct TextTrade
{
    [Column(Index = 0)] public Utf8Text Symbol;
    [Column(Index = 1)] public long Volume;
}

/// <summary>Trades keyed by a <see cref="Utf8Text"/>: the tables keep a copy of each new symbol, made once.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class TextSymbolVolumes
{
    [Source]
    public static partial Lines<TextTrade> Trades();

    [Map]
    public static (Utf8Text Symbol, long Volume) BySymbol(TextTrade trade) => (trade.Symbol, trade.Volume);

    [ReduceByKey]
    public static long Volume(long a, long b) => a + b;

    [Sink]
    public static partial void Volumes((Utf8Text Symbol, long Volume) volume);

    [UpdateStateByKey(Input = nameof(BySymbol))]
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
    public static partial void Totals((Utf8Text Symbol, long Volume) total);
}

/// <summary>Volumes summed per symbol, a string key, for the sinks' CSV and JSON writers: typed lines "symbol,volume".</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SymbolVolumes
{
    [Source]
    public static partial Lines<(string Symbol, long Volume)> Trades();

    [ReduceByKey]
    public static long Volume(long a, long b) => a + b;

    [Sink]
    public static partial void Volumes((string Symbol, long Volume) volume);
}

/// <summary>
/// Event-time windows keyed by a string user: the int-keyed job of the event-time tests (10s windows every 5s, 3s
/// sessions), with the user as text.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class UserClicks
{
    [Source]
    public static partial Lines<(long Time, string User, long Value)> Clicks();

    [EventTime]
    public static long Time((long Time, string User, long Value) click) => click.Time;

    [Map]
    public static (string User, long Value) PerUser((long Time, string User, long Value) click) => (click.User, click.Value);

    [EventWindow(Size = "10s", Slide = "5s")]
    public static long Sliding(long a, long b) => a + b;

    [Sink]
    public static partial void SlidingOut(Windowed<string, long> sum);

    [SessionWindow(Input = nameof(PerUser), Gap = "3s")]
    public static long Sessions(long a, long b) => a + b;

    [Sink]
    public static partial void SessionsOut(Windowed<string, long> sum);
}

/// <summary>
/// Volumes summed per Utf8Text symbol each batch, read as JSON lines ({"Symbol":"AAPL","Volume":10}) and nothing kept
/// across batches: a job that runs on partitions.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class TextSymbolBatchVolumes
{
    [Source(Format = RecordFormat.Json)]
    public static partial Lines<TextTrade> Trades();

    [Map]
    public static (Utf8Text Symbol, long Volume) BySymbol(TextTrade trade) => (trade.Symbol, trade.Volume);

    [ReduceByKey]
    public static long Volume(long a, long b) => a + b;

    [Sink]
    public static partial void Volumes((Utf8Text Symbol, long Volume) volume);
}
