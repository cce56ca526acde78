using Compiled.Tests.Windows;

namespace Compiled.Tests.JobState;

/// <summary>Strings kept across batches (the records of a window, a window's reduced value) are written to a checkpoint as UTF-8 and resume.</summary>
public class StringResumeTests
{
    private static readonly string[][] Batches = [["a", "b"], ["c"], [], ["d", "é", "日本"], ["g"], [], []];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void ReduceByWindow_OfStrings_ResumesAsIfUninterrupted(int stopAfter) =>
        Resume.AssertResumesAsIfUninterrupted(
            () => new ConcatWindow.TestDriver(),
            (driver, i) => driver.Input.Batch(Batches[i]),
            driver => Emitted.Of("Output", driver.Output),
            Batches.Length,
            stopAfter);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void WindowOfStrings_ResumesAsIfUninterrupted(int stopAfter) =>
        Resume.AssertResumesAsIfUninterrupted(
            () => new BelowWindow.TestDriver(),
            (driver, i) => driver.Input.Batch(Batches[i]),
            driver => Emitted.Of("Counts", driver.Counts),
            Batches.Length,
            stopAfter);

    [Fact]
    public void StringPipelines_HaveNoCheckpointProblems()
    {
        Assert.Empty(ConcatWindow.Definition.CheckpointProblems);
        Assert.Empty(BelowWindow.Definition.CheckpointProblems);
    }
}
