using System.Buffers;
using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Testing;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Compiled.Tests.Records.Csv;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Records.Json;

/// <summary>A JSON-lines file read end to end by a pipeline: bad lines skipped and counted, the rest as a reference computes it; nothing allocated per record.</summary>
public class JsonPipelineTests
{
    private static readonly string[] BadLines =
    [
        """{"symbol":"X","price":1,"qty":2,"side":"Buy"}""",                              // no account.id
        """{"symbol":"X","price":1,"qty":"2","side":"Buy","account":{"id":1}}""",         // a string for a number
        """{"symbol":"X","price":1,"qty":2,"side":"Hold","account":{"id":1}}""",          // not a side
        """{"symbol":"X","price":1,"qty":2.5,"side":"Buy","account":{"id":1}}""",         // a fraction for an integer
        """{"symbol":"X","price":1,"qty":99999999999999999999,"side":"Buy","account":{"id":1}}""",
        """{"symbol":"X","price":1,"qty":2,"side":"Buy","account":{"id":1}""",            // cut short
        """{"symbol":"X" "price":1}""",                                                    // not JSON
        """["X",1,2]""",                                                                   // not an object
    ];

    [Fact]
    public async Task AFileWithOnePercentBadLines_GivesTheReferenceOverTheGoodLines_AndCountsTheBadOnes()
    {
        var random = new Random(13);
        string[] symbols = ["AAPL", "MSFT", "B,RK", "Q\\\"T", "N\\nL", "日本", "\\u00e9t\\u00e9"];
        string[] decoded = ["AAPL", "MSFT", "B,RK", "Q\"T", "N\nL", "日本", "été"];
        var json = new StringBuilder();
        var reference = new Dictionary<string, long>();
        int bad = 0;
        for (int i = 0; i < 10_000; i++)
        {
            if (random.Next(100) == 0)
            {
                json.Append(BadLines[random.Next(BadLines.Length)]).Append('\n');
                bad++;
                continue;
            }

            int s = random.Next(symbols.Length);
            long quantity = random.Next(1, 1000);
            bool buy = random.Next(3) != 0;
            string[] properties =
            [
                $"\"symbol\":\"{symbols[s]}\"",
                string.Create(CultureInfo.InvariantCulture, $"\"price\":{random.Next(1, 500)}.{random.Next(100)}"),
                $"\"qty\":{quantity}",
                $"\"side\":\"{(buy ? "Buy" : random.Next(2) == 0 ? "sell" : "SELL")}\"",
                $"\"account\":{{\"id\":{random.Next(100)},\"desk\":{{\"name\":\"d{random.Next(5)}\"}}}}",
                $"\"note\":{{\"tags\":[\"a\",{{\"qty\":1}}],\"at\":null}}",
            ];
            random.Shuffle(properties);
            json.Append('{').AppendJoin(',', properties).Append('}').Append(i % 2 == 0 ? "\n" : "\r\n");
            if (buy)
            {
                reference[decoded[s]] = reference.GetValueOrDefault(decoded[s]) + quantity;
            }
        }

        Assert.InRange(bad, 50, 150);
        using var temp = new TempDirectory();
        string input = temp.Write("trades.jsonl", json.ToString());
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Trades"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/bought?suffix=txt";
        await using var run = new PipelineRun(BoughtPerSymbolJson.Definition, options);
        await run.RunToEndAsync(clock);

        Assert.Equal(reference.OrderBy(p => p.Key, StringComparer.Ordinal), ReadTotals(Path.Combine(temp.Path, "out")).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(bad, run.Sources[0].Counters.Malformed);
    }

    [Fact]
    public async Task ASourceReadsACsvRecordAsJson_WhenItsFormatSaysSo()
    {
        // Trade is a CSV record; the source reads it from JSON lines (as a topic's message values would be). Its stages read
        // the symbol, the quantity and the venue: a time that is not one is not converted, a quantity that is not one is refused.
        using var temp = new TempDirectory();
        string input = temp.Write("trades.jsonl",
            """
            {"symbol":"AAPL","price":1.5,"qty":5,"side":"Buy","time":"2026-01-01T00:00:00Z"}
            {"qty":7,"time":"2026-01-01T00:00:01Z","side":"sell","price":2,"symbol":"AAPL","venue":3}
            {"symbol":"MSFT","price":1,"qty":1,"side":"Buy","time":"yesterday"}
            {"symbol":"MSFT","price":1,"qty":"1","side":"Buy","time":"2026-01-01T00:00:00Z"}

            """);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Trades"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/q?suffix=txt";
        await using var run = new PipelineRun(CsvTradesAsJson.Definition, options);
        await run.RunToEndAsync(clock);

        Assert.Equal([new KeyValuePair<string, long>("AAPL", 15), new KeyValuePair<string, long>("MSFT", 1)], ReadTotals(Path.Combine(temp.Path, "out")).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(1, run.Sources[0].Counters.Malformed);
    }

    [Fact]
    public async Task ABadValueInAMemberNoStageReads_IsNotConverted_SoItsLineCounts_WhileAMissingMemberIsStillRefused()
    {
        // BoughtPerSymbolJson's stages read the symbol, the quantity and the side: the price, the account and the venue are
        // not converted, so a value of the wrong kind there does not refuse the line. A required member missing or null (the
        // account's id, the price) is refused all the same, and so is a line that is not JSON.
        using var temp = new TempDirectory();
        string input = temp.Write("trades.jsonl",
            """
            {"symbol":"AAPL","price":"1x","qty":1,"side":"Buy","account":{"id":1}}
            {"symbol":"AAPL","price":1,"qty":2,"side":"Buy","account":{"id":"seven","desk":[1,{"name":2}]},"venue":"x"}
            {"account":{"id":1.5,"desk":{"name":false}},"venue":{"a":{}},"side":"buy","qty":4,"price":{},"symbol":"AAPL"}
            {"symbol":"AAPL","price":1,"qty":8,"side":"Buy"}
            {"symbol":"AAPL","price":1,"qty":16,"side":"Buy","account":{"id":null}}
            {"symbol":"AAPL","price":null,"qty":32,"side":"Buy","account":{"id":1}}
            {"symbol":"AAPL","price":1x,"qty":64,"side":"Buy","account":{"id":1}}
            {"symbol":"AAPL","price":1,"qty":"128","side":"Buy","account":{"id":1}}
            {"symbol":"AAPL","price":1,"qty":256,"side":"Buy","account":{"id":1}}

            """);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Trades"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/bought?suffix=txt";
        await using var run = new PipelineRun(BoughtPerSymbolJson.Definition, options);
        await run.RunToEndAsync(clock);

        Assert.Equal([new KeyValuePair<string, long>("AAPL", 1 + 2 + 4 + 256)], ReadTotals(Path.Combine(temp.Path, "out")));
        Assert.Equal(5, run.Sources[0].Counters.Malformed);
    }

    [Fact]
    public void JsonEventsAsMessages_ReadAsTheSameLinesFramedFromAFile()
    {
        // A topic's message values are JSON events: each message is one line for the same parser.
        string[] events =
        [
            """{"symbol":"AAPL","price":1.5,"qty":5,"side":"Buy","time":"2026-01-01T00:00:00Z"}""",
            """{"symbol":"MSFT","price":2,"qty":"7","side":"Buy","time":"2026-01-01T00:00:00Z"}""",
            """{"symbol":"AAPL","price":2,"qty":7,"side":"sell","time":"2026-01-01T00:00:01Z","venue":3,"meta":{"partition":2}}""",
            """{"symbol":"\u004dSFT","price":2,"qty":1,"side":"Buy","time":"2026-01-01T00:00:00Z"}""",
            """not json""",
        ];

        var framedCounters = new SourceCounters();
        var framed = new KeyValueCapture<long>("Output");
        RunBatch(framedCounters, framed, job =>
        {
            job.BeginStream(0, "events.jsonl");
            job.Process(0, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(string.Concat(events.Select(e => e + "\n")))), isCompleted: true);
        });

        var messageCounters = new SourceCounters();
        var messages = new KeyValueCapture<long>("Output");
        RunBatch(messageCounters, messages, job =>
        {
            using var batch = new MessageBatch("kafka://localhost:9092/trades", FramingOptions.Default, messageCounters, capacity: 2);
            long offset = 0;
            foreach (string value in events)
            {
                offset++;
                batch.Add(Encoding.UTF8.GetBytes(value), "key"u8, offset, BitConverter.GetBytes(offset));
                if (batch.IsFull)
                {
                    job.ProcessMessages(0, batch);
                    batch.Clear();
                }
            }

            job.ProcessMessages(0, batch);
        });

        Assert.Equal([("AAPL", 15L), ("MSFT", 1L)], messages.Output.Records);
        Assert.Equal(framed.Output.Records, messages.Output.Records);
        Assert.Equal((2L, 2L), (framedCounters.Malformed, messageCounters.Malformed));
    }

    private static void RunBatch(SourceCounters counters, Sink sink, Action<PipelineJob> feed)
    {
        using PipelineJob job = CsvTradesAsJson.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        sink.BeginBatch(1000);
        feed(job);
        job.CompleteBatch(new BatchInfo(1, 1000));
        sink.CommitBatchAsync(TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult();
    }

    [Fact]
    public void ReadingJsonIntoNumbersAndSlices_AllocatesNothingPerRecord()
    {
        var random = new Random(5);
        var text = new StringBuilder();
        for (int i = 0; i < 10_000; i++)
        {
            string symbol = random.Next(4) == 0 ? $"S\\\"{random.Next(50)}" : "S" + random.Next(50);
            text.Append(CultureInfo.InvariantCulture, $"{{\"Id\":{i},\"Price\":{random.Next(100)}.{random.Next(100)},\"Symbol\":\"{symbol}\",\"extra\":[1,{{\"a\":\"b\"}}],\"Size\":{random.Next(1000)}}}")
                .Append(i % 3 == 0 ? "\r\n" : "\n");
        }

        ReadOnlySequence<byte> buffer = Segments.Split(Encoding.UTF8.GetBytes(text.ToString()), 64 * 1024);
        var sink = new DiscardingSink();
        var counters = new SourceCounters();
        using PipelineJob job = LargestTickJson.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        long allocated = JobBatches.LeastAllocated(job, buffer, out bool consumedAll);

        Assert.True(consumedAll);
        Assert.Equal(0, counters.Malformed);
        Assert.Equal(102L * 100, sink.Records);
        Assert.True(allocated == 0, $"250,000 JSON lines in 25 batches allocated {allocated} bytes (the least of four such runs); parsing into numbers and slices must allocate nothing per record.");
    }

    // The totals of a file sink's "(key,value)" lines, over all its batch files; a key may hold ',' and '\n'.
    private static Dictionary<string, long> ReadTotals(string directory)
    {
        var totals = new Dictionary<string, long>();
        foreach (string file in Directory.GetFiles(directory))
        {
            string text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            int at = 0;
            while (at < text.Length)
            {
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

        return totals;
    }

    private static bool IsRecordEnd(string text, int start, int end)
    {
        int comma = text.LastIndexOf(',', end - 1, end - start);
        return comma > start && long.TryParse(text.AsSpan(comma + 1, end - comma - 1), NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
