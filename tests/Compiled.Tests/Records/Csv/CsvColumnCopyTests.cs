using System.Globalization;
using System.Text;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Records.Csv;

/// <summary>A trade as a one-line CSV record: four integer columns and one no member reads.</summary>
[Record(Header = RecordHeader.None, MultiLine = false)]
public partial record struct CopiedTrade(long Id, int Quantity, [property: Column(Index = 3)] long Price, [property: Column(Index = 4)] long Time);

/// <summary>A trade as it is written out: its columns in another order and the price changed.</summary>
[Record(Header = RecordHeader.None)]
public partial record struct PricedTrade(long Id, int Quantity, long Time, long Price);

/// <summary>The even trades with their price doubled, written as the record they were read as (`with`).</summary>
[Pipeline]
public static partial class DoubledPrices
{
    [Source]
    public static partial Lines<CopiedTrade> Trades();

    [Filter]
    public static bool Even(CopiedTrade trade) => trade.Id % 2 == 0;

    [Map]
    public static CopiedTrade Doubled(CopiedTrade trade) => trade with { Price = trade.Price * 2 };

    [Sink]
    public static partial void Output(CopiedTrade trade);
}

/// <summary>Every trade written as another record (a projection): the id, the quantity and the time copied, the price not.</summary>
[Pipeline]
public static partial class ProjectedPrices
{
    [Source]
    public static partial Lines<CopiedTrade> Trades();

    [Map]
    public static PricedTrade Priced(CopiedTrade trade) => new(trade.Id, trade.Quantity, trade.Time, trade.Price + 1);

    [Sink]
    public static partial void Output(PricedTrade trade);
}

/// <summary>
/// Columns written as they were read: a CSV sink of a record whose integer members came unchanged from a CSV source's line
/// copies their text from the line, and a run of them at once, when the text is what the member is written as; otherwise
/// (a leading zero, "-0", a line read by the rules of quoted fields) it writes the value. The output is the same either way.
/// </summary>
public class CsvColumnCopyTests
{
    // Plain lines, lines whose integers are not written as they came, quoted fields, and lines refused.
    private const string Trades =
        "2,10,x,100,1767225600000\n" +
        "3,11,y,101,1767225600001\n" +
        "004,012,x,0102,1767225600002\n" +   // leading zeros: written as 4, 12, 102
        "-0,5,x,7,-0\n" +                     // "-0": written as 0
        "6,-13,x,-104,1767225600004\n" +      // negative numbers, as they came
        "\"8\",14,\"a,b\",105,1767225600005\n" + // quoted fields: read by the full rules, written from the values
        "10,big,x,106,1767225600006\n" +      // refused: not a number
        "12,15,x,107\n" +                     // refused: no time
        "0,0,,0,0\n";

    [Fact]
    public async Task ARecordWrittenAsItWasRead_CopiesItsUnchangedColumns_AndWritesWhatDiffers()
    {
        (string output, long malformed) = await RunAsync(DoubledPrices.Definition, Trades);
        string expected = string.Concat(Expected(Trades).Where(t => t.Id % 2 == 0)
            .Select(t => Invariant($"{t.Id},{t.Quantity},,{t.Price * 2},{t.Time}\n")));
        Assert.Equal(expected, output);
        Assert.Equal(2, malformed);
    }

    [Fact]
    public async Task AProjectionToAnotherRecord_CopiesTheColumnsItTakesUnchanged()
    {
        (string output, long malformed) = await RunAsync(ProjectedPrices.Definition, Trades);
        string expected = string.Concat(Expected(Trades).Select(t => Invariant($"{t.Id},{t.Quantity},{t.Time},{t.Price + 1}\n")));
        Assert.Equal(expected, output);
        Assert.Equal(2, malformed);
    }

    [Fact]
    public async Task RandomLines_WriteWhatTheValuesWrite()
    {
        var random = new Random(20261207);
        var lines = new StringBuilder();
        for (int i = 0; i < 5_000; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"{Number(random)},{Number(random)},x,{Number(random)},{Number(random)}\n");
        }

        string csv = lines.ToString();
        (string output, long malformed) = await RunAsync(ProjectedPrices.Definition, csv);
        Assert.Equal(5_000 - Expected(csv).Count(), malformed); // a quantity too large for an int is refused
        Assert.Equal(string.Concat(Expected(csv).Select(t => Invariant($"{t.Id},{t.Quantity},{t.Time},{t.Price + 1}\n"))), output);
    }

    [Fact]
    public void TheGeneratedLoop_HandsTheSinkTheLine_AndTheParserKeepsTheCopiedColumns()
    {
        // What the sink writer receives decides whether anything is copied; the test driver's path (OnValue) has no line.
        var reader = new CsvRecordReader(CopiedTrade.CsvLayout, "Trades", new global::Compiled.Connectors.SourceCounters());
        Assert.False(CopiedTrade.TryReadCsv(reader, "x"u8, ulong.MaxValue, 0xFUL, out _)); // the stream's first line is not plain
        ReadOnlySpan<byte> line = "21,3,x,0400,1767225600000"u8;
        Assert.True(CopiedTrade.TryReadCsv(reader, line, ulong.MaxValue, 0xFUL, out CopiedTrade trade));
        Assert.True(reader.TookPlainLine);
        Assert.Equal(new CopiedTrade(21, 3, 400, 1767225600000), trade);
        Assert.Equal("21,3", Encoding.UTF8.GetString(reader.KeptColumns(line, 0, 1)));
        Assert.Equal("0400", Encoding.UTF8.GetString(reader.KeptColumns(line, 3, 3)));
        Assert.Equal("1767225600000", Encoding.UTF8.GetString(reader.KeptColumns(line, 4, 4)));
        Assert.True(reader.TryKeptIntegers(line, 0, 1, out ReadOnlySpan<byte> run));
        Assert.Equal("21,3", Encoding.UTF8.GetString(run));
        Assert.False(reader.TryKeptIntegers(line, 3, 4, out _)); // 0400 is written as 400
        Assert.True(reader.TryKeptIntegers(line, 4, 4, out run));
        Assert.Equal("1767225600000", Encoding.UTF8.GetString(run));
        Assert.False(CsvRecordReader.IsIntegerAsWritten("0400"u8));
        Assert.True(CsvRecordReader.IsIntegerAsWritten("0"u8));
        Assert.False(CsvRecordReader.IsIntegerAsWritten("-0"u8));
        Assert.True(CsvRecordReader.IsIntegerAsWritten("-10"u8));
    }

    [Fact]
    public void AShortCopy_AppendsWhatAppendAppends_AtEveryLengthAndRoom()
    {
        byte[] source = Encoding.ASCII.GetBytes("0123456789abcdefghijklmnopqrstuvwxyz");
        for (int start = 0; start < 24; start++)
        {
            for (int length = 0; length <= 20; length++)
            {
                // A small buffer, so that some appends find less than 16 bytes of room and take the general path.
                var shortCopy = new RecordText(8);
                var copy = new RecordText(8);
                shortCopy.Append("x"u8);
                copy.Append("x"u8);
                for (int n = 0; n < 3; n++)
                {
                    shortCopy.AppendShort(source.AsSpan(start, Math.Min(length, source.Length - start)));
                    copy.Append(source.AsSpan(start, Math.Min(length, source.Length - start)));
                }

                Assert.Equal(Encoding.ASCII.GetString(copy.Written), Encoding.ASCII.GetString(shortCopy.Written));
            }
        }
    }

    private static string Number(Random random) => random.Next(8) switch
    {
        0 => "0",
        1 => "-0",
        2 => "0" + random.Next(1000).ToString(CultureInfo.InvariantCulture),
        3 => (-random.NextInt64(1, 1L << 40)).ToString(CultureInfo.InvariantCulture),
        4 => random.Next(10).ToString(CultureInfo.InvariantCulture),
        _ => random.Next(1, int.MaxValue).ToString(CultureInfo.InvariantCulture),
    };

    // The rows a reference reader keeps (an optional '-' and digits in every read column, the quoted ones unquoted), as values.
    private static IEnumerable<CopiedTrade> Expected(string csv)
    {
        foreach (string line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Replace("\"a,b\"", "ab", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal).Split(',');
            if (fields.Length == 5 && long.TryParse(fields[0], CultureInfo.InvariantCulture, out long id) && int.TryParse(fields[1], CultureInfo.InvariantCulture, out int quantity)
                && long.TryParse(fields[3], CultureInfo.InvariantCulture, out long price) && long.TryParse(fields[4], CultureInfo.InvariantCulture, out long time))
            {
                yield return new CopiedTrade(id, quantity, price, time);
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static async Task<(string Output, long Malformed)> RunAsync(PipelineDefinition definition, string csv)
    {
        using var temp = new TempDirectory();
        string input = temp.Write("trades.csv", csv);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Trades"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/trades?suffix=csv&format=csv";
        await using var run = new PipelineRun(definition, options);
        await run.RunToEndAsync(clock);
        string output = string.Concat(Directory.GetFiles(Path.Combine(temp.Path, "out")).Order(StringComparer.Ordinal).Select(File.ReadAllText));
        return (output, run.Sources[0].Counters.Malformed);
    }
}
