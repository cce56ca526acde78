using System.Collections.Generic;
using System.Linq;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            // The value types whose reduce gives the same value however its values are grouped: integers (a sum, a count,
            // a min or max is exact). A floating-point sum rounds differently when regrouped, and other types may hold one.
            private static readonly HashSet<string> ExactValues = new HashSet<string>
            {
                "bool", "byte", "sbyte", "short", "ushort", "int", "uint", "long", "ulong", "char", "nint", "nuint",
                "global::System.Int128", "global::System.UInt128",
            };

            // A sliding [EventWindow] over integer values, or tuples of them, keeps panes (EventWindowPanes): one table per
            // slice of the greatest common divisor of size and slide, which each record updates once, folded with the
            // stage's reduce when a window closes. Tumbling windows (one pane each) and other values keep a table per window.
            private static bool UsesPanes(StageModel stage) =>
                stage.Kind == StageKind.EventWindow
                && stage.Time!.SlideMilliseconds < stage.Time.SizeMilliseconds
                && (ExactValues.Contains(stage.Output!.Value!.Code) || stage.Output.Value.Writer is { } writer && IsExact(writer));

            // A value whose reduce gives the same result however its values are grouped: an integer, or a tuple of them (a
            // count and a sum, a min and a max), whose associative reduce then regroups exactly; not a float or a decimal,
            // whose sums round differently when regrouped.
            private static bool IsExact(Records.WriterField field) =>
                field.Kind == Records.WriterKind.Tuple
                    ? field.Children.Count > 0 && field.Children.All(IsExact)
                    : ExactValues.Contains(field.TypeCode);

            private static long PaneMilliseconds(TimeModel time)
            {
                long a = time.SizeMilliseconds;
                long b = time.SlideMilliseconds;
                while (b != 0)
                {
                    long rest = a % b;
                    a = b;
                    b = rest;
                }

                return a;
            }

            // The runtime type of a stage with panes, over the key table of its kind of key and its reducer struct.
            private static string PanesType(StageModel input, StageNames names)
            {
                RecordType record = input.Output!;
                string value = record.Value!.Code;
                return record.Shape == RecordShape.KeyValue
                    ? $"{Runtime}.Windows.EventWindowPanes<global::System.ReadOnlySpan<byte>, {value}, {Runtime}.Keys.ByteKeys<{value}>, {names.Reducer}>"
                    : $"{Runtime}.Windows.EventWindowPanes<{record.Key!.Code}, {value}, {Runtime}.Keys.StructKeys<{record.Key!.Code}, {value}>, {names.Reducer}>";
            }

            // In the job: the struct reducer through which each [EventWindow] with panes folds a window's panes.
            private static void EmitPaneReducers(SourceWriter w, PipelineView pipeline)
            {
                foreach (StageModel stage in pipeline.Model.Stages.Where(UsesPanes))
                {
                    StageNames names = pipeline.NamesOf(stage);
                    string value = stage.Output!.Value!.Code;
                    w.Line();
                    w.Line($"/// <summary>Folds the panes of a window of {stage.Name}, with {stage.Name}.</summary>");
                    w.Open($"private readonly struct {names.Reducer} : {Runtime}.Windows.IReducer<{value}>");
                    w.Line($"public {value} Reduce({value} a, {value} b) => {pipeline.ClassName}.{NameTable.Escaped(stage.Name)}(a, b);");
                    w.Close();
                }
            }

            // One record of an [EventWindow] with panes in the fused loop: reduced into its pane's table only.
            private static void EmitPaneRecord(SourceWriter w, StageModel stage, StageNames names, string at, string key, string value, string method)
            {
                TimeModel time = stage.Time!;
                w.Line($"// Into the record's {Duration(PaneMilliseconds(time))} pane only; a window folds its panes when it closes.");
                w.Line($"ref {stage.Output!.Value!.Code} {names.Slot} = ref {names.Field}.ValueOf({at}, {PaneMilliseconds(time)}, {key}, out bool {names.Exists});");
                w.Line($"{names.Slot} = {names.Exists} ? {method}({names.Slot}, {value}) : {value};");
            }

            // At the batch boundary, the windows of an [EventWindow] with panes that the watermark passed, each folded from its panes.
            private static void EmitPaneBoundary(SourceWriter w, PipelineView pipeline, StageModel stage, string watermark)
            {
                StageNames n = pipeline.NamesOf(stage);
                TimeModel time = stage.Time!;
                RecordType output = stage.Output!;
                w.Line($"// [EventWindow] {stage.Name} ({stage.Location}): {Duration(time.SizeMilliseconds)} windows every {Duration(time.SlideMilliseconds)}, each folded from its {Duration(PaneMilliseconds(time))} panes and emitted once the watermark passes its end.");
                w.Open($"while ({n.Field}.TryClose({watermark}, {time.SizeMilliseconds}, {time.SlideMilliseconds}, out var {n.Window}, out var {n.Part}))");
                w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Part}.Count; {n.Index}++)");
                w.Line($"var {n.Local} = new {output.Type.Code}({n.Window}, {n.Part}.KeyAt({n.Index}), {n.Part}.ValueAt({n.Index}));");
                EmitChildren(w, pipeline, pipeline.IndexOf(stage), n.Local!);
                w.Close();
                w.Line($"{n.Part}.Clear();");
                w.Line($"{n.Field}.Recycle({n.Part});");
                w.Close();
            }
        }
    }
}
