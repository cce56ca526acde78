using System.Globalization;
using System.Text;
using System.Text.Json;
using Compiled.Connectors;
using Compiled.Tests.Records.Csv;

namespace Compiled.Tests.Records;

/// <summary>How a sensor is mounted.</summary>
public enum Mount
{
    Wall,
    Ceiling,
}

/// <summary>A sensor reading whose measurements may be absent: each nullable member is null where its field is.</summary>
[Record]
public partial struct Reading
{
    public long Id;
    public double? Temperature;
    public int? Floor;
    public DateTime? Serviced;
    public Mount? Mount;
    public bool? Online;
    public Guid? Device;
    public decimal? Price;
}

/// <summary>
/// Nullable members of a <c>[Record]</c>: null where a CSV field is empty or missing (a header without the column, a
/// short row) and where a JSON property is null or missing; a value that is there is read, and refused when bad, as a
/// non-nullable member's is; the generated writers write null as an empty field and as JSON null, which read back as null.
/// </summary>
public class NullableMemberTests
{
    private const string Header = "Id,Temperature,Floor,Serviced,Mount,Online,Device,Price\n";

    private static (List<Reading> Rows, CsvRecordReader Reader, SourceCounters Counters) ReadCsv(string csv)
    {
        var counters = new SourceCounters();
        var reader = new CsvRecordReader(Reading.CsvLayout, "Readings", counters);
        var rows = new List<Reading>();
        CsvFeed.Read<Reading>(Encoding.UTF8.GetBytes(csv), reader, Reading.TryReadCsv, rows.Add);
        return (rows, reader, counters);
    }

    [Fact]
    public void Csv_EmptyAndMissingFields_AreNull_AndFieldsThatAreThereAreRead()
    {
        var (rows, _, counters) = ReadCsv(Header
            + "1,21.5,3,2026-03-01T12:30:05Z,ceiling,true,7d9f6c38-4c1a-4a63-9f54-2f7a6a1d0e11,9.99\n"
            + "2,,,,,,,\n"
            + "3,-4\n");
        Assert.Equal(0, counters.Malformed);
        Assert.Equal(3, rows.Count);
        Assert.Equal(
            new Reading
            {
                Id = 1, Temperature = 21.5, Floor = 3, Serviced = new DateTime(2026, 3, 1, 12, 30, 5, DateTimeKind.Utc), Mount = Mount.Ceiling,
                Online = true, Device = Guid.Parse("7d9f6c38-4c1a-4a63-9f54-2f7a6a1d0e11"), Price = 9.99m,
            },
            rows[0]);
        Assert.Equal(new Reading { Id = 2 }, rows[1]);
        Assert.Equal(new Reading { Id = 3, Temperature = -4 }, rows[2]);
    }

    [Fact]
    public void Csv_AHeaderWithoutANullableColumn_ReadsItAsNull()
    {
        var (rows, _, counters) = ReadCsv("Floor,Id\n2,10\n,11\n");
        Assert.Equal(0, counters.Malformed);
        Assert.Equal([new Reading { Id = 10, Floor = 2 }, new Reading { Id = 11 }], rows);
    }

    [Theory]
    [InlineData("1,warm\n", BadRecordReason.NumberInvalid)]
    [InlineData("1,,99999999999\n", BadRecordReason.NumberOutOfRange)]
    [InlineData("1,,,yesterday\n", BadRecordReason.InvalidValue)]
    [InlineData("1,,,,floor\n", BadRecordReason.InvalidValue)]
    [InlineData("1,,,,,maybe\n", BadRecordReason.InvalidValue)]
    public void Csv_ABadValueOfANullableMember_IsRefusedUnderItsReason(string row, BadRecordReason reason)
    {
        var (rows, reader, counters) = ReadCsv(Header + row + "2\n");
        Assert.Equal([new Reading { Id = 2 }], rows);
        Assert.Equal(1, counters.Malformed);
        Assert.Equal(1, reader.Refused(reason));
    }

    [Fact]
    public void Json_NullAndMissingProperties_AreNull_AndValuesAreRead()
    {
        var reader = new JsonRecordReader(Reading.JsonLayout, "Readings", new SourceCounters());
        Assert.True(Reading.TryReadJson(reader, """{"Id":1,"Temperature":21.5,"Floor":3,"Serviced":"2026-03-01T12:30:05Z","Mount":"Wall","Online":false,"Device":"7d9f6c38-4c1a-4a63-9f54-2f7a6a1d0e11","Price":0.1}"""u8, out Reading full));
        Assert.Equal(
            new Reading
            {
                Id = 1, Temperature = 21.5, Floor = 3, Serviced = new DateTime(2026, 3, 1, 12, 30, 5, DateTimeKind.Utc), Mount = Mount.Wall,
                Online = false, Device = Guid.Parse("7d9f6c38-4c1a-4a63-9f54-2f7a6a1d0e11"), Price = 0.1m,
            },
            full);
        Assert.True(Reading.TryReadJson(reader, """{"Id":2,"Temperature":null,"Floor":null,"Serviced":null,"Mount":null,"Online":null,"Device":null,"Price":null}"""u8, out Reading nulls));
        Assert.Equal(new Reading { Id = 2 }, nulls);
        Assert.True(Reading.TryReadJson(reader, """{"Floor":1,"Id":3}"""u8, out Reading missing));
        Assert.Equal(new Reading { Id = 3, Floor = 1 }, missing);

        // A value that is there is read as the member's struct: a string is not a number.
        Assert.False(Reading.TryReadJson(reader, """{"Id":4,"Floor":"three"}"""u8, out Reading _));
        Assert.Equal(1, reader.Refused(BadRecordReason.InvalidValue) + reader.Refused(BadRecordReason.NumberInvalid));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void RandomReadings_WrittenAsCsvAndJson_ReadBackEqual_AndAsJsonSerializerReadsThem(int seed)
    {
        var random = new Random(seed);
        var text = new RecordText();
        var csv = new MemoryStream();
        csv.Write(Encoding.UTF8.GetBytes(Header));
        var readings = new List<Reading>();
        var json = new JsonRecordReader(Reading.JsonLayout, "Readings", new SourceCounters());
        var options = new JsonSerializerOptions { IncludeFields = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
        for (int i = 0; i < 2000; i++)
        {
            Reading reading = RandomReading(random, i);
            readings.Add(reading);
            Reading.WriteCsvRow(text.Clear(), in reading);
            csv.Write(text.Written);
            csv.WriteByte((byte)'\n');

            Reading.WriteJsonObject(text.Clear(), in reading);
            Assert.True(Reading.TryReadJson(json, text.Written, out Reading back), Encoding.UTF8.GetString(text.Written));
            Assert.Equal(reading, back);
            Assert.Equal(reading, JsonSerializer.Deserialize<Reading>(text.Written, options));
        }

        var (rows, _, counters) = ReadCsv(Encoding.UTF8.GetString(csv.ToArray()));
        Assert.Equal(0, counters.Malformed);
        Assert.Equal(readings, rows);
    }

    private static Reading RandomReading(Random random, int id)
    {
        bool Has() => random.Next(3) != 0;
        return new Reading
        {
            Id = id,
            Temperature = Has() ? Math.Round((random.NextDouble() - 0.5) * 200, random.Next(6)) : null,
            Floor = Has() ? random.Next(int.MinValue, int.MaxValue) : null,
            Serviced = Has() ? new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(random.Next(200_000_000)) : null,
            Mount = Has() ? (Mount)random.Next(2) : null,
            Online = Has() ? random.Next(2) == 1 : null,
            Device = Has() ? new Guid(random.Next(), (short)random.Next(), (short)random.Next(), 1, 2, 3, 4, 5, 6, 7, 8) : null,
            Price = Has() ? decimal.Parse((random.Next(-1_000_000, 1_000_000) / 100.0).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : null,
        };
    }
}
