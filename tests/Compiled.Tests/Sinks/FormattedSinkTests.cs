using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Compiled.Tests.Records.Csv;
using Compiled.Tests.Records.Writers;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Sinks;

/// <summary>
/// Sinks bound with <c>?format=csv</c> and <c>?format=json</c>: pipelines' file outputs read back equal to what they
/// wrote, console blocks labelled when two sinks share standard output, and nothing allocated per record.
/// </summary>
public class FormattedSinkTests
{
    private static readonly string[] Symbols = ["AAPL", "B,RK", "Q\"T", "N\nL", "日本", " pad ", "semi;colon"];

    [Fact]
    public async Task RecordSink_WithFormatCsv_WritesFilesItsOwnParserReadsBack()
    {
        (string input, List<(string Symbol, decimal Price, long Quantity, Side Side, DateTime Time, int Venue)> trades) = Trades(21);
        using var temp = new TempDirectory();
        await RunAsync(CopyTrades.Definition, "Trades", temp.Write("trades.csv", input), "Output", $"file://{temp.Path}/out/trades?suffix=csv&format=csv");

        var read = new List<(string, decimal, long, Side, DateTime, int)>();
        var counters = new SourceCounters();
        foreach (string file in OutputFiles(temp))
        {
            byte[] bytes = File.ReadAllBytes(file);
            Assert.StartsWith("symbol,price,qty,side,time,venue\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
            var reader = new CsvRecordReader(Trade.CsvLayout, "Output", counters);
            CsvFeed.Read<Trade>(bytes, reader, Trade.TryReadCsv, t => read.Add((t.Symbol.ToString(), t.Price, t.Quantity, t.Side, t.Time, t.Venue)));
        }

        Assert.Equal(0, counters.Malformed);
        Assert.Equal(trades, read);
    }

    [Fact]
    public async Task RecordSink_WithFormatJson_WritesOneObjectPerLine_ThatSystemTextJsonReadsBack()
    {
        (string input, List<(string Symbol, decimal Price, long Quantity, Side Side, DateTime Time, int Venue)> trades) = Trades(22);
        using var temp = new TempDirectory();
        await RunAsync(CopyTrades.Definition, "Trades", temp.Write("trades.csv", input), "Output", $"file://{temp.Path}/out/trades?suffix=jsonl&format=json");

        var read = new List<(string, decimal, long, Side, DateTime, int)>();
        foreach (string file in OutputFiles(temp))
        {
            foreach (string line in File.ReadAllLines(file, Encoding.UTF8))
            {
                using JsonDocument document = JsonDocument.Parse(line);
                JsonElement o = document.RootElement;
                read.Add((o.GetProperty("symbol").GetString()!, o.GetProperty("price").GetDecimal(), o.GetProperty("qty").GetInt64(),
                    Enum.Parse<Side>(o.GetProperty("side").GetString()!), o.GetProperty("time").GetDateTime(), o.GetProperty("venue").GetInt32()));
            }
        }

        Assert.Equal(trades, read);
    }

    [Fact]
    public async Task KeyedSink_WithFormatCsv_WritesKeyValueRows_UnderAHeaderInEachFile()
    {
        (string input, List<(string Symbol, decimal, long Quantity, Side Side, DateTime, int)> trades) = Trades(23);
        using var temp = new TempDirectory();
        await RunAsync(BoughtPerSymbol.Definition, "Trades", temp.Write("trades.csv", input), "Output", $"file://{temp.Path}/out/bought?suffix=csv&format=csv");

        var reference = new Dictionary<string, long>();
        foreach (var trade in trades.Where(t => t.Side == Side.Buy))
        {
            reference[trade.Symbol] = reference.GetValueOrDefault(trade.Symbol) + trade.Quantity;
        }

        var totals = new Dictionary<string, long>();
        var counters = new SourceCounters();
        foreach (string file in OutputFiles(temp))
        {
            byte[] bytes = File.ReadAllBytes(file);
            Assert.StartsWith("key,value\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
            var reader = new CsvRecordReader(SymbolTotal.CsvLayout, "Output", counters);
            CsvFeed.Read<SymbolTotal>(bytes, reader, SymbolTotal.TryReadCsv, t =>
                totals[t.Symbol.ToString()] = totals.GetValueOrDefault(t.Symbol.ToString()) + t.Quantity);
        }

        Assert.Equal(0, counters.Malformed);
        Assert.Equal(reference.OrderBy(p => p.Key, StringComparer.Ordinal), totals.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task KeyedSink_WithANamedTupleValue_FlattensItInCsv_AndNestsItInJson_UnderTheTuplesNames()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("numbers.txt", "1,10\n2,5\n1,7\n");
        await RunAsync(SumAndCount.Definition, "Input", input, "Output", $"file://{temp.Path}/csv/part?format=csv");
        await RunAsync(SumAndCount.Definition, "Input", input, "Output", $"file://{temp.Path}/json/part?format=json");

        string csv = string.Concat(Directory.GetFiles(Path.Combine(temp.Path, "csv")).Order(StringComparer.Ordinal).Select(File.ReadAllText));
        Assert.Equal("Key,Value.Sum,Value.Count\n1,17,2\n2,5,1\n", csv);
        string json = string.Concat(Directory.GetFiles(Path.Combine(temp.Path, "json")).Order(StringComparer.Ordinal).Select(File.ReadAllText));
        Assert.Equal("{\"Key\":1,\"Value\":{\"Sum\":17,\"Count\":2}}\n{\"Key\":2,\"Value\":{\"Sum\":5,\"Count\":1}}\n", json);
    }

    [Fact]
    public async Task WindowedSink_WritesTheWindowsStartAndEnd_AsColumns()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("clicks.txt", "1000 ann\n2000 bob\n59000 ann\n61000 ann\n125000 bob\n");
        await RunAsync(ClicksPerMinute.Definition, "Input", input, "Output", $"file://{temp.Path}/csv/part?format=csv&empty=skip");
        await RunAsync(ClicksPerMinute.Definition, "Input", input, "Output", $"file://{temp.Path}/json/part?format=json&empty=skip");

        string csv = string.Concat(Directory.GetFiles(Path.Combine(temp.Path, "csv")).Order(StringComparer.Ordinal).Select(File.ReadAllText));
        string[] rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("start,end,key,value", rows[0]);
        Assert.Equal(
            ["0,60000,ann,2", "0,60000,bob,1", "120000,180000,bob,1", "60000,120000,ann,1"],
            rows.Where(r => r != "start,end,key,value").Order(StringComparer.Ordinal));

        string json = string.Concat(Directory.GetFiles(Path.Combine(temp.Path, "json")).Order(StringComparer.Ordinal).Select(File.ReadAllText));
        Assert.Contains("{\"start\":0,\"end\":60000,\"key\":\"ann\",\"value\":2}\n", json, StringComparison.Ordinal);
        Assert.Contains("{\"start\":120000,\"end\":180000,\"key\":\"bob\",\"value\":1}\n", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoConsoleSinks_LabelEachBlockWithTheSinksName()
    {
        using var temp = new TempDirectory();
        var output = new SharedOutput();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, OpenStandardOutput = () => output };
        options.SourceUris["Input"] = $"file://{temp.Write("log.txt", "ok\nALERT disk\nok again\n")}";
        options.SinkUris["Alerts"] = "console:?format=json";
        await using (var run = new PipelineRun(TwoConsoles.Definition, options))
        {
            await run.RunToEndAsync(clock);
        }

        string printed = output.Text;
        const string Dashes = "-------------------------------------------";
        Assert.Contains($"-- All --\n{Dashes}\nTime: ", printed, StringComparison.Ordinal);
        Assert.Contains($"-- Alerts --\n{Dashes}\nTime: ", printed, StringComparison.Ordinal);
        Assert.Contains($"{Dashes}\nok\nALERT disk\nok again\n\n", printed, StringComparison.Ordinal);
        Assert.Contains($"{Dashes}\n{{\"value\":\"ALERT disk\"}}\n\n", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneConsoleSink_PrintsSparksFormUnlabelled()
    {
        using var temp = new TempDirectory();
        var output = new SharedOutput();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, OpenStandardOutput = () => output };
        options.SourceUris["Input"] = $"file://{temp.Write("numbers.txt", "1,10\n")}";
        options.SinkUris["Output"] = "console:?format=csv";
        await using (var run = new PipelineRun(SumAndCount.Definition, options))
        {
            await run.RunToEndAsync(clock);
        }

        Assert.DoesNotContain("-- ", output.Text, StringComparison.Ordinal);
        Assert.Contains("-------------------------------------------\nKey,Value.Sum,Value.Count\n1,10,1\n\n", output.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFormat_IsRefused_NamingTheChoices()
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSink("console:?format=xml", new SinkContext { OpenStandardOutput = () => new MemoryStream() }));
        Assert.Contains("text or csv or json", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public void WritingNumbersAndSlices_AllocatesNothingPerRecord(string format)
    {
        var random = new Random(5);
        var text = new StringBuilder("id;price;symbol;size\n");
        for (int i = 0; i < 10_000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i};{random.Next(100)}.{random.Next(100)};{(random.Next(4) == 0 ? "\"S;\"\"" + random.Next(50) + "\"" : "S" + random.Next(50))};{random.Next(1000)}\n");
        }

        ReadOnlySequence<byte> buffer = Segments.Split(Encoding.UTF8.GetBytes(text.ToString()), 64 * 1024);
        var sink = new FormattedDiscardingSink("console:?format=" + format);
        var counters = new SourceCounters();
        using PipelineJob job = CopyTicks.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        RunBatch(job, buffer);
        RunBatch(job, buffer);
        long bytesBefore = sink.Bytes;

        long allocated = long.MaxValue;
        for (int run = 0; run < 4; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int batch = 0; batch < 10; batch++)
            {
                RunBatch(job, buffer);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, counters.Malformed);
        Assert.Equal(42L * 10_000, sink.Records);
        Assert.True(sink.Bytes > bytesBefore);
        Assert.Equal(format == "csv" ? (byte)'0' : (byte)'{', sink.First);
        Assert.True(allocated == 0, $"100,000 records written as {format} in 10 batches allocated {allocated} bytes (the least of four such runs); writing numbers and slices must allocate nothing per record.");
    }

    private static void RunBatch(PipelineJob job, in ReadOnlySequence<byte> buffer)
    {
        job.BeginStream(0, "memory");
        job.Process(0, buffer, isCompleted: true);
        job.CompleteBatch(new BatchInfo(1, 1000));
    }

    // Random trades as a CSV export writes them, and the values of each: symbols with separators, quotes, line breaks and non-ASCII.
    private static (string Csv, List<(string Symbol, decimal Price, long Quantity, Side Side, DateTime Time, int Venue)> Trades) Trades(int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("symbol,price,qty,side,time,venue\n");
        var trades = new List<(string, decimal, long, Side, DateTime, int)>();
        for (int i = 0; i < 2000; i++)
        {
            string symbol = Symbols[random.Next(Symbols.Length)];
            decimal price = random.Next(3) == 0 ? decimal.MaxValue : new decimal(random.Next(), random.Next(), 0, random.Next(2) == 0, (byte)random.Next(0, 10));
            long quantity = random.NextInt64(long.MinValue, long.MaxValue);
            var side = random.Next(3) == 0 ? Side.Sell : Side.Buy;
            var time = new DateTime(random.NextInt64(DateTime.UnixEpoch.Ticks, new DateTime(2100, 1, 1).Ticks), DateTimeKind.Utc);
            int venue = random.Next();
            string quoted = "\"" + symbol.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            csv.Append(CultureInfo.InvariantCulture, $"{quoted},{price},{quantity},{side},{time:O},{venue}\n");
            trades.Add((symbol, price, quantity, side, time, venue));
        }

        return (csv.ToString(), trades);
    }

    private static async Task RunAsync(PipelineDefinition definition, string source, string input, string sink, string uri)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris[source] = $"file://{input}";
        options.SinkUris[sink] = uri;
        await using var run = new PipelineRun(definition, options);
        await run.RunToEndAsync(clock);
    }

    private static string[] OutputFiles(TempDirectory temp) =>
        [.. Directory.GetFiles(Path.Combine(temp.Path, "out")).Order(StringComparer.Ordinal)];

    // Standard output shared by two console sinks: each opens and disposes its own view of one buffer.
    private sealed class SharedOutput : Stream
    {
        private readonly MemoryStream _buffer = new();

        public string Text => Encoding.UTF8.GetString(_buffer.ToArray());

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _buffer.Length;

        public override long Position { get => _buffer.Position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_buffer)
            {
                _buffer.Write(buffer, offset, count);
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (_buffer)
            {
                _buffer.Write(buffer);
            }
        }

        // Disposing one sink's view keeps the buffer for the other and for the test.
        protected override void Dispose(bool disposing)
        {
        }
    }

    // A sink that takes the URI's format and counts what it is given.
    private sealed class FormattedDiscardingSink : Sink
    {
        public FormattedDiscardingSink(string uri)
            : base(ConnectorUri.Parse(uri, "sink"), new SinkContext()) => TakeFormat();

        public long Records { get; private set; }

        public long Bytes { get; private set; }

        public byte First { get; private set; }

        public override void BeginBatch(long batchTimeMs)
        {
        }

        public override void Write(ReadOnlySpan<byte> record)
        {
            if (Records++ == 0)
            {
                First = record[0];
            }

            Bytes += record.Length;
        }

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
    }
}
