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
        Func<JobContext, PipelineJob> createJob)
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
        _createJob = createJob;
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

        return _createJob(context);
    }
}
