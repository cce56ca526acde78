using Compiled.Checkpoints;

namespace Compiled.Tests.Checkpoints;

/// <summary>
/// A checkpoint taken by one version of a pipeline, resumed by another, as after a deploy: a change that leaves the
/// state alone resumes and goes on where the old version stopped; each change to the state is refused, naming what
/// changed and the ways on.
/// </summary>
public class LayoutCompatibilityTests
{
    // Two batches of the original: "a" three times, "b" once.
    private static byte[] OriginalCheckpoint(TimeSpan? interval = null)
    {
        using var original = new Original.Totals.TestDriver(interval);
        original.Input.Batch("a", "b", "a").Batch("a");
        original.Run();
        return original.Checkpoint();
    }

    [Fact]
    public void StatelessChange_Resumes_WithTheTotalsAndTheWindowAsTheyWere()
    {
        byte[] checkpoint = OriginalCheckpoint();
        using var changed = new StatelessChange.Totals.TestDriver();
        changed.Restore(checkpoint);
        changed.Input.Batch("a", "#comment", "c");
        changed.Run();

        // Batch 3 follows the checkpoint's batch 2: the totals go on from 3 and 1, and the three-second window still
        // holds batches 1 and 2.
        var totals = Assert.Single(changed.Totalled.Batches);
        Assert.Equal(3000, totals.Time);
        Assert.Equal([("a", 4L), ("b", 1L), ("c", 1L)], totals.Records.OrderBy(r => r.Key, StringComparer.Ordinal));
        var window = Assert.Single(changed.Windowed.Batches);
        Assert.Equal([("a", 4L), ("b", 1L), ("c", 1L)], window.Records.OrderBy(r => r.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void StateTypeChange_IsRefused_NamingTheStageAndBothTypes()
    {
        byte[] checkpoint = OriginalCheckpoint();
        using var changed = new StateTypeChange.Totals.TestDriver();
        var e = Assert.Throws<CheckpointIncompatibleException>(() => changed.Restore(checkpoint));
        Assert.Contains("stage 'Total': its value type changed from 'long' to 'int'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Either start with a new checkpoint directory (the state starts empty), or keep the old layout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WindowLengthChange_IsRefused_InBatches()
    {
        byte[] checkpoint = OriginalCheckpoint();
        using var changed = new LongerWindow.Totals.TestDriver();
        var e = Assert.Throws<CheckpointIncompatibleException>(() => changed.Restore(checkpoint));
        Assert.Contains("stage 'Recent': its window length changed from 3 to 4 batches", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenamedStage_IsRefused_SayingItLooksLikeARename()
    {
        byte[] checkpoint = OriginalCheckpoint();
        using var changed = new Renamed.Totals.TestDriver();
        var e = Assert.Throws<CheckpointIncompatibleException>(() => changed.Restore(checkpoint));
        Assert.Contains("if 'RunningTotal' is 'Total' renamed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BatchIntervalChange_UnderAWindow_IsRefused()
    {
        byte[] checkpoint = OriginalCheckpoint();
        using var faster = new Original.Totals.TestDriver(TimeSpan.FromMilliseconds(500));
        var e = Assert.Throws<CheckpointIncompatibleException>(() => faster.Restore(checkpoint));
        Assert.Contains("the batch interval changed from 1s to 500ms", e.Message, StringComparison.Ordinal);
        Assert.Contains("run with --batch-interval 1s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherPipelinesCheckpoint_IsRefused()
    {
        using var other = new Compiled.Tests.State.RunningWordCount.TestDriver();
        other.Input.Batch("a");
        other.Run();
        byte[] checkpoint = other.Checkpoint();

        using var totals = new Original.Totals.TestDriver();
        var e = Assert.Throws<CheckpointCorruptException>(() => totals.Restore(checkpoint));
        Assert.Equal(CheckpointProblem.ForeignPipeline, e.Problem);
    }

    [Fact]
    public void DamagedCheckpoint_IsRefused_AndNothingIsRestored()
    {
        byte[] checkpoint = OriginalCheckpoint();
        checkpoint[checkpoint.Length / 2] ^= 0x01;
        using var driver = new Original.Totals.TestDriver();
        var e = Assert.Throws<CheckpointCorruptException>(() => driver.Restore(checkpoint));
        Assert.Equal(CheckpointProblem.ChecksumMismatch, e.Problem);

        // Nothing was half-loaded: the driver runs from an empty state, as batch 1.
        driver.Input.Batch("a");
        driver.Run();
        Assert.Equal([("a", 1L)], driver.Totalled.Batches.Single().Records);
        Assert.Equal(1000, driver.Totalled.Batches.Single().Time);
    }
}
