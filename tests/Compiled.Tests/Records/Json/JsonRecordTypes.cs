using Compiled.Tests.Records.Csv;

namespace Compiled.Tests.Records.Json;

/// <summary>A trade as a JSON event: properties by name, in any order, some nested, one optional.</summary>
[Record(Format = RecordFormat.Json)]
public partial struct TradeEvent
{
    [Column("symbol")]
    public Utf8Text Symbol;

    [Column("price")]
    public decimal Price;

    [Column("qty")]
    public long Quantity;

    [Column("side")]
    public Side Side;

    [Column("account.id")]
    public long Account;

    [Column("account.desk.name", Default = "none")]
    public Utf8Text Desk;

    [Column("venue", Default = "0")]
    public int Venue;
}

/// <summary>One member of every supported type, named as the properties are: what the parity test reads next to JsonSerializer.</summary>
[Record(Format = RecordFormat.Json)]
public partial struct JsonSample
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
    public float Single;
    public decimal Decimal;
    public bool Boolean;
    public Side Side;
    public DateTime Time;
    public DateTimeOffset Offset;
    public Guid Id;
    public Utf8Text Text;
    public string Name;
}

/// <summary>Formats, defaults and nesting JsonSerializer has no counterpart for.</summary>
[Record(Format = RecordFormat.Json)]
public partial struct JsonOptions
{
    [Column("t.ms", Format = "unixms")]
    public DateTime Millis;

    [Column("t.s", Format = "unix", Default = "0")]
    public DateTimeOffset Seconds;

    [Column("t.local", Format = "dd/MM/yyyy HH:mm", Default = "01/01/2000 00:00")]
    public DateTime Local;

    [Column("side", Default = "sell")]
    public Side Side;

    [Column("flag", Default = "true")]
    public bool Flag;

    [Column("name", Default = "n/a")]
    public string Name;

    [Column("id", Default = "00000000-0000-0000-0000-000000000001")]
    public Guid Id;
}

/// <summary>Numbers and a slice, as a JSON line: what the allocation test reads.</summary>
[Record(Format = RecordFormat.Json)]
public partial record struct JsonTick(long Id, double Price, Utf8Text Symbol, int Size);

/// <summary>A JSON record whose bad lines stop the job.</summary>
[Record(Format = RecordFormat.Json, OnBadRecord = BadRecordPolicy.Fail)]
public partial struct StrictEvent
{
    [Column("id")]
    public int Id;

    [Column("level")]
    public byte Level;
}

/// <summary>A JSON record whose bad lines go to the dead-letter sink.</summary>
[Record(Format = RecordFormat.Json, OnBadRecord = BadRecordPolicy.DeadLetter)]
public partial struct KeptEvent
{
    [Column("id")]
    public int Id;
}

/// <summary>
/// Names of every length the parser compares in its own way: one 8-byte word with the quotes and colon (up to 5 bytes),
/// two words (up to 13), a scan of the name (14 on), and a name of bytes beyond ASCII.
/// </summary>
[Record(Format = RecordFormat.Json)]
public partial struct JsonNameLengths
{
    [Column("a")]
    public long A;

    [Column("bcdef")]
    public long Five;

    [Column("ghijkl")]
    public long Six;

    [Column("mnopqrstuvwxy")]
    public long Thirteen;

    [Column("zzzzzzzzzzzzzz")]
    public long Fourteen;

    [Column("ünïcødé")]
    public long Unicode;

    [Column("a name of thirty bytes, spaced")]
    public long Thirty;
}
