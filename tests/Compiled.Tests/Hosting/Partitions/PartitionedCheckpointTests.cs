using System.Text;
using Compiled.Checkpoints;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// A run on partitions with a checkpoint: each batch's checkpoint holds what each partition has left of its files, and a
/// run stopped and started again resumes each partition where it was, on as many partitions, so that every line is
/// counted once over all the runs and the state ends as one uninterrupted run on one partition leaves it.
/// </summary>
public class PartitionedCheckpointTests
{
    [Fact]
    public async Task StoppedAndResumedSeveralTimes_OnThreePartitions_CountsEveryLineOnce_AndEndsWithTheOnePartitionState()
    {
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 61, bytes: 32 << 20);
        Result one = await RunAsync(WordOrders.Definition, input, temp.Combine("one"), parallelism: 1);
        long lines = one.Records;

        // Each run stopped as soon as it starts, as Ctrl+C stops it: each partition parks after the buffer in hand once the
        // run's loop asks, and the run commits what they read as its last batch; runs are started until one finds nothing
        // left. The restarts ask for 2 partitions and get the 3 the checkpoint was written on.
        string checkpoint = temp.Combine("checkpoint");
        var runs = new List<Stopped>();
        while (runs.Count < 40 && (runs.Count == 0 || runs[^1].Records > 0))
        {
            runs.Add(await RunStoppedAsync(input, temp.Combine("many"), checkpoint, parallelism: runs.Count == 0 ? 3 : 2, stopAtOnce: true));
        }

        string perRun = $"Lines per run: {string.Join(", ", runs.Select(r => r.Records))}";
        List<Stopped> midway = runs.Skip(1).Where(r => r.Log.Contains("resuming on 3 partitions, as its checkpoint was written", StringComparison.Ordinal)).ToList();
        Assert.True(midway.Count >= 2, $"{midway.Count} runs resumed partitions midway; the test needs two. {perRun}");
        Assert.True(runs[^1].Records == 0, $"Forty runs did not read the whole input. {perRun}");
        Assert.Contains("runs on 3 partitions", runs[0].Log, StringComparison.Ordinal);
        Assert.All(midway, r => Assert.Contains("resumes on 3 partitions, as its checkpoint was written, not the 2 asked for", r.Log, StringComparison.Ordinal));
        Assert.Equal(lines, runs.Sum(r => r.Records));
        Assert.Equal(StateCounts(one.Sinks["States"]), StateCounts(LastBatch(temp.Combine("many"), "States")));
    }

    [Fact]
    public async Task Resumed_PatternWithAFileThatArrivedMeanwhile_ReadsTheRestAndTheNewFileOnce()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("in"));
        File.WriteAllBytes(Path.Combine(temp.Combine("in"), "a.txt"), RandomText(62, 32 << 20));
        File.WriteAllBytes(Path.Combine(temp.Combine("in"), "b.txt"), RandomText(63, 2 << 20));
        string pattern = Path.Combine(temp.Combine("in"), "*.txt");
        string checkpoint = temp.Combine("checkpoint");

        Stopped first = await RunStoppedAsync(pattern, temp.Combine("out"), checkpoint, parallelism: 2, stopAtOnce: true);
        Assert.False(first.Ended, "The first run read every line before it was stopped; the test needs it stopped midway.");
        File.WriteAllBytes(Path.Combine(temp.Combine("in"), "c.txt"), RandomText(64, 1 << 20));
        Stopped rest = await RunStoppedAsync(pattern, temp.Combine("out"), checkpoint, parallelism: 2, stopAtOnce: false);

        Assert.True(rest.Ended);
        Result one = await RunAsync(WordOrders.Definition, pattern, temp.Combine("one"), parallelism: 1);
        Assert.Equal(one.Records, first.Records + rest.Records);
        Assert.Equal(StateCounts(one.Sinks["States"]), StateCounts(LastBatch(temp.Combine("out"), "States")));
    }

    [Fact]
    public async Task Resumed_FileChangedMeanwhile_RefusesToStart_SayingWhichFileAndWhatToDo()
    {
        using var temp = new TempDirectory();
        string input = RandomTextFile(temp, seed: 65, bytes: 32 << 20);
        string checkpoint = temp.Combine("checkpoint");
        Stopped first = await RunStoppedAsync(input, temp.Combine("out"), checkpoint, parallelism: 2, stopAtOnce: true);
        Assert.False(first.Ended, "The first run read every line before it was stopped; the test needs it stopped midway.");
        File.AppendAllText(input, "appended later\n");

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => RunStoppedAsync(input, temp.Combine("out"), checkpoint, parallelism: 2, stopAtOnce: false));

        string message = error.ToString();
        Assert.Contains($"its partitions were reading '{input}', and the file changed since", message, StringComparison.Ordinal);
        Assert.Contains("start from a new checkpoint directory", message, StringComparison.Ordinal);
    }

    private sealed record Stopped(long Records, bool Ended, string Log);

    // A run of WordOrders over the input with the checkpoint, 10 ms batches on the real clock, stopped as Ctrl+C stops it
    // as soon as it starts, or left to the end of the input.
    private static async Task<Stopped> RunStoppedAsync(string input, string output, string checkpoint, int parallelism, bool stopAtOnce)
    {
        using var logs = new CapturingLoggerProvider();
        var options = new PipelineRunOptions
        {
            LoggerFactory = logs.CreateFactory(),
            Parallelism = parallelism,
            BatchInterval = TimeSpan.FromMilliseconds(10),
            Checkpoint = checkpoint,
        };
        options.SourceUris["Input"] = "file://" + input;
        foreach (SinkDeclaration sink in WordOrders.Definition.Sinks)
        {
            options.SinkUris[sink.Name] = $"file://{output}/{sink.Name}?suffix=txt";
        }

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(WordOrders.Definition, options);
        if (stopAtOnce)
        {
            await stop.CancelAsync();
        }

        await run.RunAsync(stop.Token);
        bool ended = !logs.Lines.Any(l => l.Message.Contains("stop requested", StringComparison.Ordinal));
        string log = string.Join("\n", logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Information).Select(l => l.Message));
        return new Stopped(run.Sources[0].Counters.Records, ended, log);
    }
}
