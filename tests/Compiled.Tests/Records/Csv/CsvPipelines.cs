namespace Compiled.Tests.Records.Csv;

/// <summary>Shares bought per symbol in each batch, from a CSV export of trades.</summary>
[Pipeline]
public static partial class BoughtPerSymbol
{
    [Source]
    public static partial Lines<Trade> Trades();

    [Filter]
    public static bool Bought(Trade trade) => trade.Side == Side.Buy;

    [Map]
    public static KeyValue<long> BySymbol(Trade trade) => new(trade.Symbol.Span, trade.Quantity);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> symbol, long quantity);
}

/// <summary>The largest tick size per symbol: numbers and a slice, read from semicolon-separated rows.</summary>
[Pipeline]
public static partial class LargestTick
{
    [Source]
    public static partial Lines<Tick> Ticks();

    [Map]
    public static KeyValue<long> BySymbol(Tick tick) => new(tick.Symbol.Span, tick.Size + (long)tick.Price);

    [ReduceByKey]
    public static long Max(long a, long b) => Math.Max(a, b);

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> symbol, long size);
}
