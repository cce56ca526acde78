using System.Globalization;
using System.Text;
using System.Text.Json;
using Compiled.Connectors;
using Compiled.Tests.Records.Csv;

namespace Compiled.Tests.Records.Writers;

/// <summary>
/// Random records written by a [Record]'s generated writers read back equal: its CSV rows by its generated CSV parser,
/// its JSON objects by System.Text.Json. The records hold extreme numbers, NaN and infinities, every kind of time, and
/// text with separators, quotes, line breaks and non-ASCII characters.
/// </summary>
public class RecordWriterRoundTripTests
{
    private const int Records = 3000;

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 7)]   // seven-byte segments: rows straddle segments, and quoted line breaks straddle reads
    public void RandomRecords_WrittenAsCsv_AndReadBackByTheGeneratedParser_AreEqual(int seed, int segmentSize)
    {
        var random = new Random(seed);
        var expected = new List<SampleValues>();
        var text = new RecordText();
        var output = new MemoryStream();
        for (int i = 0; i < Records; i++)
        {
            SampleValues values = SampleRows.Random(random);
            expected.Add(values);
            Sample record = ToSample(values);
            Sample.WriteCsvRow(text.Clear(), in record);
            output.Write(text.Written);
            output.WriteByte((byte)'\n');
        }

        var counters = new SourceCounters();
        var reader = new CsvRecordReader(Sample.CsvLayout, "Samples", counters);
        int row = 0;
        CsvFeed.Read<Sample>(output.ToArray(), reader, Sample.TryReadCsv, s =>
        {
            SampleRows.AssertEqual(expected[row], s, row);
            row++;
        }, segmentSize);

        Assert.Equal(0, counters.Malformed);
        Assert.Equal(Records, row);
    }

    [Fact]
    public void RandomRecords_WrittenAsJsonLines_AndReadBackBySystemTextJson_AreEqual()
    {
        var random = new Random(3);
        var text = new RecordText();
        for (int i = 0; i < Records; i++)
        {
            SampleValues v = SampleRows.Random(random);
            Sample record = ToSample(v);
            Sample.WriteJsonObject(text.Clear(), in record);
            Assert.DoesNotContain((byte)'\n', text.Written.ToArray());

            using JsonDocument document = JsonDocument.Parse(text.Written.ToArray());
            JsonElement o = document.RootElement;
            string at = $"record {i}: {Encoding.UTF8.GetString(text.Written)}";
            Assert.True(o.GetProperty("Int64").GetInt64() == v.Int64 && o.GetProperty("Int32").GetInt32() == v.Int32 && o.GetProperty("Int16").GetInt16() == v.Int16, at);
            Assert.True(o.GetProperty("SByte").GetSByte() == v.SByte && o.GetProperty("UInt64").GetUInt64() == v.UInt64 && o.GetProperty("UInt32").GetUInt32() == v.UInt32, at);
            Assert.True(o.GetProperty("UInt16").GetUInt16() == v.UInt16 && o.GetProperty("Byte").GetByte() == v.Byte, at);
            JsonElement number = o.GetProperty("Double");
            double read = number.ValueKind == JsonValueKind.String ? double.Parse(number.GetString()!, CultureInfo.InvariantCulture) : number.GetDouble();
            Assert.True(v.Double.Equals(read), at);
            Assert.True(double.IsFinite(v.Double) == (number.ValueKind == JsonValueKind.Number), at);
            Assert.True(o.GetProperty("Decimal").GetDecimal() == v.Decimal, at);
            Assert.True(o.GetProperty("Boolean").GetBoolean() == v.Boolean, at);
            Assert.Equal(v.Side.ToString(), o.GetProperty("Side").GetString());
            DateTime time = o.GetProperty("Time").GetDateTime();
            Assert.True(time == v.Time && time.Kind == DateTimeKind.Utc, at);
            Assert.True(o.GetProperty("Offset").GetDateTimeOffset().EqualsExact(v.Offset), at);
            Assert.Equal(v.Id, o.GetProperty("Id").GetGuid());
            Assert.Equal(v.Text, o.GetProperty("Text").GetString());
            Assert.Equal(v.Name, o.GetProperty("Name").GetString());
            Assert.Equal(v.Millis, o.GetProperty("Millis").GetInt64());
            Assert.Equal(v.Local.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture), o.GetProperty("Local").GetString());
            Assert.Equal(19, o.EnumerateObject().Count());
        }
    }

    [Fact]
    public void AnInvalidUtf8Slice_IsWrittenWithReplacementCharacters_AndReadsBackAsThem()
    {
        byte[] invalid = [(byte)'x', 0xFF, (byte)',', 0xC3];
        var record = new Sample { Text = new Utf8Text(invalid), Name = "n", Time = DateTime.UnixEpoch, Millis = DateTime.UnixEpoch, Local = new DateTime(2026, 1, 1) };
        var text = new RecordText();
        Sample.WriteCsvRow(text, in record);
        byte[] row = [.. text.Written, (byte)'\n'];
        Assert.True(System.Text.Unicode.Utf8.IsValid(row));

        var counters = new SourceCounters();
        string? read = null;
        CsvFeed.Read<Sample>(row, new CsvRecordReader(Sample.CsvLayout, "Samples", counters), Sample.TryReadCsv, s => read = s.Text.ToString());
        Assert.Equal("x\uFFFD,\uFFFD", read);
        Assert.Equal(0, counters.Malformed);
    }

    [Fact]
    public void ARowOfOneEmptyField_IsWrittenQuoted_AndReadsBackEmpty()
    {
        var text = new RecordText();
        var empty = new OneText { Text = "" };
        var word = new OneText { Text = "w" };
        OneText.WriteCsvRow(text, in empty);
        text.Append('\n');
        OneText.WriteCsvRow(text, in word);
        text.Append('\n');
        OneText.WriteCsvRow(text, in empty);
        text.Append('\n');
        Assert.Equal("\"\"\nw\n\"\"\n", Encoding.UTF8.GetString(text.Written));

        var read = new List<string>();
        var counters = new SourceCounters();
        CsvFeed.Read<OneText>(text.Written.ToArray(), new CsvRecordReader(OneText.CsvLayout, "One", counters), OneText.TryReadCsv, r => read.Add(r.Text));
        Assert.Equal(["", "w", ""], read);
        Assert.Equal(0, counters.Malformed);
    }

    [Fact]
    public void HeaderRow_NamesTheColumnsAsTheParserMatchesThem()
    {
        Assert.Equal("symbol,price,qty,side,time,venue", Encoding.UTF8.GetString(Trade.CsvHeaderRow));
        Assert.Equal("Id;Price;Symbol;Size", Encoding.UTF8.GetString(Tick.CsvHeaderRow));
    }

    private static Sample ToSample(SampleValues v) => new()
    {
        Int64 = v.Int64, Int32 = v.Int32, Int16 = v.Int16, SByte = v.SByte, UInt64 = v.UInt64, UInt32 = v.UInt32, UInt16 = v.UInt16, Byte = v.Byte,
        Double = v.Double, Decimal = v.Decimal, Boolean = v.Boolean, Side = v.Side, Time = v.Time, Offset = v.Offset, Id = v.Id,
        Text = new Utf8Text(v.Text), Name = v.Name, Millis = DateTime.UnixEpoch.AddMilliseconds(v.Millis), Local = v.Local,
    };
}
