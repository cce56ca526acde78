using Compiled;

namespace Markets;

public enum Side
{
    Buy,
    Sell,
}

/// <summary>A trade from a CSV export: columns by name, a format, a default, text as a slice and as a string.</summary>
[Record(Separator = ';')]
public partial struct Trade
{
    [Column("symbol")]
    public Utf8Text Symbol;

    [Column("px")]
    public decimal Price { get; set; }

    public long Quantity;

    public Side Side;

    [Column("ts", Format = "yyyy-MM-dd HH:mm:ss")]
    public DateTime Time;

    [Column(Default = "n/a")]
    public string Venue;

    [Column(Index = 9, Default = "0")]
    public int Flags;
}

/// <summary>Shares bought per symbol, from a CSV file of trades.</summary>
[Pipeline]
public static partial class Bought
{
    [Source(Default = "file:///data/trades.csv")]
    public static partial Lines<Trade> Trades();

    [Filter]
    public static bool IsBuy(Trade trade) => trade.Side == Side.Buy;

    [Map]
    public static KeyValue<long> BySymbol(Trade trade) => new(trade.Symbol.Span, trade.Quantity);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> symbol, long quantity);
}
