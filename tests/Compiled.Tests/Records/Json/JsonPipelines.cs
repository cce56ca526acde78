using Compiled.Tests.Records.Csv;

namespace Compiled.Tests.Records.Json;

/// <summary>Shares bought per symbol in each batch, from JSON-lines trade events.</summary>
[Pipeline]
public static partial class BoughtPerSymbolJson
{
    [Source]
    public static partial Lines<TradeEvent> Trades();

    [Filter]
    public static bool Bought(TradeEvent trade) => trade.Side == Side.Buy;

    [Map]
    public static KeyValue<long> BySymbol(TradeEvent trade) => new(trade.Symbol.Span, trade.Quantity);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> symbol, long quantity);
}

/// <summary>The CSV record <see cref="Trade"/> read from JSON lines: the source overrides the record's format.</summary>
[Pipeline]
public static partial class CsvTradesAsJson
{
    [Source(Format = RecordFormat.Json)]
    public static partial Lines<Trade> Trades();

    [Map]
    public static KeyValue<long> BySymbol(Trade trade) => new(trade.Symbol.Span, trade.Quantity + trade.Venue);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> symbol, long quantity);
}

/// <summary>The largest tick per symbol: numbers and a slice, read from JSON lines.</summary>
[Pipeline]
public static partial class LargestTickJson
{
    [Source]
    public static partial Lines<JsonTick> Ticks();

    [Map]
    public static KeyValue<long> BySymbol(JsonTick tick) => new(tick.Symbol.Span, tick.Size + (long)tick.Price);

    [ReduceByKey]
    public static long Max(long a, long b) => Math.Max(a, b);

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> symbol, long size);
}
