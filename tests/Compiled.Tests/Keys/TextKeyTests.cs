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
/// Keys that hold <see cref="Utf8Text"/> slices of the input inside a tuple or a record struct, and keys of strings and
/// numbers in a tuple with state a checkpoint writes member by member: the jobs run over a line buffer the source reuses
/// for every line, so a table that kept the slice itself would read another line's bytes (or throw).
/// </summary>
public class TextKeyTests
{
    [Fact]
    public void TupleAndRecordKeysHoldingText_KeptPastTheirRecords_ReadTheirOwnCopies()
    {
        var volumes = new RecordCapture<((Utf8Text Venue, Utf8Text Symbol) Listing, long Volume)>("Volumes");
        var totals = new RecordCapture<((Utf8Text Venue, Utf8Text Symbol) Listing, long Volume)>("Totals");
        var recent = new RecordCapture<((TextListing Listing, int Day) Key, long Volume)>("RecentOut");
        var counts = new RecordCapture<(TextListing Listing, long Count)>("Counts");
        Sink[] sinks = [volumes, totals, recent, counts];
        using PipelineJob job = TextPairVolumes.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], sinks));
        CapturedBatches.Run(job, sinks, 1, "XNAS,AAPL,1,10\nXNYS,AAPL,1,5\nXNAS,AAPL,1,1\nXNAS,VERY-LONG-SYMBOL-NAME,2,2\n");
        CapturedBatches.Run(job, sinks, 2, "XNYS,AAPL,1,3\nXNAS,VERY-LONG-SYMBOL-NAME,2,1\n");
        CapturedBatches.Run(job, sinks, 3, "XNAS,MSFT,3,7\n");

        Assert.Equal(["XNAS/AAPL:11", "XNYS/AAPL:5", "XNAS/VERY-LONG-SYMBOL-NAME:2"], Pairs(volumes.Output.Batches[0].Records));
        Assert.Equal(["XNYS/AAPL:3", "XNAS/VERY-LONG-SYMBOL-NAME:1"], Pairs(volumes.Output.Batches[1].Records));
        Assert.Equal(["XNAS/AAPL:11", "XNYS/AAPL:8", "XNAS/VERY-LONG-SYMBOL-NAME:3"], Pairs(totals.Output.Batches[1].Records));
        Assert.Equal(["XNAS/AAPL:11", "XNYS/AAPL:8", "XNAS/VERY-LONG-SYMBOL-NAME:3", "XNAS/MSFT:7"], Pairs(totals.Output.Batches[2].Records));

        // The window over two batches keeps the first batch's keys into the second, and lets them go in the third.
        Assert.Equal(["XNAS/AAPL/1:11", "XNYS/AAPL/1:8", "XNAS/VERY-LONG-SYMBOL-NAME/2:3"], Recent(recent.Output.Batches[1].Records));
        Assert.Equal(["XNYS/AAPL/1:3", "XNAS/VERY-LONG-SYMBOL-NAME/2:1", "XNAS/MSFT/3:7"], Recent(recent.Output.Batches[2].Records));
        Assert.Equal(
            [(new TextListing(new Utf8Text("XNAS"), new Utf8Text("AAPL")), 2L), (new TextListing(new Utf8Text("XNYS"), new Utf8Text("AAPL")), 1L), (new TextListing(new Utf8Text("XNAS"), new Utf8Text("VERY-LONG-SYMBOL-NAME")), 1L)],
            counts.Output.Batches[0].Records);
    }

    [Fact]
    public void KeysHoldingText_Checkpoint_RestoresThemMemberByMember()
    {
        using var test = new TextPairVolumes.TestDriver();
        test.Trades.Batch(Trade("XNAS", "AAPL", 1, 10), Trade("XNYS", "AAPL", 1, 5)).Batch(Trade("XNAS", "AAPL", 2, 1));
        test.Run();

        using var after = new TextPairVolumes.TestDriver();
        after.Restore(test.Checkpoint());
        after.Trades.Batch(Trade("XNAS", "MSFT", 2, 4), Trade("XNAS", "AAPL", 2, 1));
        after.Run();
        Assert.Equal(["XNAS/AAPL:12", "XNYS/AAPL:5", "XNAS/MSFT:4"], Pairs(after.Totals.Batches[0].Records));
        // The window restored the second batch's record of (XNAS, AAPL, day 2).
        Assert.Equal(["XNAS/AAPL/2:2", "XNAS/MSFT/2:4"], Recent(after.RecentOut.Batches[0].Records));

    }

    public static TheoryData<int, int> Stops => Resume.SeedsAndStops(seeds: 3, Batches);

    private const int Batches = 6;

    [Theory]
    [MemberData(nameof(Stops))]
    public void KeysHoldingText_ResumeFromACheckpoint_AsIfUninterrupted(int seed, int stopAfter)
    {
        // Random trades over a few venues and symbols (one longer than a short key), 0 to 6 a batch.
        var random = new Random(seed);
        string[] venues = ["XNAS", "XNYS"];
        string[] symbols = ["AAPL", "MSFT", "A", "VERY-LONG-SYMBOL-NAME"];
        VenueTrade[][] input = [.. Enumerable.Range(0, Batches)
            .Select(_ => Enumerable.Range(0, random.Next(7))
                .Select(_ => Trade(venues[random.Next(venues.Length)], symbols[random.Next(symbols.Length)], random.Next(1, 3), random.Next(1, 50)))
                .ToArray())];
        Resume.AssertResumesAsIfUninterrupted(
            () => new TextPairVolumes.TestDriver(),
            (test, i) => test.Trades.Batch(input[i]),
            test => Emitted.Of("Volumes", test.Volumes)
                .Concat(Emitted.Of("Totals", test.Totals))
                .Concat(Emitted.Of("RecentOut", test.RecentOut))
                .Concat(Emitted.Of("Counts", test.Counts)),
            Batches,
            stopAfter);
    }

    [Fact]
    public void TupleKeyOfAStringAndANumber_WithTupleState_ResumesFromACheckpoint()
    {
        using var test = new SymbolDayTotals.TestDriver();
        test.Trades.Batch(("AAPL", 1, 10L), ("AAPL", 2, 5L), ("AAPL", 1, 1L)).Batch(("MSFT", 1, 2L));
        test.Run();
        Assert.Equal([(("AAPL", 1), ("XNAS", 11L)), (("AAPL", 2), ("XNAS", 5L)), (("MSFT", 1), ("XNAS", 2L))], test.Totals.Batches[1].Records);

        using var after = new SymbolDayTotals.TestDriver();
        after.Restore(test.Checkpoint());
        after.Trades.Batch(("AAPL", 2, 100L));
        after.Run();
        Assert.Equal([(("AAPL", 1), ("XNAS", 11L)), (("AAPL", 2), ("XNAS", 105L)), (("MSFT", 1), ("XNAS", 2L))], after.Totals.Batches[0].Records);
    }

    [Fact]
    public void KeysHoldingText_AreCopiedOncePerNewKey_NotPerRecord()
    {
        // Batches of 99 and of 9,999 lines over the same three (venue, symbol) pairs: the tables copy a key's texts
        // once when the key is new to them, so a batch allocates as much with a hundred times the records.
        long small = LeastAllocatedPerRun(99);
        long large = LeastAllocatedPerRun(9_999);
        Assert.True(large == small, $"25 batches of 9,999 records over 3 (Utf8Text, Utf8Text) keys allocated {large} bytes, 25 of 99 records {small}; the tables must copy a key once when it is new, not per record.");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task KeysHoldingText_OnNPartitions_EqualOnePartition(int partitions)
    {
        // Four megabytes of JSON lines: each partition reduces its byte range into its own tables,
        // whose keys the job's tables take (copying the texts again) at the batch boundary.
        var random = new Random(partitions);
        string[] venues = ["XNAS", "XNYS", "A-LONGER-VENUE-NAME"];
        string[] symbols = [.. Enumerable.Range(0, 2000).Select(i => "S" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var lines = new StringBuilder();
        while (lines.Length < 4 << 20)
        {
            lines.Append(Json(venues[random.Next(venues.Length)], symbols[random.Next(symbols.Length)], random.Next(1, 100)));
        }

        using var temp = new TempDirectory();
        string input = temp.Write("trades.jsonl", lines.ToString());
        (string one, _) = await RunPartitionedAsync(input, temp.Combine("one"), 1);
        (string many, string log) = await RunPartitionedAsync(input, temp.Combine("many"), partitions);
        Assert.True(log.Contains($"runs on {partitions} partitions", StringComparison.Ordinal), log);
        Assert.True(one.Length > 10_000, $"The job wrote {one.Length} characters; the test needs many keys.");
        Assert.Equal(one, many);
    }

    private static string Json(string venue, string symbol, int volume) =>
        $"{{\"Venue\":\"{venue}\",\"Symbol\":\"{symbol}\",\"Day\":1,\"Volume\":{volume}}}\n";

    private static VenueTrade Trade(string venue, string symbol, int day, long volume) =>
        new() { Venue = new Utf8Text(venue), Symbol = new Utf8Text(symbol), Day = day, Volume = volume };

    private static IEnumerable<string> Pairs(IEnumerable<((Utf8Text Venue, Utf8Text Symbol) Listing, long Volume)> records) =>
        records.Select(r => $"{r.Listing.Venue}/{r.Listing.Symbol}:{r.Volume}");

    private static IEnumerable<string> Recent(IEnumerable<((TextListing Listing, int Day) Key, long Volume)> records) =>
        records.Select(r => $"{r.Key.Listing.Venue}/{r.Key.Listing.Symbol}/{r.Key.Day}:{r.Volume}");

    // The least a run of 25 batches of `lines` lines over three (venue, symbol) pairs allocates (JobBatches.LeastAllocated).
    private static long LeastAllocatedPerRun(int lines)
    {
        var text = new StringBuilder();
        (string Venue, string Symbol)[] pairs = [("XNAS", "AAPL"), ("XNYS", "AAPL"), ("XNAS", "VERY-LONG-SYMBOL-NAME")];
        for (int i = 0; i < lines; i++)
        {
            text.Append(Json(pairs[i % 3].Venue, pairs[i % 3].Symbol, i % 7));
        }

        var sink = new Pipelines.DiscardingSink();
        using PipelineJob job = TextPairBatchVolumes.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [sink]));
        long least = JobBatches.LeastAllocated(job, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text.ToString())), out bool consumedAll);
        Assert.True(consumedAll);
        Assert.Equal(3 * 102L, sink.Records);
        return least;
    }

    // What the job's sink wrote, its batches' files in order, on the given number of partitions.
    private static async Task<(string Output, string Log)> RunPartitionedAsync(string input, string output, int parallelism)
    {
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new PipelineRunOptions { TimeProvider = clock, Parallelism = parallelism, LoggerFactory = logs.CreateFactory() };
        options.SourceUris["Trades"] = "file://" + input;
        options.SinkUris["Volumes"] = $"file://{output}/part?suffix=txt";
        await using (var run = new PipelineRun(TextPairBatchVolumes.Definition, options))
        {
            await run.RunToEndAsync(clock);
        }

        string written = string.Concat(Directory.GetFiles(output).Order(StringComparer.Ordinal).Select(File.ReadAllText));
        return (written, string.Join("\n", logs.Lines.Select(l => l.Message)));
    }
}
