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
            // In the job's constructor: each [MapWithState] store with a timeout, in batches of the run's interval.
            private static void EmitStateInit(SourceWriter w, PipelineView pipeline)
            {
                foreach (StageModel stateful in pipeline.Stateful)
                {
                    StageNames names = pipeline.NamesOf(stateful);
                    if (stateful.State!.TimeoutMilliseconds is { } timeout)
                    {
                        w.Line($"{names.Field} = new({Runtime}.Windows.Windowing.Batches(context, {timeout}));");
                    }

                    if (StateInShards(pipeline, stateful))
                    {
                        // Shard 0 of the state on N partitions; each more partition adds its own.
                        w.Line($"{names.Shards}.Add({names.Field});");
                    }
                }
            }

            // In the job: as the first batch begins, each stage's initial state, from the pipeline's method, unless a
            // checkpoint's state was read (ReadState), which takes its place. Not in the constructor: a store restored
            // from a checkpoint must start empty.
            private static void EmitInitialState(SourceWriter w, PipelineView pipeline)
            {
                List<StageModel> seeded = pipeline.Stateful.Where(s => s.State!.InitialState is not null).ToList();
                if (seeded.Count == 0)
                {
                    return;
                }

                w.Line();
                w.Line("/// <summary>As the first batch begins, unless a checkpoint's state was read: the stages' initial state.</summary>");
                w.Open($"public override void BeginBatch(in {Runtime}.Hosting.BatchInfo batch)");
                w.Open($"if (!{PipelineView.SeedField})");
                w.Line("return;");
                w.Close();
                w.Line();
                w.Line($"{PipelineView.SeedField} = false;");
                foreach (StageModel stateful in seeded)
                {
                    StageNames names = pipeline.NamesOf(stateful);
                    string initial = stateful.State!.InitialState!;
                    w.Line($"// [{stateful.Kind}] {stateful.Name}: the keys' state before the first batch, from {initial}().");
                    w.Open($"foreach (var {names.Initial} in {pipeline.ClassName}.{NameTable.Escaped(initial)}())");
                    w.Line($"{names.Field}.Put({StateKeyFromTest(pipeline, stateful, names.Initial + ".Item1")}, {names.Initial}.Item2);");
                    w.Close();
                }

                w.Close();
            }

            // One record of a stateful stage in the fused loop: kept for the boundary ([UpdateStateByKey]) or mapped with its key's state ([MapWithState]).
            private static void EmitStateRecord(SourceWriter w, PipelineView pipeline, StageModel stage, RecordType inputType, string input)
            {
                StageNames names = pipeline.NamesOf(stage);
                string key = KeyOf(inputType, input);
                string value = ValueOf(inputType, input);
                if (stage.Kind == StageKind.UpdateStateByKey)
                {
                    // The value joins its key's values of the batch; the update function runs at the batch boundary.
                    w.Line($"{names.Field}.Add({key}, {value});");
                    return;
                }

                if (pipeline.CurrentSource is not null && SinglePartitionReason(pipeline) is null)
                {
                    // In a fused loop of a pipeline that can run on partitions: on one partition the job maps each record as
                    // it comes; on N, a record waits for the boundary unless the job holds its key's state.
                    if (StateInShards(pipeline, stage))
                    {
                        // A state in shards: the job maps its records of shard 0 (its store's) now, and keeps the others' for
                        // their shards; one more partition keeps every record for its key's shard.
                        w.Line($"if ({names.Arrived} is null || !{names.Arrived}.Keep({key}, {value})) {names.Replay}({key}, {value});");
                    }
                    else
                    {
                        // The job's one store: one more partition keeps every record, which the job maps at the boundary.
                        w.Line($"if ({names.Arrived} is null) {names.Replay}({key}, {value});");
                        w.Line($"else {names.Arrived}.Add({key}, {value});");
                    }

                    return;
                }

                // Called per record with its key's state.
                EmitStateResult(w, pipeline, stage, $"{names.Field}.Map({key}, {value})");
            }

            // In a fused loop of a pipeline on partitions: a [MapWithState] stage's call with one record, and the stages below
            // it, as a method the loop calls for a record as it comes (on the job) and the partition's merge calls for each
            // record it kept (on the job's loop, at the boundary).
            private static void EmitStateReplay(SourceWriter w, PipelineView pipeline, StageModel stage)
            {
                StageNames names = pipeline.NamesOf(stage);
                w.Line();
                w.Line($"/// <summary>[MapWithState] {stage.Name} ({stage.Location}): maps one record with its key's state and runs what it gives through the stages below.</summary>");
                w.Line(Inline);
                w.Open($"public void {names.Replay}({StateKeyType(pipeline, stage)} {names.Key}, {stage.State!.Value.Code} {names.ArrivedValue})");
                EmitStateResult(w, pipeline, stage, $"{names.Field}.Map({names.Key}, {names.ArrivedValue})");
                w.Close();
            }

            // The job's fields of the [MapWithState] stores that one more partition does not have (a state not kept in
            // shards): its loop keeps their records for the job.
            private static HashSet<string> ReplayedStores(PipelineView pipeline) =>
                new(pipeline.Stateful.Where(s => s.Kind == StageKind.MapWithState && !StateInShards(pipeline, s)).Select(s => pipeline.NamesOf(s).Field!));

            // The output of a [MapWithState] call: emitted, or with a nullable result, emitted only when there.
            private static void EmitStateResult(SourceWriter w, PipelineView pipeline, StageModel stage, string call)
            {
                StageNames n = pipeline.NamesOf(stage);
                int index = pipeline.IndexOf(stage);
                if (!stage.State!.OptionalOutput)
                {
                    w.Line($"var {n.Local} = {call};");
                    EmitChildren(w, pipeline, index, n.Local!);
                    return;
                }

                w.Line($"var {n.Result} = {call};");
                w.Open($"if ({n.Result} is {{ }} {n.Local})");
                EmitChildren(w, pipeline, index, n.Local!);
                w.Close();
            }

            // At the batch boundary: [UpdateStateByKey] updates every key, emitting those that keep a state;
            // [MapWithState] times out idle keys, emitting what their last calls return.
            private static void EmitStateBoundary(SourceWriter w, PipelineView pipeline, StageModel stage)
            {
                StageNames n = pipeline.NamesOf(stage);
                StateModel state = stage.State!;
                RecordType output = stage.Output!;
                int index = pipeline.IndexOf(stage);
                if (stage.Kind == StageKind.UpdateStateByKey)
                {
                    // With EventTime = true the function's time is the watermark of the [EventTime] stage above, which has moved on already.
                    string time = state.TimeStage < 0 ? "batch.Time" : $"{pipeline.NamesOf(pipeline.Model.Stages[state.TimeStage]).Field}.Value";
                    string given = state.TimeStage < 0 ? "" : $", given the watermark of [EventTime] {pipeline.Model.Stages[state.TimeStage].Name}";
                    w.Line($"// [UpdateStateByKey] {stage.Name} ({stage.Location}): every key with a state or new values, every batch{given}; null removes a key.");
                    w.Open($"while ({n.Field}.NextState({time}, out var {n.Key}, out {state.State.Code} {n.Next}))");
                    w.Line(output.Shape == RecordShape.KeyValue
                        ? $"var {n.Local} = new {output.Type.Code}({n.Key}, {n.Next});"
                        : $"var {n.Local} = ({n.Key}, {n.Next});");
                    EmitChildren(w, pipeline, index, n.Local!);
                    w.Close();
                    return;
                }

                // On N partitions, a state kept in shards ends the batch in every shard's store, shard 0 (the job's) first.
                bool sharded = StateInShards(pipeline, stage);
                string store = sharded ? n.Shard! : n.Field!;
                if (state.TimeoutMilliseconds is not { } ms)
                {
                    w.Line($"// [MapWithState] {stage.Name} ({stage.Location}): keys without a state leave the store{(sharded ? " of each shard" : "")}.");
                    w.Line(sharded ? $"foreach (var {n.Shard} in {n.Shards}) {n.Shard}.EndBatch(batch.Index);" : $"{n.Field}.EndBatch(batch.Index);");
                    return;
                }

                // Spark's rule: a key last updated before the batch time minus the timeout times out.
                w.Line($"// [MapWithState] {stage.Name} ({stage.Location}): keys idle for {Duration(ms)} time out, with one more call each; keys without a state leave the store{(sharded ? " of each shard" : "")}.");
                if (sharded)
                {
                    w.Open($"foreach (var {n.Shard} in {n.Shards})");
                }

                if (!state.OptionalOutput)
                {
                    w.Open($"while ({store}.NextTimeout(batch.Index, out var {n.Local}))");
                    EmitChildren(w, pipeline, index, n.Local!);
                    w.Close();
                }
                else
                {
                    w.Open($"while ({store}.NextTimeout(batch.Index, out var {n.Result}))");
                    w.Open($"if ({n.Result} is {{ }} {n.Local})");
                    EmitChildren(w, pipeline, index, n.Local!);
                    w.Close();
                    w.Close();
                }

                if (sharded)
                {
                    w.Close();
                }
            }

            // In the job: for the test driver, each stateful stage's way to put a key's initial state and to list its
            // whole state (byte keys as strings).
            private static void EmitStateAccess(SourceWriter w, PipelineView pipeline)
            {
                foreach (StageModel stateful in pipeline.Stateful)
                {
                    StageNames n = pipeline.NamesOf(stateful);
                    string key = StateKeyForTest(pipeline, stateful);
                    string state = stateful.State!.State.Code;
                    w.Line();
                    w.Line($"/// <summary>Gives a key of {stateful.Name} a state before the first batch (the test driver calls this).</summary>");
                    w.Line($"public void {n.PutState}({key} key, {state} state) => {n.Field}.Put({StateKeyFromTest(pipeline, stateful, "key")}, state);");
                    w.Line();
                    w.Line($"/// <summary>Every key of {stateful.Name} that has a state, with it, in the store's order (the test driver calls this after each batch).</summary>");
                    w.Open($"public global::System.Collections.Generic.List<({key} Key, {state} State)> {n.Snapshot}()");
                    w.Line($"var states = new global::System.Collections.Generic.List<({key} Key, {state} State)>({n.Field}.Count);");
                    w.Open($"foreach (var entry in {n.Field})");
                    w.Line(IsByteKeyed(pipeline, stateful)
                        ? "states.Add((global::System.Text.Encoding.UTF8.GetString(entry.Key), entry.State));"
                        : "states.Add((entry.Key, entry.State));");
                    w.Close();
                    w.Line("return states;");
                    w.Close();
                }
            }

            // In the job: the struct through which each stateful stage's store calls the user's method.
            private static void EmitStateFunctions(SourceWriter w, PipelineView pipeline)
            {
                foreach (StageModel stateful in pipeline.Stateful)
                {
                    StageNames n = pipeline.NamesOf(stateful);
                    StateModel state = stateful.State!;
                    string method = $"{pipeline.ClassName}.{NameTable.Escaped(stateful.Name)}";
                    string key = StateKeyType(pipeline, stateful);
                    string value = state.Value.Code;
                    w.Line();
                    if (stateful.Kind == StageKind.UpdateStateByKey)
                    {
                        string arguments = state.TakesTimeAndKey ? "batchTime, key, values, state" : "values, state";
                        w.Line($"/// <summary>Calls {stateful.Name}, the update function of [UpdateStateByKey] {stateful.Name}.</summary>");
                        w.Open($"private readonly struct {n.Function} : {Runtime}.IUpdateStateFunction<{key}, {value}, {state.State.Code}>");
                        w.Line($"public static {state.State.Code}? Update(long batchTime, {key} key, global::System.ReadOnlySpan<{value}> values, {state.State.Code}? state) => {method}({arguments});");
                        w.Close();
                        continue;
                    }

                    string output = OutputOfMap(stateful);
                    w.Line($"/// <summary>Calls {stateful.Name}, the function of [MapWithState] {stateful.Name}.</summary>");
                    w.Open($"private readonly struct {n.Function} : {Runtime}.IMapWithStateFunction<{key}, {value}, {state.State.Code}, {output}>");
                    w.Line($"public static {output} Map({key} key, {value}? value, {Runtime}.State<{state.State.Code}> state) => {method}(key, value, state);");
                    w.Close();
                }
            }

            // What a [MapWithState] function returns: its output, nullable when null emits nothing.
            private static string OutputOfMap(StageModel stage) => stage.Output!.Type.Code + (stage.State!.OptionalOutput ? "?" : "");

            private static bool IsByteKeyed(PipelineView pipeline, StageModel stage) =>
                pipeline.Model.Stages[stage.Input].Output!.Shape == RecordShape.KeyValue;

            // A stateful stage's key as its store takes it: a byte span, or the struct key.
            private static string StateKeyType(PipelineView pipeline, StageModel stage) =>
                IsByteKeyed(pipeline, stage) ? "global::System.ReadOnlySpan<byte>" : pipeline.Model.Stages[stage.Input].Output!.Key!.Code;

            // A stateful stage's key as a test (or an initial-state method) gives it: a string for byte keys.
            private static string StateKeyForTest(PipelineView pipeline, StageModel stage) =>
                IsByteKeyed(pipeline, stage) ? "string" : pipeline.Model.Stages[stage.Input].Output!.Key!.Code;

            // A key given as a test gives it, as the store takes it.
            private static string StateKeyFromTest(PipelineView pipeline, StageModel stage, string key) =>
                IsByteKeyed(pipeline, stage) ? $"global::System.Text.Encoding.UTF8.GetBytes({key})" : key;

            private sealed partial class PipelineView
            {
                // The job's field of each stateful stage: its store, which the fused loop updates too.
                private void AddStateFields(PipelineModel model)
                {
                    foreach (StageModel stateful in Stateful)
                    {
                        StageNames names = NamesOf(stateful);
                        string store = StateStoreType(stateful);
                        _jobFields.Add((stateful, stateful.State!.TimeoutMilliseconds is null
                            ? $"private readonly {store} {names.Field} = new();"
                            : $"private readonly {store} {names.Field};"));
                        _stateTables.Add(stateful, ($"private readonly {store} {names.Field};", names.Field!));
                    }
                }

                /// <summary>
                /// A [MapWithState] stage's records kept in shards by key hash (each partition's, and the job's, on N
                /// partitions): a buffer per shard.
                /// </summary>
                public string ArrivedShardsType(StageModel stage) =>
                    IsByteKeyed(this, stage)
                        ? $"{Runtime}.State.Partitions.StateInputShards<{stage.State!.Value.Code}>"
                        : $"{Runtime}.State.Partitions.StateInputShards<{StateKeyType(this, stage)}, {stage.State!.Value.Code}>";

                /// <summary>The rule that gives a [MapWithState] stage's key its shard: <c>ByteKeyShards</c> or <c>ValueKeyShards&lt;K&gt;</c>.</summary>
                public string ShardRule(StageModel stage) =>
                    IsByteKeyed(this, stage)
                        ? $"{Runtime}.State.Partitions.ByteKeyShards"
                        : $"{Runtime}.State.Partitions.ValueKeyShards<{StateKeyType(this, stage)}>";

                /// <summary>
                /// A [MapWithState] stage's buffer of the records one more partition keeps for the boundary: byte keys into an
                /// arena, or keys and values as they are.
                /// </summary>
                public string ArrivedType(StageModel stage) =>
                    IsByteKeyed(this, stage)
                        ? $"{Runtime}.State.Partitions.PartitionStateInput<{stage.State!.Value.Code}>"
                        : $"{Runtime}.State.Partitions.PartitionStateInput<{StateKeyType(this, stage)}, {stage.State!.Value.Code}>";

                /// <summary>The stateful stages ([UpdateStateByKey], [MapWithState]), in declaration order.</summary>
                public List<StageModel> Stateful { get; }

                /// <summary>A stateful stage's store: the runtime type, over its key table and its function struct.</summary>
                public string StateStoreType(StageModel stage)
                {
                    StateModel state = stage.State!;
                    string key = StateKeyType(this, stage);
                    string entry = stage.Kind == StageKind.UpdateStateByKey
                        ? $"{Runtime}.UpdateEntry<{state.State.Code}>"
                        : $"{Runtime}.StateEntry<{state.State.Code}>";
                    string keys = IsByteKeyed(this, stage)
                        ? $"{Runtime}.Keys.ByteKeys<{entry}>"
                        : $"{Runtime}.Keys.StructKeys<{key}, {entry}>";
                    string function = NamesOf(stage).Function!;
                    return stage.Kind == StageKind.UpdateStateByKey
                        ? $"{Runtime}.UpdateStateStore<{key}, {state.Value.Code}, {state.State.Code}, {keys}, {function}>"
                        : $"{Runtime}.MapWithStateStore<{key}, {state.Value.Code}, {state.State.Code}, {OutputOfMap(stage)}, {keys}, {function}>";
                }
            }
        }
    }
}
