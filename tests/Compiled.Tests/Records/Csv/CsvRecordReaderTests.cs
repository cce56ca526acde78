using System.Text;
using Compiled.Connectors;

namespace Compiled.Tests.Records.Csv;

/// <summary>What the generated CSV parser accepts, and how it refuses (and counts, or throws for) what it does not.</summary>
public class CsvRecordReaderTests
{
    private static (List<string> Rows, CsvRecordReader Reader, SourceCounters Counters) ReadTrades(string csv, int segmentSize = 0)
    {
        var counters = new SourceCounters();
        var reader = new CsvRecordReader(Trade.CsvLayout, "Trades", counters);
        var rows = new List<string>();
        CsvFeed.Read<Trade>(Encoding.UTF8.GetBytes(csv), reader, Trade.TryReadCsv,
            t => rows.Add($"{t.Symbol}|{t.Price.ToString(System.Globalization.CultureInfo.InvariantCulture)}|{t.Quantity}|{t.Side}|{t.Time:O}|{t.Venue}"), segmentSize);
        return (rows, reader, counters);
    }

    [Fact]
    public void HeaderByName_FindsColumnsInAnyOrder_AndAnOptionalColumnMissingFromTheHeaderTakesItsDefault()
    {
        var (rows, _, counters) = ReadTrades("qty,SIDE,symbol,time,price\r\n10,Buy,AAPL,2026-03-01T12:30:05Z,187.25\n-3,sell,MSFT,2026-03-01,4.5\n");
        Assert.Equal(["AAPL|187.25|10|Buy|2026-03-01T12:30:05.0000000Z|0", "MSFT|4.5|-3|Sell|2026-03-01T00:00:00.0000000Z|0"], rows);
        Assert.Equal(0, counters.Malformed);
    }

    [Fact]
    public void QuotedFields_HoldSeparatorsDoubledQuotesAndNewlines_AcrossLinesAndSegments()
    {
        string csv = "symbol,price,qty,side,time,venue\n\"A,\"\"B\"\"\nC\",\"1,000.5\",\"7\",Buy,2026-01-02T03:04:05Z,\"\"\n\"\",0,1,Sell,2026-01-02,2\n";
        foreach (int segment in new[] { 0, 1, 3, 7 })
        {
            var (rows, reader, counters) = ReadTrades(csv, segment);
            Assert.Equal(["A,\"B\"\nC|1000.5|7|Buy|2026-01-02T03:04:05.0000000Z|0", "|0|1|Sell|2026-01-02T00:00:00.0000000Z|2"], rows);
            Assert.Equal(0, counters.Malformed);
            Assert.Equal(4, reader.Line); // the second record starts on line 4: the first spans lines 2 and 3
        }
    }

    [Theory]
    [InlineData("X,1,2,Buy\n", BadRecordReason.WrongFieldCount)]                            // four fields: 'time' is required
    [InlineData("X,1,2,Buy,2026-01-01,0,9\n", BadRecordReason.WrongFieldCount)]              // seven fields
    [InlineData("X,1x,2,Buy,2026-01-01,0\n", BadRecordReason.NumberInvalid)]
    [InlineData("X,1,99999999999999999999,Buy,2026-01-01,0\n", BadRecordReason.NumberOutOfRange)]
    [InlineData("X,1,2,Buy,2026-01-01,3000000000\n", BadRecordReason.NumberOutOfRange)]
    [InlineData("X,79228162514264337593543950336,2,Buy,2026-01-01,0\n", BadRecordReason.NumberOutOfRange)]
    [InlineData("X\"Y,1,2,Buy,2026-01-01,0\n", BadRecordReason.BadQuote)]
    [InlineData("\"X\"Y,1,2,Buy,2026-01-01,0\n", BadRecordReason.BadQuote)]
    [InlineData("X,1,2,Hold,2026-01-01,0\n", BadRecordReason.InvalidValue)]
    [InlineData("X,1,2,Buy,2026-13-01,0\n", BadRecordReason.InvalidValue)]
    [InlineData("\xff,1,2,Buy,2026-01-01,0\n", BadRecordReason.InvalidUtf8)]
    [InlineData("\"X,1,2,Buy,2026-01-01,0\n", BadRecordReason.UnterminatedQuote)]
    public void ABadRow_IsSkippedAndCountedUnderItsReason_AndTheNextRowIsRead(string bad, BadRecordReason reason)
    {
        byte[] header = "symbol,price,qty,side,time,venue\n"u8.ToArray();
        byte[] badBytes = bad.StartsWith('\xff') ? [0xFF, .. Encoding.UTF8.GetBytes(bad[1..])] : Encoding.UTF8.GetBytes(bad);
        byte[] good = "Y,2,3,Sell,2026-01-02,1\n"u8.ToArray();
        var counters = new SourceCounters();
        var reader = new CsvRecordReader(Trade.CsvLayout, "Trades", counters);
        var symbols = new List<string>();
        // An unterminated quote swallows the rest of the stream; the next stream counts it.
        byte[] input = [.. header, .. badBytes, .. good];
        CsvFeed.Read<Trade>(input, reader, Trade.TryReadCsv, t => symbols.Add(t.Symbol.ToString()));
        if (reason == BadRecordReason.UnterminatedQuote)
        {
            Assert.Empty(symbols);
            reader.BeginStream("next.csv");
        }
        else
        {
            Assert.Equal(["Y"], symbols);
        }

        Assert.Equal(1, counters.Malformed);
        Assert.Equal(1, reader.Refused(reason));
    }

    [Fact]
    public void AHeaderWithoutARequiredColumn_RefusesEachRowOfItsStreamAsMissingColumn()
    {
        var (rows, reader, counters) = ReadTrades("symbol,price,side,time\nX,1,Buy,2026-01-01\nY,2,Sell,2026-01-01\n");
        Assert.Empty(rows);
        Assert.Equal(2, counters.Malformed);
        Assert.Equal(2, reader.Refused(BadRecordReason.MissingColumn));
    }

    [Fact]
    public void AByteOrderMarkAndEmptyLines_AreSkippedWithoutBeingCounted()
    {
        var (rows, _, counters) = ReadTrades("\uFEFFsymbol,price,qty,side,time\n\nX,1,2,Buy,2026-01-01\n\n");
        Assert.Equal(["X|1|2|Buy|2026-01-01T00:00:00.0000000Z|0"], rows);
        Assert.Equal(0, counters.Malformed);
    }

    [Fact]
    public void UnderFail_ABadRecordThrows_NamingSourceStreamLineFieldAndReason()
    {
        var reader = new CsvRecordReader(Strict.CsvLayout, "Levels", new SourceCounters());
        var ex = Assert.Throws<BadRecordException>(() => CsvFeed.Read<Strict>("1,2\n2,3\n3,300\n"u8.ToArray(), reader, Strict.TryReadCsv, _ => { }));
        Assert.Equal(BadRecordReason.NumberOutOfRange, ex.Reason);
        Assert.Equal(3, ex.Line);
        Assert.Equal("Level", ex.Field);
        Assert.Equal("Levels", ex.SourceName);
        Assert.Contains("line 3 of input.csv, field Level: NumberOutOfRange: '300' cannot be read as the Level of a Strict", ex.Message);
    }

    [Fact]
    public void AUtf8TextKeptPastItsRecord_ThrowsRatherThanShowingAnotherRecordsBytes()
    {
        var reader = new CsvRecordReader(Tick.CsvLayout, "Ticks", new SourceCounters());
        var kept = new List<Utf8Text>();
        CsvFeed.Read<Tick>("id;price;symbol;size\n1;2.5;AB;3\n2;3.5;CD;4\n"u8.ToArray(), reader, Tick.TryReadCsv, t =>
        {
            Assert.Equal("AB"u8.Length, t.Symbol.Length);
            kept.Add(t.Symbol);
        });
        Assert.Equal(2, kept.Count);
        Assert.Throws<InvalidOperationException>(() => kept[0].ToString());
        Assert.Equal("CD", kept[1].ToString()); // the last record's text is still current
    }

    [Fact]
    public void FormatsAndDefaults_UnixMillisAndAnExactFormat_AreRead()
    {
        var reader = new CsvRecordReader(Sample.CsvLayout, "Samples", new SourceCounters());
        string row = "1,2,3,4,5,6,7,8,1.5,2.25,true,Sell,2026-03-01T12:30:05.25+02:00,2026-03-01T12:30:05.25+02:00,"
            + "0f8fad5b-d9cb-469f-a165-70867728950e,text,name,1772368205250,01/03/2026 12:30\n";
        Sample read = default;
        string text = "";
        CsvFeed.Read<Sample>(Encoding.UTF8.GetBytes(row), reader, Sample.TryReadCsv, s =>
        {
            read = s;
            text = s.Text.ToString();
        });
        Assert.Equal(new DateTime(2026, 3, 1, 10, 30, 5, 250, DateTimeKind.Utc), read.Time);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 30, 5, 250, TimeSpan.FromHours(2)), read.Offset);
        Assert.Equal(TimeSpan.FromHours(2), read.Offset.Offset);
        Assert.Equal(DateTime.UnixEpoch.AddMilliseconds(1772368205250), read.Millis);
        Assert.Equal(new DateTime(2026, 3, 1, 12, 30, 0, DateTimeKind.Utc), read.Local);
        Assert.Equal(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), read.Id);
        Assert.Equal(("text", "name", Side.Sell, true), (text, read.Name, read.Side, read.Boolean));
    }

    [Fact]
    public void BadRows_UnderSkip_AreCountedWithoutAllocating()
    {
        // A flood of bad rows (a wrong export, a header that lost a column) costs a count each, not a message each.
        var counters = new SourceCounters();
        var reader = new CsvRecordReader(Strict.CsvLayout, "Rows", counters, policy: BadRecordPolicy.Skip);
        byte[][] bad = ["1,x"u8.ToArray(), "1,2,3"u8.ToArray(), "1,300"u8.ToArray(), "a\"b,1"u8.ToArray()];
        for (int i = 0; i < 10_000; i++)
        {
            Assert.False(Strict.TryReadCsv(reader, bad[i % bad.Length], out _));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            Strict.TryReadCsv(reader, bad[i % bad.Length], out _);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(20_000, counters.Malformed);
        Assert.Equal(0, allocated);
    }
}
