// Shared by the test projects (linked into each): runs a pipeline on a fake clock.
using Compiled.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Shared;

/// <summary>Runs a pipeline on a fake clock.</summary>
internal static class FakeClockRun
{
    /// <summary>
    /// A fake clock at the start of the interval of batch <paramref name="firstBatch"/>, so that a run started on it
    /// has <paramref name="firstBatch"/> as its first batch number (a batch's number is its time ÷ the interval): a
    /// test whose windows depend on where the run starts says so with this.
    /// </summary>
    public static FakeTimeProvider StartingAtBatch(long firstBatch, TimeSpan interval) =>
        new(DateTimeOffset.UnixEpoch + (interval * (firstBatch - 1)));

    /// <summary>
    /// Runs a pipeline over a bounded input: when the input has ended and the last batch waits for its time,
    /// moves the clock one interval on, and waits for the run to end. All of the input lands in one batch.
    /// </summary>
    public static async Task RunToEndAsync(this PipelineRun run, FakeTimeProvider clock)
    {
        Task running = run.RunAsync(TestContext.Current.CancellationToken);
        await run.FinishAsync(clock, running);
    }

    /// <summary>Once a run is finishing (input ended or stopped), moves the clock past its last batch and waits for it.</summary>
    public static async Task FinishAsync(this PipelineRun run, FakeTimeProvider clock, Task running)
    {
        DateTime giveUp = DateTime.UtcNow.AddSeconds(30);
        while (run.State != PipelineRunState.Finishing && !running.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < giveUp, "The pipeline did not finish its input in time.");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        clock.Advance(run.BatchInterval);
        await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }
}
