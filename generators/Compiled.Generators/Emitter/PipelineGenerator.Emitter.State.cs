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
            // In the job's constructor: each [MapWithState] timeout, in batches of the run's interval.
            private static void EmitStateInit(SourceWriter w, PipelineView pipeline)
            {
                foreach (StageModel stateful in pipeline.Stateful)
                {
                    StageNames names = pipeline.NamesOf(stateful);
                    if (names.TimeoutField is not null)
                    {
                        w.Line($"{names.TimeoutField} = {Runtime}.Windows.Windowing.Batches(context, {stateful.State!.TimeoutMilliseconds});");
                    }
                }
            }

            // At the end of CompleteBatch: the batch that [MapWithState] stamps on the keys it updates moves on.
            private static void EmitStateBatchEnd(SourceWriter w, PipelineView pipeline)
            {
                if (pipeline.Stateful.Any(s => s.Kind == StageKind.MapWithState))
                {
                    w.Line();
                    w.Line($"{PipelineView.BatchIndexField} = batch.Index + 1;");
                }
            }

            // One record of a stateful stage in the fused loop: kept for the boundary ([UpdateStateByKey]) or mapped with its key's state ([MapWithState]).
            private static void EmitStateRecord(SourceWriter w, PipelineView pipeline, StageModel stage, RecordType inputType, string input)
            {
                StageNames names = pipeline.NamesOf(stage);
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                switch (stage.Kind)
                {
                    case StageKind.UpdateStateByKey:
                    {
                        // The value joins its key's list for the batch; the update function runs at the batch boundary.
                        string key = KeyOf(inputType, input);
                        string value = ValueOf(inputType, input);
                        w.Line($"ref var {names.Slot} = ref {names.Field}.GetValueRefOrAddDefault({key}, out bool _);");
                        w.Line($"{names.Values}.Add(ref {names.Slot}.Values, {value});");
                        break;
                    }

                    case StageKind.MapWithState:
                    {
                        // Called per record with its key's state; a key that keeps a state is stamped with this batch.
                        string key = KeyOf(inputType, input);
                        string value = ValueOf(inputType, input);
                        w.Line($"ref var {names.Slot} = ref {names.Field}.GetValueRefOrAddDefault({key}, out bool _);");
                        string stateCall = $"{method}({key}, {value}, new {Runtime}.State<{stage.State!.State.Code}>(ref {names.Slot}, false))";
                        EmitStateResult(w, pipeline, stage, stateCall, afterCall: $"if ({names.Slot}.Exists) {names.Slot}.UpdatedBatch = {PipelineView.BatchIndexField};");
                        break;
                    }
                }
            }

            // The output of a [MapWithState] call: emitted, or with a nullable result, emitted only when there.
            private static void EmitStateResult(SourceWriter w, PipelineView pipeline, StageModel stage, string call, string? afterCall)
            {
                StageNames n = pipeline.NamesOf(stage);
                int index = pipeline.IndexOf(stage);
                if (!stage.State!.OptionalOutput)
                {
                    w.Line($"var {n.Local} = {call};");
                    if (afterCall is not null)
                    {
                        w.Line(afterCall);
                    }

                    EmitChildren(w, pipeline, index, n.Local!);
                    return;
                }

                w.Line($"var {n.Result} = {call};");
                if (afterCall is not null)
                {
                    w.Line(afterCall);
                }

                w.Open($"if ({n.Result} is {{ }} {n.Local})");
                EmitChildren(w, pipeline, index, n.Local!);
                w.Close();
            }

            // At the batch boundary: [UpdateStateByKey] updates every key; [MapWithState] times out idle keys. Both
            // copy the keys that keep a state into the spare table and swap, so removed keys leave.
            private static void EmitStateBoundary(SourceWriter w, PipelineView pipeline, StageModel stage)
            {
                StageNames n = pipeline.NamesOf(stage);
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                StateModel state = stage.State!;
                RecordType output = stage.Output!;
                if (stage.Kind == StageKind.UpdateStateByKey)
                {
                    w.Line($"// [UpdateStateByKey] {stage.Name} ({stage.Location}): every key with a state or new values, every batch; null removes a key.");
                    w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Field}.Count; {n.Index}++)");
                    w.Line($"ref var {n.Slot} = ref {n.Field}.ValueAt({n.Index});");
                    w.Line($"{state.State.Code}? {n.Next} = {method}({n.Values}.Get({n.Slot}.Values), {n.Slot}.HasState ? {n.Slot}.State : default({state.State.Code}?));");
                    w.Open($"if ({n.Next} is {{ }} {n.Result})");
                    w.Line($"{n.Kept}.GetValueRefOrAddDefault({n.Field}.KeyAt({n.Index}), out bool _) = new {Runtime}.UpdateEntry<{state.State.Code}> {{ State = {n.Result}, HasState = true }};");
                    w.Line(output.Shape == RecordShape.KeyValue
                        ? $"var {n.Local} = new {output.Type.Code}({n.Field}.KeyAt({n.Index}), {n.Result});"
                        : $"var {n.Local} = ({n.Field}.KeyAt({n.Index}), {n.Result});");
                    EmitChildren(w, pipeline, pipeline.IndexOf(stage), n.Local!);
                    w.Close();
                    w.Close();
                    w.Line();
                    w.Line($"({n.Field}, {n.Kept}) = ({n.Kept}, {n.Field});");
                    w.Line($"{n.Kept}.Clear();");
                    w.Line($"{n.Values}.Clear();");
                    return;
                }

                string timeout = state.TimeoutMilliseconds is { } ms ? $"keys idle for {Duration(ms)} time out, with one more call each; " : "";
                w.Line($"// [MapWithState] {stage.Name} ({stage.Location}): {timeout}keys without a state leave the table.");
                w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Field}.Count; {n.Index}++)");
                w.Line($"ref var {n.Slot} = ref {n.Field}.ValueAt({n.Index});");
                w.Open($"if (!{n.Slot}.Exists)");
                w.Line("continue;");
                w.Close();
                if (n.TimeoutField is not null)
                {
                    // Spark's rule: a key last updated before the batch time minus the timeout times out.
                    w.Open($"if ({n.Slot}.UpdatedBatch < batch.Index - {n.TimeoutField})");
                    string call = $"{method}({n.Field}.KeyAt({n.Index}), default({state.Value.Code}?), new {Runtime}.State<{state.State.Code}>(ref {n.Slot}, true))";
                    EmitStateResult(w, pipeline, stage, call, afterCall: null);
                    w.Line("continue;");
                    w.Close();
                }

                w.Line($"{n.Kept}.GetValueRefOrAddDefault({n.Field}.KeyAt({n.Index}), out bool _) = {n.Slot};");
                w.Close();
                w.Line();
                w.Line($"({n.Field}, {n.Kept}) = ({n.Kept}, {n.Field});");
                w.Line($"{n.Kept}.Clear();");
            }

            private sealed partial class PipelineView
            {
                // The job's fields of each stateful stage: its table and spare table, the batch's values per key, its
                // timeout in batches, and the batch that [MapWithState] stamps on the keys it updates.
                private void AddStateFields(PipelineModel model)
                {
                    foreach (StageModel stateful in Stateful)
                    {
                        StageNames names = NamesOf(stateful);
                        string table = StateTableType(stateful);
                        _windowFields.Add($"private {table} {names.Field} = new();");
                        _windowFields.Add($"private {table} {names.Kept} = new();");
                        if (names.Values is not null)
                        {
                            _windowFields.Add($"private readonly {Runtime}.ValueLists<{stateful.State!.Value.Code}> {names.Values} = new();");
                            _currentFields.Add(stateful, ($"private readonly {Runtime}.ValueLists<{stateful.State.Value.Code}> {names.Values};", names.Values));
                        }

                        if (names.TimeoutField is not null)
                        {
                            _windowFields.Add($"private readonly int {names.TimeoutField};");
                        }

                        _stateTables.Add(stateful, ($"private readonly {table} {names.Field};", names.Field!));
                    }

                    if (model.Stages.Any(s => s.Kind == StageKind.MapWithState))
                    {
                        _windowFields.Add($"private long {BatchIndexField} = 1;");
                    }
                }

                /// <summary>The stateful stages ([UpdateStateByKey], [MapWithState]), in declaration order.</summary>
                public List<StageModel> Stateful { get; }

                /// <summary>A stateful stage's table of entries per key.</summary>
                public string StateTableType(StageModel stage)
                {
                    string entry = stage.Kind == StageKind.UpdateStateByKey
                        ? $"{Runtime}.UpdateEntry<{stage.State!.State.Code}>"
                        : $"{Runtime}.StateEntry<{stage.State!.State.Code}>";
                    StageModel input = Model.Stages[stage.Input];
                    return input.Output!.Shape == RecordShape.KeyValue
                        ? $"{Runtime}.Keys.ByteKeyTable<{entry}>"
                        : $"{Runtime}.Keys.StructKeyTable<{input.Output.Key!.Code}, {entry}>";
                }
            }
        }
    }
}
