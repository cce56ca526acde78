namespace Compiled.Tests.Records.Csv;

/// <summary>A person as a CSV export writes them: text members only, so the parser reads no field through a value reader.</summary>
[Record]
public partial struct Person
{
    [Column("first")]
    public Utf8Text First;

    [Column("last")]
    public Utf8Text Last;

    [Column("city", Default = "unknown")]
    public Utf8Text City;
}

/// <summary>A row of a side, read by name, and a note: no member is read by a value reader, so the CSV parser reads no reason.</summary>
[Record(Header = RecordHeader.None)]
public partial struct SideNote
{
    public Side Side;

    public Utf8Text Note;
}

/// <summary>People per last name, from a CSV file of people.</summary>
[Pipeline]
public static partial class PeoplePerLastName
{
    [Source]
    public static partial Lines<Person> People();

    [Map]
    public static KeyValue<long> ByLastName(Person person) => new(person.Last.Span, person.City.Span.SequenceEqual("unknown"u8) ? 100 : 1);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> last, long people);
}

/// <summary>Two sides and nothing else: every member is an enum, read inline, so neither parser (CSV or JSON) reads a reason.</summary>
[Record(Header = RecordHeader.None)]
public partial struct SidePair
{
    public Side Bid;

    public Side Ask;
}
