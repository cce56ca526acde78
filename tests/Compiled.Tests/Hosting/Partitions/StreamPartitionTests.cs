using System.Net;
using System.Net.Sockets;
using System.Text;
using Compiled.Connectors;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Compiled.Tests.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// A byte stream (a socket, standard input) read on several partitions: one reader deals blocks of whole lines to them,
/// and the word count is the one-partition run's, whatever the blocks, the batches, the connections and the lines cut
/// short by a connection's end.
/// </summary>
public class StreamPartitionTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task WordCount_Tcp_OnNPartitions_CountsAsOnePartition_OverSeveralBatchesAndReconnects(int partitions)
    {
        // Three connections, each sent in pieces with pauses, so that batches (50 ms) end while the lines come.
        string[] connections = [Lines(seed: 1, lines: 20_000), Lines(seed: 2, lines: 3_000), Lines(seed: 3, lines: 8_000)];

        Run one = await RunTcpAsync(parallelism: 1, connections);
        Run many = await RunTcpAsync(partitions, connections);

        Assert.Equal(Count(connections), one.Counts);
        Assert.Equal(one.Counts, many.Counts);
        Assert.Equal(connections.Sum(static c => c.Count(static ch => ch == '\n')), many.Counters.Records);
        Assert.True(many.Batches >= 2, $"the run committed {many.Batches} batch(es) with records; the input was sent over several batch intervals");
        Assert.True(many.Counters.Streams >= 3, $"the source opened {many.Counters.Streams} connection(s); it reconnects after each of the three");
        Assert.Contains($"runs on {partitions} partitions: one reader receives {many.Uri} and deals blocks of whole lines to them", many.Log, StringComparison.Ordinal);
        Assert.Contains($"Reading {many.Uri}", many.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_OnThreePartitions_EveryBatchEndsAPrefixOfTheStream()
    {
        // Numbered lines, one word each, written to the sink as they come: after each batch, the lines written so far are
        // the stream's first ones, however the blocks were dealt, as on one partition.
        const int count = 400_000;
        string text = string.Concat(Enumerable.Range(0, count).Select(static i => $"n{i}\n"));
        var batches = new List<List<int>>();
        Run run = await RunTcpAsync(parallelism: 3, [text], definition: WordLengths.Definition, batchMilliseconds: 10, readOutput: directory =>
        {
            foreach (IGrouping<string, string> batch in PartitionRuns.BatchFiles(directory, "c").GroupBy(static file => Path.GetFileName(file).Split('-', '.')[1]))
            {
                batches.Add([.. batch.SelectMany(static file => File.ReadAllLines(file)).Where(static line => line.Length > 0)
                    .Select(static line => int.Parse(line[2..line.IndexOf(',')], System.Globalization.CultureInfo.InvariantCulture))]);
            }
        });

        Assert.True(batches.Count(static batch => batch.Count > 0) >= 2, $"{batches.Count} batches; the lines were sent over several batch intervals");
        var seen = new HashSet<int>();
        foreach (List<int> batch in batches)
        {
            seen.UnionWith(batch);
            Assert.True(seen.Count == (seen.Count == 0 ? 0 : seen.Max() + 1), $"after a batch of {batch.Count} lines, the {seen.Count} lines written are not the stream's first {seen.Count}");
        }

        Assert.Equal(count, seen.Count);
        Assert.Contains("runs on 3 partitions", run.Log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "(a,1)|(b,1)|(c,1)|(d,2)", 3)]
    [InlineData("?onPartial=skip", "(a,1)|(b,1)|(d,2)", 2)]
    public async Task Tcp_OnTwoPartitions_ConnectionEndingMidLine_KeepsOrSkipsThePartialLine(string query, string expected, long records)
    {
        // The first connection ends in the middle of "c"; the second, after a whole line.
        Run run = await RunTcpAsync(parallelism: 2, ["a b\nc", "d d\n"], query);

        Assert.Equal(expected, string.Join('|', run.Counts.Select(static pair => $"({pair.Key},{pair.Value})")));
        Assert.Equal(1, run.Counters.PartialRecords);
        Assert.Equal(records, run.Counters.Records);
        Assert.Contains("1 record cut short by the end of its connection", run.Log, StringComparison.Ordinal);
        Assert.Contains(query.Length == 0 ? "(kept)" : "(dropped)", run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_OnTwoPartitions_ConnectionReset_EndsLikeAClose_KeepingThePartialLine()
    {
        // The first connection is reset (RST) after "c", which it cut short; the run reconnects, as after a close.
        Run run = await RunTcpAsync(parallelism: 2, ["a b\nc", "d d\n"], reset: true);

        Assert.Equal("(a,1)|(b,1)|(c,1)|(d,2)", string.Join('|', run.Counts.Select(static pair => $"({pair.Key},{pair.Value})")));
        Assert.Equal(1, run.Counters.PartialRecords);
        Assert.Equal(3, run.Counters.Records);
        Assert.Contains("the server reset the connection after 5 bytes; reconnecting", run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_OnTwoPartitions_LinesLongerThanABlock_CountAsOnOnePartition()
    {
        // Lines longer than a block (256 KiB), received straight into it, grow it; the connections end after a line end.
        string[] connections = [WithLongLines(seed: 11, lines: 20_000), Lines(seed: 13, lines: 3_000)];

        Run one = await RunTcpAsync(parallelism: 1, connections);
        Run many = await RunTcpAsync(parallelism: 2, connections);

        Assert.Equal(Count(connections), one.Counts);
        Assert.Equal(one.Counts, many.Counts);
    }

    [Fact]
    public async Task Tcp_OnTwoPartitions_LineOverTheLimit_IsDroppedWholeAsOnOnePartition()
    {
        // maxRecordBytes=1000 with onOversize=skip: the 300 KiB line is dealt in pieces, all to one partition, which drops it.
        string[] connections = [Lines(seed: 14, lines: 5_000) + new string('x', 300 * 1024) + " tail\n" + Lines(seed: 15, lines: 5_000)];

        Run one = await RunTcpAsync(parallelism: 1, connections, "?maxRecordBytes=1000&onOversize=skip");
        Run many = await RunTcpAsync(parallelism: 2, connections, "?maxRecordBytes=1000&onOversize=skip");

        Assert.Equal(Count([Lines(seed: 14, lines: 5_000), Lines(seed: 15, lines: 5_000)]), one.Counts);
        Assert.Equal(one.Counts, many.Counts);
    }

    [Fact]
    public async Task Tcp_WithWriteAheadLog_StaysOnOnePartition_AndSaysWhy()
    {
        Run run = await RunTcpAsync(parallelism: 2, ["a b\n"], "?wal=true", checkpoint: true);

        Assert.Equal("(a,1)|(b,1)", string.Join('|', run.Counts.Select(static pair => $"({pair.Key},{pair.Value})")));
        Assert.Contains($"runs on one partition: source {run.Uri}?wal=true keeps a write-ahead log (wal=true)", run.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("deals blocks", run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_ParallelismLeftToItsDefault_StaysOnOnePartition()
    {
        Run run = await RunTcpAsync(parallelism: null, ["a b\n"]);

        Assert.Equal("(a,1)|(b,1)", string.Join('|', run.Counts.Select(static pair => $"({pair.Key},{pair.Value})")));
        Assert.Contains($"runs on one partition rather than one per core: source {run.Uri} is a byte stream, which is dealt to partitions only when the parallelism is given", run.DebugLog, StringComparison.Ordinal);
        Assert.DoesNotContain("deals blocks", run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WordCount_Stdin_OnThreePartitions_EndsAtOnceInOneBatch_CountingLongLinesAsOnePartition()
    {
        // Lines longer than a block (256 KiB) grow it; the input's last line has no line end, and is a line all the same.
        string input = WithLongLines(seed: 4, lines: 30_000) + "last line";

        (SortedDictionary<string, long> one, _, _) = await RunStdinAsync(parallelism: 1, input);
        (SortedDictionary<string, long> many, int batches, string log) = await RunStdinAsync(parallelism: 3, input);

        Assert.Equal(Count([input]), one);
        Assert.Equal(one, many);
        Assert.Equal(1, batches);
        Assert.Contains("runs on 3 partitions: one reader receives stdin: and deals blocks of whole lines to them", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdin_OnTwoPartitions_LineOverTheLimit_IsDroppedWholeAsOnOnePartition()
    {
        // maxRecordBytes=1000 with onOversize=skip: the 300 KiB line is dealt in pieces, all to one partition, which drops it.
        string input = Lines(seed: 6, lines: 5_000) + new string('x', 300 * 1024) + " tail\n" + Lines(seed: 7, lines: 5_000);

        (SortedDictionary<string, long> one, _, _) = await RunStdinAsync(parallelism: 1, input, "?maxRecordBytes=1000&onOversize=skip");
        (SortedDictionary<string, long> many, _, _) = await RunStdinAsync(parallelism: 2, input, "?maxRecordBytes=1000&onOversize=skip");

        Assert.Equal(Count([Lines(seed: 6, lines: 5_000), Lines(seed: 7, lines: 5_000)]), one);
        Assert.Equal(one, many);
    }

    [Fact]
    public async Task Stdin_OnThreePartitions_WithMaxBatchBytes_EndsBatchesEarly_CountingAsOnePartition()
    {
        // 1 MiB batches over 8 MiB: each partition asks for the boundary once it has run its third of one, and runs what it
        // was dealt before it parks (at most 3 blocks of 256 KiB), so a batch holds 1 to 3 MiB and there are several.
        string input = Lines(seed: 8, lines: 400_000);

        (SortedDictionary<string, long> one, _, _) = await RunStdinAsync(parallelism: 1, input, maxBatchBytes: 1 << 20);
        (SortedDictionary<string, long> many, int batches, _) = await RunStdinAsync(parallelism: 3, input, maxBatchBytes: 1 << 20);

        Assert.Equal(Count([input]), one);
        Assert.Equal(one, many);
        Assert.True(batches >= 3, $"{batches} batches on three partitions; {input.Length} bytes in batches of 1 MiB end early");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Stdin_ReadFailing_FailsTheRunWithTheReadError_AsOnOnePartition(int parallelism)
    {
        using var temp = new TempDirectory();
        byte[] bytes = Encoding.ASCII.GetBytes(Lines(seed: 9, lines: 10_000));
        var options = new PipelineRunOptions
        {
            TimeProvider = new FakeTimeProvider(DateTimeOffset.UnixEpoch),
            Parallelism = parallelism,
            OpenStandardInput = () => new FailingAtTheEnd(bytes),
        };
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);

        var error = await Assert.ThrowsAsync<PipelineFailedException>(() => run.RunAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.Limit, TestContext.Current.CancellationToken));

        Assert.Equal("the terminal went away", Assert.IsType<IOException>(error.InnerException).Message);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "out")) && Directory.GetFiles(Path.Combine(temp.Path, "out")).Length > 0, "the failed batch was not committed");
    }

    [Fact]
    public async Task Stdin_CsvRecordWithAHeaderRowSkipped_OnTwoPartitions_SkipsItOnce_AsOnePartition()
    {
        // The header row is at the stream's start, in the first block only: the partition dealt it skips it, and no other
        // partition, whose blocks begin further in, takes a line of its own for one.
        var text = new StringBuilder("auction,bidder,price,channel,time\n");
        var random = new Random(10);
        for (int bid = 0; bid < 60_000; bid++)
        {
            text.Append(1000 + random.Next(500)).Append(',').Append(random.Next(90_000)).Append(',').Append(random.Next(1, 10_000)).Append(",web,").Append(1_700_000_000_000L + bid).Append('\n');
        }

        (List<string> one, _) = await RunStdinLinesAsync(HeadedBidCopy.Definition, "Bids", parallelism: 1, text.ToString());
        (List<string> many, string log) = await RunStdinLinesAsync(HeadedBidCopy.Definition, "Bids", parallelism: 2, text.ToString());

        Assert.Contains("runs on 2 partitions: one reader receives stdin:", log, StringComparison.Ordinal);
        Assert.Equal(60_000, one.Count);
        Assert.Equal(one, many);
    }

    [Fact]
    public async Task Stdin_CsvRecordWhoseQuotedFieldsMaySpanLines_StaysOnOnePartition_AndSaysWhy()
    {
        (_, string log) = await RunStdinLinesAsync(Compiled.Tests.Records.Csv.BoughtPerSymbol.Definition, "Trades", parallelism: 2, "");

        Assert.Contains("runs on one partition: its source reads CSV records, whose quoted fields may span lines", log, StringComparison.Ordinal);
        Assert.DoesNotContain("deals blocks", log, StringComparison.Ordinal);
    }

    internal sealed record Run(SortedDictionary<string, long> Counts, int Batches, SourceCounters Counters, string Uri, string Log, string DebugLog);

    // Serves each text on a connection of its own, in pieces with pauses, closes it (`reset`: the first with a reset), and waits for the source to
    // reconnect; once every byte is counted, the run is stopped. Returns the counts summed over the batches.
    private static async Task<Run> RunTcpAsync(int? parallelism, string[] connections, string query = "", bool checkpoint = false,
        PipelineDefinition? definition = null, Action<string>? readOutput = null, int batchMilliseconds = 50, bool reset = false)
    {
        using var temp = new TempDirectory();
        using var logs = new CapturingLoggerProvider();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        string uri = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var options = new PipelineRunOptions { LoggerFactory = logs.CreateFactory(), BatchInterval = TimeSpan.FromMilliseconds(batchMilliseconds) };
        if (parallelism is { } count)
        {
            options.Parallelism = count;
        }

        if (checkpoint)
        {
            options.Checkpoint = Path.Combine(temp.Path, "checkpoint");
        }

        options.SourceUris["Input"] = uri + query;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(definition ?? WordCountPipeline.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);
        long total = 0;
        var accepted = new List<TcpClient>();
        try
        {
            foreach (string text in connections)
            {
                byte[] bytes = Encoding.ASCII.GetBytes(text);
                using (TcpClient client = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken))
                {
                    NetworkStream stream = client.GetStream();
                    int piece = Math.Max(1, bytes.Length / 8);
                    for (int at = 0; at < bytes.Length; at += piece)
                    {
                        await stream.WriteAsync(bytes.AsMemory(at, Math.Min(piece, bytes.Length - at)), TestContext.Current.CancellationToken);
                        await Task.Delay(15, TestContext.Current.CancellationToken);
                    }

                    if (reset && total == 0)
                    {
                        // A zero linger time makes the socket's close send a reset instead of an orderly close (the
                        // client's own would shut the socket down first).
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Client.Close();
                    }
                }

                total += bytes.Length;
            }

            // The source reconnects once it has handed over the closed connection's bytes.
            accepted.Add(await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken));
            await Eventually.UntilAsync(() => run.Sources[0].Counters.Bytes == total, $"the {total} bytes sent are counted");
            await stop.CancelAsync();
            await running.WaitAsync(Eventually.Limit, TestContext.Current.CancellationToken);
        }
        finally
        {
            foreach (TcpClient client in accepted)
            {
                client.Dispose();
            }
        }

        readOutput?.Invoke(Path.Combine(temp.Path, "out"));
        (SortedDictionary<string, long> counts, int batches) = definition is null ? Counted(Path.Combine(temp.Path, "out")) : ([], 0);
        return new Run(counts, batches, run.Sources[0].Counters, uri, LogOf(logs, LogLevel.Information), LogOf(logs, LogLevel.Debug));
    }

    // Runs the word count over standard input on a clock that does not move: the input ends, and its one batch is committed at once.
    private static async Task<(SortedDictionary<string, long> Counts, int Batches, string Log)> RunStdinAsync(int parallelism, string input, string query = "",
        long? maxBatchBytes = null)
    {
        using var temp = new TempDirectory();
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        byte[] bytes = Encoding.ASCII.GetBytes(input);
        var options = new PipelineRunOptions
        {
            LoggerFactory = logs.CreateFactory(),
            TimeProvider = clock,
            Parallelism = parallelism,
            OpenStandardInput = () => new MemoryStream(bytes),
            MaxBatchBytes = maxBatchBytes,
        };
        options.SourceUris["Input"] = "stdin:" + query;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        await run.RunToEndAsync(clock);
        (SortedDictionary<string, long> counts, int batches) = Counted(Path.Combine(temp.Path, "out"));
        return (counts, batches, LogOf(logs, LogLevel.Information));
    }

    // Runs a pipeline of one source and one sink "Output" over standard input on a clock that does not move; returns the
    // sink's lines, sorted (on partitions a batch's records come partition by partition), and the log.
    private static async Task<(List<string> Lines, string Log)> RunStdinLinesAsync(PipelineDefinition definition, string source, int parallelism, string input)
    {
        using var temp = new TempDirectory();
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        byte[] bytes = Encoding.UTF8.GetBytes(input);
        var options = new PipelineRunOptions
        {
            LoggerFactory = logs.CreateFactory(),
            TimeProvider = clock,
            Parallelism = parallelism,
            OpenStandardInput = () => new MemoryStream(bytes),
        };
        options.SourceUris[source] = "stdin:";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(definition, options);
        await run.RunToEndAsync(clock);
        return (PartitionRuns.Lines(Path.Combine(temp.Path, "out"), "c", sorted: true), LogOf(logs, LogLevel.Information));
    }

    // Each word's count, summed over the batch files of the sink ("(word,count)" lines), and how many files hold any.
    private static (SortedDictionary<string, long> Counts, int Batches) Counted(string directory)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        int batches = 0;
        foreach (string file in Directory.Exists(directory) ? Directory.GetFiles(directory) : [])
        {
            string[] lines = File.ReadAllText(file, Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            batches += lines.Length > 0 ? 1 : 0;
            foreach (string line in lines)
            {
                int comma = line.LastIndexOf(',');
                string word = line[1..comma];
                counts[word] = counts.GetValueOrDefault(word) + long.Parse(line[(comma + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return (counts, batches);
    }

    // What a word count of the texts is, worked out here: words are cut at spaces, lines at '\n'.
    private static SortedDictionary<string, long> Count(IEnumerable<string> texts)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            foreach (string word in text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }

        return counts;
    }

    // `lines` lines of one to eight words from a vocabulary of 400, each ending with '\n'.
    // Lines of words (seed), then a line longer than a block (256 KiB), 2,000 more lines (seed + 1), and a longer line still.
    private static string WithLongLines(int seed, int lines) =>
        Lines(seed, lines)
        + string.Join(' ', Enumerable.Range(0, 60_000).Select(static i => "long" + (i % 7))) + "\n"
        + Lines(seed + 1, 2_000)
        + string.Join(' ', Enumerable.Range(0, 90_000).Select(static i => "longer" + (i % 5))) + "\n";

    private static string Lines(int seed, int lines)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int line = 0; line < lines; line++)
        {
            int words = random.Next(1, 9);
            for (int word = 0; word < words; word++)
            {
                text.Append(word == 0 ? "" : " ").Append('w').Append(random.Next(400));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    // Standard input that gives its bytes, then fails where it would end.
    private sealed class FailingAtTheEnd(byte[] bytes) : MemoryStream(bytes)
    {
        // A Span read of a type derived from MemoryStream comes here too.
        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = base.Read(buffer, offset, count);
            return read > 0 ? read : throw new IOException("the terminal went away");
        }
    }

    private static string LogOf(CapturingLoggerProvider logs, LogLevel least) =>
        string.Join("\n", logs.Lines.Where(l => l.Level >= least).Select(static l => l.Message));
}
