using Compiled;

namespace Lake;

public enum Side
{
    Buy,
    Sell,
}

/// <summary>A fill of every kind of member a Parquet column is made from.</summary>
[Record]
public partial struct Fill
{
    [Column("symbol")]
    public Utf8Text Symbol;

    [Column("price")]
    public decimal Price;

    [Column("qty")]
    public long Quantity;

    [Column("side")]
    public Side Side;

    [Column("time")]
    public DateTime Time;

    [Column("at")]
    public DateTimeOffset At;

    [Column("id")]
    public Guid Id;

    [Column("venue")]
    public string Venue;

    [Column("odd")]
    public bool OddLot;

    [Column("ratio")]
    public float Ratio;
}

/// <summary>Fills to a data lake: the rows as they are, each symbol's (sum, last side) per batch, and each side's prices.</summary>
[Pipeline]
public static partial class FillsToLake
{
    [Source(Default = "file:///data/fills.csv")]
    public static partial Lines<Fill> Fills();

    [Sink(Input = nameof(Fills), Default = "parquet:///lake/fills/part?compression=zstd")]
    public static partial void Rows(Fill fill);

    [Map(Input = nameof(Fills))]
    public static (int Venue, (long Qty, Side? Last) Value) PerVenue(Fill fill) => (fill.Venue.Length, (fill.Quantity, fill.Side));

    [ReduceByKey]
    public static (long Qty, Side? Last) Add((long Qty, Side? Last) a, (long Qty, Side? Last) b) => (a.Qty + b.Qty, b.Last ?? a.Last);

    [Sink(Default = "parquet:///lake/venues/part")]
    public static partial void Venues(int venue, (long Qty, Side? Last) value);

    [Map(Input = nameof(Fills))]
    public static (int Side, double Price) Prices(Fill fill) => ((int)fill.Side, (double)fill.Price);

    [GroupByKey]
    public static partial Grouped<int, double> PerSide(int side, double price);

    [Sink(Default = "console")]
    public static partial void Sides(Grouped<int, double> side);
}
