namespace Compiled;

/// <summary>
/// Marks a <c>partial</c> class as a pipeline. Its attributed methods are the stages; at build time the
/// generator fuses them into one loop per source and adds <c>Definition</c> and <c>RunAsync</c> to the class.
/// </summary>
/// <example>
/// <code>
/// [Pipeline(BatchInterval = "1s")]
/// public static partial class WordCount { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class PipelineAttribute : Attribute
{
    /// <summary>
    /// The micro-batch interval: a whole number and a unit, <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c>
    /// (<c>500ms</c>, <c>1s</c>, <c>2m</c>). The command line's <c>--batch-interval</c> overrides it.
    /// </summary>
    public string BatchInterval { get; set; } = "1s";

    /// <summary>
    /// The checkpoint directory the pipeline keeps by default (absolute, or relative to the current directory): each
    /// completed batch records its source positions and the state after it there, and a restart resumes from the
    /// last complete batch. The command line's <c>--checkpoint</c> overrides it; unset, a run keeps no checkpoint
    /// unless given one.
    /// </summary>
    public string? Checkpoint { get; set; }

    /// <summary>
    /// What an exception thrown by a <c>[Map]</c>, <c>[Filter]</c> or <c>[FlatMap]</c> on one record does, for each such
    /// stage that does not say (<see cref="RecordStageAttribute.OnError"/>): <see cref="BadRecordPolicy.Fail"/> (the default),
    /// <see cref="BadRecordPolicy.Skip"/> or <see cref="BadRecordPolicy.DeadLetter"/>. The command line's
    /// <c>--on-error</c> overrides it.
    /// </summary>
    public BadRecordPolicy OnError { get; set; } = BadRecordPolicy.Fail;
}
