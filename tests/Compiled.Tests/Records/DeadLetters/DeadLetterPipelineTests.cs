using System.Globalization;
using System.Text;
using System.Text.Json;
using Compiled.Batching;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Records.DeadLetters;

/// <summary>
/// Bad records end to end, as a user meets them: a CSV file with 1% rows that do not parse and readings a stage throws
/// on. Under DeadLetter the output is the reference over the good rows and the dead-letter file holds exactly the bad
/// ones, with their reasons and positions; under Skip they are counted per source, stage or field, and reason in the
/// batch's progress; under Fail the error names the stage and the record, and the program exits 1.
/// </summary>
public class DeadLetterPipelineTests
{
    // Rows that do not parse, with the reason and field each is refused for.
    private static readonly (byte[] Row, string Reason, string? Field)[] BadRows =
    [
        ("s1,12x,3"u8.ToArray(), "NumberInvalid", "Value"),
        ("s1,1,2,9"u8.ToArray(), "WrongFieldCount", null),
        ("s1,99999999999999999999,1"u8.ToArray(), "NumberOutOfRange", "Value"),
        ("s\"1,5,1"u8.ToArray(), "BadQuote", null),
        ([(byte)'s', 0xFF, 0xFE, (byte)',', (byte)'5', (byte)',', (byte)'1'], "InvalidUtf8", "Sensor"),
        ("s1,5,3000000000"u8.ToArray(), "NumberOutOfRange", "Scale"),
    ];

    private sealed record Expected(long Line, long Offset, byte[] Row, string Reason, string? Field, string? Stage);

    // A file of 10,000 readings: about 1% rows that do not parse, about 0.5% with a scale of 0 (the map divides by it),
    // about 0.5% negative (SkippedPerSensor's filter throws on those); lines end in \n or \r\n. Returns the file, the
    // reference sums per sensor over the good rows, and the bad rows in file order.
    private static (string Path, Dictionary<string, long> Reference, List<Expected> Bad) WriteReadings(TempDirectory temp, bool negativesThrow)
    {
        var random = new Random(6);
        var file = new List<byte>();
        file.AddRange("sensor,value,scale\n"u8.ToArray());
        var reference = new Dictionary<string, long>();
        var bad = new List<Expected>();
        string[] sensors = ["north", "south", "east", "west", "日本"];
        for (int i = 0; i < 10_000; i++)
        {
            long line = i + 2;
            long offset = file.Count;
            byte[] row;
            int roll = random.Next(200);
            if (roll < 2)
            {
                (byte[] badRow, string reason, string? field) = BadRows[random.Next(BadRows.Length)];
                row = badRow;
                bad.Add(new Expected(line, offset, row, reason, field, null));
            }
            else
            {
                string sensor = sensors[random.Next(sensors.Length)];
                long value = random.Next(-1000, 100_000);
                int scale = roll == 3 ? 0 : random.Next(1, 10);
                if (roll == 4)
                {
                    value = -random.Next(1, 100);
                }

                row = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{sensor},{value},{scale}"));
                if (negativesThrow && value < 0)
                {
                    bad.Add(new Expected(line, offset, row, "ArgumentOutOfRangeException", null, "Positive"));
                }
                else if (scale == 0)
                {
                    bad.Add(new Expected(line, offset, row, "DivideByZeroException", null, "PerUnit"));
                }
                else
                {
                    reference[sensor] = reference.GetValueOrDefault(sensor) + value / scale;
                }
            }

            file.AddRange(row);
            file.AddRange(i % 3 == 0 ? "\r\n"u8.ToArray() : "\n"u8.ToArray());
        }

        string path = temp.Combine("readings.csv");
        File.WriteAllBytes(path, [.. file]);
        return (path, reference, bad);
    }

    [Fact]
    public async Task DeadLetter_OutputIsTheReferenceOverTheGoodRows_AndTheDeadLetterFileHoldsExactlyTheBadOnes()
    {
        using var temp = new TempDirectory();
        (string input, Dictionary<string, long> reference, List<Expected> bad) = WriteReadings(temp, negativesThrow: false);
        Assert.InRange(bad.Count(b => b.Stage is null), 60, 140);
        Assert.InRange(bad.Count(b => b.Stage is not null), 20, 80);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, DeadLetters = temp.Combine("letters/dead.jsonl") };
        options.SourceUris["Readings"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/scaled?suffix=txt";
        var progress = new List<BatchProgress>();
        await using var run = new PipelineRun(ScaledPerSensor.Definition, options);
        run.BatchCommitted += progress.Add;
        await run.RunToEndAsync(clock);

        Assert.Equal(reference.OrderBy(p => p.Key, StringComparer.Ordinal), ReadTotals(Path.Combine(temp.Path, "out")).OrderBy(p => p.Key, StringComparer.Ordinal));

        // One JSON line per bad record, in the file's order, each with its reason, field or stage, position and raw bytes.
        byte[] fileBytes = File.ReadAllBytes(input);
        string[] letters = File.ReadAllLines(temp.Combine("letters/dead.jsonl"));
        Assert.Equal(bad.Count, letters.Length);
        for (int i = 0; i < letters.Length; i++)
        {
            using JsonDocument letter = JsonDocument.Parse(letters[i]);
            JsonElement root = letter.RootElement;
            Expected expected = bad[i];
            Assert.Equal("Readings", root.GetProperty("source").GetString());
            Assert.Equal(input, root.GetProperty("stream").GetString());
            Assert.Equal(expected.Reason, root.GetProperty("reason").GetString());
            Assert.Equal(expected.Field, root.TryGetProperty("field", out JsonElement field) ? field.GetString() : null);
            Assert.Equal(expected.Stage, root.TryGetProperty("stage", out JsonElement stage) ? stage.GetString() : null);
            Assert.Equal(expected.Line, root.GetProperty("line").GetInt64());
            Assert.Equal(expected.Offset, root.GetProperty("offset").GetInt64());
            byte[] raw = root.TryGetProperty("record", out JsonElement text)
                ? Encoding.UTF8.GetBytes(text.GetString()!)
                : root.GetProperty("recordBase64").GetBytesFromBase64();
            Assert.Equal(expected.Row, raw);
            Assert.Equal(expected.Row, fileBytes.AsSpan((int)expected.Offset, expected.Row.Length).ToArray());
            Assert.False(string.IsNullOrEmpty(root.GetProperty("message").GetString()));
        }

        Assert.Contains(letters, l => l.Contains("\"recordBase64\"", StringComparison.Ordinal));

        // The progress records count the same records, per source, stage or field, and reason.
        Assert.Equal(
            bad.GroupBy(b => (b.Stage, b.Field, b.Reason)).Select(g => (g.Key.Stage, g.Key.Field, g.Key.Reason, (long)g.Count())).OrderBy(c => c.ToString(), StringComparer.Ordinal),
            Sum(progress).OrderBy(c => c.ToString(), StringComparer.Ordinal));
        Assert.Equal(bad.Count(b => b.Stage is null), progress.Sum(p => p.Malformed));
    }

    [Fact]
    public async Task Skip_CountsPerStageAndReasonInTheProgressRecord_AndTheOutputIsTheReferenceOverTheGoodRows()
    {
        using var temp = new TempDirectory();
        (string input, Dictionary<string, long> reference, List<Expected> bad) = WriteReadings(temp, negativesThrow: true);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Readings"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/scaled?suffix=txt";
        var progress = new List<BatchProgress>();
        await using var run = new PipelineRun(SkippedPerSensor.Definition, options);
        run.BatchCommitted += progress.Add;
        await run.RunToEndAsync(clock);

        Assert.Null(run.DeadLetterFile);
        Assert.Equal(reference.OrderBy(p => p.Key, StringComparer.Ordinal), ReadTotals(Path.Combine(temp.Path, "out")).OrderBy(p => p.Key, StringComparer.Ordinal));
        var expected = bad.GroupBy(b => (b.Stage, b.Field, b.Reason)).Select(g => (g.Key.Stage, g.Key.Field, g.Key.Reason, (long)g.Count())).OrderBy(c => c.ToString(), StringComparer.Ordinal).ToList();
        Assert.Contains(expected, c => c.Stage == "Positive" && c.Reason == "ArgumentOutOfRangeException");
        Assert.Contains(expected, c => c.Stage == "PerUnit" && c.Reason == "DivideByZeroException");
        Assert.Equal(expected, Sum(progress).OrderBy(c => c.ToString(), StringComparer.Ordinal));
        Assert.Equal(expected, run.BadRecords.Select(c => (c.Stage, c.Field, c.Reason, c.Count)).OrderBy(c => c.ToString(), StringComparer.Ordinal));
        Assert.All(run.BadRecords, c => Assert.Equal("Readings", c.Source));
    }

    [Fact]
    public async Task DeadLetter_WithACheckpoint_WritesDeadLettersInTheCheckpointDirectoryByDefault()
    {
        using var temp = new TempDirectory();
        (string input, _, List<Expected> bad) = WriteReadings(temp, negativesThrow: false);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, Checkpoint = temp.Combine("checkpoint") };
        options.SourceUris["Readings"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/scaled?suffix=txt";
        await using var run = new PipelineRun(ScaledPerSensor.Definition, options);
        Assert.Equal(temp.Combine("checkpoint/dead-letters.jsonl"), run.DeadLetterFile);
        await run.RunToEndAsync(clock);

        Assert.Equal(bad.Count, File.ReadAllLines(temp.Combine("checkpoint/dead-letters.jsonl")).Length);
    }

    [Fact]
    public async Task Fail_ExitsOne_AndTheErrorNamesTheStageTheSourceAndTheRecordsPosition()
    {
        using var temp = new TempDirectory();
        (string input, _, List<Expected> bad) = WriteReadings(temp, negativesThrow: false);
        Expected first = bad.First(b => b.Stage is not null);
        var error = new StringWriter();
        int exit = await PipelineProgram.RunAsync(
            FailingPerSensor.Definition,
            ["--source", $"file://{input}", "--sink", $"file://{temp.Path}/out/scaled?suffix=txt", "--log-level", "none"],
            error,
            configure: null);

        Assert.Equal(PipelineProgram.ExitFailed, exit);
        string message = error.ToString();
        Assert.Contains($"Stage PerUnit threw DivideByZeroException on the record of source Readings at byte {first.Offset} (line {first.Line}) of {input}", message, StringComparison.Ordinal);
        Assert.Contains("[Map(OnError = BadRecordPolicy.Skip)]", message, StringComparison.Ordinal);
        Assert.Contains("--on-error skip", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fail_OverriddenOnTheCommandLine_SkipsAndExitsZero()
    {
        using var temp = new TempDirectory();
        (string input, Dictionary<string, long> reference, _) = WriteReadings(temp, negativesThrow: false);
        var error = new StringWriter();
        int exit = await PipelineProgram.RunAsync(
            FailingPerSensor.Definition,
            ["--source", $"file://{input}", "--sink", $"file://{temp.Path}/out/scaled?suffix=txt", "--on-error", "skip", "--batch-interval", "1h", "--log-level", "none"],
            error,
            configure: null);

        Assert.Equal(PipelineProgram.ExitOk, exit);
        Assert.Equal(reference.OrderBy(p => p.Key, StringComparer.Ordinal), ReadTotals(Path.Combine(temp.Path, "out")).OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ABadRowUnderFail_ExitsOne_NamingItsByteOffsetLineAndField()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("levels.csv", "1,2\r\n2,3\n3,300\n4,4\n");
        var error = new StringWriter();
        int exit = await PipelineProgram.RunAsync(
            StrictRows.Definition,
            ["--source", $"file://{input}", "--sink", $"file://{temp.Path}/out/rows?suffix=txt", "--log-level", "none"],
            error,
            configure: null);

        Assert.Equal(PipelineProgram.ExitFailed, exit);
        Assert.Contains($"Source Levels read a bad record at byte 9, line 3 of {input}, field Level: NumberOutOfRange: '300' cannot be read as the Level of a Strict.", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATypedSourceUnderDeadLetter_WritesEachBadLineWithItsFieldAndReason()
    {
        (string Line, string Reason, string? Field)[] badLines =
        [
            ("1,abc", "NumberInvalid", "Item2"),
            ("7", "WrongFieldCount", null),
            ("1,2,3", "WrongFieldCount", null),
            ("x,5", "NumberInvalid", "Item1"),
            ("1,99999999999999999999", "NumberOutOfRange", "Item2"),
            ("3000000000,1", "NumberOutOfRange", "Item1"),
        ];
        var random = new Random(8);
        var text = new StringBuilder();
        var reference = new Dictionary<int, long>();
        var expected = new List<(long Offset, string Line, string Reason, string? Field)>();
        for (int i = 0; i < 5_000; i++)
        {
            string line;
            if (random.Next(100) == 0)
            {
                (line, string reason, string? field) = badLines[random.Next(badLines.Length)];
                expected.Add((Encoding.UTF8.GetByteCount(text.ToString()), line, reason, field));
            }
            else
            {
                int customer = random.Next(1, 20);
                long cents = random.Next(1, 100_000);
                reference[customer] = reference.GetValueOrDefault(customer) + cents;
                line = string.Create(CultureInfo.InvariantCulture, $"{customer},{cents}");
            }

            text.Append(line).Append('\n');
        }

        using var temp = new TempDirectory();
        string input = temp.Write("orders.txt", text.ToString());
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, DeadLetters = $"file://{temp.Combine("dead.jsonl")}" };
        options.SourceUris["Orders"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/cents?suffix=txt";
        await using var run = new PipelineRun(CentsPerCustomer.Definition, options);
        await run.RunToEndAsync(clock);

        var totals = ReadTotals(Path.Combine(temp.Path, "out")).ToDictionary(p => int.Parse(p.Key, CultureInfo.InvariantCulture), p => p.Value);
        Assert.Equal(reference.OrderBy(p => p.Key), totals.OrderBy(p => p.Key));
        string[] letters = File.ReadAllLines(temp.Combine("dead.jsonl"));
        Assert.Equal(expected.Count, letters.Length);
        for (int i = 0; i < letters.Length; i++)
        {
            using JsonDocument letter = JsonDocument.Parse(letters[i]);
            JsonElement root = letter.RootElement;
            Assert.Equal(expected[i].Line, root.GetProperty("record").GetString());
            Assert.Equal(expected[i].Reason, root.GetProperty("reason").GetString());
            Assert.Equal(expected[i].Field, root.TryGetProperty("field", out JsonElement field) ? field.GetString() : null);
            Assert.Equal(expected[i].Offset, root.GetProperty("offset").GetInt64());
            Assert.False(root.TryGetProperty("line", out _));
        }

        Assert.Equal(expected.Count, run.Sources[0].Counters.Malformed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task OnPartitions_BadLinesAndStageErrors_AreDeadLetteredWithTheirOffsetsInTheFile(int parallelism)
    {
        var random = new Random(9);
        var text = new StringBuilder();
        var reference = new Dictionary<int, long>();
        var expected = new List<(long Offset, string Line, string Reason)>();
        for (int i = 0; i < 50_000; i++)
        {
            string line;
            long offset = text.Length;
            if (random.Next(200) == 0)
            {
                line = "7,x" + i;
                expected.Add((offset, line, "NumberInvalid"));
            }
            else
            {
                int customer = random.Next(1, 20);
                long cents = random.Next(1, 100) == 0 ? 997L * random.Next(1, 50) : random.Next(1, 100_000);
                line = string.Create(CultureInfo.InvariantCulture, $"{customer},{cents}");
                if (cents % 997 == 0)
                {
                    expected.Add((offset, line, "DivideByZeroException"));
                }
                else
                {
                    reference[customer] = reference.GetValueOrDefault(customer) + (cents / (cents % 997));
                }
            }

            text.Append(line).Append('\n');
        }

        using var temp = new TempDirectory();
        string input = temp.Write("orders.txt", text.ToString());
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, DeadLetters = temp.Combine("dead.jsonl"), Parallelism = parallelism };
        options.SourceUris["Orders"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/cents?suffix=txt";
        Assert.Null(GuardedCentsPerCustomer.Definition.SinglePartitionReason);
        await using var run = new PipelineRun(GuardedCentsPerCustomer.Definition, options);
        await run.RunToEndAsync(clock);

        var totals = ReadTotals(Path.Combine(temp.Path, "out")).ToDictionary(p => int.Parse(p.Key, CultureInfo.InvariantCulture), p => p.Value);
        Assert.Equal(reference.OrderBy(p => p.Key), totals.OrderBy(p => p.Key));
        var letters = File.ReadAllLines(temp.Combine("dead.jsonl")).Select(l =>
        {
            using JsonDocument letter = JsonDocument.Parse(l);
            JsonElement root = letter.RootElement;
            return (root.GetProperty("offset").GetInt64(), root.GetProperty("record").GetString()!, root.GetProperty("reason").GetString()!);
        }).OrderBy(l => l.Item1).ToList();
        Assert.Equal(expected, letters);
        Assert.Equal(expected.Count(e => e.Reason == "NumberInvalid"), run.Sources[0].Counters.Malformed);
    }

    [Fact]
    public async Task AGuardedStageAtTheBatchBoundary_SkipsTheTotalItThrowsOn_CountedUnderTheBatch()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("readings.csv", "sensor,value,scale\nnorth,5,1\nwest,7,1\nnorth,2,1\nsouth,1,1\n");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Readings"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/open?suffix=txt";
        await using var run = new PipelineRun(OpenSensors.Definition, options);
        await run.RunToEndAsync(clock);

        Assert.Equal([("north", 7L), ("south", 1L)], ReadTotals(Path.Combine(temp.Path, "out")).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
        Assert.Equal([new BadRecordCount(BadRecordLedger.BatchSource, "Open", null, "InvalidOperationException", 1)], run.BadRecords);
    }

    [Fact]
    public async Task GuardedValueStages_InTheLoopAndAtTheBatchBoundary_DeadLetterOrSkipTheRecordTheyThrowOn()
    {
        using var temp = new TempDirectory();
        string rows = "north,1,2\nnorth,1,4\nsouth,1,0\nsouth,1,5\neast,1,1\n" + string.Concat(Enumerable.Repeat("west,1,2\n", 20));
        string input = temp.Write("readings.csv", "sensor,value,scale\n" + rows);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, DeadLetters = temp.Combine("dead.jsonl") };
        options.SourceUris["Readings"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/values?suffix=txt";
        await using var run = new PipelineRun(GuardedValues.Definition, options);
        await run.RunToEndAsync(clock);

        // north: 500 + 250; south: 200 (its scale of 0 is dead-lettered); east's 1000 is not split; west's 10,000 is capped.
        Assert.Equal([("north", 750L), ("south", 200L)], ReadTotals(Path.Combine(temp.Path, "out")).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
        Assert.Equal(
            [("Capped", "OverflowException", 1L), ("Halves", "InvalidOperationException", 1L), ("PerMille", "DivideByZeroException", 1L)],
            run.BadRecords.Select(c => (c.Stage!, c.Reason, c.Count)).OrderBy(c => c.Item1, StringComparer.Ordinal));
        Assert.Equal(BadRecordLedger.BatchSource, Assert.Single(run.BadRecords, c => c.Stage == "Capped").Source);

        // Only the dead-lettered stage's record is in the file, raw, with its stage, reason and position.
        using JsonDocument letter = JsonDocument.Parse(Assert.Single(File.ReadAllLines(temp.Combine("dead.jsonl"))));
        JsonElement root = letter.RootElement;
        Assert.Equal(("PerMille", "DivideByZeroException", "south,1,0", 4L), (root.GetProperty("stage").GetString(), root.GetProperty("reason").GetString(), root.GetProperty("record").GetString(), root.GetProperty("line").GetInt64()));
    }

    [Fact]
    public async Task DeadLetter_WithoutASink_CountsAndSkips_AndSaysSoAtTheStartAndInTheBatchWarning()
    {
        using var temp = new TempDirectory();
        (string input, Dictionary<string, long> reference, List<Expected> bad) = WriteReadings(temp, negativesThrow: false);
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, LoggerFactory = logs.CreateFactory() };
        options.SourceUris["Readings"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/scaled?suffix=txt";
        await using var run = new PipelineRun(ScaledPerSensor.Definition, options);
        await run.RunToEndAsync(clock);

        Assert.Null(run.DeadLetterFile);
        Assert.Equal(reference.OrderBy(p => p.Key, StringComparer.Ordinal), ReadTotals(Path.Combine(temp.Path, "out")).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(bad.Count, run.BadRecords.Sum(c => c.Count));
        Assert.Contains(logs.Lines, l => l.Message.StartsWith("Pipeline ScaledPerSensor has no dead-letter sink, so stages PerUnit (OnError = DeadLetter) count and skip", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Message.Contains($"refused {bad.Count} bad records (source [stage].field reason count): ", StringComparison.Ordinal)
            && l.Message.Contains("Readings [PerUnit] DivideByZeroException", StringComparison.Ordinal)
            && l.Message.EndsWith($"; {bad.Count} whose policy is dead-letter counted and skipped, since the run has no dead-letter sink; give --dead-letters FILE (or --checkpoint DIR) to keep them", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BatchWarning_SaysHowManyWereSkippedByTheirPolicy_AndWhatBecameOfThoseThatAskedForADeadLetter(bool deadLetterSink)
    {
        // The rows that do not parse are skipped (the source URI's onBadRecord=skip); what PerUnit throws on asks for a dead letter.
        using var temp = new TempDirectory();
        (string input, _, List<Expected> bad) = WriteReadings(temp, negativesThrow: false);
        int parse = bad.Count(b => b.Stage is null);
        int thrown = bad.Count - parse;
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, LoggerFactory = logs.CreateFactory(), DeadLetters = deadLetterSink ? temp.Combine("dead.jsonl") : null };
        options.SourceUris["Readings"] = $"file://{input}?onBadRecord=skip";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/scaled?suffix=txt";
        var progress = new List<BatchProgress>();
        await using var run = new PipelineRun(ScaledPerSensor.Definition, options);
        run.BatchCommitted += progress.Add;
        await run.RunToEndAsync(clock);

        Assert.Equal(thrown, progress.Sum(p => p.DeadLetterRequests));
        string outcome = deadLetterSink
            ? $"; {parse} skipped by their policy (skip); {thrown} dead letters go to {temp.Combine("dead.jsonl")}"
            : $"; {parse} skipped by their policy (skip); {thrown} whose policy is dead-letter counted and skipped, since the run has no dead-letter sink; give --dead-letters FILE (or --checkpoint DIR) to keep them";
        LogLine warning = Assert.Single(logs.Lines, l => l.Message.Contains($"refused {bad.Count} bad records", StringComparison.Ordinal));
        Assert.EndsWith(outcome, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMessageSourcesBadRecord_IsWrittenWithItsMessagesPosition()
    {
        using var temp = new TempDirectory();
        Compiled.Tests.Connectors.Messages.MemoryMessageLog log = Compiled.Tests.Connectors.Messages.MemoryMessageLog.Create();
        log.Append("1,5");
        log.Append("x,5");
        log.Append("2,7");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, DeadLetters = temp.Combine("dead.jsonl") };
        options.SourceUris["Orders"] = log.Uri();
        options.SinkUris["Output"] = $"file://{temp.Path}/out/cents?suffix=txt";
        await using var run = new PipelineRun(CentsPerCustomer.Definition, options);
        await run.RunToEndAsync(clock);

        Assert.Equal([("1", 5L), ("2", 7L)], ReadTotals(Path.Combine(temp.Path, "out")).OrderBy(p => p.Key).Select(p => (p.Key, p.Value)));
        using JsonDocument letter = JsonDocument.Parse(Assert.Single(File.ReadAllLines(temp.Combine("dead.jsonl"))));
        JsonElement root = letter.RootElement;
        Assert.Equal(log.Uri(), root.GetProperty("stream").GetString());
        Assert.Equal("0x0200000000000000", root.GetProperty("position").GetString());   // the memq source's position after message 2
        Assert.False(root.TryGetProperty("offset", out _));
        Assert.Equal("x,5", root.GetProperty("record").GetString());
        Assert.Equal("Item1", root.GetProperty("field").GetString());
    }

    [Fact]
    public void TheReadmesExample_IsThePipelineTestedHere()
    {
        string readme = File.ReadAllText(Path.Combine(FindRoot(), "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        string source = File.ReadAllText(Path.Combine(FindRoot(), "tests", "Compiled.Tests", "Records", "DeadLetters", "DeadLetterPipelines.cs")).Replace("\r\n", "\n", StringComparison.Ordinal);
        string example = source[source.IndexOf("[Pipeline(OnError = BadRecordPolicy.Skip)]\npublic static partial class ScaledPerSensor", StringComparison.Ordinal)..];
        example = example[..(example.IndexOf("\n}\n", StringComparison.Ordinal) + 3)];
        Assert.Contains(example, readme, StringComparison.Ordinal);
    }

    private static string FindRoot()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Compiled.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException("The tests must run from inside the repository: no Compiled.sln above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task OnError_NotAPolicy_IsAUsageError()
    {
        var error = new StringWriter();
        int exit = await PipelineProgram.RunAsync(FailingPerSensor.Definition, ["--on-error", "ignore"], error, configure: null);
        Assert.Equal(PipelineProgram.ExitUsage, exit);
        Assert.Contains("--on-error 'ignore' is not a policy; write fail, skip or dead-letter", error.ToString(), StringComparison.Ordinal);
    }

    private static IEnumerable<(string? Stage, string? Field, string Reason, long Count)> Sum(List<BatchProgress> progress) =>
        progress.SelectMany(p => p.BadRecords)
            .GroupBy(c => (c.Source, c.Stage, c.Field, c.Reason))
            .Select(g => { Assert.Equal("Readings", g.Key.Source); return (g.Key.Stage, g.Key.Field, g.Key.Reason, g.Sum(c => c.Count)); });

    // The file sink's batches, each "(sensor,value)" per line, summed per sensor.
    private static Dictionary<string, long> ReadTotals(string directory)
    {
        var totals = new Dictionary<string, long>();
        foreach (string file in Directory.GetFiles(directory))
        {
            foreach (string line in File.ReadAllLines(file))
            {
                int comma = line.LastIndexOf(',');
                string key = line[1..comma];
                totals[key] = totals.GetValueOrDefault(key) + long.Parse(line[(comma + 1)..^1], CultureInfo.InvariantCulture);
            }
        }

        return totals;
    }
}
