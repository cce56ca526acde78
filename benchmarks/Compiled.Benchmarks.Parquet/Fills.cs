namespace Compiled.Benchmarks.Parquet;

/// <summary>Which side of the book a fill is on.</summary>
public enum Side
{
    /// <summary>A bid.</summary>
    Buy,

    /// <summary>An offer.</summary>
    Sell,
}

/// <summary>A fill of six fields: text, a decimal, an integer, an enum, a time and a double.</summary>
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

/// <summary>Fills copied as they are read, to whichever sink the run binds.</summary>
[Pipeline]
public static partial class CopyFills
{
    /// <summary>The fills, as CSV.</summary>
    [Source]
    public static partial Lines<Fill> Fills();

    /// <summary>Each fill as a row.</summary>
    [Sink]
    public static partial void Output(Fill fill);
}
