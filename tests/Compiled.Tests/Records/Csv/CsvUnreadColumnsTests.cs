using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Hosting;
using Compiled.Internal;
using Compiled.Tests.Connectors;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Records.Csv;

/// <summary>A one-line record checked only in the columns a pipeline reads: Spark's CSV column pruning.</summary>
[Record(Header = RecordHeader.None, MultiLine = false, CheckUnreadColumns = false)]
public partial record struct LooseRow(
    long Id,
    int Small,
    [property: Column(Index = 3)] long Price,
    [property: Column(Index = 4)] double Ratio,
    [property: Column(Index = 5)] long Last);

/// <summary>The same columns, every one checked (the default).</summary>
[Record(Header = RecordHeader.None, MultiLine = false)]
public partial record struct StrictRow(
    long Id,
    int Small,
    [property: Column(Index = 3)] long Price,
    [property: Column(Index = 4)] double Ratio,
    [property: Column(Index = 5)] long Last);

/// <summary>Columns found by the header's names, checked only where read.</summary>
[Record(MultiLine = false, CheckUnreadColumns = false)]
public partial record struct NamedLooseRow(long Id, long Price);

/// <summary>Columns found by the header's names, every one checked (the default).</summary>
[Record(MultiLine = false)]
public partial record struct StrictNamedRow(long Id, long Price);

/// <summary>The prices of the rows whose id is even: reads the id and the price, no other column.</summary>
[Pipeline]
public static partial class EvenPrices
{
    [Source]
    public static partial Lines<LooseRow> Rows();

    [Filter]
    public static bool Even(LooseRow row) => row.Id % 2 == 0;

    [Map]
    public static long Price(LooseRow row) => row.Price;

    [Sink]
    public static partial void Output(long price);
}

/// <summary>The same over the record that checks every column.</summary>
[Pipeline]
public static partial class EvenPricesStrict
{
    [Source]
    public static partial Lines<StrictRow> Rows();

    [Filter]
    public static bool Even(StrictRow row) => row.Id % 2 == 0;

    [Map]
    public static long Price(StrictRow row) => row.Price;

    [Sink]
    public static partial void Output(long price);
}

/// <summary>A 1 for each row read: reads no member of a row.</summary>
[Pipeline]
public static partial class RowCount
{
    [Source]
    public static partial Lines<LooseRow> Rows();

    [Map]
    public static long One(LooseRow row) => 1;

    [Sink]
    public static partial void Output(long count);
}

/// <summary>1000 divided by the price of the rows whose id is even: the map, guarded, throws on a price of 0.</summary>
[Pipeline]
public static partial class EvenInverses
{
    [Source]
    public static partial Lines<LooseRow> Rows();

    [Filter]
    public static bool Even(LooseRow row) => row.Id % 2 == 0;

    [Map(OnError = BadRecordPolicy.Skip)]
    public static long Inverse(LooseRow row) => 1000 / row.Price;

    [Sink]
    public static partial void Output(long inverse);
}

/// <summary>
/// <c>CheckUnreadColumns = false</c>: a line is refused only for a column a stage reads (missing, not of its type, a
/// quote left open on the line); a column no stage reads is not looked at, nor whether the line has more. The line's end
/// is found without counting its fields, and the plain path checks the columns it passes for a quote, so a quoted field
/// before a column read still reads by the full rules.
/// </summary>
public class CsvUnreadColumnsTests
{
    [Theory]
    // Every column there, plain: read straight from the line.
    [InlineData("2,3,x,40,0.5,6", ulong.MaxValue, "2|3|40|0.5|6")]
    // Columns past the last one read, or beyond the record's: not looked at.
    [InlineData("2,3,x,40,0.5,6,extra,\"open", 0x5UL, "2|0|40|0|0")]
    [InlineData("2,3,x,40,0.5,6,extra", ulong.MaxValue, "2|3|40|0.5|6")]
    // A line too short for a column no stage reads: passes; too short for one read: refused.
    [InlineData("2,3,x,40", 0x5UL, "2|0|40|0|0")]
    [InlineData("2,3,x,40", ulong.MaxValue, "refused")]
    [InlineData("2,3", 0x5UL, "refused")]
    // A bad value in a column no stage reads passes; in one read, refused.
    [InlineData("2,big,x,40,nan?,6", 0x5UL, "2|0|40|0|0")]
    [InlineData("2,big,x,40,0.5,6", 0x3UL, "refused")]
    // A quoted field before a column read: read by the full rules, its comma inside the field.
    [InlineData("2,3,\"a,b\",40,0.5,6", 0x5UL, "2|0|40|0|0")]
    [InlineData("2,\"3\",x,40,0.5,6", ulong.MaxValue, "2|3|40|0.5|6")]
    // A quote left open on the line: refused, as a one-line record's is.
    [InlineData("2,3,\"a,40,0.5,6", 0x5UL, "refused")]
    public void ALine_IsCheckedInTheColumnsRead_OnBothPaths(string line, ulong members, string expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        Assert.Equal(expected, ReadLoose(bytes, members, secondLine: true));
        Assert.Equal(expected, ReadLoose(bytes, members, secondLine: false));
    }

    [Fact]
    public void RandomLines_ReadTheSameOnThePlainPathAsOnTheFullPath_AndAsTheStrictRecordWhereItHasEveryColumn()
    {
        var random = new Random(20261207);
        ulong[] masks = [ulong.MaxValue, 0x1, 0x4, 0x5, 0x8, 0x10, 0x11, 0x0, 0x1F];
        int compared = 0;
        for (int n = 0; n < 20_000; n++)
        {
            string line = RandomLine(random);
            byte[] bytes = Encoding.UTF8.GetBytes(line);
            foreach (ulong mask in masks)
            {
                string plain = ReadLoose(bytes, mask, secondLine: true);
                string full = ReadLoose(bytes, mask, secondLine: false);
                Assert.True(plain == full, $"'{line}' with members 0x{mask:X}: the full path reads {full}, the plain path {plain}");

                // A line of exactly the record's six columns, no quote in it, reads as the record that checks every column reads it.
                if (!line.Contains('"', StringComparison.Ordinal) && line.Split(',').Length == 6)
                {
                    compared++;
                    Assert.True(plain == ReadStrict(bytes, mask), $"'{line}' with members 0x{mask:X}: {plain}, but the strict record reads {ReadStrict(bytes, mask)}");
                }
            }
        }

        Assert.True(compared > 10_000, $"Only {compared} reads had six plain columns; the test needs many.");
    }

    [Fact]
    public void ColumnsFoundByName_AreCheckedOnlyWhereRead()
    {
        var reader = new CsvRecordReader(NamedLooseRow.CsvLayout, "Rows", new SourceCounters());
        Assert.False(NamedLooseRow.TryReadCsv(reader, "Price,Note,Id"u8, out _));
        Assert.True(NamedLooseRow.TryReadCsv(reader, "5,x,1,extra,\"open"u8, out NamedLooseRow row));
        Assert.Equal(new NamedLooseRow(1, 5), row);
        Assert.True(NamedLooseRow.TryReadCsv(reader, "6,\"a,b\",2"u8, out row));
        Assert.Equal(new NamedLooseRow(2, 6), row);
        Assert.True(NamedLooseRow.TryReadCsv(reader, "7,x"u8, 0x2UL, out row));
        Assert.Equal(new NamedLooseRow(0, 7), row);
        Assert.False(NamedLooseRow.TryReadCsv(reader, "7,x"u8, out _));
        Assert.Equal(1, reader.Refused(BadRecordReason.WrongFieldCount));
    }

    [Fact]
    public void AHeaderWithoutAColumnNoStageReads_RefusesNoRow_AndOneWithoutAColumnRead_RefusesEachRowForIt()
    {
        // No Price column in the header: a row read for its id alone passes; one read for its price is refused, as missing.
        var reader = new CsvRecordReader(NamedLooseRow.CsvLayout, "Rows", new SourceCounters());
        Assert.False(NamedLooseRow.TryReadCsv(reader, "Note,Id"u8, out _));
        Assert.True(NamedLooseRow.TryReadCsv(reader, "x,1"u8, 0x1UL, out NamedLooseRow row));
        Assert.Equal(new NamedLooseRow(1, 0), row);
        Assert.False(NamedLooseRow.TryReadCsv(reader, "x,2"u8, out _));
        Assert.Equal(1, reader.Refused(BadRecordReason.MissingColumn));

        // Under Fail, the message names the column the header lacks and what to do.
        var failing = new CsvRecordReader(NamedLooseRow.CsvLayout, "Rows", new SourceCounters(), policy: BadRecordPolicy.Fail);
        Assert.False(NamedLooseRow.TryReadCsv(failing, "Note,Id"u8, out _));
        BadRecordException error = Assert.Throws<BadRecordException>(() => NamedLooseRow.TryReadCsv(failing, "x,2"u8, out _));
        Assert.Equal(BadRecordReason.MissingColumn, error.Reason);
        Assert.Contains("no column Price", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHeaderWithoutARequiredColumn_OfARecordCheckingEveryColumn_RefusesEachRowNamingTheColumn()
    {
        var reader = new CsvRecordReader(StrictNamedRow.CsvLayout, "Rows", new SourceCounters(), policy: BadRecordPolicy.Fail);
        Assert.False(StrictNamedRow.TryReadCsv(reader, "Note,Id"u8, out _));
        BadRecordException error = Assert.Throws<BadRecordException>(() => StrictNamedRow.TryReadCsv(reader, "x,2"u8, 0x1UL, out _));
        Assert.Equal(BadRecordReason.MissingColumn, error.Reason);
        Assert.Contains("no column Price", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARowWithoutAColumnRead_IsRefusedWithAMessageThatCountsItsFields()
    {
        var reader = new CsvRecordReader(LooseRow.CsvLayout, "Rows", new SourceCounters(), policy: BadRecordPolicy.Fail);
        BadRecordException error = Assert.Throws<BadRecordException>(() => LooseRow.TryReadCsv(reader, "2,3"u8, 0x4UL, out _));
        Assert.Equal(BadRecordReason.WrongFieldCount, error.Reason);
        Assert.Contains("the row has 2 fields, none in column 3", error.Message, StringComparison.Ordinal);

        BadRecordException quote = Assert.Throws<BadRecordException>(() => LooseRow.TryReadCsv(reader, "2,\"3,x,40"u8, 0x4UL, out _));
        Assert.Contains("close the quote", quote.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AQuoteOutOfPlace_IsRefusedWithAMessageSayingHowToQuote_WhenTheRowIsFirstCut_OrRecutForItsRest()
    {
        var reader = new CsvRecordReader(StrictRow.CsvLayout, "Rows", new SourceCounters(), policy: BadRecordPolicy.Fail);
        BadRecordException first = Assert.Throws<BadRecordException>(() => StrictRow.TryReadCsv(reader, "2,3,a\"b,40,0.5,6"u8, out _));
        Assert.Equal(BadRecordReason.BadQuote, first.Reason);
        Assert.Contains("double each quote inside it", first.Message, StringComparison.Ordinal);

        // The rest of a loose row read plain for its id, recut by the full rules for its last column past a quote out of place.
        var loose = new CsvRecordReader(LooseRow.CsvLayout, "Rows", new SourceCounters(), policy: BadRecordPolicy.Fail);
        Assert.True(LooseRow.TryReadCsv(loose, "1,2,x,3,0.5,4"u8, out _));
        Assert.True(LooseRow.TryReadCsv(loose, "2,3,a\"b,40,0.5,6"u8, 0x1UL, out LooseRow row));
        BadRecordException rest = Assert.Throws<BadRecordException>(() => LooseRow.TryReadCsvRest(loose, "2,3,a\"b,40,0.5,6"u8, 0x10UL, ref row));
        Assert.Equal(BadRecordReason.BadQuote, rest.Reason);
        Assert.Contains("double a quote inside a quoted field", rest.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x0UL)]
    [InlineData(0x1UL)]
    [InlineData(ulong.MaxValue)]
    public void AnEmptyLine_IsNoRecord_OnEitherPath_WhateverTheMembersRead(ulong members)
    {
        // An empty line (a blank line between rows, or at the end of a file) is skipped, not read as a record of defaults,
        // even when no member is read (a pipeline counting rows), and is not counted as malformed.
        foreach (bool second in new[] { true, false })
        {
            CsvRecordReader reader = Reader(LooseRow.CsvLayout, second);
            Assert.False(LooseRow.TryReadCsv(reader, ""u8, members, out _));
            Assert.Equal(0, reader.Refused(BadRecordReason.WrongFieldCount));
        }
    }

    [Fact]
    public async Task APipelineReadingNoMember_CountsNoBlankLine()
    {
        (string output, long malformed) = await RunAsync(RowCount.Definition, "1,2,x,3,0.5,4\n\n5,6,x,7,0.5,8\n\n");
        Assert.Equal("1\n1\n", output);
        Assert.Equal(0, malformed);
    }

    [Fact]
    public void IndexOfEither_FromEveryStart_FindsTheFirstOfTheTwo()
    {
        var random = new Random(11);
        for (int length = 0; length <= 300; length += length < 40 ? 1 : 13)
        {
            byte[] text = new byte[length];
            for (int i = 0; i < length; i++)
            {
                int kind = random.Next(60);
                text[i] = kind == 0 ? (byte)'"' : kind == 1 ? (byte)',' : (byte)('a' + random.Next(26));
            }

            for (int start = 0; start <= length; start++)
            {
                int expected = text.AsSpan(start).IndexOfAny((byte)',', (byte)'"');
                expected = expected < 0 ? -1 : start + expected;
                Assert.True(ByteSearch.IndexOfEither(text, start, (byte)',', (byte)'"') == expected, $"'{Encoding.ASCII.GetString(text)}' from {start}");
            }
        }
    }

    [Fact]
    public void IndexOfNth_FromEveryStart_FindsTheNthSeparator_UnlessAQuoteComesFirst()
    {
        var random = new Random(12);
        for (int length = 0; length <= 300; length += length < 40 ? 1 : 13)
        {
            byte[] text = new byte[length];
            for (int i = 0; i < length; i++)
            {
                int kind = random.Next(40);
                text[i] = kind == 0 ? (byte)'"' : kind < 6 ? (byte)',' : (byte)('a' + random.Next(26));
            }

            for (int start = 0; start <= length; start++)
            {
                for (int count = 1; count <= 6; count++)
                {
                    int expected = NthByHand(text, start, count);
                    string where = $"'{Encoding.ASCII.GetString(text)}' from {start}, separator {count}";
                    Assert.True(ByteSearch.IndexOfNth(text, start, (byte)',', (byte)'"', count) == expected, where);

                    // 16 bytes at a time, and 32 where the machine has 256-bit vectors, whichever the public search takes.
                    Assert.True(ByteSearch.IndexOfNth(text, start, (byte)',', (byte)'"', count, wide: false) == expected, where);
                    if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
                    {
                        Assert.True(ByteSearch.IndexOfNth(text, start, (byte)',', (byte)'"', count, wide: true) == expected, where);
                    }
                }
            }
        }

        // Byte by byte: the first quote, or the count-th comma, whichever comes first.
        static int NthByHand(byte[] text, int start, int count)
        {
            for (int i = start; i < text.Length; i++)
            {
                if (text[i] == (byte)'"' || (text[i] == (byte)',' && --count == 0))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    // Rows for EvenPrices (id, small, -, price, ratio, last): the filter reads the id, the map the price, which is parsed
    // only for the even ids the filter keeps (late materialisation), so an odd row's bad price is never looked at.
    private const string Rows = "2,3,x,40,0.5,6\n"
        + "4,3,x,41\n"
        + "6,3,x,42,0.5,6,extra\n"
        + "8,3,\"a,b\",43,?,6\n"
        + "10,3\n"
        + "12,3,x,4x,0.5,6\n"
        + "13,3,x,44,0.5,6\n"
        + "14,3,x,45,0.5,6,\"open\n"
        + "15,3,x,4x,0.5,6\n"
        + "16,3,x,\"46\",0.5,6\n";

    [Fact]
    public async Task APipeline_CountsOnlyTheRowsBadInTheColumnsItReads()
    {
        // A short row, an extra column, a bad ratio or a quoted field EvenPrices does not read all pass; an even row
        // without a price, or with a price that is not a number, is refused and counted; an odd row's price is not read.
        (string output, long malformed) = await RunAsync(EvenPrices.Definition, Rows);
        Assert.Equal("40\n41\n42\n43\n45\n46\n", output);
        Assert.Equal(2, malformed);
    }

    [Fact]
    public async Task APipeline_OverTheRecordCheckingEveryColumn_RefusesEveryRowOfTheWrongShape_ButStillReadsThePriceOnlyBelowTheFilter()
    {
        // The rows with too few or too many columns and the quote left open are refused when first read; the odd row's
        // bad price still goes unread, since the filter runs before the price is parsed.
        (string output, long malformed) = await RunAsync(EvenPricesStrict.Definition, Rows);
        Assert.Equal("40\n43\n46\n", output);
        Assert.Equal(5, malformed);
    }

    [Fact]
    public async Task AFileBeginningWithAByteOrderMark_HasItsFirstRowReadWholeBelowTheFilters()
    {
        // The first row is cut without the byte order mark; the rest of its members, read below the filter, are found in the
        // same fields, on the record checking every column and on the one that does not.
        const string csv = "\uFEFF2,3,x,40,0.5,6\n4,3,x,41,0.5,6\n";
        Assert.Equal(("40\n41\n", 0L), await RunAsync(EvenPrices.Definition, csv));
        Assert.Equal(("40\n41\n", 0L), await RunAsync(EvenPricesStrict.Definition, csv));
    }

    [Fact]
    public void TheRestOfAFirstLineWithAByteOrderMark_IsReadFromTheFieldsAfterTheMark()
    {
        byte[] line = [0xEF, 0xBB, 0xBF, .. "2,3,x,40,0.5,6"u8];
        var reader = new CsvRecordReader(LooseRow.CsvLayout, "Rows", new SourceCounters());
        reader.BeginStream("rows.csv");
        Assert.True(LooseRow.TryReadCsv(reader, line, 0x1UL, out LooseRow row));
        Assert.True(LooseRow.TryReadCsvRest(reader, line, 0x1CUL, ref row));
        Assert.Equal(new LooseRow(2, 0, 40, 0.5, 6), row);
    }

    [Fact]
    public async Task AGuardedStageBelowTheFilters_ReadsTheRestFirst_AndSkipsTheRecordItThrowsOn()
    {
        // The price is read below the filter (late), then the guarded map runs: a zero price throws and is skipped, an odd
        // row's bad price is never read, an even row's is refused.
        (string output, long malformed) = await RunAsync(EvenInverses.Definition, "2,3,x,40\n4,3,x,0\n5,3,x,4x\n6,3,x,4x\n8,3,x,8\n");
        Assert.Equal("25\n125\n", output);
        Assert.Equal(1, malformed); // the even row's bad price alone (read at once, the odd row's would count too)
    }

    private static async Task<(string Output, long Malformed)> RunAsync(PipelineDefinition definition, string csv)
    {
        using var temp = new TempDirectory();
        string input = temp.Write("rows.csv", csv);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Rows"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/prices?suffix=txt";
        await using var run = new PipelineRun(definition, options);
        await run.RunToEndAsync(clock);
        string output = string.Concat(Directory.GetFiles(Path.Combine(temp.Path, "out")).Order(StringComparer.Ordinal).Select(File.ReadAllText));
        return (output, run.Sources[0].Counters.Malformed);
    }

    [Fact]
    public void TheRestOfARecord_ReadAfterItsFirstMembers_IsTheRecordReadAtOnce_OnEitherPath()
    {
        // TryReadCsv with some members, then TryReadCsvRest with others, gives what one TryReadCsv with both gives, or
        // refuses what it refuses, on the plain path and the full one, for the record checking every column and the one not.
        var random = new Random(20261208);
        (ulong First, ulong Then)[] splits = [(0x1, 0x4), (0x4, 0x1), (0x1, 0x1E), (0x0, 0x1F), (0x10, 0x3), (0x6, 0x18)];
        for (int n = 0; n < 10_000; n++)
        {
            byte[] line = Encoding.UTF8.GetBytes(RandomLine(random));
            foreach ((ulong first, ulong rest) in splits)
            {
                foreach (bool second in new[] { true, false })
                {
                    string where = $"'{Encoding.UTF8.GetString(line)}' read 0x{first:X} then 0x{rest:X}, as line {(second ? 2 : 1)}";
                    Assert.True(ReadLoose(line, first | rest, second) == ReadLooseInTwo(line, first, rest, second), where + " (unread columns not checked)");
                    Assert.True(ReadStrict(line, first | rest, second) == ReadStrictInTwo(line, first, rest, second), where);
                }
            }
        }
    }

    private static string RandomLine(Random random)
    {
        string[] numbers = ["0", "7", "-7", "123456789", "2147483648", "", " 1", "+1", "1x", "\"12\"", "1\"2", "-"];
        string[] others = ["0.5", "-1e10", "abc", "", "\"2.5\"", "1,5", "\"a,b\"", "\"a\"\"b\""];
        var fields = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            fields.Add(i is 2 or 4 ? others[random.Next(others.Length)]
                : random.Next(3) != 0 ? random.Next(-1000, 100_000).ToString(CultureInfo.InvariantCulture)
                : numbers[random.Next(numbers.Length)]);
        }

        // Now and then a column or two too many or too few.
        int shape = random.Next(12);
        if (shape < 2)
        {
            fields.RemoveRange(fields.Count - 1 - shape, 1 + shape);
        }
        else if (shape < 4)
        {
            fields.Add(shape == 2 ? "9" : "\"x,y\"");
        }

        return string.Join(',', fields);
    }

    // The line read by a fresh reader, as its stream's second line (the plain path, where it is one) or its first (the full path).
    private static string ReadLoose(byte[] line, ulong mask, bool secondLine)
    {
        CsvRecordReader reader = Reader(LooseRow.CsvLayout, secondLine);
        return Describe(LooseRow.TryReadCsv(reader, line, mask, out LooseRow row), row.Id, row.Small, row.Price, row.Ratio, row.Last);
    }

    // The line read for the members `first`, then for `rest`, as a pipeline whose filters read `first` reads it.
    private static string ReadLooseInTwo(byte[] line, ulong first, ulong rest, bool secondLine)
    {
        CsvRecordReader reader = Reader(LooseRow.CsvLayout, secondLine);
        bool read = LooseRow.TryReadCsv(reader, line, first, out LooseRow row) && LooseRow.TryReadCsvRest(reader, line, rest, ref row);
        return Describe(read, row.Id, row.Small, row.Price, row.Ratio, row.Last);
    }

    private static string ReadStrict(byte[] line, ulong mask, bool secondLine = false)
    {
        CsvRecordReader reader = Reader(StrictRow.CsvLayout, secondLine);
        return Describe(StrictRow.TryReadCsv(reader, line, mask, out StrictRow row), row.Id, row.Small, row.Price, row.Ratio, row.Last);
    }

    private static string ReadStrictInTwo(byte[] line, ulong first, ulong rest, bool secondLine)
    {
        CsvRecordReader reader = Reader(StrictRow.CsvLayout, secondLine);
        bool read = StrictRow.TryReadCsv(reader, line, first, out StrictRow row) && StrictRow.TryReadCsvRest(reader, line, rest, ref row);
        return Describe(read, row.Id, row.Small, row.Price, row.Ratio, row.Last);
    }

    // A fresh reader, past its stream's first line when the line to read is to be its second (the plain path, where it is one).
    private static CsvRecordReader Reader(CsvLayout layout, bool secondLine)
    {
        var reader = new CsvRecordReader(layout, "Rows", new SourceCounters());
        if (secondLine)
        {
            Assert.True(reader.TryBegin("1,2,x,3,0.5,4"u8, out _));
        }

        return reader;
    }

    private static string Describe(bool read, long id, int small, long price, double ratio, long last) =>
        !read ? "refused" : string.Join('|', id, small, price, ratio.ToString("R", CultureInfo.InvariantCulture), last);
}
