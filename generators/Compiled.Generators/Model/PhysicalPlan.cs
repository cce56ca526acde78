using Compiled.Generators.Helpers;

namespace Compiled.Generators.Model
{
    /// <summary>
    /// What a pipeline compiles to, as plain values: the stages each source's fused loop runs per record, the
    /// stages that run at the batch boundary and how often, and which batches each sink receives. The lowering
    /// step makes it from a <see cref="PipelineModel"/>; the emitter walks it.
    /// </summary>
    /// <param name="Model">The parsed pipeline the plan was lowered from.</param>
    /// <param name="Loops">One fused loop per source, in declaration order.</param>
    /// <param name="Boundaries">The stages that run at the batch boundary, in the order the job completes them (declaration order).</param>
    /// <param name="Sinks">One entry per sink, in declaration order.</param>
    /// <param name="Text">The plan as one line, each sink's path from its source: <c>Input (lines) → [FlatMap] Words → [Sink] Output</c>.</param>
    internal sealed record PhysicalPlan(
        PipelineModel Model,
        EquatableArray<LoopSegment> Loops,
        EquatableArray<BoundarySegment> Boundaries,
        EquatableArray<SinkPlan> Sinks,
        string Text);

    /// <summary>One source's fused loop.</summary>
    /// <param name="Source">The source's index in <see cref="PipelineModel.Stages"/>.</param>
    /// <param name="Stages">
    /// Every stage the loop reaches per record, in the order it reaches them: the per-record stages and, where the loop
    /// stops, the first stage of each boundary segment or sink it hands records to (see <see cref="Handoffs"/>).
    /// </param>
    /// <param name="Handoffs">The stages of <see cref="Stages"/> at which the loop stops: boundary stages it collects into and sinks it writes to.</param>
    internal sealed record LoopSegment(int Source, EquatableArray<int> Stages, EquatableArray<int> Handoffs);

    /// <summary>What a boundary stage keeps and does at a batch's end.</summary>
    internal enum BoundaryRole
    {
        /// <summary>A per-batch keyed table ([ReduceByKey], [CountByValue], [CombineByKey]) scanned and cleared.</summary>
        KeyedTable,

        /// <summary>A whole-batch stage ([Count], [Reduce], [GroupByKey], joins, [Cogroup], [Transform], [TransformWith], [ForEachBatch]) over what the batch collected.</summary>
        BatchFunction,

        /// <summary>A window over the last batches ([Window], [ReduceByKeyAndWindow], [CountByWindow], ...): cross-batch state.</summary>
        Window,

        /// <summary>A state store ([UpdateStateByKey], [MapWithState]): cross-batch state.</summary>
        State,

        /// <summary>An event-time stage ([EventTime] watermark, [EventWindow], [SessionWindow]): cross-batch state.</summary>
        EventTime,
    }

    /// <summary>A stage that runs at the batch boundary, when, and the stages below it that run with it.</summary>
    /// <param name="Stage">The stage's index in <see cref="PipelineModel.Stages"/>.</param>
    /// <param name="Role">What it keeps and does.</param>
    /// <param name="SlideMilliseconds">
    /// How often it emits: every batch (<see langword="null"/>), or every slide of the window it is or reads from; a
    /// whole-batch stage below a window runs only at the window's slides, when the window emits.
    /// </param>
    /// <param name="Stages">The stages below it that its emission runs through before the next boundary or sink, in the order it reaches them.</param>
    internal sealed record BoundarySegment(int Stage, BoundaryRole Role, long? SlideMilliseconds, EquatableArray<int> Stages)
    {
        /// <summary>Whether the stage keeps state from batch to batch (what a checkpoint must hold).</summary>
        public bool KeepsState => Role is BoundaryRole.Window or BoundaryRole.State or BoundaryRole.EventTime;
    }

    /// <summary>Which batches a sink receives.</summary>
    /// <param name="Stage">The sink's index in <see cref="PipelineModel.Stages"/>.</param>
    /// <param name="Sink">Its index among the sinks (the job's and the declaration's order).</param>
    /// <param name="SlideMilliseconds">Every batch (<see langword="null"/>), or only every slide of the window its stream comes from.</param>
    internal sealed record SinkPlan(int Stage, int Sink, long? SlideMilliseconds);
}
