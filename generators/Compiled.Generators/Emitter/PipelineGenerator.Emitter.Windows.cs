using System.Collections.Generic;
using System.Text;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            // The last argument of the Definition: each window's name, length and slide, which the run checks against its batch interval.
            private static void EmitWindowDeclarations(SourceWriter w, PipelineView pipeline)
            {
                if (pipeline.Windowed.Count == 0)
                {
                    return;
                }

                w.Line($"    windows: new {Runtime}.Hosting.WindowDeclaration[]");
                w.Line("    {");
                foreach (StageModel windowed in pipeline.Windowed)
                {
                    w.Line($"        new({Literal(windowed.Name)}, {windowed.Window!.LengthMilliseconds}, {windowed.Window.SlideMilliseconds}),");
                }

                w.Line("    });");
            }

            // In the job's constructor: each window's length and slide in batches, its ring of batch states, and the current batch's.
            private static void EmitWindowInit(SourceWriter w, PipelineView pipeline)
            {
                foreach (StageModel windowed in pipeline.Windowed)
                {
                    StageNames names = pipeline.NamesOf(windowed);
                    WindowModel window = windowed.Window!;
                    string ringLength = names.LengthField + (pipeline.IsIncremental(windowed) ? " + 1" : "");
                    w.Line($"{names.LengthField} = {Runtime}.Windows.Windowing.Batches(context, {window.LengthMilliseconds});");
                    w.Line($"{names.SlideField} = {Runtime}.Windows.Windowing.Batches(context, {window.SlideMilliseconds});");
                    w.Line($"{names.Ring} = {Runtime}.Windows.Windowing.Ring<{pipeline.BatchStateType(windowed)}>({ringLength});");
                    w.Line($"{names.Current} = {names.Ring}[{Runtime}.Windows.Windowing.Slot(1, {names.Ring}.Length)];");
                }
            }

            // One record of a windowed stage in the fused loop: it goes into the state of the window's current batch.
            private static void EmitWindowRecord(SourceWriter w, PipelineView pipeline, StageModel stage, RecordType inputType, string input)
            {
                StageNames names = pipeline.NamesOf(stage);
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                string call = $"{method}({Arguments(stage, inputType, input)})";
                switch (stage.Kind)
                {
                    case StageKind.ReduceByKeyAndWindow:
                    {
                        // Into this batch's table of the window; the window merges the batch tables at each slide.
                        string key = KeyOf(inputType, input);
                        string value = ValueOf(inputType, input);
                        EmitReduceInto(w, names.Current!, stage, names, key, value, method);
                        break;
                    }

                    case StageKind.CountByValueAndWindow:
                        w.Line($"{names.Current}.GetValueRefOrAddDefault({call}, out bool _)++;");
                        break;

                    case StageKind.ReduceByWindow:
                        w.Line($"if ({names.Current}.HasValue) {names.Current}.Value = {method}({names.Current}.Value, {input});");
                        w.Line($"else {{ {names.Current}.Value = {input}; {names.Current}.HasValue = true; }}");
                        break;

                    case StageKind.CountByWindow:
                        w.Line($"{names.Current}.Value++;");
                        w.Line($"{names.Current}.HasValue = true;");
                        break;

                    case StageKind.Window:
                        w.Line(inputType.Shape == RecordShape.KeyValue
                            ? $"{names.Current}.Add({input}.Key, {input}.Value);"
                            : $"{names.Current}.Add({input});");
                        break;
                }
            }

            // At the batch boundary: a windowed stage folds its batch into the window, emits every slide, and moves on.
            private static void EmitWindow(SourceWriter w, PipelineView pipeline, StageModel stage)
            {
                StageNames n = pipeline.NamesOf(stage);
                WindowModel window = stage.Window!;
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                string windowing = Runtime + ".Windows.Windowing";
                int index = pipeline.IndexOf(stage);
                string every = $"every {Duration(window.SlideMilliseconds)}";
                string last = $"the last {Duration(window.LengthMilliseconds)}";
                string emits = $"if (batch.Index % {n.SlideField} == 0)";
                switch (stage.Kind)
                {
                    case StageKind.ReduceByKeyAndWindow when window.Inverse is null:
                    case StageKind.Window:
                    case StageKind.ReduceByWindow when window.Inverse is null:
                    {
                        // Merged again at each slide from the batches of the window, oldest first.
                        string what = stage.Kind switch
                        {
                            StageKind.Window => "the records of",
                            StageKind.ReduceByWindow => "one record reduced from",
                            _ => "the values of each key reduced over",
                        };
                        w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location}): {every}, {what} {last}.");
                        w.Open(emits);
                        if (stage.Kind == StageKind.ReduceByWindow)
                        {
                            w.Line($"{n.Field}.Clear();");
                        }

                        w.Open($"for (long {n.From} = global::System.Math.Max(1, batch.Index - {n.LengthField} + 1); {n.From} <= batch.Index; {n.From}++)");
                        w.Line($"var {n.Part} = {n.Ring}[{windowing}.Slot({n.From}, {n.Ring}.Length)];");
                        switch (stage.Kind)
                        {
                            case StageKind.Window:
                                w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Part}.Count; {n.Index}++)");
                                w.Line($"var {n.Local} = {n.Part}[{n.Index}];");
                                EmitChildren(w, pipeline, index, n.Local!);
                                w.Close();
                                break;
                            case StageKind.ReduceByWindow:
                                w.Open($"if ({n.Part}.HasValue)");
                                w.Line($"if ({n.Field}.HasValue) {n.Field}.Value = {method}({n.Field}.Value, {n.Part}.Value);");
                                w.Line($"else {{ {n.Field}.Value = {n.Part}.Value; {n.Field}.HasValue = true; }}");
                                w.Close();
                                break;
                            default:
                                w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Part}.Count; {n.Index}++)");
                                w.Line($"ref {stage.Output!.Value!.Code} {n.Slot} = ref {n.Field}.GetValueRefOrAddDefault({n.Part}.KeyAt({n.Index}), out bool {n.Exists});");
                                w.Line($"{n.Slot} = {n.Exists} ? {method}({n.Slot}, {n.Part}.ValueAt({n.Index})) : {n.Part}.ValueAt({n.Index});");
                                w.Close();
                                break;
                        }

                        w.Close();
                        if (stage.Kind == StageKind.ReduceByWindow)
                        {
                            w.Open($"if ({n.Field}.HasValue)");
                            w.Line($"var {n.Local} = {n.Field}.Value;");
                            EmitChildren(w, pipeline, index, n.Local!);
                            w.Close();
                        }
                        else if (stage.Kind == StageKind.ReduceByKeyAndWindow)
                        {
                            EmitTableEntries(w, pipeline, stage, n.Field!);
                            w.Line($"{n.Field}.Clear();");
                        }

                        w.Close();
                        w.Line($"{n.Current} = {n.Ring}[{windowing}.Slot(batch.Index + 1, {n.Ring}.Length)];");
                        w.Line($"{n.Current}.Clear();");
                        break;
                    }

                    case StageKind.ReduceByKeyAndWindow:
                    case StageKind.CountByValueAndWindow:
                    {
                        // Kept up to date batch by batch: the batch that enters is added, the batch that leaves taken back out.
                        bool counts = stage.Kind == StageKind.CountByValueAndWindow;
                        string add = counts ? "{0} + {1}" : method + "({0}, {1})";
                        string subtract = counts ? "{0} - {1}" : $"{pipeline.ClassName}.{NameTable.Escaped(window.Inverse!)}({{0}}, {{1}})";
                        string drops = counts ? "values whose count fell to zero dropped" : window.Filter is null ? "keys kept even when their value fell to zero" : $"keys dropped where {window.Filter} says so";
                        w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location}): {every}, {last}, updated from the batch that enters and the batch that leaves; {drops}.");
                        w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Current}.Count; {n.Index}++)");
                        w.Line($"ref var {n.Slot} = ref {n.Field}.GetValueRefOrAddDefault({n.Current}.KeyAt({n.Index}), out bool {n.Exists});");
                        w.Open($"if ({n.Exists} && {n.Slot}.Batches >= 0)");
                        w.Line($"{n.Slot}.Value = {string.Format(add, $"{n.Slot}.Value", $"{n.Current}.ValueAt({n.Index})")};");
                        w.Line($"{n.Slot}.Batches++;");
                        w.Close();
                        w.Open("else");
                        w.Line("// A new key, or one the window forgot (Batches = -1) that comes back: it starts afresh.");
                        w.Line($"{n.Slot}.Value = {n.Current}.ValueAt({n.Index});");
                        w.Line($"{n.Slot}.Batches = 1;");
                        w.Close();
                        w.Close();
                        w.Line($"var {n.Leaving} = {n.Ring}[{windowing}.Slot(batch.Index + 1, {n.Ring}.Length)];");
                        w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Leaving}.Count; {n.Index}++)");
                        w.Line("// A key stays in the state while any batch of the window holds a value of it, so this finds it.");
                        w.Line($"ref var {n.Slot} = ref {n.Field}.GetValueRefOrNullRef({n.Leaving}.KeyAt({n.Index}));");
                        w.Open($"if (!global::System.Runtime.CompilerServices.Unsafe.IsNullRef(ref {n.Slot}))");
                        w.Line($"{n.Slot}.Value = {string.Format(subtract, $"{n.Slot}.Value", $"{n.Leaving}.ValueAt({n.Index})")};");
                        w.Line($"{n.Slot}.Batches--;");
                        w.Close();
                        w.Close();
                        w.Open(emits);
                        string? keep = counts ? $"{n.Slot}.Value != 0"
                            : window.Filter is null ? null
                            : $"{pipeline.ClassName}.{NameTable.Escaped(window.Filter)}({(window.FilterArity == InputArity.Record ? $"{RecordType(stage)}({n.Field}.KeyAt({n.Index}), {n.Slot}.Value)" : $"{n.Field}.KeyAt({n.Index}), {n.Slot}.Value")})";
                        if (keep is not null)
                        {
                            w.Line("// Keys that pass are emitted; a key that fails is forgotten (Batches = -1) once none of its values are");
                            w.Line("// left in the window. Forgotten keys are cleared out of the table once they are a quarter of it.");
                            w.Line($"int {n.Dead} = 0;");
                            w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Field}.Count; {n.Index}++)");
                            w.Line($"ref var {n.Slot} = ref {n.Field}.ValueAt({n.Index});");
                            w.Open($"if ({n.Slot}.Batches < 0)");
                            w.Line($"{n.Dead}++;");
                            w.Close();
                            w.Open($"else if ({keep})");
                            w.Line($"var {n.Local} = {RecordType(stage)}({n.Field}.KeyAt({n.Index}), {n.Slot}.Value);");
                            EmitChildren(w, pipeline, index, n.Local!);
                            w.Close();
                            w.Open($"else if ({n.Slot}.Batches == 0)");
                            w.Line($"{n.Slot}.Batches = -1;");
                            w.Line($"{n.Dead}++;");
                            w.Close();
                            w.Close();
                            w.Open($"if ({n.Dead} > {n.Field}.Count / 4)");
                            w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Field}.Count; {n.Index}++)");
                            w.Open($"if ({n.Field}.ValueAt({n.Index}).Batches >= 0)");
                            w.Line($"{n.Kept}.GetValueRefOrAddDefault({n.Field}.KeyAt({n.Index}), out bool _) = {n.Field}.ValueAt({n.Index});");
                            w.Close();
                            w.Close();
                            w.Line($"({n.Field}, {n.Kept}) = ({n.Kept}, {n.Field});");
                            w.Line($"{n.Kept}.Clear();");
                            w.Close();
                        }
                        else
                        {
                            w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Field}.Count; {n.Index}++)");
                            w.Line($"var {n.Local} = {RecordType(stage)}({n.Field}.KeyAt({n.Index}), {n.Field}.ValueAt({n.Index}).Value);");
                            EmitChildren(w, pipeline, index, n.Local!);
                            w.Close();
                        }

                        w.Close();
                        w.Line($"{n.Leaving}.Clear();");
                        w.Line($"{n.Current} = {n.Leaving};");
                        break;
                    }

                    case StageKind.ReduceByWindow:
                    case StageKind.CountByWindow:
                    {
                        // One running value: the batch that enters is added, the batch that leaves taken back out. As in
                        // Spark, once a first record came, it emits at every slide, even when the window is empty again.
                        bool counts = stage.Kind == StageKind.CountByWindow;
                        string add = counts ? "{0} + {1}" : method + "({0}, {1})";
                        string subtract = counts ? "{0} - {1}" : $"{pipeline.ClassName}.{NameTable.Escaped(window.Inverse!)}({{0}}, {{1}})";
                        w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location}): {every}, {(counts ? "the number of records in" : "one record reduced from")} {last}, updated from the batch that enters and the batch that leaves.");
                        w.Open($"if ({n.Current}.HasValue)");
                        w.Line($"{n.Field}.Value = {n.Field}.HasValue ? {string.Format(add, $"{n.Field}.Value", $"{n.Current}.Value")} : {n.Current}.Value;");
                        w.Line($"{n.Field}.HasValue = true;");
                        w.Close();
                        w.Line($"var {n.Leaving} = {n.Ring}[{windowing}.Slot(batch.Index + 1, {n.Ring}.Length)];");
                        w.Line($"if ({n.Leaving}.HasValue) {n.Field}.Value = {string.Format(subtract, $"{n.Field}.Value", $"{n.Leaving}.Value")};");
                        w.Open($"if (batch.Index % {n.SlideField} == 0 && {n.Field}.HasValue)");
                        w.Line($"var {n.Local} = {n.Field}.Value;");
                        EmitChildren(w, pipeline, index, n.Local!);
                        w.Close();
                        w.Line($"{n.Leaving}.Clear();");
                        w.Line($"{n.Current} = {n.Leaving};");
                        break;
                    }
                }
            }

            private sealed partial class PipelineView
            {
                // The job's fields of each window: length and slide in batches, the ring of batch states, the current
                // batch's state (which the fused loop fills), and the table an incremental window keeps up to date.
                private void AddWindowFields()
                {
                    foreach (StageModel windowed in Windowed)
                    {
                        StageNames names = NamesOf(windowed);
                        string state = BatchStateType(windowed);
                        string windowState = windowed.Kind is StageKind.ReduceByKeyAndWindow or StageKind.CountByValueAndWindow && IsIncremental(windowed)
                            ? KeyTable(windowed.Output!, $"{Runtime}.Windows.WindowEntry<{windowed.Output!.Value!.Code}>")
                            : state;
                        _windowFields.Add($"private readonly int {names.LengthField};");
                        _windowFields.Add($"private readonly int {names.SlideField};");
                        _windowFields.Add($"private readonly {state}[] {names.Ring};");
                        _windowFields.Add($"private {state} {names.Current};");
                        if (names.Field is not null)
                        {
                            _windowFields.Add(names.Kept is null
                                ? $"private readonly {windowState} {names.Field} = new();"
                                : $"private {windowState} {names.Field} = new();");
                        }

                        if (names.Kept is not null)
                        {
                            _windowFields.Add($"private {windowState} {names.Kept} = new();");
                        }

                        _currentFields.Add(windowed, ($"private readonly {state} {names.Current};", names.Current!));
                    }
                }

                /// <summary>The windowed stages, in declaration order.</summary>
                public List<StageModel> Windowed { get; }

                /// <summary>Whether a windowed stage is kept up to date from the batches that enter and leave (its ring holds one batch more).</summary>
                public bool IsIncremental(StageModel stage) =>
                    stage.Kind is StageKind.CountByWindow or StageKind.CountByValueAndWindow || stage.Window?.Inverse is not null;

                /// <summary>The per-batch state of a windowed stage: a key table, a reduced value, or the records.</summary>
                public string BatchStateType(StageModel stage)
                {
                    RecordType output = stage.Output!;
                    return stage.Kind switch
                    {
                        StageKind.ReduceByWindow or StageKind.CountByWindow => $"{Runtime}.Windows.Partial<{output.Type.Code}>",
                        StageKind.Window => output.Shape switch
                        {
                            RecordShape.Bytes => $"{Runtime}.Windows.ByteRecords",
                            RecordShape.KeyValue => $"{Runtime}.Windows.KeyValueRecords<{output.Value!.Code}>",
                            _ => $"{Runtime}.Windows.ValueRecords<{output.Type.Code}>",
                        },
                        _ => output.Shape == RecordShape.KeyValue
                            ? $"{Runtime}.Keys.ByteKeyTable<{output.Value!.Code}>"
                            : $"{Runtime}.Keys.StructKeyTable<{output.Key!.Code}, {output.Value!.Code}>",
                    };
                }

                /// <summary>How often a stage's stream emits, in milliseconds: the slide of the nearest window above it, or null for every batch.</summary>
                public long? SlideOf(StageModel stage)
                {
                    for (StageModel? current = stage; current is not null; current = current.Input >= 0 ? Model.Stages[current.Input] : null)
                    {
                        if (current.Window is not null)
                        {
                            return current.Window.SlideMilliseconds;
                        }
                    }

                    return null;
                }
            }
        }
    }
}
