using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Testing;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Compiled.Tests.JobState;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Keys;

/// <summary>
/// String keys, record structs with string fields, and <see cref="Utf8Text"/> keys through every kind of keyed stage
/// of a generated job, as a user writes them: outputs by hand, and a restore from a checkpoint that goes on as if the
/// job had run through.
/// </summary>
public class StringKeyTests
{
    // Six batches of trades (time, symbol, price, volume): AAPL and MSFT, then GOOG, two quiet batches, MSFT again.
    private static readonly (long Time, string Symbol, decimal Price, long Volume)[][] Trades =
    [
        [(1, "AAPL", 10.0m, 100), (2, "MSFT", 20.0m, 5), (3, "AAPL", 12.5m, 50)],
        [(4, "MSFT", 19m, 10)],
        [(5, "GOOG", 30m, 1), (6, "AAPL", 11m, 20)],
        [],
        [],
        [(7, "MSFT", 21m, 1)],
    ];

    private static SymbolTrades.TestDriver Run()
    {
        var test = new SymbolTrades.TestDriver();
        foreach (var batch in Trades)
        {
            test.Trades.Batch(batch);
        }

        test.Run();
        return test;
    }

    [Fact]
    public void ReduceByKey_StringKey_HighestPricePerSymbolPerBatch()
    {
        using var test = Run();

        Assert.Equal(
            [
                new OutputBatch<(string Symbol, decimal Price)>(1000, [("AAPL", 12.5m), ("MSFT", 20.0m)]),
                new OutputBatch<(string Symbol, decimal Price)>(2000, [("MSFT", 19m)]),
                new OutputBatch<(string Symbol, decimal Price)>(3000, [("GOOG", 30m), ("AAPL", 11m)]),
                new OutputBatch<(string Symbol, decimal Price)>(4000, []),
                new OutputBatch<(string Symbol, decimal Price)>(5000, []),
                new OutputBatch<(string Symbol, decimal Price)>(6000, [("MSFT", 21m)]),
            ],
            test.Highs.Batches);
    }

    [Fact]
    public void ReduceByKeyAndWindow_StringKey_VolumeOverThreeBatches()
    {
        using var test = Run();

        // Without an inverse: merged from the last three batches' partials at every batch.
        Assert.Equal(
            [
                [("AAPL", 150L), ("MSFT", 5L)],
                [("AAPL", 150L), ("MSFT", 15L)],
                [("AAPL", 170L), ("GOOG", 1L), ("MSFT", 15L)],
                [("AAPL", 20L), ("GOOG", 1L), ("MSFT", 10L)],
                [("AAPL", 20L), ("GOOG", 1L)],
                [("MSFT", 1L)],
            ],
            test.WindowVolumes.Batches.Select(b => b.Records.OrderBy(r => r.Symbol, StringComparer.Ordinal).ToArray()));

        // With an inverse and a filter: the same volumes, a symbol whose volume left the window dropped.
        Assert.Equal(
            test.WindowVolumes.Batches.Select(b => b.Records.OrderBy(r => r.Symbol, StringComparer.Ordinal).ToArray()),
            test.ActiveVolumes.Batches.Select(b => b.Records.OrderBy(r => r.Symbol, StringComparer.Ordinal).ToArray()));
    }

    [Fact]
    public void UpdateStateByKey_StringKey_RunningVolumeFromAnOpeningVolume()
    {
        using var test = Run();

        Assert.Equal(
            [
                [("AAPL", 150L), ("MSFT", 1005L)],
                [("AAPL", 150L), ("MSFT", 1015L)],
                [("AAPL", 170L), ("GOOG", 1L), ("MSFT", 1015L)],
                [("AAPL", 170L), ("GOOG", 1L), ("MSFT", 1015L)],
                [("AAPL", 170L), ("GOOG", 1L), ("MSFT", 1015L)],
                [("AAPL", 170L), ("GOOG", 1L), ("MSFT", 1016L)],
            ],
            test.TotalVolumes.Batches.Select(b => b.Records.OrderBy(r => r.Item1, StringComparer.Ordinal).ToArray()));
    }

    [Fact]
    public void MapWithState_StringKey_TimesOutQuietSymbols()
    {
        using var test = Run();

        // A symbol idle longer than 2 s times out with its number of trades; MSFT comes back afresh in batch 6.
        List<(long Time, string Symbol, int Trades)> ended = test.QuietSymbols.Batches
            .SelectMany(b => b.Records.Select(r => (b.Time, r.Symbol, r.Trades)))
            .ToList();
        Assert.Equal([(5000L, "MSFT", 2), (6000L, "AAPL", 3), (6000L, "GOOG", 1)], ended.OrderBy(e => e.Time).ThenBy(e => e.Symbol, StringComparer.Ordinal));
    }

    [Fact]
    public void CountByValue_GroupByKey_Join_Cogroup_StringKey()
    {
        using var test = Run();

        Assert.Equal([("AAPL", 2L), ("MSFT", 1L)], test.TradeCounts.Batches[0].Records);
        Assert.Equal([("MSFT", 1L)], test.TradeCounts.Batches[5].Records);
        Assert.Equal(
            [new Group<string, decimal>("AAPL", [10.0m, 12.5m]), new Group<string, decimal>("MSFT", [20.0m])],
            test.PriceLists.Batches[0].Records);
        Assert.Equal([("AAPL", 12.5m, 150L), ("MSFT", 20.0m, 5L)], test.HighsAndVolumes.Batches[0].Records);
        Assert.Equal([("GOOG", 30m, 1L), ("AAPL", 11m, 20L)], test.HighsAndVolumes.Batches[2].Records);
        Assert.Equal([("AAPL", 2, 150L), ("MSFT", 1, 5L)], test.Cogrouped.Batches[0].Records);
    }

    public static TheoryData<int, int> Stops => Resume.SeedsAndStops(seeds: 3, Batches);

    private const int Batches = 8;

    // Random trades over a few symbols (one of them longer than a short key), 0 to 6 a batch.
    private static List<(long Time, string Symbol, decimal Price, long Volume)[]> RandomTrades(int seed)
    {
        var random = new Random(seed);
        string[] symbols = ["AAPL", "MSFT", "GOOG", "BRK.B", "A", "VERY-LONG-SYMBOL-NAME"];
        long time = 0;
        return Enumerable.Range(0, Batches)
            .Select(_ => Enumerable.Range(0, random.Next(7))
                .Select(_ => (++time, symbols[random.Next(symbols.Length)], random.Next(1, 100) / 4m, (long)random.Next(1, 50)))
                .ToArray())
            .ToList();
    }

    [Theory]
    [MemberData(nameof(Stops))]
    public void Checkpoint_StringKeyedState_ResumesAsIfUninterrupted(int seed, int stopAfter)
    {
        List<(long Time, string Symbol, decimal Price, long Volume)[]> input = RandomTrades(seed);
        Resume.AssertResumesAsIfUninterrupted(
            () => new SymbolTrades.TestDriver(),
            (test, i) => test.Trades.Batch(input[i]),
            test => Emitted.Of("Highs", test.Highs)
                .Concat(Emitted.Of("WindowVolumes", test.WindowVolumes))
                .Concat(Emitted.Of("ActiveVolumes", test.ActiveVolumes))
                .Concat(Emitted.Of("TotalVolumes", test.TotalVolumes))
                .Concat(Emitted.Of("QuietSymbols", test.QuietSymbols))
                .Concat(Emitted.Of("TradeCounts", test.TradeCounts))
                .Concat(Emitted.Of("HighsAndVolumes", test.HighsAndVolumes))
                .Concat(Emitted.Of("Cogrouped", test.Cogrouped)),
            Batches,
            stopAfter);
    }

    [Fact]
    public void RecordStructKeyWithStrings_UpdateStateByKey_AndCheckpoint()
    {
        using var test = new ListingVolumes.TestDriver();
        test.Trades.Batch(("XNAS", "AAPL", 10), ("XNYS", "AAPL", 5), ("XNAS", "AAPL", 1)).Batch(("XNYS", "AAPL", 2));
        test.Run();

        Assert.Equal([(new Listing("XNAS", "AAPL"), 11L), (new Listing("XNYS", "AAPL"), 5L)], test.Totals.Batches[0].Records);
        Assert.Equal([(new Listing("XNAS", "AAPL"), 11L), (new Listing("XNYS", "AAPL"), 7L)], test.Totals.Batches[1].Records);

        using var after = new ListingVolumes.TestDriver();
        after.Restore(test.Checkpoint());
        after.Trades.Batch(("XNAS", "AAPL", 100), ("XNAS", "MSFT", 3));
        after.Run();
        Assert.Equal(
            [(new Listing("XNAS", "AAPL"), 111L), (new Listing("XNYS", "AAPL"), 7L), (new Listing("XNAS", "MSFT"), 3L)],
            after.Totals.Batches[0].Records);
    }

    [Fact]
    public void Utf8TextKey_KeptPastItsRecord_ReadsItsOwnCopy()
    {
        // Lines framed and parsed as the job reads a file: each symbol is a slice of the line buffer, which the source
        // reuses for every line. The tables keep a copy of each new symbol, which the sinks read after the batch.
        var volumes = new RecordCapture<(Utf8Text Symbol, long Volume)>("Volumes");
        var totals = new RecordCapture<(Utf8Text Symbol, long Volume)>("Totals");
        using PipelineJob job = TextSymbolVolumes.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [volumes, totals]));
        CapturedBatches.Run(job, [volumes, totals], 1, "AAPL,10\nMSFT,5\nAAPL,1\nVERY-LONG-SYMBOL-NAME,2\n");
        CapturedBatches.Run(job, [volumes, totals], 2, "MSFT,3\nVERY-LONG-SYMBOL-NAME,1\n");

        Assert.Equal(["AAPL:11", "MSFT:5", "VERY-LONG-SYMBOL-NAME:2"], Texts(volumes.Output.Batches[0].Records));
        Assert.Equal(["MSFT:3", "VERY-LONG-SYMBOL-NAME:1"], Texts(volumes.Output.Batches[1].Records));
        Assert.Equal(["AAPL:11", "MSFT:8", "VERY-LONG-SYMBOL-NAME:3"], Texts(totals.Output.Batches[1].Records));
    }

    [Fact]
    public void Utf8TextKey_Checkpoint_RestoresItsKeys()
    {
        using var test = new TextSymbolVolumes.TestDriver();
        test.Trades.Batch(Trade("AAPL", 10), Trade("MSFT", 5), Trade("AAPL", 1)).Batch(Trade("MSFT", 3));
        test.Run();

        using var after = new TextSymbolVolumes.TestDriver();
        after.Restore(test.Checkpoint());
        after.Trades.Batch(Trade("GOOG", 4), Trade("AAPL", 1));
        after.Run();
        Assert.Equal(["AAPL:12", "MSFT:8", "GOOG:4"], Texts(after.Totals.Batches[0].Records));
    }

    private static TextTrade Trade(string symbol, long volume) => new() { Symbol = new Utf8Text(symbol), Volume = volume };

    private static IEnumerable<string> Texts(IEnumerable<(Utf8Text Symbol, long Volume)> records) => records.Select(r => $"{r.Symbol}:{r.Volume}");

    [Fact]
    public async Task StringKeySink_WithFormatCsvAndJson_WritesTheSymbolAsText()
    {
        // A symbol with a quote in it: CSV doubles it inside quotes, JSON escapes it.
        using var temp = new TempDirectory();
        string input = temp.Write("trades.txt", "AAPL,10\nQ\"T,5\nAAPL,1\n");
        await RunAsync(temp, input, "csv");
        await RunAsync(temp, input, "json");

        Assert.Equal("Symbol,Volume\nAAPL,11\n\"Q\"\"T\",5\n", Written(temp, "csv"));
        Assert.Equal("{\"Symbol\":\"AAPL\",\"Volume\":11}\n{\"Symbol\":\"Q\\\"T\",\"Volume\":5}\n", Written(temp, "json"));
    }

    private static async Task RunAsync(TempDirectory temp, string input, string format)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Trades"] = $"file://{input}";
        options.SinkUris["Volumes"] = $"file://{temp.Path}/{format}/part?format={format}&empty=skip";
        await using var run = new PipelineRun(SymbolVolumes.Definition, options);
        await run.RunToEndAsync(clock);
    }

    private static string Written(TempDirectory temp, string format) =>
        string.Concat(Directory.GetFiles(Path.Combine(temp.Path, format)).Order(StringComparer.Ordinal).Select(File.ReadAllText));

    // Batches of clicks (time, user 1 to 4, value) whose times mostly move on, some behind the watermark.
    private static List<(long Time, int User, long Value)[]> RandomClicks(int seed, int batches)
    {
        var random = new Random(seed);
        long now = 0;
        return Enumerable.Range(0, batches)
            .Select(_ => Enumerable.Range(0, random.Next(6)).Select(_ =>
            {
                now += random.Next(0, 2500);
                return (Math.Max(0, now - random.Next(0, 4000)), random.Next(1, 5), (long)random.Next(1, 100));
            }).ToArray())
            .ToList();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EventWindowsAndSessions_StringKey_EmitWhatTheIntKeyedJobDoes(int seed)
    {
        List<(long Time, int User, long Value)[]> clicks = RandomClicks(seed, 12);
        using var ints = new EventTimeTests.StructKeys.TestDriver();
        using var strings = new UserClicks.TestDriver();
        foreach (var batch in clicks)
        {
            ints.Clicks.Batch(batch);
            strings.Clicks.Batch([.. batch.Select(c => (c.Time, c.User.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Value))]);
        }

        ints.RunToEnd();
        strings.RunToEnd();

        Assert.Contains(strings.SlidingOut.Batches, b => b.Records.Count > 0);
        Assert.Equal(
            ints.SlidingOut.Batches.Select(b => (b.Time, string.Join(" ", b.Records.Select(r => $"{r.Window}:{r.Key}={r.Value}")))),
            strings.SlidingOut.Batches.Select(b => (b.Time, string.Join(" ", b.Records.Select(r => $"{r.Window}:{r.Key}={r.Value}")))));
        Assert.Equal(
            ints.SessionsOut.Batches.Select(b => (b.Time, string.Join(" ", b.Records.Select(r => $"{r.Window}:{r.Key}={r.Value}")))),
            strings.SessionsOut.Batches.Select(b => (b.Time, string.Join(" ", b.Records.Select(r => $"{r.Window}:{r.Key}={r.Value}")))));
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 6)]
    [InlineData(3, 9)]
    public void EventWindowsAndSessions_StringKey_ResumeFromACheckpoint(int seed, int stopAfter)
    {
        List<(long Time, int User, long Value)[]> clicks = RandomClicks(seed, 12);
        Resume.AssertResumesAsIfUninterrupted(
            () => new UserClicks.TestDriver(),
            (test, i) => test.Clicks.Batch([.. clicks[i].Select(c => (c.Time, "user-" + c.User.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Value))]),
            test => Emitted.Of("SlidingOut", test.SlidingOut).Concat(Emitted.Of("SessionsOut", test.SessionsOut)),
            clicks.Count,
            stopAfter,
            toEnd: true,
            sameCheckpoint: false);
    }

    [Fact]
    public void Utf8TextKeys_AreCopiedOncePerNewKey_NotPerRecord()
    {
        // Batches of 99 and of 9,999 lines over the same three symbols: the tables copy each symbol once when it is new
        // to them (the batch's reduce afresh each batch), so a batch allocates as much with a hundred times the records.
        long small = LeastAllocatedPerRun(99);
        long large = LeastAllocatedPerRun(9_999);
        Assert.True(large == small, $"25 batches of 9,999 records over 3 Utf8Text keys allocated {large} bytes, 25 of 99 records {small}; the tables must copy a key once when it is new, not per record.");
    }

    // The least a run of 25 batches of `lines` lines over three symbols allocates (JobBatches.LeastAllocated).
    private static long LeastAllocatedPerRun(int lines)
    {
        var text = new StringBuilder();
        string[] symbols = ["AAPL", "MSFT", "VERY-LONG-SYMBOL-NAME"];
        for (int i = 0; i < lines; i++)
        {
            text.Append(symbols[i % 3]).Append(',').Append(i % 7).Append('\n');
        }

        var sink = new Pipelines.DiscardingSink();
        using PipelineJob job = TextSymbolVolumes.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [sink, sink]));
        long least = JobBatches.LeastAllocated(job, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text.ToString())), out bool consumedAll);
        Assert.True(consumedAll);
        Assert.Equal(3 * 2 * 102L, sink.Records);
        return least;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task StringAndUtf8TextKeys_OnNPartitions_EqualOnePartition(int partitions)
    {
        // Four megabytes of "symbol,volume" lines: each partition reduces its byte range into its own tables, whose keys
        // the job's tables take at the batch boundary (a Utf8Text copied again there, once per key new to the job).
        var random = new Random(partitions);
        string[] symbols = [.. Enumerable.Range(0, 3000).Select(i => "S" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + (i % 7 == 0 ? "-A-LONGER-SYMBOL" : ""))];
        var csv = new StringBuilder();
        var json = new StringBuilder();
        while (csv.Length < 4 << 20)
        {
            string symbol = symbols[random.Next(symbols.Length)];
            int volume = random.Next(1, 100);
            csv.Append(symbol).Append(',').Append(volume).Append('\n');
            json.Append("{\"Symbol\":\"").Append(symbol).Append("\",\"Volume\":").Append(volume).Append("}\n");
        }

        using var temp = new TempDirectory();
        foreach ((PipelineDefinition definition, string input) in new[]
        {
            (SymbolVolumes.Definition, temp.Write("trades.csv", csv.ToString())),
            (TextSymbolBatchVolumes.Definition, temp.Write("trades.jsonl", json.ToString())),
        })
        {
            (Dictionary<string, string> one, _) = await RunPartitionedAsync(definition, input, temp.Combine(definition.Name + "-one"), 1);
            (Dictionary<string, string> many, string log) = await RunPartitionedAsync(definition, input, temp.Combine(definition.Name + "-many"), partitions);
            Assert.Contains($"runs on {partitions} partitions", log, StringComparison.Ordinal);
            Assert.True(one.Values.First().Length > 10_000, $"{definition.Name} wrote {one.Values.First().Length} characters; the test needs many keys.");
            Assert.Equal(one, many);
        }
    }

    // What each sink of the definition wrote, its batches' files in order, on the given number of partitions.
    private static async Task<(Dictionary<string, string> Sinks, string Log)> RunPartitionedAsync(PipelineDefinition definition, string input, string output, int parallelism)
    {
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new PipelineRunOptions { TimeProvider = clock, Parallelism = parallelism, LoggerFactory = logs.CreateFactory() };
        options.SourceUris[definition.Sources[0].Name] = "file://" + input;
        foreach (SinkDeclaration sink in definition.Sinks)
        {
            options.SinkUris[sink.Name] = $"file://{output}/{sink.Name}/part?suffix=txt";
        }

        await using (var run = new PipelineRun(definition, options))
        {
            await run.RunToEndAsync(clock);
        }

        Dictionary<string, string> sinks = definition.Sinks.ToDictionary(
            s => s.Name,
            s => string.Concat(Directory.GetFiles(Path.Combine(output, s.Name)).Order(StringComparer.Ordinal).Select(File.ReadAllText)));
        return (sinks, string.Join("\n", logs.Lines.Select(l => l.Message)));
    }
}
