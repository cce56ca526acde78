using Compiled;

namespace Events;

public enum Side
{
    Buy,
    Sell,
}

/// <summary>A trade event as JSON lines: properties by name, nested paths, a format, defaults, text as a slice and as a string.</summary>
[Record(Format = RecordFormat.Json)]
public partial struct TradeEvent
{
    [Column("symbol")]
    public Utf8Text Symbol;

    [Column("px")]
    public decimal Price { get; set; }

    public long Quantity;

    public Side Side;

    [Column("meta.ts", Format = "unixms")]
    public DateTime Time;

    [Column("meta.venue.name", Default = "n/a")]
    public string Venue;

    [Column("meta.flags", Default = "0")]
    public int Flags;
}

/// <summary>Shares bought per symbol, from JSON lines of trade events.</summary>
[Pipeline]
public static partial class BoughtEvents
{
    [Source(Default = "file:///data/trades.jsonl")]
    public static partial Lines<TradeEvent> Trades();

    [Filter]
    public static bool IsBuy(TradeEvent trade) => trade.Side == Side.Buy;

    [Map]
    public static KeyValue<long> BySymbol(TradeEvent trade) => new(trade.Symbol.Span, trade.Quantity);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> symbol, long quantity);
}
