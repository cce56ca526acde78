using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        /// <summary>
        /// Lowers a parsed pipeline to its physical plan: which stages each source's fused loop runs per record, which
        /// run at the batch boundary (and how often), and which batches each sink receives. Pure: the same model always
        /// gives an equal plan, so the incremental pipeline caches it.
        /// </summary>
        internal static class Lowering
        {
            /// <summary>Makes the plan of <paramref name="model"/>.</summary>
            public static PhysicalPlan Lower(PipelineModel model, CancellationToken cancellationToken = default)
            {
                var loops = new List<LoopSegment>();
                if (model.HasErrors)
                {
                    // Only stand-ins for the partial members are emitted: a broken pipeline has no plan to run.
                    return new PhysicalPlan(
                        model, EquatableArray<LoopSegment>.Empty, EquatableArray<BoundarySegment>.Empty, EquatableArray<SinkPlan>.Empty,
                        EquatableArray<int>.Empty, EquatableArray<StageStorage>.Empty, "");
                }

                var boundaries = new List<BoundarySegment>();
                var sinks = new List<SinkPlan>();
                for (int i = 0; i < model.Stages.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    StageModel stage = model.Stages[i];
                    if (stage.Kind == StageKind.Source)
                    {
                        List<int> reached = Reach(model, i);
                        loops.Add(new LoopSegment(
                            i,
                            new EquatableArray<int>(reached.ToArray()),
                            new EquatableArray<int>(reached.Where(s => !RunsInline(model.Stages[s])).ToArray())));
                    }

                    if (IsBoundaryStage(stage))
                    {
                        BoundaryRole role = RoleOf(stage);
                        int gatedBy = role is BoundaryRole.KeyedTable or BoundaryRole.BatchFunction ? WindowAbove(model, i) : -1;
                        boundaries.Add(new BoundarySegment(i, role, SlideOf(model, i), new EquatableArray<int>(Reach(model, i).ToArray()), gatedBy));
                    }

                    if (stage.Kind == StageKind.Sink)
                    {
                        sinks.Add(new SinkPlan(i, sinks.Count, SlideOf(model, i), WindowAbove(model, i)));
                    }
                }

                var replayed = new List<int>();
                var storage = new List<StageStorage>();
                for (int i = 0; i < model.Stages.Count; i++)
                {
                    StageModel stage = model.Stages[i];
                    if (IsReplayedUnion(model, loops, i))
                    {
                        replayed.Add(i);
                    }

                    StorageLifetime? lifetime = stage.Kind switch
                    {
                        StageKind.Source => StorageLifetime.Bound,
                        StageKind.Sink => StorageLifetime.Sink,
                        _ when IsBoundaryStage(stage) => RoleOf(stage) is BoundaryRole.KeyedTable or BoundaryRole.BatchFunction
                            ? StorageLifetime.PerBatch
                            : StorageLifetime.CrossBatch,
                        _ when replayed.Contains(i) => StorageLifetime.PerBatch,
                        _ => null,
                    };
                    if (lifetime is { } kept)
                    {
                        storage.Add(new StageStorage(i, kept));
                    }
                }

                return new PhysicalPlan(
                    model,
                    new EquatableArray<LoopSegment>(loops.ToArray()),
                    new EquatableArray<BoundarySegment>(boundaries.ToArray()),
                    new EquatableArray<SinkPlan>(sinks.ToArray()),
                    new EquatableArray<int>(replayed.ToArray()),
                    new EquatableArray<StageStorage>(storage.ToArray()),
                    Describe(model));
            }

            /// <summary>
            /// Whether a union keeps its second stream's records of a batch for the boundary, so that they follow the
            /// first stream's as in Spark: both inputs come from one source's fused loop, the order shows below the union,
            /// and the records can be kept (not a ref struct other than a byte span or a keyed byte record).
            /// </summary>
            private static bool IsReplayedUnion(PipelineModel model, List<LoopSegment> loops, int index)
            {
                StageModel stage = model.Stages[index];
                if (stage.Kind != StageKind.Union || stage.Output is not { } output
                    || (output.Type.IsRefLike && output.Shape is not (RecordShape.Bytes or RecordShape.KeyValue)))
                {
                    return false;
                }

                return loops.Any(loop => InLoopOf(model, loop, stage.Input) && InLoopOf(model, loop, stage.Other)) && OrderShowsBelow(model, index);
            }

            // Whether a stage emits its records in a source's fused loop: it is the source, or the loop reaches it and runs it inline.
            private static bool InLoopOf(PipelineModel model, LoopSegment loop, int stage) =>
                loop.Source == stage || (RunsInline(model.Stages[stage]) && loop.Stages.Contains(stage));

            // Whether the order of a stage's records of a batch can be seen below it: a sink, a whole-batch function,
            // a [Window] (it keeps the records in order), a [MapWithState] (a key's records update its state in
            // order), or the late sink of an [EventTime] stage, reached through per-record stages. Keyed and
            // reducing aggregates are not: Spark promises them no order (its reduce functions are commutative, its
            // groups' values unordered), so a union above them needs no buffer.
            private static bool OrderShowsBelow(PipelineModel model, int index)
            {
                foreach (int child in ChildrenOf(model, index))
                {
                    StageModel stage = model.Stages[child];
                    bool shows = stage.Kind switch
                    {
                        StageKind.Sink or StageKind.Transform or StageKind.TransformWith or StageKind.ForEachBatch
                            or StageKind.Window or StageKind.MapWithState => true,
                        StageKind.EventTime => stage.Time!.LateSink >= 0 || OrderShowsBelow(model, child),
                        StageKind.Map or StageKind.Filter or StageKind.FlatMap or StageKind.MapValues or StageKind.FlatMapValues
                            or StageKind.Union => OrderShowsBelow(model, child),
                        _ => false,
                    };
                    if (shows)
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// Whether a stage keeps what it receives until the batch boundary (a table, a window, a state store, an
            /// event-time window or watermark, a whole-batch function) rather than passing each record on in the loop.
            /// An [EventTime] stage and a [MapWithState] are both: per record in the loop, and at the boundary.
            /// </summary>
            public static bool IsBoundaryStage(StageModel stage) =>
                IsBatchKind(stage.Kind) || stage.Window is not null || stage.State is not null || stage.Time is not null;

            /// <summary>Whether a stage of this kind collects the batch's records and runs at its end.</summary>
            public static bool IsBatchKind(StageKind kind) =>
                kind is StageKind.ReduceByKey or StageKind.CountByValue or StageKind.CombineByKey or StageKind.Count or StageKind.Reduce
                    or StageKind.GroupByKey or StageKind.Join or StageKind.LeftOuterJoin or StageKind.RightOuterJoin or StageKind.FullOuterJoin
                    or StageKind.Cogroup or StageKind.Transform or StageKind.TransformWith or StageKind.ForEachBatch;

            /// <summary>
            /// Whether a loop (or a boundary's emission) that reaches this stage runs it inline and goes on below it; a
            /// stage that collects until the boundary, and a sink, end the segment.
            /// </summary>
            public static bool RunsInline(StageModel stage) =>
                !IsBatchKind(stage.Kind)
                && stage.Kind is not (StageKind.Sink or StageKind.UpdateStateByKey or StageKind.EventWindow or StageKind.SessionWindow)
                && stage.Window is null;

            /// <summary>The stages that read stage <paramref name="index"/>'s records (as first or second input), in declaration order; a late-record sink is not one.</summary>
            public static IEnumerable<int> ChildrenOf(PipelineModel model, int index)
            {
                for (int i = 0; i < model.Stages.Count; i++)
                {
                    StageModel stage = model.Stages[i];
                    if ((stage.Input == index || stage.Other == index) && stage.Kind != StageKind.Source && !stage.LateOnly)
                    {
                        yield return i;
                    }
                }
            }

            /// <summary>
            /// For a windowed stage, or a stage below one, the slide of the nearest window above it (itself included):
            /// the stage emits, and a sink receives a batch, only every slide. <see langword="null"/> for every batch.
            /// </summary>
            public static long? SlideOf(PipelineModel model, int index) =>
                WindowAbove(model, index) is >= 0 and int window ? model.Stages[window].Window!.SlideMilliseconds : null;

            /// <summary>The nearest windowed stage above stage <paramref name="index"/> along its first inputs, itself included; -1 for none.</summary>
            public static int WindowAbove(PipelineModel model, int index)
            {
                for (int current = index; current >= 0; current = model.Stages[current].Input)
                {
                    if (model.Stages[current].Window is not null)
                    {
                        return current;
                    }
                }

                return -1;
            }

            // The stages below 'from' that run with it, depth first in declaration order, as the emitter nests them: each
            // child is reached; only a child that runs inline is gone below.
            private static List<int> Reach(PipelineModel model, int from)
            {
                var reached = new List<int>();
                Visit(from);
                return reached;

                void Visit(int parent)
                {
                    foreach (int child in ChildrenOf(model, parent))
                    {
                        reached.Add(child);
                        if (RunsInline(model.Stages[child]))
                        {
                            Visit(child);
                        }
                    }
                }
            }

            private static BoundaryRole RoleOf(StageModel stage) =>
                stage.Time is not null ? BoundaryRole.EventTime
                : stage.State is not null ? BoundaryRole.State
                : stage.Window is not null ? BoundaryRole.Window
                : stage.Kind is StageKind.ReduceByKey or StageKind.CountByValue or StageKind.CombineByKey ? BoundaryRole.KeyedTable
                : BoundaryRole.BatchFunction;

            // Each sink's path from its source: "Input (lines) → [FlatMap] Words → [Sink] Output", joined by "; ".
            private static string Describe(PipelineModel model)
            {
                var paths = new List<string>();
                foreach (StageModel sink in model.Stages.Where(s => s.Kind == StageKind.Sink))
                {
                    var path = new List<string>();
                    for (StageModel? stage = sink; stage is not null; stage = stage.Input >= 0 ? model.Stages[stage.Input] : null)
                    {
                        path.Insert(0, stage.Kind == StageKind.Source ? $"{stage.Name} ({stage.Format})"
                            : stage.Other >= 0 ? $"[{stage.Kind}] {stage.Name} (with {model.Stages[stage.Other].Name})"
                            : $"[{stage.Kind}] {stage.Name}");
                    }

                    paths.Add(string.Join(" → ", path));
                }

                return string.Join("; ", paths);
            }
        }
    }
}
