using System.Diagnostics;
using System.Text;
using Compiled.Batching;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Hosting;

/// <summary>A bounded input (a file, stdin) ends the run at once: its last batch is committed when the input ends, labelled with its interval's end.</summary>
public class EndOfInputTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    [Fact]
    public async Task File_CommitsTheLastBatchWhenTheInputEnds_LabelledWithTheEndOfItsInterval()
    {
        // The fake clock never moves: a run that waited for its last batch's time would never end.
        using var temp = new TempDirectory();
        string input = temp.Write("in.txt", "a b a\n");
        var clock = new FakeTimeProvider(Start);
        var options = new PipelineRunOptions { TimeProvider = clock, BatchInterval = TimeSpan.FromHours(1) };
        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);

        await run.RunToEndAsync(clock);

        long hourEnd = new DateTimeOffset(2026, 3, 1, 13, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        BatchProgress last = Assert.IsType<BatchProgress>(run.LastProgress);
        Assert.Equal((hourEnd, BatchEnd.EndOfInput, 1L), (last.Time, last.End, last.Records));
        Assert.Equal(1, run.BatchesCompleted);
        Assert.Equal(Start, clock.GetUtcNow());
        string file = Assert.Single(Directory.GetFiles(Path.Combine(temp.Path, "out")));
        Assert.Equal($"c-{hourEnd}.txt", Path.GetFileName(file));
        Assert.Equal(["(a,2)", "(b,1)"], File.ReadAllLines(file).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Stdin_CommitsTheLastBatchWhenTheInputEnds_LabelledWithTheEndOfItsInterval()
    {
        using var temp = new TempDirectory();
        var clock = new FakeTimeProvider(Start);
        var options = new PipelineRunOptions
        {
            TimeProvider = clock,
            BatchInterval = TimeSpan.FromMinutes(1),
            OpenStandardInput = () => new MemoryStream(Encoding.ASCII.GetBytes("x y\ny\n")),
        };
        options.SourceUris["Input"] = "stdin:";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);

        await run.RunToEndAsync(clock);

        long minuteEnd = new DateTimeOffset(2026, 3, 1, 12, 1, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        BatchProgress last = Assert.IsType<BatchProgress>(run.LastProgress);
        Assert.Equal((minuteEnd, BatchEnd.EndOfInput, 2L), (last.Time, last.End, last.Records));
        string file = Assert.Single(Directory.GetFiles(Path.Combine(temp.Path, "out")));
        Assert.Equal(["(x,1)", "(y,2)"], File.ReadAllLines(file).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task File_WithATenSecondInterval_OnTheRealClock_EndsWellBeforeTheInterval()
    {
        // The real clock, shifted so that the run starts just after an interval boundary: a run that waited for its
        // last batch's time would take about 10 s; one that commits at once takes milliseconds. 5 s leaves room for
        // a loaded machine without letting a wait for the batch time pass.
        using var temp = new TempDirectory();
        string input = temp.Write("in.txt", "a b\n");
        var interval = TimeSpan.FromSeconds(10);
        var clock = AlignedClock.JustAfterABoundary(interval);
        var options = new PipelineRunOptions { TimeProvider = clock, BatchInterval = interval };
        options.SourceUris["Input"] = "file://" + input;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/c?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);

        var elapsed = Stopwatch.StartNew();
        await run.RunAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        elapsed.Stop();

        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), $"The run took {elapsed.Elapsed.TotalSeconds:F1} s: it waited for its last batch's time instead of committing it when the file ended.");
        BatchProgress last = Assert.IsType<BatchProgress>(run.LastProgress);
        Assert.Equal(BatchEnd.EndOfInput, last.End);
        Assert.True(last.Time > clock.GetUtcNow().ToUnixTimeMilliseconds(), "The last batch keeps its label, the end of its interval, which lies ahead of the clock.");
    }

    // The system clock moved by a fixed offset so that its time, when created, lies 100 ms after a multiple of the
    // interval. Timers are the system's: they wait real time.
    private sealed class AlignedClock(TimeSpan offset) : TimeProvider
    {
        public static AlignedClock JustAfterABoundary(TimeSpan interval)
        {
            long now = System.GetUtcNow().ToUnixTimeMilliseconds();
            long intervalMs = (long)interval.TotalMilliseconds;
            long target = ((now / intervalMs) + 1) * intervalMs + 100;
            return new AlignedClock(TimeSpan.FromMilliseconds(target - now));
        }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
