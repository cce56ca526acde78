using System.Collections.Generic;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            // A [Union] in a fused loop. Spark lists a union's records of a batch as the first stream's, then the second's.
            // Records of two sources arrive in separate loops, so they go on as they come. A union of two branches of
            // one source sees each source record's branches in declaration order, so where the order shows below it,
            // the second stream's records wait in a buffer for the batch boundary (EmitUnionReplay); where it does
            // not (keyed aggregates below), they go on at once. A union of a stream with itself passes each record twice.
            private static void EmitUnion(SourceWriter w, PipelineView pipeline, StageModel stage, string input, int parent)
            {
                int index = pipeline.IndexOf(stage);
                if (parent == stage.Input)
                {
                    EmitChildren(w, pipeline, index, input);
                }

                if (parent != stage.Other)
                {
                    return;
                }

                StageNames names = pipeline.NamesOf(stage);
                if (names.Field is not null && pipeline.CurrentSource is not null)
                {
                    w.Line($"// The second stream's record: kept, and emitted after the first stream's records of the batch.");
                    w.Line(stage.Output!.Shape == RecordShape.KeyValue
                        ? $"{names.Field}.Add({input}.Key, {input}.Value);"
                        : $"{names.Field}.Add({input});");
                }
                else
                {
                    EmitChildren(w, pipeline, index, input);
                }
            }

            // At the batch boundary, before any stage below completes its batch: a [Union]'s second stream's records
            // of the batch, in the order they came, through the stages below the union.
            private static void EmitUnionReplay(SourceWriter w, PipelineView pipeline, StageModel union)
            {
                StageNames n = pipeline.NamesOf(union);
                w.Line($"// [Union] {union.Name} ({union.Location}): the second stream's records of the batch, after the first's, as Spark lists them.");
                w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Field}.Count; {n.Index}++)");
                w.Line($"var {n.Local} = {n.Field}[{n.Index}];");
                EmitChildren(w, pipeline, pipeline.IndexOf(union), n.Local!);
                w.Close();
                w.Line($"{n.Field}.Clear();");
            }

            // A join of the batch: the left side's keys in the order first seen, then (outer joins, cogroup) the right
            // side's keys the left side lacks; for each key, every pair of values (or a value and null).
            private static void EmitJoin(SourceWriter w, PipelineView pipeline, StageModel stage)
            {
                StageNames n = pipeline.NamesOf(stage);
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                int index = pipeline.IndexOf(stage);
                RecordType left = pipeline.Model.Stages[stage.Input].Output!;
                RecordType right = pipeline.Model.Stages[stage.Other].Output!;
                bool keepLeft = stage.Kind is StageKind.LeftOuterJoin or StageKind.FullOuterJoin or StageKind.Cogroup;
                bool keepRight = stage.Kind is StageKind.RightOuterJoin or StageKind.FullOuterJoin or StageKind.Cogroup;
                string noLeft = $"default({left.Value!.Code}?)";
                string noRight = $"default({right.Value!.Code}?)";
                string what = stage.Kind switch
                {
                    StageKind.Join => "every pair of values of the keys on both sides",
                    StageKind.LeftOuterJoin => "every left value with each right value of its key, or with none",
                    StageKind.RightOuterJoin => "every right value with each left value of its key, or with none",
                    StageKind.FullOuterJoin => "every value of either side with each value of its key on the other side, or with none",
                    _ => "each key of either side with all its values from each side",
                };
                w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location}): {what}.");
                w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Left}.Count; {n.Index}++)");
                w.Line($"var {n.Key} = {n.Left}.KeyAt({n.Index});");
                w.Line($"var {n.Lefts} = {n.LeftValues}.Get({n.Left}.ValueAt({n.Index}));");
                w.Line($"ref var {n.Slot} = ref {n.Right}.GetValueRefOrNullRef({n.Key});");
                w.Line($"var {n.Rights} = global::System.Runtime.CompilerServices.Unsafe.IsNullRef(ref {n.Slot}) ? default : {n.RightValues}.Get({n.Slot});");
                if (stage.Kind == StageKind.Cogroup)
                {
                    EmitJoinOutput(w, pipeline, stage, $"{method}({n.Key}, {n.Lefts}, {n.Rights})");
                }
                else
                {
                    w.Open($"foreach (var {n.LeftValue} in {n.Lefts})");
                    if (keepLeft)
                    {
                        w.Open($"if ({n.Rights}.IsEmpty)");
                        EmitJoinOutput(w, pipeline, stage, $"{method}({n.Key}, {n.LeftValue}, {noRight})");
                        w.Close();
                    }

                    w.Open($"foreach (var {n.RightValue} in {n.Rights})");
                    EmitJoinOutput(w, pipeline, stage, $"{method}({n.Key}, {n.LeftValue}, {n.RightValue})");
                    w.Close();
                    w.Close();
                }

                w.Close();
                if (keepRight)
                {
                    w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Right}.Count; {n.Index}++)");
                    w.Line($"var {n.Key} = {n.Right}.KeyAt({n.Index});");
                    w.Open($"if (!global::System.Runtime.CompilerServices.Unsafe.IsNullRef(ref {n.Left}.GetValueRefOrNullRef({n.Key})))");
                    w.Line("continue;");
                    w.Close();
                    w.Line($"var {n.Rights} = {n.RightValues}.Get({n.Right}.ValueAt({n.Index}));");
                    if (stage.Kind == StageKind.Cogroup)
                    {
                        EmitJoinOutput(w, pipeline, stage, $"{method}({n.Key}, default, {n.Rights})");
                    }
                    else
                    {
                        w.Open($"foreach (var {n.RightValue} in {n.Rights})");
                        EmitJoinOutput(w, pipeline, stage, $"{method}({n.Key}, {noLeft}, {n.RightValue})");
                        w.Close();
                    }

                    w.Close();
                }

                w.Line($"{n.Left}.Clear();");
                w.Line($"{n.LeftValues}.Clear();");
                w.Line($"{n.Right}.Clear();");
                w.Line($"{n.RightValues}.Clear();");
                _ = index;
            }

            private static void EmitJoinOutput(SourceWriter w, PipelineView pipeline, StageModel stage, string call)
            {
                StageNames n = pipeline.NamesOf(stage);
                w.Line($"var {n.Local} = {call};");
                EmitChildren(w, pipeline, pipeline.IndexOf(stage), n.Local!);
            }

            private sealed partial class PipelineView
            {
                /// <summary>The unions whose second stream's records are kept for the batch boundary (the plan's <see cref="PhysicalPlan.ReplayedUnions"/>).</summary>
                public List<StageModel> Replayed { get; }

                // The buffer of a union's second stream: the record types a [Window] keeps, kept the same way.
                private static string SecondStreamType(StageModel union)
                {
                    RecordType output = union.Output!;
                    return output.Shape switch
                    {
                        RecordShape.Bytes => $"{Runtime}.Windows.ByteRecords",
                        RecordShape.KeyValue => $"{Runtime}.Windows.KeyValueRecords<{output.Value!.Code}>",
                        _ => $"{Runtime}.Windows.ValueRecords<{output.Type.Code}>",
                    };
                }
            }
        }
    }
}
