using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Shared;
using Microsoft.Extensions.Time.Testing;
using Totals = Compiled.Tests.Checkpoints.Original.Totals;

namespace Compiled.Tests.Hosting;

/// <summary>
/// A windowed job stopped with a checkpoint and started again, soon or long after: its running totals go on, and its
/// three-second window holds the records of the batches before the stop only while they are still inside it.
/// </summary>
public class RunResumeWindowTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 200, TimeSpan.Zero);

    private static PipelineRunOptions Options(TempDirectory temp, TimeProvider clock)
    {
        var options = new PipelineRunOptions { TimeProvider = clock, Checkpoint = temp.Combine("checkpoint") };
        options.SourceUris["Input"] = $"file://{temp.Path}/in/?existing=true";
        options.SinkUris["Totalled"] = $"file://{temp.Path}/out/totals?suffix=txt";
        options.SinkUris["Windowed"] = $"file://{temp.Path}/out/window?suffix=txt";
        return options;
    }

    // One batch over what the watched directory holds, then a stop: the run suspends, keeping its window.
    private static async Task RunOneBatchAndStopAsync(TempDirectory temp, FakeTimeProvider clock)
    {
        await using var run = new PipelineRun(Totals.Definition, Options(temp, clock));
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);
        await Eventually.UntilAsync(() => run.Sources[0].Counters.Records > 0, "the file is read");
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.UntilAsync(() => run.BatchesCompleted == 1, "the first batch is committed");
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(BatchEnd.Suspend, run.LastProgress!.End);
    }

    private static string[] Files(TempDirectory temp, string prefix) =>
        Directory.GetFiles(temp.Combine("out"), prefix + "-*.txt").Order(StringComparer.Ordinal).ToArray();

    private static string[] Lines(string file) => File.ReadAllLines(file).Order(StringComparer.Ordinal).ToArray();

    [Theory]
    [InlineData(1, new[] { "(a,3)", "(b,2)" })]
    [InlineData(100, new[] { "(a,1)", "(b,1)" })]
    public async Task Restart_AfterAGap_TheWindowHoldsTheOldRecordsOnlyWhileTheyAreInside(int secondsLater, string[] window)
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("in"));
        File.WriteAllText(temp.Combine("in/1.txt"), "a\nb\na\n");
        await RunOneBatchAndStopAsync(temp, new FakeTimeProvider(Start));
        int firstRun = Files(temp, "window").Length;

        File.WriteAllText(temp.Combine("in/2.txt"), "a\nb\n");
        await RunOneBatchAndStopAsync(temp, new FakeTimeProvider(Start + TimeSpan.FromSeconds(secondsLater)));

        // The second run's first batch, which read the new file (its stop then commits one more, empty, batch).
        Assert.Equal(["(a,3)", "(b,2)"], Lines(Files(temp, "totals")[firstRun]));
        Assert.Equal(window, Lines(Files(temp, "window")[firstRun]));
    }
}
