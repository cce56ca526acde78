namespace Compiled.Tests.JobState;

/// <summary>
/// What the generator puts into a pipeline's definition for checkpoints: the directory <c>[Pipeline(Checkpoint = ...)]</c>
/// declares, and, for a state a checkpoint cannot write, the build's CMP0035 message, which a run given a checkpoint
/// refuses with.
/// </summary>
public class CheckpointSettingsTests
{
    [Fact]
    public void PipelineAttribute_Checkpoint_IsTheDefinitionsCheckpoint()
    {
        Assert.Equal("state/totals", DeclaresCheckpoint.Definition.Checkpoint);
        Assert.Null(Compiled.Tests.State.WordTotals.Definition.Checkpoint);
    }

    [Fact]
    public void WritableState_HasNoCheckpointProblems() => Assert.Empty(DeclaresCheckpoint.Definition.CheckpointProblems);

    [Fact]
    public void UnwritableState_IsACheckpointProblem_InTheBuildsWords()
    {
        string problem = Assert.Single(KeepsAString.Definition.CheckpointProblems);
        Assert.Equal(
            "Stage 'Last' keeps state of type 'LastName', which a checkpoint cannot write: make 'LastName' an unmanaged struct (no reference fields) or a tuple or struct of numbers and strings whose members can be set (a record struct), or implement Compiled.Checkpoints.ICheckpointValue<LastName>; without that, the pipeline runs but refuses --checkpoint",
            problem);
    }

    [Fact]
    public void UnwritableState_StillRuns()
    {
        using var test = new KeepsAString.TestDriver();
        test.Input.Batch((1, "ann"), (1, "anna"));
        test.Run();
        Assert.Equal([(1, new LastName("anna", 2, null))], test.Output.Batches[0].Records);
    }
}
