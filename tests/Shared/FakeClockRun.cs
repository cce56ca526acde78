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
    /// Runs a pipeline over a bounded input on <paramref name="clock"/> and waits for the run to end, without moving
    /// the clock: the last batch is committed as soon as the input ends, so all of the input lands in one batch, and
    /// a run that waited for the clock to reach its batch time fails here.
    /// </summary>
    public static async Task RunToEndAsync(this PipelineRun run, FakeTimeProvider clock)
    {
        Task running = run.RunAsync(TestContext.Current.CancellationToken);
        await run.FinishAsync(clock, running);
    }

    /// <summary>
    /// Waits for a run whose input ends (or that is stopped) to end, without moving <paramref name="clock"/>: its last
    /// batch is committed at once, not when the clock reaches that batch's time.
    /// </summary>
    public static async Task FinishAsync(this PipelineRun run, FakeTimeProvider clock, Task running)
    {
        DateTimeOffset before = clock.GetUtcNow();
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The run did not end within 30 s with the clock at {before:O} (state {run.State}): after its input ends or a stop, a run commits its last batch at once, without waiting for the batch's time.");
        }
    }
}
