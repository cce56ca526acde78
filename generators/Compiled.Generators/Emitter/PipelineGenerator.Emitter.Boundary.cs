using System.Linq;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            // At the batch boundary: one record per key of an aggregate's table, through the stages below it.
            private static void EmitTableScan(SourceWriter w, PipelineView pipeline, StageModel aggregate)
            {
                StageNames names = pipeline.NamesOf(aggregate);
                string field = names.Field!;
                string index = names.Index!;
                string record = names.Local!;
                RecordType output = aggregate.Output!;
                w.Line($"// [{aggregate.Kind}] {aggregate.Name} ({aggregate.Location}): one record per key, keys in the order first seen.");
                w.Open($"for (int {index} = 0; {index} < {field}.Count; {index}++)");
                w.Line(output.Shape == RecordShape.KeyValue
                    ? $"var {record} = new {output.Type.Code}({field}.KeyAt({index}), {field}.ValueAt({index}));"
                    : $"var {record} = ({field}.KeyAt({index}), {field}.ValueAt({index}));");
                EmitChildren(w, pipeline, pipeline.IndexOf(aggregate), record);
                w.Close();
                w.Line();
                w.Line($"{field}.Clear();");
            }

            // At the batch boundary: count, reduce, group, join, cogroup, transform and forEachBatch over the batch's records.
            private static void EmitBatchBoundary(SourceWriter w, PipelineView pipeline, StageModel stage)
            {
                StageNames n = pipeline.NamesOf(stage);
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                int index = pipeline.IndexOf(stage);
                switch (stage.Kind)
                {
                    case StageKind.Count:
                        w.Line($"// [Count] {stage.Name} ({stage.Location}): the number of records in the batch, 0 included.");
                        w.Line($"var {n.Local} = {n.Field}.Value;");
                        w.Line($"{n.Field}.Value = 0;");
                        EmitChildren(w, pipeline, index, n.Local!);
                        break;

                    case StageKind.Reduce:
                        w.Line($"// [Reduce] {stage.Name} ({stage.Location}): the batch's records reduced to one; an empty batch emits nothing.");
                        w.Open($"if ({n.Field}.HasValue)");
                        w.Line($"var {n.Local} = {n.Field}.Value;");
                        EmitChildren(w, pipeline, index, n.Local!);
                        w.Close();
                        w.Line($"{n.Field}.Clear();");
                        break;

                    case StageKind.GroupByKey:
                        w.Line($"// [GroupByKey] {stage.Name} ({stage.Location}): each key with all its values of the batch, keys in the order first seen.");
                        w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Field}.Count; {n.Index}++)");
                        w.Line($"var {n.Local} = new {stage.Output!.Type.Code}({n.Field}.KeyAt({n.Index}), {n.Values}.Get({n.Field}.ValueAt({n.Index})));");
                        EmitChildren(w, pipeline, index, n.Local!);
                        w.Close();
                        w.Line($"{n.Field}.Clear();");
                        w.Line($"{n.Values}.Clear();");
                        break;

                    case StageKind.Transform:
                    case StageKind.TransformWith:
                        w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location}): the whole batch in, a batch out.");
                        w.Line($"{n.Out}.Clear();");
                        w.Line(stage.Kind == StageKind.Transform
                            ? $"{method}({n.In}.AsSpan(), {n.Out});"
                            : $"{method}({n.In}.AsSpan(), {n.OtherIn}.AsSpan(), {n.Out});");
                        w.Open($"foreach (var {n.Local} in {n.Out}.AsSpan())");
                        EmitChildren(w, pipeline, index, n.Local!);
                        w.Close();
                        w.Line($"{n.In}.Clear();");
                        if (stage.Kind == StageKind.TransformWith)
                        {
                            w.Line($"{n.OtherIn}.Clear();");
                        }

                        break;

                    case StageKind.ForEachBatch:
                        w.Line($"// [ForEachBatch] {stage.Name} ({stage.Location}): the whole batch, with its time.");
                        string records = pipeline.Model.Stages[stage.Input].Output!.Shape switch
                        {
                            RecordShape.Bytes => $"new global::Compiled.ByteBatch({n.In})",
                            RecordShape.KeyValue => $"new global::Compiled.KeyValueBatch<{pipeline.Model.Stages[stage.Input].Output!.Value!.Code}>({n.In})",
                            _ => $"{n.In}.AsSpan()",
                        };
                        w.Line($"{method}({records}, batch.Time);");
                        w.Line($"{n.In}.Clear();");
                        break;

                    default:
                        EmitJoin(w, pipeline, stage);
                        break;
                }
            }

            // A keyed table's entries, in first-seen order, each through the stages below the table's stage.
            private static void EmitTableEntries(SourceWriter w, PipelineView pipeline, StageModel stage, string table)
            {
                StageNames n = pipeline.NamesOf(stage);
                w.Open($"for (int {n.Index} = 0; {n.Index} < {table}.Count; {n.Index}++)");
                w.Line($"var {n.Local} = {RecordAt(stage, table, n.Index!)};");
                EmitChildren(w, pipeline, pipeline.IndexOf(stage), n.Local!);
                w.Close();
            }

            private static string RecordAt(StageModel stage, string table, string index) =>
                stage.Output!.Shape == RecordShape.KeyValue
                    ? $"new {stage.Output.Type.Code}({table}.KeyAt({index}), {table}.ValueAt({index}))"
                    : $"({table}.KeyAt({index}), {table}.ValueAt({index}))";

            // The constructor of a keyed record: 'new KeyValue<V>' before (key, value), or nothing before a tuple's parentheses.
            private static string RecordType(StageModel stage) => stage.Output!.Shape == RecordShape.KeyValue ? $"new {stage.Output.Type.Code}" : "";
        }
    }
}
