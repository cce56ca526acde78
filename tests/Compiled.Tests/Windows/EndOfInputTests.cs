using Compiled.Batching;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Testing;

namespace Compiled.Tests.Windows;

/// <summary>
/// At the end of a bounded input every window with records not reported since its last emission emits once more,
/// between two of its slides, so no record read goes unreported; its sinks receive that last batch. A window with
/// nothing unreported does not, and neither does a stopped run (a checkpoint may resume its windows).
/// </summary>
public class EndOfInputTests
{
    [Fact]
    public void RunToEnd_BetweenTwoSlides_EveryWindowWithUnreportedRecordsEmitsOnceMore()
    {
        // Batches 1 to 3; the input ends at 3, between the slides at 2 and 4.
        using var test = new SparkInts.TestDriver();
        test.Input.Batches([[1], [2], [3]]);
        test.RunToEnd();

        // Tumbling (2s, 2s): [1, 2] at its slide, then the window as it stands at the end, batches 2 and 3.
        Assert.Equal(["2000: 1,2", "3000: 2,3"], Show(test.TumblingOut));

        // Larger (4s, 2s): batches 1-2 at the slide, 1-3 at the end.
        Assert.Equal(["2000: 1,2", "3000: 1,2,3"], Show(test.LargerOut));

        // NonOverlapping (2s, 3s): 3 is its slide, so it emits there once, as always.
        Assert.Equal(["3000: 2,3"], Show(test.NonOverlappingOut));
    }

    [Fact]
    public void RunToEnd_KeyedAndCountingWindows_EmitTheirWindowAtTheEnd()
    {
        using var test = new BelowWindow.TestDriver();
        test.Input.Batch("a", "b");
        test.Input.Batch("a");
        test.Input.Batch("b", "c");
        test.RunToEnd();

        // The window of 3s sliding every 2s, and the stages below it, at 2s and at the end (3s: batches 1-3).
        Assert.Equal(["2000: 3", "3000: 5"], Show(test.Counts));
        Assert.Equal(["2000: a b a", "3000: a b a b c"], Show(test.Texts));
        Assert.Equal(["2000: 2", "3000: 3"], Show(test.KeyCounts));
    }

    [Fact]
    public void RunToEnd_NothingUnreported_NoExtraEmission()
    {
        // Records only up to the slide at 2s; the input ends at 3 with an empty batch: the window's records were
        // all reported at 2s.
        using var test = new SparkInts.TestDriver();
        test.Input.Batches([[1], [2], []]);
        test.RunToEnd();

        Assert.Equal(["2000: 1,2"], Show(test.TumblingOut));
        Assert.Equal(["2000: 1,2"], Show(test.LargerOut));
    }

    [Fact]
    public void Run_WithoutTheEnd_ReportsOnlyAtSlides()
    {
        using var test = new SparkInts.TestDriver();
        test.Input.Batches([[1], [2], [3]]);
        test.Run();

        Assert.Equal(["2000: 1,2"], Show(test.TumblingOut));
    }

    [Fact]
    public async Task Stop_BetweenTwoSlides_DoesNotFlushTheWindows()
    {
        // The same batches through the batch protocol directly: the last one ends the run by a stop, not by the end of
        // the input, so the windows are not flushed (a checkpoint may resume them).
        var tumbling = new RecordCapture<int>("TumblingOut");
        global::Compiled.Sinks.Sink[] sinks = [new RecordCapture<int>("BasicOut"), tumbling, new RecordCapture<int>("LargerOut"), new RecordCapture<int>("NonOverlappingOut"), new RecordCapture<long>("CountOut")];
        var context = new JobContext([FramingOptions.Default], [new SourceCounters()], sinks);
        using PipelineJob job = SparkInts.Definition.CreateJob(context);
        var coordinator = new BatchCoordinator(job, context);
        for (int batch = 1; batch <= 3; batch++)
        {
            coordinator.Begin(batch * 1000L);
            job.Process(0, new System.Buffers.ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes($"{batch}\n")), isCompleted: false);
            await coordinator.CompleteAsync(batch == 3 ? BatchEnd.Stop : BatchEnd.Running, TestContext.Current.CancellationToken);
        }

        Assert.Equal(["2000: 1,2"], Show(tumbling.Output));
    }

    private static string[] Show<T>(TestOutput<T> output) =>
        [.. output.Batches.Select(b => $"{b.Time}: {string.Join(typeof(T) == typeof(string) ? " " : ",", b.Records)}")];
}
