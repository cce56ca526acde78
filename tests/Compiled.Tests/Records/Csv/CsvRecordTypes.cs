namespace Compiled.Tests.Records.Csv;

/// <summary>The side of a trade, read by name.</summary>
public enum Side
{
    Buy,
    Sell,
}

/// <summary>A trade as a CSV export writes it: a header row names the columns, in any order.</summary>
[Record]
public partial struct Trade
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

    [Column("venue", Default = "0")]
    public int Venue;
}

/// <summary>A row of every supported type, with no header: what the round-trip and parity tests write and read back.</summary>
[Record(Header = RecordHeader.None)]
public partial struct Sample
{
    public long Int64;
    public int Int32;
    public short Int16;
    public sbyte SByte;
    public ulong UInt64;
    public uint UInt32;
    public ushort UInt16;
    public byte Byte;
    public double Double;
    public decimal Decimal;
    public bool Boolean;
    public Side Side;
    public DateTime Time;
    public DateTimeOffset Offset;
    public Guid Id;
    public Utf8Text Text;
    public string Name;

    [Column(Format = "unixms")]
    public DateTime Millis;

    [Column(Format = "dd/MM/yyyy HH:mm")]
    public DateTime Local;
}

/// <summary>Numbers and a slice, separated by semicolons, the columns found by position after a header that is skipped: what the allocation test reads.</summary>
[Record(Separator = ';', Header = RecordHeader.Skip)]
public partial record struct Tick(long Id, double Price, Utf8Text Symbol, int Size);

/// <summary>A record whose bad rows stop the job.</summary>
[Record(Header = RecordHeader.None, OnBadRecord = BadRecordPolicy.Fail)]
public partial struct Strict
{
    public int Id;
    public byte Level;
}
