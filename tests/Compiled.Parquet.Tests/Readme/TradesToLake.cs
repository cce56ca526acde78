// The README's example under "Parquet files", as written there: a test runs it.
namespace Compiled.Parquet.Tests.Readme;

public enum Side { Buy, Sell }

[Record]
public partial struct Trade
{
    [Column("symbol")] public Utf8Text Symbol;
    [Column("price")] public decimal Price;
    [Column("qty")] public long Quantity;
    [Column("side")] public Side Side;
    [Column("time", Format = "unixms")] public DateTime Time;
}

[Pipeline(BatchInterval = "1m")]
public static partial class TradesToLake
{
    [Source(Default = "file:///incoming/")]
    public static partial Lines<Trade> Trades();

    [Sink(Default = "parquet:///lake/trades/part")]
    public static partial void Output(Trade trade);
}
