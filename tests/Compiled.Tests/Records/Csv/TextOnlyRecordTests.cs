using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Records.Csv;

/// <summary>Records whose members are all text, an enum and text, or enums only compile (their parsers declare no local they do not use) and read a CSV file.</summary>
public class TextOnlyRecordTests
{
    [Fact]
    public async Task ARecordOfTextOnly_ReadsACsvFile_DefaultsAndBadRowsAsAnyRecord()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("people.csv", "last,first,city\nLovelace,Ada,London\n\"Hopper\",Grace\nLovelace,Byron,\"Lon,don\"\nTuring\n" + "Hopper,\"G\"\"M\",Arlington\r\n");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["People"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/people?suffix=txt";
        await using var run = new PipelineRun(PeoplePerLastName.Definition, options);
        await run.RunToEndAsync(clock);

        // Grace Hopper's missing city takes its default; "Turing" alone has no first name and is refused.
        var totals = new Dictionary<string, long>();
        foreach (string file in Directory.GetFiles(Path.Combine(temp.Path, "out")))
        {
            foreach (string line in File.ReadAllLines(file))
            {
                int comma = line.LastIndexOf(',');
                totals[line[1..comma]] = totals.GetValueOrDefault(line[1..comma]) + long.Parse(line[(comma + 1)..^1], CultureInfo.InvariantCulture);
            }
        }

        Assert.Equal([("Hopper", 101L), ("Lovelace", 2L)], totals.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
        Assert.Equal(1, run.Sources[0].Counters.Malformed);
    }

    [Fact]
    public void ARecordOfAnEnumAndText_ReadsItsRows()
    {
        var reader = new CsvRecordReader(SideNote.CsvLayout, "Sides", new SourceCounters());
        Assert.True(SideNote.TryReadCsv(reader, "sell,\"late, again\""u8, out SideNote side));
        Assert.Equal((Side.Sell, "late, again"), (side.Side, side.Note.ToString()));
        Assert.False(SideNote.TryReadCsv(reader, "hold,x"u8, out _));
        Assert.Equal(1, reader.Refused(BadRecordReason.InvalidValue));
    }

    [Fact]
    public void ARecordOfEnumsOnly_ReadsItsCsvRowsAndJsonLines()
    {
        var csv = new CsvRecordReader(SidePair.CsvLayout, "Pairs", new SourceCounters());
        Assert.True(SidePair.TryReadCsv(csv, "buy,SELL"u8, out SidePair fromCsv));
        Assert.Equal((Side.Buy, Side.Sell), (fromCsv.Bid, fromCsv.Ask));
        Assert.False(SidePair.TryReadCsv(csv, "buy,hold"u8, out _));
        Assert.Equal(1, csv.Refused(BadRecordReason.InvalidValue));

        var json = new JsonRecordReader(SidePair.JsonLayout, "Pairs", new SourceCounters());
        Assert.True(SidePair.TryReadJson(json, "{\"Ask\":\"buy\",\"Bid\":1}"u8, out SidePair fromJson));
        Assert.Equal((Side.Sell, Side.Buy), (fromJson.Bid, fromJson.Ask));
        Assert.False(SidePair.TryReadJson(json, "{\"Bid\":\"hold\",\"Ask\":\"buy\"}"u8, out _));
        Assert.Equal(1, json.Refused(BadRecordReason.InvalidValue));
    }
}
