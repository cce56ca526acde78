namespace Compiled.Checkpoints;

/// <summary>
/// A checkpoint file is truncated, damaged, of an unknown format version or of another pipeline. Nothing of it was
/// loaded. The message names the file, what is wrong, and what to do.
/// </summary>
public sealed class CheckpointCorruptException : Exception
{
    /// <summary>Creates the exception for the file at <paramref name="path"/>.</summary>
    /// <param name="path">The file (or, for a checkpoint held in memory, its origin).</param>
    /// <param name="problem">What kind of fault it is.</param>
    /// <param name="detail">What exactly is wrong, as a sentence fragment after "Checkpoint file 'path' ".</param>
    /// <param name="advice">What to do about it; a sentence.</param>
    /// <param name="inner">The exception that revealed it, if any.</param>
    public CheckpointCorruptException(string path, CheckpointProblem problem, string detail, string? advice = null, Exception? inner = null)
        : base($"Checkpoint file '{path}' {detail}. {advice ?? DefaultAdvice(problem)}", inner)
    {
        Path = path;
        Problem = problem;
        Detail = detail;
    }

    /// <summary>The file that could not be loaded.</summary>
    public string Path { get; }

    /// <summary>What kind of fault it is.</summary>
    public CheckpointProblem Problem { get; }

    /// <summary>What exactly is wrong, without the advice.</summary>
    public string Detail { get; }

    private static string DefaultAdvice(CheckpointProblem problem) => problem switch
    {
        CheckpointProblem.ForeignPipeline =>
            "Give each pipeline its own checkpoint directory: point --checkpoint at a new directory, or move the file away.",
        CheckpointProblem.UnsupportedVersion =>
            "Run the Compiled version that wrote it, or start with a new checkpoint directory.",
        _ => "Move the file out of the checkpoint directory to resume from an older checkpoint, or start with a new checkpoint directory.",
    };
}
