using System.Globalization;
using System.Text;
using Compiled.Connectors;

namespace Compiled.Tests.Records.Csv;

/// <summary>A record of numbers placed by position, with a gap and an optional column: what the plain-line reading serves.</summary>
[Record(Header = RecordHeader.None)]
public partial record struct PlainRow(
    long Id,
    int Small,
    ulong Big,
    uint Count,
    double Ratio,
    Side Side,
    [property: Column(Index = 7)] long Last,
    [property: Column(Index = 8, Default = "5")] int Tail);

/// <summary>
/// A plain line (no quote, every column there) is read straight from the line, column after column, an integer in the
/// pass that finds its end; every other line through the full CSV rules. Both must give the same record, or refuse the
/// same rows: each random line is read as a stream's second line (the plain path, where it is one) and as a stream's
/// first line (always the full path), whole and with only some members read.
/// </summary>
public class CsvPlainLineTests
{
    private static readonly string[] Numbers =
    [
        "0", "7", "-7", "123456789", "-123456789", "999999999", "1000000000", "2147483647", "2147483648", "-2147483648",
        "4294967295", "4294967296", "123456789012345678", "1234567890123456789", "9223372036854775807", "-9223372036854775808",
        "18446744073709551615", "18446744073709551616", "", " 1", "1 ", "+1", "1x", "x", "-", "--1", "1.5", "\"12\"", "1\"2",
        "00012", "-0",
    ];

    private static readonly string[] Others = ["0.5", "-1e10", "abc", "", "\"2.5\"", "NaN", "1,5"];

    private static readonly string[] Sides = ["Buy", "sell", "Hold", "", "\"Buy\""];

    [Fact]
    public void RandomLines_ReadOnThePlainPath_EqualTheFullPath_WholeAndPruned()
    {
        var random = new Random(20261207);
        ulong[] masks = [ulong.MaxValue, 0x1, 0x4, 0x41, 0x80, 0x0, 0xFF];
        int plainLines = 0;
        for (int n = 0; n < 20_000; n++)
        {
            string line = RandomLine(random);
            plainLines += !line.Contains('"', StringComparison.Ordinal) && line.Split(',').Length == 9 ? 1 : 0;
            byte[] bytes = Encoding.UTF8.GetBytes(line);
            foreach (ulong mask in masks)
            {
                string second = ReadAsSecondLine(bytes, mask);
                string first = ReadAsFirstLine(bytes, mask);
                Assert.True(first == second, $"'{line}' with members 0x{mask:X}: the full path reads {first}, the plain path {second}");
            }
        }

        Assert.True(plainLines > 2_000, $"Only {plainLines} lines were plain; the test needs many.");
    }

    [Theory]
    [InlineData("1,2,3,4,0.5,Buy,x,9,1", "1|2|3|4|0.5|Buy|9|1")]
    [InlineData("1,2,3,4,0.5,Buy,,9,", "1|2|3|4|0.5|Buy|9|5")]
    [InlineData("-1,-2,3,4,1e3,sell,,-9,2", "-1|-2|3|4|1000|Sell|-9|2")]
    [InlineData("1,2,3,4,0.5,Buy,,9", "1|2|3|4|0.5|Buy|9|5")]
    [InlineData("1,2,3,4,0.5,Buy", "refused")]
    [InlineData("1,2,3,4,0.5,Buy,,9,1,extra", "refused")]
    [InlineData("1,2,3,4,0.5,Hold,,9,1", "refused")]
    [InlineData("1, 2,3,4,0.5,Buy,,9,1", "1|2|3|4|0.5|Buy|9|1")]
    [InlineData("1,2,3,4,0.5,Buy,\"a,b\",9,1", "1|2|3|4|0.5|Buy|9|1")]
    // The last column, fewer than eight bytes of it left after each whole word of digits: read in one word, the bytes
    // before it made leading zeros.
    [InlineData("1,2,3,4,0.5,Buy,,9,1234567", "1|2|3|4|0.5|Buy|9|1234567")]
    [InlineData("1,2,3,4,0.5,Buy,,9,123456789", "1|2|3|4|0.5|Buy|9|123456789")]
    [InlineData("1,2,3,4,0.5,Buy,,9,-42", "1|2|3|4|0.5|Buy|9|-42")]
    [InlineData("1,2,3,4,0.5,Buy,,9,00042", "1|2|3|4|0.5|Buy|9|42")]
    [InlineData("1,2,3,4,0.5,Buy,,9,123x5", "refused")]
    [InlineData("1,2,3,4,0.5,Buy,,9,12345678x", "refused")]
    [InlineData("1,2,3,4,0.5,Buy,,9,1 ", "1|2|3|4|0.5|Buy|9|1")]
    public void AKnownLine_ReadsTheSameOnBothPaths(string line, string expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        Assert.Equal(expected, ReadAsSecondLine(bytes, ulong.MaxValue));
        Assert.Equal(expected, ReadAsFirstLine(bytes, ulong.MaxValue));
    }

    private static string RandomLine(Random random)
    {
        var fields = new List<string>
        {
            Pick(random, Numbers), Pick(random, Numbers), Pick(random, Numbers), Pick(random, Numbers), Pick(random, Others),
            Pick(random, Sides), random.Next(4) == 0 ? "\"q,q\"" : "gap", Pick(random, Numbers), Pick(random, Numbers),
        };

        // Mostly plain lines of numbers in the common form; now and then a column too many or too few.
        for (int i = 0; i < fields.Count; i++)
        {
            if (random.Next(3) != 0 && i is 0 or 1 or 2 or 3 or 7 or 8)
            {
                fields[i] = random.Next(-1000, 100_000).ToString(CultureInfo.InvariantCulture).TrimStart(i is 2 or 3 ? '-' : ' ');
            }
        }

        int shape = random.Next(20);
        if (shape == 0)
        {
            fields.RemoveAt(fields.Count - 1);
        }
        else if (shape == 1)
        {
            fields.Add("9");
        }

        return string.Join(',', fields);
    }

    private static string Pick(Random random, string[] choices) => choices[random.Next(choices.Length)];

    // The line as a stream's second line: past the first line, a plain line takes the plain path.
    private static string ReadAsSecondLine(byte[] line, ulong mask)
    {
        var reader = new CsvRecordReader(PlainRow.CsvLayout, "Rows", new SourceCounters());
        Assert.True(PlainRow.TryReadCsv(reader, "1,2,3,4,0.5,Buy,,9,1"u8, out _));
        return Describe(PlainRow.TryReadCsv(reader, line, mask, out PlainRow row), row);
    }

    // The line as a stream's first line, which is never read as a plain line.
    private static string ReadAsFirstLine(byte[] line, ulong mask)
    {
        var reader = new CsvRecordReader(PlainRow.CsvLayout, "Rows", new SourceCounters());
        return Describe(PlainRow.TryReadCsv(reader, line, mask, out PlainRow row), row);
    }

    private static string Describe(bool read, PlainRow row) => !read ? "refused" : string.Join('|',
        row.Id, row.Small, row.Big, row.Count, row.Ratio.ToString("R", CultureInfo.InvariantCulture), row.Side, row.Last, row.Tail);
}
