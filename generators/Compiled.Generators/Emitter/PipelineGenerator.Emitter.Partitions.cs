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
            // The name of the job's nested class of one more partition.
            private const string PartitionType = "Partition";

            // Why the pipeline runs on one partition, or null when the per-record part of its sources can be split: every
            // stage their fused loops run keeps a part of the batch that partitions merge at the boundary (see EmitMerge).
            private static string? SinglePartitionReason(PipelineView pipeline)
            {
                if (pipeline.Sources.Select(CsvSinglePartitionReason).FirstOrDefault(reason => reason is not null) is { } csv)
                {
                    return csv;
                }

                foreach (StageModel stage in LoopStages(pipeline))
                {
                    if (WhyNotPartitioned(pipeline, stage) is { } why)
                    {
                        return $"stage [{stage.Kind}] {stage.Name} {why}";
                    }
                }

                return null;
            }

            // The stages the fused loops of every source run, each once.
            private static List<StageModel> LoopStages(PipelineView pipeline) =>
                pipeline.Sources.SelectMany(pipeline.ReachedFrom).Distinct().ToList();

            // Why a stage of a fused loop keeps its pipeline on one partition, or null when partitions can run it: every other
            // stage runs as it is (stateless ones) or keeps a part of the batch that EmitMerge folds into the job's in
            // partition order, the input's.
            private static string? WhyNotPartitioned(PipelineView pipeline, StageModel stage) => stage switch
            {
                { InOrder: true } => "declares InOrder: its method sees the records one at a time, in the order they arrive",
                { Kind: StageKind.MapWithState } => StateReplayRefusal(pipeline, stage),
                { Kind: StageKind.EventTime } when pipeline.LoopSourcesOf(stage).Count > 1 =>
                    $"follows the event time of {pipeline.LoopSourcesOf(stage).Count} sources, whose watermarks partitions do not merge yet",
                _ => null,
            };

            // Why a [MapWithState] stage of a fused loop keeps its pipeline on one partition, or null when one more partition can
            // keep its records for the boundary, where the job maps them with its state and runs them through the stages below
            // it after the records of the ranges before: records and keys that hold no view into the line, no bad-record
            // report that needs the line, and stages below it fed by it alone.
            private static string? StateReplayRefusal(PipelineView pipeline, StageModel stage)
            {
                RecordType input = pipeline.Model.Stages[stage.Input].Output!;
                foreach (TypeName? type in new[] { input.Shape == RecordShape.KeyValue ? null : input.Key, stage.State!.Value })
                {
                    if (type is not null && HoldsView(type))
                    {
                        return $"takes {type.Display} {(type == input.Key ? "keys" : "values")}, which hold views into a buffer a partition reuses, so a partition cannot keep its records until the batch boundary; give the stage a key and value that own their data (a string for text) to run on partitions";
                    }
                }

                List<StageModel> below = StagesBelow(pipeline, stage);
                var fed = new HashSet<int>(below.Select(pipeline.IndexOf)) { pipeline.IndexOf(stage) };
                if (below.Prepend(stage).FirstOrDefault(pipeline.IsGuarded) is { } guarded)
                {
                    return $"reports bad records of [{guarded.Kind}] {guarded.Name} with their source's line, which a partition does not keep for the batch boundary, where the job maps its records";
                }

                foreach (StageModel child in below)
                {
                    if (child.Kind == StageKind.EventTime)
                    {
                        return $"feeds [EventTime] {child.Name}, whose watermark partitions follow record by record, while the job maps a partition's records of the stage at the batch boundary";
                    }

                    int other = child.Input >= 0 && !fed.Contains(child.Input) ? child.Input : child.Other >= 0 && !fed.Contains(child.Other) ? child.Other : -1;
                    if (other >= 0)
                    {
                        return $"feeds [{child.Kind}] {child.Name}, which [{pipeline.Model.Stages[other].Kind}] {pipeline.Model.Stages[other].Name} feeds too, and a partition's records of the stage reach it only at the batch boundary, out of their order with the other's";
                    }
                }

                return null;
            }

            // Whether a type holds a view into a buffer it was read from: a span, a Utf8Text, or a tuple or struct of one.
            private static bool HoldsView(TypeName type) =>
                type.IsRefLike || type.TextCopy is not null || type.Code.Contains("global::Compiled.Utf8Text") || type.Code.Contains("global::System.ReadOnlySpan<");

            // The stages of a fused loop below a stage of it, each once, in plan order: what the job runs for a record it maps.
            private static List<StageModel> StagesBelow(PipelineView pipeline, StageModel stage)
            {
                var loop = new HashSet<StageModel>(LoopStages(pipeline));
                var below = new List<StageModel>();
                var pending = new Queue<int>();
                pending.Enqueue(pipeline.IndexOf(stage));
                while (pending.Count > 0)
                {
                    foreach (StageModel child in pipeline.ChildrenOf(pending.Dequeue()))
                    {
                        if (loop.Contains(child) && !below.Contains(child))
                        {
                            below.Add(child);
                            pending.Enqueue(pipeline.IndexOf(child));
                        }
                    }
                }

                return below;
            }

            // The stages of the fused loops below the [MapWithState] stages whose state is not kept in shards, which no
            // partition runs: a partition keeps the stage's records, and the job maps them and runs these.
            private static HashSet<StageModel> StagesBelowReplayedState(PipelineView pipeline) =>
                new(LoopStages(pipeline).Where(s => s.Kind == StageKind.MapWithState && !StateInShards(pipeline, s)).SelectMany(s => StagesBelow(pipeline, s)));

            // The sinks a fused loop writes to, each once, in declaration order: in one more partition each is a buffer of
            // the partition's, drained into the job's sink at the boundary (a late sink of an [EventTime] too).
            private static List<StageModel> LoopSinks(PipelineView pipeline)
            {
                var names = new HashSet<string>(pipeline.Sources.SelectMany(pipeline.LoopFields).Select(f => f.Name));
                return pipeline.Sinks.Where(sink => names.Contains(pipeline.NamesOf(sink).Field!)).ToList();
            }

            // Whether a partition can keep a sink's records as they are until the boundary: a type with no view into a
            // buffer the partition reuses (HoldsView).
            private static bool KeepsRecords(PipelineView pipeline, StageModel sink) =>
                !HoldsView(pipeline.Model.Stages[sink.Input].Output!.Type);

            // Whether a sink's records are byte spans, which its partition buffer copies into its arena.
            private static bool IsByteSpan(PipelineView pipeline, StageModel sink) =>
                pipeline.Model.Stages[sink.Input].Output!.Type.Code == "global::System.ReadOnlySpan<byte>";

            // The Definition's arguments that say how many partitions the pipeline can run on, and if one, why.
            private static List<string> PartitionArgument(PipelineView pipeline) =>
                SinglePartitionReason(pipeline) is { } reason
                    ? new List<string> { $"    singlePartitionReason: {Literal(reason)}" }
                    : new List<string> { "    maxParallelism: int.MaxValue" };

            // In the job: its factory of partitions, and the partition class, when the pipeline can be split.
            private static void EmitPartitions(SourceWriter w, PipelineView pipeline)
            {
                if (SinglePartitionReason(pipeline) is not null)
                {
                    return;
                }

                // The fields of every source's loop, each once: framers, refusal points and counters per source; tables,
                // windows and buffers per stage. The refusal points, counters and stages' guards are the run's, bound in
                // the constructor; the partition's tables are its own.
                List<(string Declaration, string Name)> fields = pipeline.Sources
                    .SelectMany(pipeline.LoopFields)
                    .GroupBy(f => f.Name)
                    .Select(g => g.First())
                    .ToList();
                List<StageModel> loopStages = LoopStages(pipeline);
                List<StageModel> guarded = loopStages.Where(pipeline.IsGuardedInLoop).ToList();
                var bound = new HashSet<string>(guarded.Select(g => pipeline.NamesOf(g).Guard!));
                foreach (StageModel source in pipeline.Sources)
                {
                    if (pipeline.NamesOf(source).Counters is { } counters)
                    {
                        bound.Add(counters);
                    }

                    if (pipeline.BadRecordsFieldOf(source) is { } badRecords)
                    {
                        bound.Add(badRecords);
                    }
                }

                // A [MapWithState] stage's records wait in a buffer of the partition's own; its state is the job's alone
                // (ReplayedStores) unless kept in shards, when the partition's store holds a shard of it.
                HashSet<string> stores = ReplayedStores(pipeline);
                List<StageModel> replayed = loopStages.Where(s => s.Kind == StageKind.MapWithState).ToList();
                bound.UnionWith(replayed.Select(s => pipeline.NamesOf(s).Arrived!));
                List<StageModel> sinks = LoopSinks(pipeline);
                var ownDeclarations = replayed.ToDictionary(s => pipeline.NamesOf(s).Arrived!, s => $"internal readonly {(StateInShards(pipeline, s) ? pipeline.ArrivedShardsType(s) : pipeline.ArrivedType(s))} {pipeline.NamesOf(s).Arrived};");
                bound.UnionWith(replayed.Where(s => StateInShards(pipeline, s)).Select(s => pipeline.NamesOf(s).Field!));
                foreach (StageModel sink in sinks)
                {
                    StageNames names = pipeline.NamesOf(sink);
                    int index = pipeline.Sinks.IndexOf(sink);
                    ownDeclarations[names.Field!] = $"internal readonly {Runtime}.Sinks.Partitions.PartitionSinkBuffer {names.Field};";
                    bound.Add(names.Field!);
                    bound.Add(names.Records!);
                    if (names.Parquet is { } columns)
                    {
                        bound.Add(columns);
                    }
                }

                EmitSinglePartitionReason(w, pipeline, sinks);
                w.Line();
                List<StageModel> sharded = replayed.Where(s => StateInShards(pipeline, s)).ToList();
                if (sharded.Count == 0)
                {
                    w.Line("/// <summary>Creates one more partition of the per-record part: its own framers and per-batch tables, the same fused loops.</summary>");
                    w.Line($"public override {Runtime}.Hosting.JobPartition CreatePartition({Runtime}.Hosting.PartitionContext context) => new {PartitionType}(context);");
                }
                else
                {
                    EmitStateShards(w, pipeline, sharded);
                }

                w.Line();
                w.Line($"/// <summary>One more partition of {pipeline.Model.Name}'s per-record part, run on a thread of its own; its partials merge into the job's at each batch boundary.</summary>");
                w.Open($"private sealed class {PartitionType} : {Runtime}.Hosting.JobPartition");
                foreach (StageModel source in pipeline.Sources)
                {
                    w.Line($"private readonly {Runtime}.Framing.LineFramer {pipeline.NamesOf(source).Framer};");
                }

                // A watermark's lateness is the job's business: the partition's judges records by the job's value (BeginBatch).
                var watermarks = new HashSet<string>(loopStages.Where(s => s.Kind == StageKind.EventTime).Select(s => pipeline.NamesOf(s).Field!));
                foreach ((string declaration, string name) in fields.Where(f => !stores.Contains(f.Name)))
                {
                    string field = ownDeclarations.TryGetValue(name, out string? buffer) ? buffer
                        : declaration.Replace(" = new();", ";").Replace("private readonly ", "internal readonly ");
                    w.Line(bound.Contains(name) ? field : field.Substring(0, field.Length - 1) + (watermarks.Contains(name) ? " = new(0);" : " = new();"));
                }

                w.Line();
                w.Line("/// <summary>Binds the partition to its sources' framing options and to its own counters.</summary>");
                bool takesJob = replayed.Any(s => StateInShards(pipeline, s));
                w.Open(takesJob
                    ? $"public {PartitionType}({pipeline.JobName} job, {Runtime}.Hosting.PartitionContext context)"
                    : $"public {PartitionType}({Runtime}.Hosting.PartitionContext context)");
                for (int i = 0; i < pipeline.Sources.Count; i++)
                {
                    StageModel source = pipeline.Sources[i];
                    StageNames names = pipeline.NamesOf(source);
                    w.Line($"{names.Framer} = new(context.Framing[{i}], context.Counters[{i}]);");
                    if (pipeline.BadRecordsFieldOf(source) is { } badRecords)
                    {
                        w.Line($"{badRecords} = {BadRecordsValue(pipeline, source, i)};");
                    }

                    // A record reader reports to the refusal point bound just above.
                    if (names.Counters is { } counters)
                    {
                        w.Line($"{counters} = {CountersValue(pipeline, source, $"context.Counters[{i}]", $"context.Framing[{i}]")};");
                    }
                }

                foreach (StageModel stage in guarded)
                {
                    w.Line($"{pipeline.NamesOf(stage).Guard} = {GuardValue(stage)};");
                }

                foreach (StageModel stateful in replayed)
                {
                    // Its records for a [MapWithState] stage wait in a buffer of its own (one per shard of a state kept in
                    // shards, whose shard this partition's store holds), counted towards the partition's limit.
                    StageNames names = pipeline.NamesOf(stateful);
                    if (StateInShards(pipeline, stateful))
                    {
                        w.Line($"{names.Field} = new(job.{names.Field}.TimeoutBatches);");
                        w.Line($"{names.Arrived} = context.Keep(new {pipeline.ArrivedShardsType(stateful)}());");
                    }
                    else
                    {
                        w.Line($"{names.Arrived} = context.Keep(new {pipeline.ArrivedType(stateful)}());");
                    }
                }

                foreach (StageModel sink in sinks)
                {
                    // The partition's records for a sink wait in a buffer of its own until the boundary, or go at once to
                    // the partition's own part when the sink writes one per partition (a file sink's part files); typed
                    // records as they are when the job's sink takes them so (a type that holds no view into a reused buffer).
                    StageNames names = pipeline.NamesOf(sink);
                    w.Line($"{names.Field} = context.SinkBuffer({pipeline.Sinks.IndexOf(sink)});");
                    w.Line(IsByteSpan(pipeline, sink) ? $"{names.Records} = {names.Field}.BytesAsTheyAre();"
                        : KeepsRecords(pipeline, sink) ? $"{names.Records} = {names.Field}.RecordsOf<{pipeline.Model.Stages[sink.Input].Output!.Type.Code}>();"
                        : $"{names.Records} = null;");
                    if (names.Parquet is { } columns)
                    {
                        // A parquet:// sink that writes a file per partition gives the partition its own part, whose
                        // columns the partition fills as the job fills the job's.
                        w.Line("// A parquet:// sink that writes a file per partition: this partition fills the columns of its own part.");
                        w.Open($"if ({names.Field}.Part is {ParquetRuntime}.ParquetSink {columns}Part)");
                        w.Line($"{columns} = new {SinkWritersClass}.{ParquetColumnsClass(sink)}();");
                        w.Line($"{columns}Part.UseColumns({columns});");
                        w.Close();
                        w.Open("else");
                        w.Line($"{columns} = null;");
                        w.Close();
                    }
                }

                w.Close();
                w.Line();
                // A bad record's report gives its offset in the file, not in the range.
                EmitBeginStreams(w, pipeline, "Starts a byte range of a file of a source.", pipeline.Sources.Any(source => pipeline.BadRecordsFieldOf(source) is not null));
                w.Line();
                w.Line("/// <summary>Frames the buffer's records and runs each through this partition's fused loop of its source.</summary>");
                w.Open("public override global::System.SequencePosition Process(int source, in global::System.Buffers.ReadOnlySequence<byte> buffer, bool isCompleted)");
                w.Open("switch (source)");
                for (int i = 0; i < pipeline.Sources.Count; i++)
                {
                    StageNames names = pipeline.NamesOf(pipeline.Sources[i]);
                    w.Open($"case {i}:");
                    w.Line($"var {names.LoopLocal} = new {names.LoopType}(this);");
                    EmitFrame(w, pipeline, pipeline.Sources[i], endsRecordStream: false);
                    w.Close();
                }

                w.Line(OutOfRange);
                w.Close();
                w.Close();

                // The messages of a message source's partitions (a Kafka topic's) this partition reads: the same loop.
                EmitProcessMessages(w, pipeline);
                w.Line();
                w.Line("/// <summary>Folds this batch's partials into the job's tables (keys the job has not seen go after its own, in first-seen order), then empties them.</summary>");
                w.Open($"public override void MergeInto({Runtime}.Hosting.PipelineJob job)");
                w.Line($"var into = ({pipeline.JobName})job;");
                // A stage that both streams of a two-input stage reach is listed once per path: merged once.
                foreach (StageModel stage in loopStages)
                {
                    EmitMerge(w, pipeline, stage);
                }

                foreach (StageModel sink in sinks)
                {
                    string field = pipeline.NamesOf(sink).Field!;
                    w.Line($"// [Sink] {sink.Name} ({sink.Location}): this partition's records of the batch written to the job's sink, after those of the ranges before (none kept when the sink has a part of its own for this partition).");
                    w.Line($"{field}.DrainInto(into.{field});");
                }

                w.Close();
                if (watermarks.Count > 0 || sharded.Count > 0)
                {
                    w.Line();
                    w.Line(watermarks.Count == 0
                        ? "/// <summary>Keeps its records of a batch for as many shards as the job has partitions.</summary>"
                        : "/// <summary>Judges the batch's records late against the job's watermark, which moved on at the boundary before.</summary>");
                    w.Open($"public override void BeginBatch({Runtime}.Hosting.PipelineJob job)");
                    w.Line($"var from = ({pipeline.JobName})job;");
                    foreach (string watermark in watermarks)
                    {
                        w.Line($"{watermark}.Follow(from.{watermark});");
                    }

                    foreach (StageModel stateful in sharded)
                    {
                        w.Line($"{pipeline.NamesOf(stateful).Arrived}.KeepFor(from.{pipeline.NamesOf(stateful).Shards}.Count);");
                    }

                    w.Close();
                }

                w.Line();
                w.Line("/// <summary>Returns the framers' pooled buffers.</summary>");
                w.Open("protected override void Dispose(bool disposing)");
                foreach (StageModel source in pipeline.Sources)
                {
                    w.Line($"{pipeline.NamesOf(source).Framer}.Dispose();");
                }

                w.Close();
                w.Close();
            }

            // In the job: why it runs on one partition although its pipeline can be split, when a sink its fused loop writes
            // to takes records as they are that a partition cannot keep until the boundary (views into a reused buffer),
            // or Parquet columns of several batches per file, which partitions do not write in parts.
            private static void EmitSinglePartitionReason(SourceWriter w, PipelineView pipeline, List<StageModel> sinks)
            {
                var refusals = new List<string>();
                HashSet<StageModel> belowState = StagesBelowReplayedState(pipeline);
                foreach (StageModel sink in sinks.Where(s => !belowState.Contains(s)))
                {
                    StageNames names = pipeline.NamesOf(sink);
                    if (!KeepsRecords(pipeline, sink) && !IsByteSpan(pipeline, sink))
                    {
                        string type = pipeline.Model.Stages[sink.Input].Output!.Type.Display;
                        refusals.Add($"{names.Records} is not null ? {Literal($"sink {sink.Name} takes its records as they are ({type}), which hold views into a buffer a partition reuses, so a partition cannot keep them until the batch boundary")}");
                    }

                    if (names.Parquet is { } columns)
                    {
                        refusals.Add($"{columns} is not null && !(({ParquetRuntime}.ParquetSink){names.Field}).WritesParts ? {Literal($"sink {sink.Name} writes several batches per Parquet file (batchesPerFile above 1), which partitions do not write in parts; with batchesPerFile=1 each partition writes a file of its own")}");
                    }
                }

                if (refusals.Count == 0)
                {
                    return;
                }

                w.Line();
                w.Line("/// <summary>Why the job, bound to its sinks, runs on one partition: a sink its fused loop writes to takes records a partition cannot keep until the boundary.</summary>");
                w.Line($"public override string? SinglePartitionReason =>");
                foreach (string refusal in refusals)
                {
                    w.Line($"    {refusal} :");
                }

                w.Line("    null;");
            }

            // As in the loop: into a table larger than the cache, each key of a partition's table waits while its slot is fetched,
            // and the keys are reduced oldest first, so the job's table ends as with lookups one by one. Opens the "else" whose
            // loop looks the keys up at once; the caller writes that loop and closes it.
            private static void EmitDeferredMerge(SourceWriter w, StageModel stage, StageNames names, string field, string method)
            {
                w.Line("// Into a table larger than the cache, each key waits while its slot is fetched; the keys are reduced oldest first.");
                w.Open($"if (into.{field}.IsLargerThanCache)");
                w.Open($"for (int i = 0; i < {field}.Count; i++)");
                EmitReduceWaiting(w, stage, names, $"into.{field}.Defer({field}.KeyAt(i), {field}.ValueAt(i))", method, $"into.{field}");
                w.Close();
                w.Line();
                EmitReduceWaiting(w, stage, names, $"into.{field}.Waiting", method, $"into.{field}");
                w.Close();
                w.Open("else");
            }

            // One aggregate's partial folded into the job's: the user's reduce for a keyed or whole reduce, sums for counts.
            private static void EmitMerge(SourceWriter w, PipelineView pipeline, StageModel stage)
            {
                StageNames names = pipeline.NamesOf(stage);
                string field = names.Field!;
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                switch (stage.Kind)
                {
                    case StageKind.ReduceByKey or StageKind.CombineByKey:
                    {
                        // A key's partial value is folded into the job's as a record's value is folded into a table.
                        bool combine = stage.Kind == StageKind.CombineByKey;
                        w.Line(combine
                            ? $"// [CombineByKey] {stage.Name} ({stage.Location}): a key's partial combiners merged with {stage.MergeCombiners}."
                            : $"// [ReduceByKey] {stage.Name} ({stage.Location}): a key's partial values reduced with the user's reduce.");
                        bool defers = !combine && pipeline.DefersReduce(stage);
                        if (defers)
                        {
                            EmitDeferredMerge(w, stage, names, field, method);
                        }

                        w.Open($"for (int i = 0; i < {field}.Count; i++)");
                        EmitReduceInto(w, $"into.{field}", stage, names, $"{field}.KeyAt(i)", $"{field}.ValueAt(i)",
                            combine ? $"{pipeline.ClassName}.{NameTable.Escaped(stage.MergeCombiners!)}" : method);
                        w.Close();
                        if (defers)
                        {
                            w.Close();
                        }
                        w.Line();
                        w.Line($"{field}.Clear();");
                        break;
                    }

                    case StageKind.CountByValue:
                    {
                        w.Line($"// [CountByValue] {stage.Name} ({stage.Location}): a value's partial counts summed.");
                        bool defers = pipeline.DefersReduce(stage);
                        if (defers)
                        {
                            EmitDeferredMerge(w, stage, names, field, method);
                        }

                        w.Open($"for (int i = 0; i < {field}.Count; i++)");
                        w.Line($"into.{field}.GetValueRefOrAddDefault({field}.KeyAt(i), out bool _) += {field}.ValueAt(i);");
                        w.Close();
                        if (defers)
                        {
                            w.Close();
                        }

                        w.Line();
                        w.Line($"{field}.Clear();");
                        break;
                    }

                    case StageKind.GroupByKey:
                        w.Line($"// [GroupByKey] {stage.Name} ({stage.Location}): a key's values appended to the job's, after the values of the ranges before.");
                        EmitAppendValues(w, field, names.Values!);
                        break;

                    case StageKind.MapWithState when StateInShards(pipeline, stage):
                        w.Line($"// [MapWithState] {stage.Name} ({stage.Location}): this partition's shard of the state was mapped before the merge (MapShard), into its tables and sink buffers, merged here.");
                        break;

                    case StageKind.MapWithState:
                    {
                        // Mapped on the job's loop, into the job's state, tables and sinks: the stages below run as on the job.
                        StageNames loop = pipeline.NamesOf(pipeline.LoopSourcesOf(stage)[0]);
                        string arrived = names.Arrived!;
                        w.Line($"// [MapWithState] {stage.Name} ({stage.Location}): this partition's records of the batch mapped with the job's state, after the records of the ranges before, and run through the stages below it.");
                        w.Open($"if ({arrived}.Count > 0)");
                        w.Line($"var {loop.LoopLocal} = new {loop.LoopType}(into);");
                        w.Open($"for (int i = 0; i < {arrived}.Count; i++)");
                        w.Line($"{loop.LoopLocal}.{names.Replay}({arrived}.KeyAt(i), {arrived}.ValueAt(i));");
                        w.Close();
                        EmitReduceWaitingCall(w, pipeline, pipeline.LoopSourcesOf(stage)[0], loop.LoopLocal!);
                        w.Line();
                        w.Line($"{arrived}.Clear();");
                        w.Close();
                        break;
                    }

                    case StageKind.UpdateStateByKey:
                        w.Line($"// [UpdateStateByKey] {stage.Name} ({stage.Location}): a key's values of the batch appended to the job's, after the values of the ranges before.");
                        w.Line($"{field}.MergeBatchInto(into.{field});");
                        break;

                    case StageKind.ReduceByKeyAndWindow or StageKind.CountByValueAndWindow or StageKind.ReduceByWindow or StageKind.CountByWindow or StageKind.Window:
                        EmitWindowMerge(w, stage, names, method);
                        break;

                    case StageKind.EventTime:
                        w.Line($"// [EventTime] {stage.Name} ({stage.Location}): this partition's latest event time handed to the job's watermark, which follows the partition furthest behind; the late records counted.");
                        w.Line($"{field}.MergeInto(into.{field}, Index, HasEnded, into.RangeEnded);");
                        w.Line($"into.{PipelineView.MetricsField}.LateRecords += {PipelineView.MetricsField}.LateRecords;");
                        w.Line($"{PipelineView.MetricsField}.LateRecords = 0;");
                        break;

                    case StageKind.EventWindow when UsesPanes(stage):
                        w.Line($"// [EventWindow] {stage.Name} ({stage.Location}): each pane's keys reduced into the job's pane of the same start, in the order they arrived.");
                        w.Line($"{field}.MergeInto(into.{field}, {PaneMilliseconds(stage.Time!)});");
                        break;

                    case StageKind.EventWindow:
                        w.Line($"// [EventWindow] {stage.Name} ({stage.Location}): each window's table reduced into the job's window of the same bounds.");
                        w.Open($"while ({field}.TryClose(long.MaxValue - 1, out var {names.Window}, out var {names.Part}))");
                        w.Line($"var into{names.Part} = into.{field}.Open({names.Window}.Start, {names.Window}.End);");
                        w.Open($"for (int i = 0; i < {names.Part}.Count; i++)");
                        EmitReduceInto(w, $"into{names.Part}", stage, names, $"{names.Part}.KeyAt(i)", $"{names.Part}.ValueAt(i)", method);
                        w.Close();
                        w.Line();
                        w.Line($"{names.Part}.Clear();");
                        w.Line($"{field}.Recycle({names.Part});");
                        w.Close();
                        break;

                    case StageKind.Transform or StageKind.TransformWith or StageKind.ForEachBatch:
                        w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location}): the batch's records appended to the job's, after the records of the ranges before.");
                        EmitAppendRecords(w, names.In!, $"into.{names.In}", pipeline.Model.Stages[stage.Input].Output!.Shape == RecordShape.KeyValue);
                        if (names.OtherIn is not null && stage.Other >= 0)
                        {
                            EmitAppendRecords(w, names.OtherIn, $"into.{names.OtherIn}", keyValue: false);
                        }

                        break;

                    case StageKind.Union when names.Field is not null:
                        w.Line($"// [Union] {stage.Name} ({stage.Location}): the second stream's records of the batch appended to the job's, after those of the ranges before.");
                        EmitAppendRecords(w, field, $"into.{field}", stage.Output!.Shape == RecordShape.KeyValue);
                        break;

                    case StageKind.Join or StageKind.LeftOuterJoin or StageKind.RightOuterJoin or StageKind.FullOuterJoin or StageKind.Cogroup:
                        w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location}): each side's values of a key appended to the job's, after the values of the ranges before.");
                        EmitAppendValues(w, names.Left!, names.LeftValues!);
                        EmitAppendValues(w, names.Right!, names.RightValues!);
                        break;

                    case StageKind.SessionWindow:
                        w.Line($"// [SessionWindow] {stage.Name} ({stage.Location}): each open session added to the job's, merging with the sessions of its key it overlaps.");
                        w.Line($"{field}.MergeInto<{names.Reducer}>(into.{field});");
                        break;

                    case StageKind.Count:
                        w.Line($"// [Count] {stage.Name} ({stage.Location}): the partial counts summed.");
                        w.Line($"into.{field}.Value += {field}.Value;");
                        w.Line($"{field}.Value = 0;");
                        break;

                    case StageKind.Reduce:
                        w.Line($"// [Reduce] {stage.Name} ({stage.Location}): the partial reduced into the job's with the user's reduce.");
                        w.Open($"if ({field}.HasValue)");
                        w.Line($"if (into.{field}.HasValue) into.{field}.Value = {method}(into.{field}.Value, {field}.Value);");
                        w.Line($"else {{ into.{field}.Value = {field}.Value; into.{field}.HasValue = true; }}");
                        w.Line($"{field}.Clear();");
                        w.Close();
                        break;
                }
            }

            // A window's part of the batch folded into the job's window's part, before the window takes in the batch.
            private static void EmitWindowMerge(SourceWriter w, StageModel stage, StageNames names, string method)
            {
                string part = names.Current!;
                string into = $"into.{names.Field}{PipelineView.CurrentOf(stage)}";
                switch (stage.Kind)
                {
                    case StageKind.ReduceByKeyAndWindow:
                        w.Line($"// [ReduceByKeyAndWindow] {stage.Name} ({stage.Location}): a key's partial value of the batch reduced into the window's with the user's reduce.");
                        w.Open($"for (int i = 0; i < {part}.Count; i++)");
                        EmitReduceInto(w, into, stage, names, $"{part}.KeyAt(i)", $"{part}.ValueAt(i)", method);
                        w.Close();
                        w.Line();
                        w.Line($"{part}.Clear();");
                        break;

                    case StageKind.CountByValueAndWindow:
                        w.Line($"// [CountByValueAndWindow] {stage.Name} ({stage.Location}): a value's partial counts of the batch summed into the window's.");
                        w.Open($"for (int i = 0; i < {part}.Count; i++)");
                        w.Line($"{into}.GetValueRefOrAddDefault({part}.KeyAt(i), out bool _) += {part}.ValueAt(i);");
                        w.Close();
                        w.Line();
                        w.Line($"{part}.Clear();");
                        break;

                    case StageKind.ReduceByWindow:
                        w.Line($"// [ReduceByWindow] {stage.Name} ({stage.Location}): the batch's partial reduced into the window's with the user's reduce.");
                        w.Open($"if ({part}.HasValue)");
                        w.Line($"if ({into}.HasValue) {into}.Value = {method}({into}.Value, {part}.Value);");
                        w.Line($"else {{ {into}.Value = {part}.Value; {into}.HasValue = true; }}");
                        w.Line($"{part}.Clear();");
                        w.Close();
                        break;

                    case StageKind.CountByWindow:
                        w.Line($"// [CountByWindow] {stage.Name} ({stage.Location}): the batch's partial count summed into the window's.");
                        w.Open($"if ({part}.HasValue)");
                        w.Line($"{into}.Value += {part}.Value;");
                        w.Line($"{into}.HasValue = true;");
                        w.Line($"{part}.Clear();");
                        w.Close();
                        break;

                    case StageKind.Window:
                        w.Line($"// [Window] {stage.Name} ({stage.Location}): the batch's records appended to the window's, after the records of the ranges before.");
                        EmitAppendRecords(w, part, into, stage.Output!.Shape == RecordShape.KeyValue);
                        break;
                }
            }

            // A partition's records of the batch appended to the job's buffer, in their order, then forgotten.
            private static void EmitAppendRecords(SourceWriter w, string part, string into, bool keyValue)
            {
                w.Open($"for (int i = 0; i < {part}.Count; i++)");
                w.Line(keyValue ? $"{into}.Add({part}[i].Key, {part}[i].Value);" : $"{into}.Add({part}[i]);");
                w.Close();
                w.Line();
                w.Line($"{part}.Clear();");
            }

            // A partition's values per key of the batch (a key table of ValueList and their ValueLists) appended to the
            // job's, a key new to the job after its keys, then forgotten.
            private static void EmitAppendValues(SourceWriter w, string table, string values)
            {
                w.Open($"for (int i = 0; i < {table}.Count; i++)");
                w.Line($"{values}.AppendTo({table}.ValueAt(i), into.{values}, ref into.{table}.GetValueRefOrAddDefault({table}.KeyAt(i), out bool _));");
                w.Close();
                w.Line();
                w.Line($"{table}.Clear();");
                w.Line($"{values}.Clear();");
            }
        }
    }
}
