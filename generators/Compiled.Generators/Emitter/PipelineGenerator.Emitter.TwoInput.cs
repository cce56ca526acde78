using System.Collections.Generic;
using System.Linq;
using System.Text;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
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
        }
    }
}
