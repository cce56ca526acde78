namespace Compiled.Hosting;

/// <summary>
/// Everything the runtime needs to know about a compiled pipeline: its name, batch interval, sources and
/// sinks with their defaults, and a factory for its generated job. The generator creates one per
/// <c>[Pipeline]</c> class as its static <c>Definition</c> property.
/// </summary>
public sealed class PipelineDefinition
{
    private readonly Func<JobContext, PipelineJob> _createJob;

    /// <summary>Creates a definition (the generator does this).</summary>
    public PipelineDefinition(
        string name,
        TimeSpan batchInterval,
        string plan,
        IReadOnlyList<SourceDeclaration> sources,
        IReadOnlyList<SinkDeclaration> sinks,
        Func<JobContext, PipelineJob> createJob,
        IReadOnlyList<WindowDeclaration>? windows = null,
        StateLayout? stateLayout = null,
        string? checkpoint = null,
        IReadOnlyList<string>? checkpointProblems = null,
        int maxParallelism = 1,
        string? singlePartitionReason = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(batchInterval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(createJob);
        Name = name;
        BatchInterval = batchInterval;
        Plan = plan;
        Sources = sources;
        Sinks = sinks;
        Windows = windows ?? [];
        StateLayout = stateLayout ?? new StateLayout(batchInterval, []);
        Checkpoint = checkpoint;
        CheckpointProblems = checkpointProblems ?? [];
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallelism, 1);
        MaxParallelism = maxParallelism;
        SinglePartitionReason = maxParallelism > 1 ? null : singlePartitionReason ?? "its job was not compiled with partitions";
        _createJob = createJob;
    }

    /// <summary>
    /// The most partitions the pipeline can run on: <see cref="int.MaxValue"/> when its per-record part ends in keyed
    /// tables or counts that merge at the batch boundary (its job creates partitions, <see cref="PipelineJob.CreatePartition"/>),
    /// 1 otherwise, with <see cref="SinglePartitionReason"/> saying why.
    /// </summary>
    public int MaxParallelism { get; }

    /// <summary>Why the pipeline runs on one partition whatever <see cref="PipelineRunOptions.Parallelism"/> asks; <see langword="null"/> when it can run on more.</summary>
    public string? SinglePartitionReason { get; }

    /// <summary>The checkpoint directory the pipeline declares (<c>[Pipeline(Checkpoint = ...)]</c>), or <see langword="null"/>.</summary>
    public string? Checkpoint { get; }

    /// <summary>
    /// Why a checkpoint cannot hold this pipeline's state, one message per stage whose key, value or state type it
    /// cannot write (the build warned of each); empty when it can. A run given a checkpoint refuses to start with them.
    /// </summary>
    public IReadOnlyList<string> CheckpointProblems { get; }

    /// <summary>The windowed stages: their length and slide, which the batch interval must divide.</summary>
    public IReadOnlyList<WindowDeclaration> Windows { get; }

    /// <summary>
    /// The layout of the pipeline's state at its declared batch interval: the stages that keep state across
    /// batches, which a checkpoint must match. <c>StateLayout.For(interval)</c> gives a run's layout.
    /// </summary>
    public StateLayout StateLayout { get; }

    /// <summary>
    /// Checks that <paramref name="interval"/> divides every window's length and slide, as Spark requires;
    /// the declared interval was checked at build time, an interval given at run time is checked here.
    /// </summary>
    /// <exception cref="BatchIntervalException">It does not.</exception>
    public void CheckBatchInterval(TimeSpan interval)
    {
        long ms = (long)interval.TotalMilliseconds;
        foreach (WindowDeclaration window in Windows)
        {
            if (window.LengthMilliseconds % ms != 0 || window.SlideMilliseconds % ms != 0)
            {
                throw new BatchIntervalException(
                    $"the batch interval {Internal.DurationText.Format(interval)} does not divide the window of stage '{window.Stage}' " +
                    $"(length {Internal.DurationText.Format(TimeSpan.FromMilliseconds(window.LengthMilliseconds))}, slide {Internal.DurationText.Format(TimeSpan.FromMilliseconds(window.SlideMilliseconds))}); " +
                    "choose an interval that divides both (--batch-interval on the command line, the batchInterval of a test driver), or leave it out to use the pipeline's own");
            }
        }
    }

    /// <summary>The pipeline's name: its class name.</summary>
    public string Name { get; }

    /// <summary>The batch interval declared in <c>[Pipeline(BatchInterval = ...)]</c>.</summary>
    public TimeSpan BatchInterval { get; }

    /// <summary>The stages in a line of text: <c>Input (lines) → [FlatMap] Words → ... → [Sink] Output</c>.</summary>
    public string Plan { get; }

    /// <summary>The sources, in declaration order.</summary>
    public IReadOnlyList<SourceDeclaration> Sources { get; }

    /// <summary>The sinks, in declaration order.</summary>
    public IReadOnlyList<SinkDeclaration> Sinks { get; }

    /// <summary>Creates a fresh job: the fused loop and its per-batch state, writing to <paramref name="context"/>'s sinks.</summary>
    public PipelineJob CreateJob(JobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Sinks.Count != Sinks.Count || context.Framing.Count != Sources.Count)
        {
            throw new ArgumentException(
                $"Pipeline '{Name}' has {Sources.Count} source(s) and {Sinks.Count} sink(s), but the context binds {context.Framing.Count} and {context.Sinks.Count}.",
                nameof(context));
        }

        if (context.BatchInterval == TimeSpan.Zero)
        {
            context.BatchInterval = BatchInterval;
        }

        CheckBatchInterval(context.BatchInterval);
        PipelineJob job = _createJob(context);
        job.Declare(Sinks, context.BatchInterval);
        return job;
    }
}

/// <summary>A windowed stage of a pipeline: the window's length and slide, multiples of the batch interval.</summary>
/// <param name="Stage">The stage's name.</param>
/// <param name="LengthMilliseconds">The window's length.</param>
/// <param name="SlideMilliseconds">How often the window emits.</param>
public sealed record WindowDeclaration(string Stage, long LengthMilliseconds, long SlideMilliseconds);

/// <summary>A batch interval that does not divide a window's length or slide.</summary>
public sealed class BatchIntervalException : ArgumentException
{
    /// <summary>Creates the exception with a message that says what to write instead.</summary>
    public BatchIntervalException(string message)
        : base(message)
    {
    }
}
