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
    /// <param name="ReplayedUnions">
    /// The unions whose second stream's records of a batch are kept and replayed below the union at the batch's
    /// boundary, before any boundary segment, so that they follow the first stream's as in Spark.
    /// </param>
    /// <param name="Storage">What each stage that keeps anything in the job keeps, and for how long, in declaration order.</param>
    /// <param name="Text">The plan as one line, each sink's path from its source: <c>Input (lines) → [FlatMap] Words → [Sink] Output</c>.</param>
    internal sealed record PhysicalPlan(
        PipelineModel Model,
        EquatableArray<LoopSegment> Loops,
        EquatableArray<BoundarySegment> Boundaries,
        EquatableArray<SinkPlan> Sinks,
        EquatableArray<int> ReplayedUnions,
        EquatableArray<StageStorage> Storage,
        string Text);

    /// <summary>How long what a stage keeps in the job lives.</summary>
    internal enum StorageLifetime
    {
        /// <summary>Set once when the job is bound: a source's framer and counters.</summary>
        Bound,

        /// <summary>Filled during a batch and emptied at its end: a keyed table, a whole-batch stage's records, a union's kept records.</summary>
        PerBatch,

        /// <summary>Carried from batch to batch: a window, a state store, a watermark, event-time windows and sessions. What a checkpoint holds.</summary>
        CrossBatch,

        /// <summary>A sink the job writes to.</summary>
        Sink,
    }

    /// <summary>What one stage keeps in the job, and for how long.</summary>
    /// <param name="Stage">The stage's index in <see cref="PipelineModel.Stages"/>.</param>
    /// <param name="Lifetime">How long it lives.</param>
    internal sealed record StageStorage(int Stage, StorageLifetime Lifetime);

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
    /// <param name="GatedBy">
    /// For a keyed table or whole-batch stage below a window, that window's index: the stage sees the window's records,
    /// and runs, only at the batches at which the window emits. -1 for a stage that runs at every batch.
    /// </param>
    internal sealed record BoundarySegment(int Stage, BoundaryRole Role, long? SlideMilliseconds, EquatableArray<int> Stages, int GatedBy = -1)
    {
        /// <summary>Whether the stage keeps state from batch to batch (what a checkpoint must hold).</summary>
        public bool KeepsState => Role is BoundaryRole.Window or BoundaryRole.State or BoundaryRole.EventTime;
    }

    /// <summary>Which batches a sink receives.</summary>
    /// <param name="Stage">The sink's index in <see cref="PipelineModel.Stages"/>.</param>
    /// <param name="Sink">Its index among the sinks (the job's and the declaration's order).</param>
    /// <param name="SlideMilliseconds">Every batch (<see langword="null"/>), or only every slide of the window its stream comes from.</param>
    /// <param name="Window">The window its stream comes from: it receives the batches at which that window emits. -1 for none.</param>
    internal sealed record SinkPlan(int Stage, int Sink, long? SlideMilliseconds, int Window = -1);
}
