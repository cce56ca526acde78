// Shared with benchmarks/Compiled.Benchmarks.Parquet (a linked file), so that the benchmark measures the records the allocation test checks.
namespace Compiled.Parquet.Tests;

/// <summary>Which side of the book a quote or fill is on.</summary>
public enum Side
{
    /// <summary>A bid.</summary>
    Buy,

    /// <summary>An offer.</summary>
    Sell,
}

/// <summary>A fill of six fields and no object per record: what the allocation test and the benchmark write.</summary>
[Record]
public partial struct Fill
{
    /// <summary>The instrument.</summary>
    [Column("symbol")]
    public Utf8Text Symbol;

    /// <summary>The price.</summary>
    [Column("price")]
    public decimal Price;

    /// <summary>How many.</summary>
    [Column("qty")]
    public long Quantity;

    /// <summary>Bid or offer.</summary>
    [Column("side")]
    public Side Side;

    /// <summary>When, in Unix milliseconds.</summary>
    [Column("time", Format = "unixms")]
    public DateTime Time;

    /// <summary>A model's score.</summary>
    [Column("score")]
    public double Score;
}

/// <summary>Fills copied as they are read.</summary>
[Pipeline]
public static partial class CopyFills
{
    /// <summary>The fills, from a CSV file.</summary>
    [Source]
    public static partial Lines<Fill> Fills();

    /// <summary>Each fill as a row.</summary>
    [Sink]
    public static partial void Output(Fill fill);
}
