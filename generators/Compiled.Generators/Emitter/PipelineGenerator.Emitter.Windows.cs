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
            // An argument of the Definition: each window's name, length and slide, which the run checks against its batch
            // interval. Its lines, the last without the comma or parenthesis that follows it; none without windows.
            private static List<string> WindowDeclarations(PipelineView pipeline)
            {
                var lines = new List<string>();
                if (pipeline.Windowed.Count == 0)
                {
                    return lines;
                }

                lines.Add($"    windows: new {Runtime}.Hosting.WindowDeclaration[]");
                lines.Add("    {");
                foreach (StageModel windowed in pipeline.Windowed)
                {
                    lines.Add($"        new({Literal(windowed.Name)}, {windowed.Window!.LengthMilliseconds}, {windowed.Window.SlideMilliseconds}),");
                }

                lines.Add("    }");
                return lines;
            }

            // In the job's constructor: each window, sized in batches at the interval in force.
            private static void EmitWindowInit(SourceWriter w, PipelineView pipeline)
            {
                foreach (StageModel windowed in pipeline.Windowed)
                {
                    WindowModel window = windowed.Window!;
                    string batches = $"{Runtime}.Windows.Windowing.Batches";
                    w.Line($"{pipeline.NamesOf(windowed).Field} = new({batches}(context, {window.LengthMilliseconds}), {batches}(context, {window.SlideMilliseconds}));");
                }
            }

            // One record of a windowed stage: it goes into the state of the window's current batch, which the fused loop
            // holds in a field of its own, and the batch boundary (a window below a window) reaches through the window.
            private static void EmitWindowRecord(SourceWriter w, PipelineView pipeline, StageModel stage, RecordType inputType, string input)
            {
                StageNames names = pipeline.NamesOf(stage);
                string current = pipeline.CurrentSource is null ? names.Field + PipelineView.CurrentOf(stage) : names.Current!;
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                string call = $"{method}({Arguments(stage, inputType, input)})";
                if (stage.Kind == StageKind.Window)
                {
                    w.Line(inputType.Shape == RecordShape.KeyValue
                        ? $"{current}.Add({input}.Key, {input}.Value);"
                        : $"{current}.Add({input});");
                }
                else
                {
                    // Into this batch's state of the window; the window merges (or adds and takes away) batch states at each slide.
                    EmitCollect(w, stage, names, inputType, input, current, method, call);
                }
            }

            // At the batch boundary: the window takes in the batch (the runtime type folds it in and moves the ring on)
            // and, when it emits, its result runs through the stages below.
            private static void EmitWindow(SourceWriter w, PipelineView pipeline, StageModel stage)
            {
                StageNames n = pipeline.NamesOf(stage);
                WindowModel window = stage.Window!;
                int index = pipeline.IndexOf(stage);
                string every = $"every {Duration(window.SlideMilliseconds)}";
                string last = $"the last {Duration(window.LengthMilliseconds)}";
                string how = pipeline.IsIncremental(stage) ? ", updated from the batch that enters and the batch that leaves" : ", merged again from its batches";
                string what = stage.Kind switch
                {
                    StageKind.Window => $"{every}, the records of {last}",
                    StageKind.ReduceByWindow => $"{every}, one record reduced from {last}{how}",
                    StageKind.CountByWindow => $"{every}, the number of records in {last}{how}",
                    StageKind.CountByValueAndWindow => $"{every}, each value's count over {last}{how}; values whose count fell to zero dropped",
                    _ when window.Inverse is null => $"{every}, the values of each key reduced over {last}{how}",
                    _ => $"{every}, the values of each key reduced over {last}{how}; "
                        + (window.Filter is null ? "keys kept even when their value fell to zero" : $"keys dropped where {window.Filter} says so"),
                };
                w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location}): {what}.");
                w.Open($"if ({n.Field}.Advance(batch.Index, {EndOfInput}))");
                switch (stage.Kind)
                {
                    case StageKind.Window:
                        w.Open($"foreach (var {n.Part} in {n.Field}.Parts)");
                        w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Part}.Count; {n.Index}++)");
                        w.Line($"var {n.Local} = {n.Part}[{n.Index}];");
                        EmitChildren(w, pipeline, index, n.Local!);
                        w.Close();
                        w.Close();
                        break;

                    case StageKind.ReduceByWindow:
                    case StageKind.CountByWindow:
                        w.Line($"var {n.Local} = {n.Field}.Value;");
                        EmitChildren(w, pipeline, index, n.Local!);
                        break;

                    default:
                        EmitTableEntries(w, pipeline, stage, n.Field!);
                        break;
                }

                w.Close();
            }

            // Whether the batch ends a bounded input (not a stop, after which a checkpoint may resume the windows).
            private const string EndOfInput = "batch.End == global::Compiled.Hosting.BatchEnd.EndOfInput";

            // The job's answer to which batches a sink below a window receives: those at which the window emits, at its
            // slides and once more at the end of a bounded input if it holds records not reported. A window fed at the
            // boundary (below another window, or below a union whose second stream is replayed there) fills its
            // current batch only as the batch completes, after the sinks were asked, so at the end of the input its
            // sinks receive the batch whatever it holds. A sink below an event-time stage below the window receives the
            // batch that flushes the windows too (an end of input, or a stop without a checkpoint), at which every
            // event-time window still open emits; a suspended run's last batch keeps them for the restart.
            private static void EmitWindowSinkBatches(SourceWriter w, PipelineView pipeline)
            {
                var cases = new List<string>();
                foreach (SinkPlan sink in pipeline.Physical.Sinks)
                {
                    int i = sink.Sink;
                    if (sink.Window >= 0)
                    {
                        StageModel window = pipeline.Model.Stages[sink.Window];
                        string emits = $"{pipeline.NamesOf(window).Field}.EmitsAt(batch.Index, {EndOfInput})";
                        bool fedAtBoundary = pipeline.LoopSourcesOf(window).Count == 0 || BelowReplayedUnion(pipeline, sink.Window);
                        string first = EventTimeBetween(pipeline, sink.Window, sink.Stage) ? "batch.FlushesWindows || "
                            : fedAtBoundary ? $"{EndOfInput} || "
                            : "";
                        cases.Add($"case {i}: return {first}{emits};");
                    }
                }

                if (cases.Count == 0)
                {
                    return;
                }

                w.Line();
                w.Line("/// <summary>Whether a sink receives the batch: a sink below a window, the batches at which the window emits; any other, every batch.</summary>");
                w.Open($"public override bool ReceivesBatch(int sink, in {Runtime}.Hosting.BatchInfo batch)");
                w.Open("switch (sink)");
                foreach (string line in cases)
                {
                    w.Line(line);
                }

                w.Line("default: return true;");
                w.Close();
                w.Close();
            }

            // Whether an event-time stage lies between the window 'window' and the stage 'below' it, along first inputs.
            private static bool EventTimeBetween(PipelineView pipeline, int window, int below)
            {
                for (int current = below; current >= 0 && current != window; current = pipeline.Model.Stages[current].Input)
                {
                    if (pipeline.Model.Stages[current].Time is not null)
                    {
                        return true;
                    }
                }

                return false;
            }

            // Whether a union whose second stream's records wait for the batch boundary lies above stage 'index', along
            // either input: some of the stage's records then arrive only as the batch completes.
            private static bool BelowReplayedUnion(PipelineView pipeline, int index)
            {
                var seen = new HashSet<int>();
                var pending = new Stack<int>();
                pending.Push(index);
                while (pending.Count > 0)
                {
                    StageModel stage = pipeline.Model.Stages[pending.Pop()];
                    foreach (int input in new[] { stage.Input, stage.Other })
                    {
                        if (input < 0 || !seen.Add(input))
                        {
                            continue;
                        }

                        if (pipeline.Replayed.Contains(pipeline.Model.Stages[input]))
                        {
                            return true;
                        }

                        pending.Push(input);
                    }
                }

                return false;
            }

            // For a keyed, whole-batch or state stage below a window, the condition that the window emitted at this batch: the
            // stage sees the window's records only then, and emits only then, at the window's slides, as its sinks
            // receive only those batches. Null for any other stage, which runs at every batch.
            private static string? WindowEmittedCondition(SourceWriter w, PipelineView pipeline, StageModel stage)
            {
                int index = pipeline.IndexOf(stage);
                BoundarySegment? segment = pipeline.Physical.Boundaries.FirstOrDefault(b => b.Stage == index);
                if (segment is null || segment.GatedBy < 0)
                {
                    return null;
                }

                StageModel window = pipeline.Model.Stages[segment.GatedBy];

                w.Line($"// [{stage.Kind}] {stage.Name} reads window {window.Name}: it runs when the window emits, every {Duration(window.Window!.SlideMilliseconds)}.");
                return $"{pipeline.NamesOf(window).Field}.Clock.LastEmitted == batch.Index";
            }

            // After the loops: the struct function objects through which each window's runtime type calls the stage's
            // reduce, inverse and filter, so the JIT inlines them.
            private static void EmitWindowFunctions(SourceWriter w, PipelineView pipeline)
            {
                foreach (StageModel stage in pipeline.Windowed)
                {
                    StageNames n = pipeline.NamesOf(stage);
                    WindowModel window = stage.Window!;
                    string value = pipeline.WindowValueType(stage);
                    if (n.Reducer is not null)
                    {
                        w.Line();
                        w.Line($"/// <summary>Reduces two values of window {stage.Name} with {stage.Name}.</summary>");
                        w.Open($"private readonly struct {n.Reducer} : {Runtime}.Windows.IReducer<{value}>");
                        w.Line($"public {value} Reduce({value} a, {value} b) => {pipeline.ClassName}.{NameTable.Escaped(stage.Name)}(a, b);");
                        w.Close();
                    }

                    if (n.Inverse is not null)
                    {
                        w.Line();
                        w.Line($"/// <summary>Takes a batch's value back out of window {stage.Name} with {window.Inverse}.</summary>");
                        w.Open($"private readonly struct {n.Inverse} : {Runtime}.Windows.IReducer<{value}>");
                        w.Line($"public {value} Reduce({value} a, {value} b) => {pipeline.ClassName}.{NameTable.Escaped(window.Inverse!)}(a, b);");
                        w.Close();
                    }

                    if (n.Filter is not null)
                    {
                        string key = PipelineView.WindowKeyType(stage);
                        string arguments = window.FilterArity == InputArity.Record ? $"{RecordType(stage)}(key, value)" : "key, value";
                        w.Line();
                        w.Line($"/// <summary>Whether window {stage.Name} emits a key, by {window.Filter}.</summary>");
                        w.Open($"private readonly struct {n.Filter} : {Runtime}.Windows.IKeyFilter<{key}, {value}>");
                        w.Line($"public bool Keep({key} key, {value} value) => {pipeline.ClassName}.{NameTable.Escaped(window.Filter!)}({arguments});");
                        w.Close();
                    }
                }
            }

            private sealed partial class PipelineView
            {
                // The job's field of each window (its runtime type, over the struct function objects that call the
                // stage's methods), and the fused loop's copy of the window's current batch state, which it fills.
                private void AddWindowFields()
                {
                    foreach (StageModel windowed in Windowed)
                    {
                        StageNames names = NamesOf(windowed);
                        _jobFields.Add((windowed, $"private readonly {WindowType(windowed)} {names.Field};"));
                        _currentFields.Add(windowed, ($"private readonly {BatchStateType(windowed)} {names.Current};", names.Current!));
                        _loopFieldValues.Add(names.Current!, $"job.{names.Field}{CurrentOf(windowed)}");
                    }
                }

                /// <summary>The windowed stages, in declaration order.</summary>
                public List<StageModel> Windowed { get; }

                /// <summary>Whether a windowed stage is kept up to date from the batches that enter and leave, rather than merged again at each slide.</summary>
                public bool IsIncremental(StageModel stage) =>
                    stage.Kind is StageKind.CountByWindow or StageKind.CountByValueAndWindow || stage.Window?.Inverse is not null;

                /// <summary>The value a windowed stage reduces: a keyed stage's value, a stream's record, a count.</summary>
                public string WindowValueType(StageModel stage) =>
                    stage.Kind is StageKind.ReduceByKeyAndWindow or StageKind.CountByValueAndWindow ? stage.Output!.Value!.Code : stage.Output!.Type.Code;

                /// <summary>The key of a keyed windowed stage: a byte span or the struct key.</summary>
                public static string WindowKeyType(StageModel stage) =>
                    stage.Output!.Shape == RecordShape.KeyValue ? "global::System.ReadOnlySpan<byte>" : stage.Output.Key!.Code;

                /// <summary>The runtime type of a windowed stage, over the struct function objects that call the stage's methods.</summary>
                public string WindowType(StageModel stage)
                {
                    StageNames names = NamesOf(stage);
                    string windows = Runtime + ".Windows";
                    string value = WindowValueType(stage);
                    switch (stage.Kind)
                    {
                        case StageKind.Window:
                            return $"{windows}.RecordWindow<{BatchStateType(stage)}>";
                        case StageKind.CountByWindow:
                            return $"{windows}.IncrementalPartialWindow<long, {windows}.AddCounts, {windows}.SubtractCounts>";
                        case StageKind.ReduceByWindow:
                            return names.Inverse is null
                                ? $"{windows}.PartialWindow<{value}, {names.Reducer}>"
                                : $"{windows}.IncrementalPartialWindow<{value}, {names.Reducer}, {names.Inverse}>";
                    }

                    // A keyed window, over the key table of the stage's kind of key: per batch, and (incremental) the window's.
                    string key = WindowKeyType(stage);
                    string Keys(string of) => stage.Output!.Shape == RecordShape.KeyValue
                        ? $"{Runtime}.Keys.ByteKeys<{of}>"
                        : $"{Runtime}.Keys.StructKeys<{key}, {of}>";
                    if (stage.Kind == StageKind.CountByValueAndWindow)
                    {
                        return $"{windows}.IncrementalKeyedWindow<{key}, long, {Keys("long")}, {Keys($"{windows}.WindowEntry<long>")}, {windows}.AddCounts, {windows}.SubtractCounts, {windows}.NonZeroCount<{key}>>";
                    }

                    if (names.Inverse is null)
                    {
                        return $"{windows}.KeyedWindow<{key}, {value}, {Keys(value)}, {names.Reducer}>";
                    }

                    string filter = names.Filter ?? $"{windows}.KeepAll<{key}, {value}>";
                    return $"{windows}.IncrementalKeyedWindow<{key}, {value}, {Keys(value)}, {Keys($"{windows}.WindowEntry<{value}>")}, {names.Reducer}, {names.Inverse}, {filter}>";
                }

                /// <summary>
                /// How the state of a windowed stage's batch in progress is reached from the window: its <c>Current</c>, or
                /// for a keyed window the table under its current key table, which the fused loop writes directly.
                /// </summary>
                public static string CurrentOf(StageModel stage) =>
                    stage.Kind is StageKind.ReduceByKeyAndWindow or StageKind.CountByValueAndWindow ? ".Current.Table" : ".Current";

                /// <summary>The per-batch state of a windowed stage, which the fused loop fills: a key table, a reduced value, or the records.</summary>
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
                        _ => KeyTable(output, output.Value!.Code),
                    };
                }
            }
        }
    }
}
