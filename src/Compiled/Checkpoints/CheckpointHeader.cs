namespace Compiled.Checkpoints;

/// <summary>What a checkpoint file says about itself: whose it is, which state layout, which batch.</summary>
/// <param name="PipelineName">The pipeline that wrote the checkpoint; a directory refuses another pipeline's file.</param>
/// <param name="LayoutFingerprint">
/// The 64-bit fingerprint of the pipeline's state layout the caller gave when writing; the caller compares it with
/// its own before restoring, because only it can say what changed.
/// </param>
/// <param name="BatchNumber">The number of the batch whose state the checkpoint holds (the file is named for it).</param>
/// <param name="BatchTime">The batch's time, in Unix milliseconds.</param>
public readonly record struct CheckpointHeader(string PipelineName, ulong LayoutFingerprint, long BatchNumber, long BatchTime);
