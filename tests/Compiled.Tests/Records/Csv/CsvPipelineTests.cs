using System.Buffers;
using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Records.Csv;

/// <summary>A CSV file read end to end by a pipeline: bad rows skipped and counted, the rest as a reference computes it; nothing allocated per record.</summary>
public class CsvPipelineTests
{
    private static readonly string[] BadRows =
    [
        "X,1,2,Buy\n",                           // too few fields
        "X,1,2,Buy,2026-01-01T00:00:00Z,0,9\n",  // too many
        "X,1,2x,Buy,2026-01-01T00:00:00Z,0\n",   // not a number (the quantity, which the stages read)
        "X,1,2,Hold,2026-01-01T00:00:00Z,0\n",   // not a side
        "X\"Y,1,2,Buy,2026-01-01T00:00:00Z,0\n", // a quote in an unquoted field
        "X,1,99999999999999999999,Buy,2026-01-01T00:00:00Z,0\n",
    ];

    [Fact]
    public async Task AFileWithOnePercentBadRows_GivesTheReferenceOverTheGoodRows_AndCountsTheBadOnes()
    {
        var random = new Random(13);
        string[] symbols = ["AAPL", "MSFT", "\"B,RK\"", "\"Q\"\"T\"", "\"N\nL\"", "日本"];
        var csv = new StringBuilder("symbol,price,qty,side,time,venue\r\n");
        var reference = new Dictionary<string, long>();
        int bad = 0;
        for (int i = 0; i < 10_000; i++)
        {
            if (random.Next(100) == 0)
            {
                csv.Append(BadRows[random.Next(BadRows.Length)]);
                bad++;
                continue;
            }

            string symbol = symbols[random.Next(symbols.Length)];
            long quantity = random.Next(1, 1000);
            bool buy = random.Next(3) != 0;
            csv.Append(CultureInfo.InvariantCulture, $"{symbol},{random.Next(1, 500)}.{random.Next(100)},{quantity},{(buy ? "Buy" : "Sell")},2026-03-01T12:00:{random.Next(60):00}Z,{random.Next(4)}")
                .Append(i % 2 == 0 ? "\n" : "\r\n");
            if (buy)
            {
                string key = symbol.Trim('"').Replace("\"\"", "\"", StringComparison.Ordinal);
                reference[key] = reference.GetValueOrDefault(key) + quantity;
            }
        }

        Assert.InRange(bad, 50, 150);
        using var temp = new TempDirectory();
        string input = temp.Write("trades.csv", csv.ToString());
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Trades"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/bought?suffix=txt";
        await using var run = new PipelineRun(BoughtPerSymbol.Definition, options);
        await run.RunToEndAsync(clock);

        // Each batch prints (symbol,quantity) per symbol; the batches together sum to the reference.
        var totals = new Dictionary<string, long>();
        foreach (string file in Directory.GetFiles(Path.Combine(temp.Path, "out")))
        {
            string text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            int at = 0;
            while (at < text.Length)
            {
                // "(key,value)\n", where a key may hold ',' and '\n': the value is after the line's last comma.
                int end = text.IndexOf(")\n", at, StringComparison.Ordinal);
                while (end >= 0 && !IsRecordEnd(text, at, end))
                {
                    end = text.IndexOf(")\n", end + 1, StringComparison.Ordinal);
                }

                string record = text[(at + 1)..end];
                int comma = record.LastIndexOf(',');
                string key = record[..comma];
                totals[key] = totals.GetValueOrDefault(key) + long.Parse(record[(comma + 1)..], CultureInfo.InvariantCulture);
                at = end + 2;
            }
        }

        Assert.Equal(reference.OrderBy(p => p.Key, StringComparer.Ordinal), totals.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(bad, run.Sources[0].Counters.Malformed);
    }

    [Fact]
    public async Task ABadValueInAColumnNoStageReads_IsNotParsed_SoItsRowCounts_WhileAMissingColumnIsStillRefused()
    {
        // BoughtPerSymbol's stages read the symbol, the quantity and the side: the price and the time are not parsed, so a
        // price or a time that is not one does not refuse the row; a row too short to have the time's column is refused.
        string csv = "symbol,price,qty,side,time,venue\n"
            + "AAPL,1x,5,Buy,2026-01-01T00:00:00Z,0\n"
            + "AAPL,2.5,7,Buy,yesterday,0\n"
            + "AAPL,2.5,11,Buy\n"
            + "AAPL,2.5,13,Buy,2026-01-01T00:00:00Z,0\n";
        using var temp = new TempDirectory();
        string input = temp.Write("trades.csv", csv);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Trades"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/bought?suffix=txt";
        await using var run = new PipelineRun(BoughtPerSymbol.Definition, options);
        await run.RunToEndAsync(clock);

        string output = string.Concat(Directory.GetFiles(Path.Combine(temp.Path, "out")).Select(File.ReadAllText));
        Assert.Equal("(AAPL,25)\n", output);
        Assert.Equal(1, run.Sources[0].Counters.Malformed);
    }

    [Fact]
    public async Task AFileEndingInsideAQuotedField_CountsThatRecordAsBad_AndKeepsTheRowsBefore()
    {
        // The last record opens a quote that the file never closes: it is no record, and it is counted, not lost silently.
        using var temp = new TempDirectory();
        string input = temp.Write("trades.csv", "symbol,price,qty,side,time,venue\nAAPL,1,5,Buy,2026-01-01T00:00:00Z,0\n\"MSFT,1,7,Buy,2026-01-01T00:00:00Z,0\nmore\n");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Trades"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/bought?suffix=txt";
        await using var run = new PipelineRun(BoughtPerSymbol.Definition, options);
        await run.RunToEndAsync(clock);

        string output = string.Concat(Directory.GetFiles(Path.Combine(temp.Path, "out")).Order(StringComparer.Ordinal).Select(File.ReadAllText));
        Assert.Equal("(AAPL,5)\n", output);
        Assert.Equal(1, run.Sources[0].Counters.Malformed);
    }

    // Whether the ")\n" at end closes the record that starts at start: the text between ends in ",<digits>".
    private static bool IsRecordEnd(string text, int start, int end)
    {
        int comma = text.LastIndexOf(',', end - 1, end - start);
        return comma > start && long.TryParse(text.AsSpan(comma + 1, end - comma - 1), NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }

    [Fact]
    public void ReadingCsvIntoNumbersAndSlices_AllocatesNothingPerRecord()
    {
        var random = new Random(5);
        var text = new StringBuilder("id;price;symbol;size\n");
        for (int i = 0; i < 10_000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i};{random.Next(100)}.{random.Next(100)};{(random.Next(4) == 0 ? "\"S;" + random.Next(50) + "\"" : "S" + random.Next(50))};{random.Next(1000)}")
                .Append(i % 3 == 0 ? "\r\n" : "\n");
        }

        ReadOnlySequence<byte> buffer = Segments.Split(Encoding.UTF8.GetBytes(text.ToString()), 64 * 1024);
        var sink = new DiscardingSink();
        var counters = new SourceCounters();
        using PipelineJob job = LargestTick.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        long allocated = JobBatches.LeastAllocated(job, buffer, out bool consumedAll);

        Assert.True(consumedAll);
        Assert.Equal(0, counters.Malformed);
        Assert.Equal(102L * 100, sink.Records);
        Assert.True(allocated == 0, $"250,000 CSV rows in 25 batches allocated {allocated} bytes (the least of four such runs); parsing into numbers and slices must allocate nothing per record.");
    }
}
