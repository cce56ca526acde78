using System.Globalization;
using System.Text;

namespace Compiled.Parquet.Tests;

/// <summary>Pipelines whose sink is bound to <c>parquet://</c>: the files read back with Parquet.Net equal the records written.</summary>
public sealed class ParquetPipelineTests
{
    private static readonly string[] Notes = ["", "plain", "日本語", "emoji 😀", "comma, inside", "quote \" inside", "é", " pad "];

    [Fact]
    public async Task RecordSink_FilesReadBack_EqualTheRecordsWritten()
    {
        (string csv, List<ExpectedQuote> quotes) = Quotes(seed: 3, count: 3000);
        using var temp = new TempDirectory();
        await ParquetTest.RunAsync(CopyQuotes.Definition, "Quotes", temp.Write("quotes.csv", csv), "Output", $"parquet://{temp.Path}/out/quotes");

        string file = Assert.Single(temp.Files("out"));
        Assert.Matches(@"^quotes-\d+\.parquet$", file);
        var (schema, rowGroups, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", file));
        Assert.Equal(["symbol", "price", "qty", "side", "time", "score", "venue", "note"], schema.GetDataFields().Select(f => f.Name));
        Assert.Equal(1, rowGroups);
        Assert.Equal(quotes.Count, rows.Count);
        for (int i = 0; i < quotes.Count; i++)
        {
            ExpectedQuote q = quotes[i];
            Dictionary<string, object?> row = rows[i];
            Assert.Equal(q.Symbol, row["symbol"]);
            Assert.Equal(q.Price, row["price"]);
            Assert.Equal(q.Quantity, row["qty"]);
            Assert.Equal(q.Side.ToString(), row["side"]);
            // A Parquet timestamp here counts microseconds, so ticks below a microsecond are dropped.
            Assert.Equal(q.Time.Ticks / 10 * 10, ((DateTime)row["time"]!).Ticks);
            Assert.Equal(BitConverter.DoubleToInt64Bits(q.Score), BitConverter.DoubleToInt64Bits((double)row["score"]!));
            Assert.Equal(q.Venue, row["venue"]);
            Assert.Equal(q.Note, row["note"]);
        }
    }

    [Fact]
    public async Task PairSinkAfterReduceByKey_RowsAreKeyAndValue_EqualTheCounts()
    {
        var random = new Random(11);
        string[] words = ["a", "bb", "日本", "ünï", "x😀", "common"];
        var lines = Enumerable.Range(0, 2000).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(1, 6)).Select(_ => words[random.Next(words.Length)]))).ToArray();
        using var temp = new TempDirectory();
        await ParquetTest.RunAsync(WordCounts.Definition, "Input", temp.Write("input.txt", string.Join('\n', lines) + "\n"), "Output", $"parquet://{temp.Path}/out/counts?compression=zstd");

        var (schema, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", Assert.Single(temp.Files("out"))));
        Assert.Equal(["key", "value"], schema.GetDataFields().Select(f => f.Name));
        var expected = lines.SelectMany(l => l.Split(' ')).GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        Assert.Equal(expected, rows.ToDictionary(r => (string)r["key"]!, r => (long)r["value"]!, StringComparer.Ordinal));
    }

    [Fact]
    public async Task NestedTupleWithNullable_ColumnsAreDotted_NullsStayNull()
    {
        string input = "1,5\n1,7\n2,-3\n3,0\n3,-1\n";
        using var temp = new TempDirectory();
        await ParquetTest.RunAsync(SumAndMax.Definition, "Input", temp.Write("input.txt", input), "Output", $"parquet://{temp.Path}/out/sums?compression=none");

        var (schema, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", Assert.Single(temp.Files("out"))));
        Assert.Equal(["Key", "Value.Sum", "Value.Max"], schema.GetDataFields().Select(f => f.Name));
        Assert.False(schema.GetDataFields()[1].IsNullable);
        Assert.True(schema.GetDataFields()[2].IsNullable);
        var byKey = rows.ToDictionary(r => (int)r["Key"]!, r => ((long)r["Value.Sum"]!, (int?)r["Value.Max"]));
        Assert.Equal((12L, (int?)7), byKey[1]);
        Assert.Equal((-3L, (int?)null), byKey[2]);
        Assert.Equal((-1L, (int?)0), byKey[3]);
    }

    [Fact]
    public async Task WindowedSink_RowsCarryTheWindowsStartAndEnd()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("clicks.txt", "1000 ann\n2000 bob\n59000 ann\n61000 ann\n125000 bob\n");
        await ParquetTest.RunAsync(ClicksPerMinute.Definition, "Input", input, "Output", $"parquet://{temp.Path}/out/clicks");

        var read = new List<(long, long, string, long)>();
        foreach (string file in temp.Files("out"))
        {
            var (schema, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", file));
            Assert.Equal(["start", "end", "key", "value"], schema.GetDataFields().Select(f => f.Name));
            read.AddRange(rows.Select(r => ((long)r["start"]!, (long)r["end"]!, (string)r["key"]!, (long)r["value"]!)));
        }

        Assert.Equal([(0L, 60000L, "ann", 2L), (0, 60000, "bob", 1), (60000, 120000, "ann", 1), (120000, 180000, "bob", 1)], read.Order());
    }

    [Fact]
    public async Task ByteLines_InvalidUtf8_IsWrittenWithReplacementCharacters()
    {
        byte[] input = [.. "ok\n"u8, 0xFF, (byte)'a', 0xC3, (byte)'\n', .. "ünï 😀\n"u8, (byte)'\n'];
        using var temp = new TempDirectory();
        await ParquetTest.RunAsync(CopyLines.Definition, "Input", temp.Write("input.bin", input), "Output", $"parquet://{temp.Path}/out/lines");

        var (schema, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", Assert.Single(temp.Files("out"))));
        Assert.Equal("value", Assert.Single(schema.GetDataFields()).Name);
        Assert.Equal(["ok", "\uFFFDa\uFFFD", "ünï 😀", ""], rows.Select(r => (string?)r["value"]));
    }

    [Fact]
    public async Task SinkFedPerRecord_BoundToParquetWithSeveralBatchesPerFile_KeepsTheJobOnOnePartitionAndSaysWhy()
    {
        // Lines → [Sink] splits into partitions, each writing a Parquet file of its own per batch; a file of several
        // batches is not split into parts, so a job whose sink holds several batches per file says why it runs on one
        // partition, and the run then does.
        using var temp = new TempDirectory();
        await using ParquetSink perBatch = ParquetTest.CreateSink($"parquet://{temp.Path}/out/lines");
        await using ParquetSink grouped = ParquetTest.CreateSink($"parquet://{temp.Path}/out/grouped?batchesPerFile=3");
        var counters = new Connectors.SourceCounters();
        using Hosting.PipelineJob perBatchJob = CopyLines.Definition.CreateJob(new Hosting.JobContext([Framing.FramingOptions.Default], [counters], [perBatch]));
        using Hosting.PipelineJob groupedJob = CopyLines.Definition.CreateJob(new Hosting.JobContext([Framing.FramingOptions.Default], [counters], [grouped]));

        Assert.Equal(int.MaxValue, CopyLines.Definition.MaxParallelism);
        Assert.Null(perBatchJob.SinglePartitionReason);
        Assert.Equal("sink Output writes several batches per Parquet file (batchesPerFile above 1), which partitions do not write in parts; with batchesPerFile=1 each partition writes a file of its own", groupedJob.SinglePartitionReason);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(2, true)]
    public async Task SinkFedPerRecord_OnNPartitions_WritesAParquetFilePerPartition_ReadBackInNameOrderAsOnOnePartition(int partitions, bool checkpoint)
    {
        // 200,000 numbered lines copied to Parquet in one batch: one file on one partition, N part files on N (the run
        // took N partitions), whose rows read in name order are the one file's rows, in the input's order.
        using var temp = new TempDirectory();
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 200_000; i++)
        {
            text.Append("line ").Append(i).Append(i % 7 == 0 ? " with some more words" : "").Append('\n');
        }

        string input = temp.Write("lines.txt", text.ToString());
        List<string> one = await CopyLinesAsync(input, Path.Combine(temp.Path, "one"), 1, checkpoint ? Path.Combine(temp.Path, "checkpoint-one") : null);
        List<string> many = await CopyLinesAsync(input, Path.Combine(temp.Path, "many"), partitions, checkpoint ? Path.Combine(temp.Path, "checkpoint-many") : null);

        string[] files = temp.Files("many").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(partitions, files.Length);
        string batch = Assert.Single(temp.Files("one"))[..^".parquet".Length];
        Assert.Equal(Enumerable.Range(0, partitions).Select(p => $"{batch}-part-{p:D5}.parquet"), files);
        Assert.Equal(200_000, one.Count);
        Assert.Equal(one, many);
        Assert.Empty(Directory.GetFiles(Path.Combine(temp.Path, "many"), ".*"));
    }

    [Fact]
    public async Task OnTwoPartitionsWithACheckpoint_RenameOfAPartFailsAfterTheCheckpoint_ResumedRunPublishesThatPartOnce()
    {
        // A directory where partition 1's Parquet file of the batch is to be renamed makes that rename fail after the
        // batch's checkpoint is durable and partition 0's file is in place, as a crash between the two renames leaves it;
        // the restart renames the prepared part into place, and the input is not read again.
        using var temp = new TempDirectory();
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 100_000; i++)
        {
            text.Append("line ").Append(i).Append('\n');
        }

        string input = temp.Write("lines.txt", text.ToString());
        List<string> one = await CopyLinesAsync(input, Path.Combine(temp.Path, "one"), 1, checkpoint: null);
        string batch = Assert.Single(temp.Files("one"))[..^".parquet".Length];
        string output = Path.Combine(temp.Path, "many");
        string checkpoint = Path.Combine(temp.Path, "checkpoint");
        string blocked = Path.Combine(output, $"{batch}-part-00001.parquet");
        Directory.CreateDirectory(blocked);

        await Assert.ThrowsAnyAsync<Exception>(() => CopyLinesAsync(input, output, 2, checkpoint));
        Assert.True(File.Exists(Path.Combine(output, $"{batch}-part-00000.parquet")), "Partition 0's file was not renamed into place before partition 1's rename failed.");
        Assert.True(File.Exists(Path.Combine(output, $".{batch}-part-00001.parquet.tmp")), "Partition 1's prepared file is gone; the restart needs it.");

        Directory.Delete(blocked);
        List<string> resumed = await CopyLinesAsync(input, output, 2, checkpoint);

        Assert.Equal(one, resumed);
        Assert.Empty(Directory.GetFiles(output, ".*"));
        Assert.True(File.Exists(blocked));
    }

    // Runs CopyLines over the input into parquet://output/lines on the given partitions, in one batch, with or without a
    // checkpoint; returns the value column of every file, files in name order.
    private static async Task<List<string>> CopyLinesAsync(string input, string output, int partitions, string? checkpoint)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new Hosting.PipelineRunOptions { TimeProvider = clock, Parallelism = partitions, Checkpoint = checkpoint };
        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["Output"] = $"parquet://{output}/lines";
        await using (var run = new Hosting.PipelineRun(CopyLines.Definition, options))
        {
            await run.RunToEndAsync(clock);
        }

        var values = new List<string>();
        foreach (string file in Directory.GetFiles(output).Order(StringComparer.Ordinal))
        {
            var (_, _, rows) = await ParquetTest.ReadAsync(file);
            values.AddRange(rows.Select(r => (string)r["value"]!));
        }

        return values;
    }

    [Fact]
    public async Task RunWithCheckpoint_CommitsInTwoPhases_LeavesOneWholeFileAndNoTemporary()
    {
        (string csv, List<ExpectedQuote> quotes) = Quotes(seed: 8, count: 500);
        using var temp = new TempDirectory();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new Hosting.PipelineRunOptions { TimeProvider = clock, Checkpoint = Path.Combine(temp.Path, "checkpoint") };
        options.SourceUris["Quotes"] = "file://" + temp.Write("quotes.csv", csv);
        options.SinkUris["Output"] = $"parquet://{temp.Path}/out/quotes";
        await using (var run = new Hosting.PipelineRun(CopyQuotes.Definition, options))
        {
            await run.RunToEndAsync(clock);
        }

        string file = Assert.Single(temp.Files("out"));
        var (_, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", file));
        Assert.Equal(quotes.Select(q => q.Quantity), rows.Select(r => (long)r["qty"]!));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(temp.Path, "checkpoint"), "checkpoint-*"));
    }

    [Fact]
    public async Task CommandLine_BatchesPerFileWithCheckpoint_EndsWithOneWholeFileAndNoPart()
    {
        (string csv, List<ExpectedQuote> quotes) = Quotes(seed: 9, count: 200);
        using var temp = new TempDirectory();
        var errors = new StringWriter();

        int exit = await Hosting.PipelineProgram.RunAsync(
            CopyQuotes.Definition,
            ["--source", "file://" + temp.Write("quotes.csv", csv), "--sink", $"parquet://{temp.Path}/out/q?batchesPerFile=4", "--checkpoint", Path.Combine(temp.Path, "checkpoint"), "--log-level", "warning"],
            errors,
            configure: null);

        Assert.True(exit == 0, $"The job exited {exit}: {errors}");
        var (_, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", Assert.Single(temp.Files("out"))));
        Assert.Equal(quotes.Select(q => q.Quantity), rows.Select(r => (long)r["qty"]!));
    }

    /// <summary>A quote's values as the test wrote them.</summary>
    internal sealed record ExpectedQuote(string Symbol, decimal Price, long Quantity, Side Side, DateTime Time, double Score, int Venue, string Note);

    // Random quotes as CSV, with the extremes of each type, empty and missing fields, and text that needs quoting.
    internal static (string Csv, List<ExpectedQuote> Quotes) Quotes(int seed, int count)
    {
        var random = new Random(seed);
        decimal[] prices = [0m, 1.5m, -0.000000000000000001m, 99999999999999999999.99999999m, -79228162514.264337593543950335m, 12345678901234567890m];
        double[] scores = [0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, double.MinValue, 0.1];
        long[] quantities = [long.MinValue, long.MaxValue, 0, -1, 1];
        var csv = new StringBuilder("symbol,price,qty,side,time,venue,score,note\n");
        var quotes = new List<ExpectedQuote>();
        for (int i = 0; i < count; i++)
        {
            string symbol = Notes[random.Next(1, Notes.Length)] + i.ToString(CultureInfo.InvariantCulture);
            decimal price = random.Next(4) == 0 ? prices[random.Next(prices.Length)] : new decimal(random.Next(), random.Next(100), 0, random.Next(2) == 0, (byte)random.Next(0, 10));
            long quantity = random.Next(4) == 0 ? quantities[random.Next(quantities.Length)] : random.NextInt64(long.MinValue, long.MaxValue);
            Side side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
            DateTime time = random.Next(10) == 0
                ? (random.Next(2) == 0 ? DateTime.UnixEpoch : new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc))
                : new DateTime(random.NextInt64(new DateTime(1900, 1, 1).Ticks, new DateTime(2100, 1, 1).Ticks), DateTimeKind.Utc);
            double score = random.Next(3) == 0 ? scores[random.Next(scores.Length)] : random.NextDouble() * 1e6;
            int venue = random.Next(3) == 0 ? 0 : random.Next(int.MinValue, int.MaxValue);
            string note = Notes[random.Next(Notes.Length)];
            quotes.Add(new ExpectedQuote(symbol, price, quantity, side, time, score, venue, note));
            csv.Append(CultureInfo.InvariantCulture,
                $"{Quote(symbol)},{price},{quantity},{side},{time:O},{(venue == 0 ? "" : venue)},{score:R},{Quote(note)}\n");
        }

        return (csv.ToString(), quotes);
    }

    private static string Quote(string field) =>
        field.Contains(',') || field.Contains('"') ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
