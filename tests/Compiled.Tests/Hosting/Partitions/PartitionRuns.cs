using System.Text;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// How the partition tests run a pipeline: as a whole run over files, on one partition and on N, each sink into files
/// of its own, with the lines each sink wrote, the source's counters and the log to compare.
/// </summary>
internal static class PartitionRuns
{
    internal sealed record Result(Dictionary<string, List<string>> Sinks, long Records, long Bytes, string Log);

    // Runs a pipeline over a file (or a pattern), on the given partitions or (null) the default, on a clock that does not move unless a batch interval is given (then on
    // the real clock), each sink into files of its own; returns each sink's lines in the order written, the source's
    // counters and the log (Information and above).
    public static Task<Result> RunAsync(PipelineDefinition definition, string input, string output, int? parallelism, TimeSpan? batchInterval = null,
        string sinkOptions = "", Action<PipelineRunOptions>? configure = null) =>
        RunAsync(definition, [input], output, parallelism, batchInterval, sinkOptions, configure);

    // The same with a file (or pattern) for each of the definition's sources, in declaration order; sinkOptions are added
    // to each file sink's URI (&format=csv), and configure may change the options last (another sink URI, a limit).
    public static async Task<Result> RunAsync(PipelineDefinition definition, string[] inputs, string output, int? parallelism, TimeSpan? batchInterval = null,
        string sinkOptions = "", Action<PipelineRunOptions>? configure = null)
    {
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var options = new PipelineRunOptions { LoggerFactory = logs.CreateFactory() };
        if (parallelism is { } explicitly)
        {
            options.Parallelism = explicitly;
        }

        if (batchInterval is { } interval)
        {
            options.BatchInterval = interval;
        }
        else
        {
            options.TimeProvider = clock;
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            options.SourceUris[definition.Sources[i].Name] = "file://" + inputs[i];
        }

        foreach (SinkDeclaration sink in definition.Sinks)
        {
            options.SinkUris[sink.Name] = $"file://{output}/{sink.Name}?suffix=txt{sinkOptions}";
        }

        configure?.Invoke(options);

        await using var run = new PipelineRun(definition, options);
        if (batchInterval is null)
        {
            await run.RunToEndAsync(clock);
        }
        else
        {
            await run.RunAsync(TestContext.Current.CancellationToken);
        }

        var sinks = definition.Sinks.ToDictionary(s => s.Name, s => Lines(output, s.Name, sorted: false));
        string log = string.Join("\n", logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Information).Select(l => l.Message));
        return new Result(sinks, run.Sources[0].Counters.Records, run.Sources[0].Counters.Bytes, log);
    }

    // The lines a file sink wrote, over all its batches' files in batch order.
    public static List<string> Lines(string directory, string sink, bool sorted)
    {
        var lines = new List<string>();
        if (Directory.Exists(directory))
        {
            foreach (string file in BatchFiles(directory, sink))
            {
                lines.AddRange(File.ReadAllText(file, Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        if (sorted)
        {
            lines.Sort(StringComparer.Ordinal);
        }

        return lines;
    }

    // Each "(word,(count, hash))" line's word and count.
    public static SortedDictionary<string, long> StateCounts(List<string> lines)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            int open = line.LastIndexOf(",(", StringComparison.Ordinal);
            int comma = line.IndexOf(',', open + 2);
            counts[line[1..open]] = long.Parse(line[(open + 2)..comma], System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    }

    // The lines of a sink's last batch file.
    public static List<string> LastBatch(string directory, string sink) =>
        [.. File.ReadAllText(BatchFiles(directory, sink)[^1], Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    // A file sink's files in batch order: by the batch time in the name ("Sink-<ms>.txt", "Sink-<ms>-part-<p>.txt") as a
    // number, since batches that end early count on from the clock's time and pass a power of ten; then by name.
    public static string[] BatchFiles(string directory, string sink) =>
    [
        .. Directory.GetFiles(directory, sink + "-*.txt")
            .OrderBy(file =>
            {
                string name = Path.GetFileName(file)[(sink.Length + 1)..];
                int end = name.IndexOfAny(['-', '.']);
                return long.Parse(name[..end], System.Globalization.CultureInfo.InvariantCulture);
            })
            .ThenBy(file => file, StringComparer.Ordinal),
    ];

    // "(word,count)" lines summed per word over all batches.
    public static SortedDictionary<string, long> Sums(List<string> lines)
    {
        var sums = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            int comma = line.LastIndexOf(',');
            string word = line[1..comma];
            sums[word] = sums.GetValueOrDefault(word) + long.Parse(line[(comma + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        }

        return sums;
    }

    // About 'bytes' bytes of lines of 0 to 20 words from a vocabulary of 20,000, some lines CRLF, some empty.
    public static byte[] RandomText(int seed, int bytes)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes + 256);
        while (text.Length < bytes)
        {
            int words = random.Next(21);
            for (int w = 0; w < words; w++)
            {
                text.Append(w == 0 ? "" : " ").Append('w').Append(random.Next(20_000));
            }

            text.Append(random.Next(10) == 0 ? "\r\n" : "\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    // Runs the pipeline over the input on one partition and on `partitions` (in one batch, or on the real clock in
    // batches of `batchInterval` for the second), and checks that the second ran on that many partitions.
    public static async Task<(Result One, Result Many)> OneAndManyAsync(
        PipelineDefinition definition, string input, TempDirectory temp, int partitions, TimeSpan? batchInterval = null)
    {
        Result one = await RunAsync(definition, input, temp.Combine("one"), parallelism: 1);
        Result many = await RunAsync(definition, input, temp.Combine("many"), partitions, batchInterval);
        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        return (one, many);
    }

    // A file of about 'bytes' bytes of random words (RandomText) in the temporary directory.
    public static string RandomTextFile(TempDirectory temp, int seed, int bytes)
    {
        string input = temp.Combine("input.txt");
        File.WriteAllBytes(input, RandomText(seed, bytes));
        return input;
    }
}
