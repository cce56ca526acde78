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
            // Whether a [MapWithState] stage of a fused loop keeps its state in shards by key hash on N partitions, one per
            // partition, each mapped on its own thread at the boundary: when the pipeline runs on partitions, no
            // [MapWithState] is below another, and every sink below the stage is one a partition can always keep until
            // the boundary (records of a type with no view into the line, or byte spans; no Parquet columns). Otherwise a
            // partition keeps the stage's records and the job maps them, one partition after another.
            private static bool StateInShards(PipelineView pipeline, StageModel stage)
            {
                if (stage.Kind != StageKind.MapWithState || SinglePartitionReason(pipeline) is not null || !LoopStages(pipeline).Contains(stage))
                {
                    return false;
                }

                if (LoopStages(pipeline).Where(s => s.Kind == StageKind.MapWithState).Any(s => StagesBelow(pipeline, s).Any(below => below.Kind == StageKind.MapWithState)))
                {
                    return false;
                }

                return StagesBelow(pipeline, stage)
                    .Where(s => s.Kind == StageKind.Sink)
                    .All(sink => (KeepsRecords(pipeline, sink) || IsByteSpan(pipeline, sink)) && pipeline.NamesOf(sink).Parquet is null);
            }

            // In the job, for [MapWithState] stages whose state is kept in shards: the shards' stores and the job's records
            // per shard; a partition made adds its store as the next shard; at the boundary the state restored or given
            // before the first batch is spread over the shards once (BeginShards), and each shard maps every partition's
            // records of its keys on the loop of the partition that holds it (MapShard).
            private static void EmitStateShards(SourceWriter w, PipelineView pipeline, List<StageModel> sharded)
            {
                foreach (StageModel stage in sharded)
                {
                    StageNames names = pipeline.NamesOf(stage);
                    w.Line($"// [MapWithState] {stage.Name}: on N partitions, the stores of the state's shards ({names.Field} is shard 0), the job's records of");
                    w.Line("// the batch for shards 1 to N - 1 (none on one partition; the job maps shard 0's as they come), and whether the state the job");
                    w.Line("// held before its first batch has been spread over the shards.");
                    w.Line($"private readonly global::System.Collections.Generic.List<{pipeline.StateStoreType(stage)}> {names.Shards} = new();");
                    w.Line($"private {pipeline.ArrivedShardsType(stage)}? {names.Arrived};");
                    w.Line($"private bool {names.Spread};");
                }

                w.Line();
                w.Line("/// <summary>Creates one more partition of the per-record part, whose store holds the next shard of each state kept in shards; the job keeps its records for as many shards.</summary>");
                w.Open($"public override {Runtime}.Hosting.JobPartition CreatePartition({Runtime}.Hosting.PartitionContext context)");
                w.Line($"var partition = new {PartitionType}(this, context);");
                foreach (StageModel stage in sharded)
                {
                    StageNames names = pipeline.NamesOf(stage);
                    w.Line($"{names.Shards}.Add(partition.{names.Field});");
                    w.Line($"({names.Arrived} ??= new(mapsShardZero: true)).KeepFor({names.Shards}.Count);");
                }

                w.Line("return partition;");
                w.Close();
                w.Line();
                w.Line("/// <inheritdoc />");
                w.Line("public override bool MapsStateInShards => true;");
                w.Line();
                w.Line("/// <inheritdoc />");
                w.Line("public override long KeptBytes => " + string.Join(" + ", sharded.Select(s => $"({pipeline.NamesOf(s).Arrived}?.BufferedBytes ?? 0)")) + ";");
                w.Line();
                w.Line("/// <summary>The first time: the state the job holds (restored from a checkpoint, or initial state) spread over the shards, each key into its shard's store.</summary>");
                w.Open($"public override void BeginShards(global::System.Collections.Generic.IReadOnlyList<{Runtime}.Hosting.JobPartition> partitions)");
                foreach (StageModel stage in sharded)
                {
                    StageNames names = pipeline.NamesOf(stage);
                    w.Open($"if (!{names.Spread})");
                    w.Line($"{names.Field}.SpreadTo<{pipeline.ShardRule(stage)}>({names.Shards});");
                    w.Line($"{names.Spread} = true;");
                    w.Close();
                }

                w.Close();
                w.Line();
                w.Line("/// <summary>Maps the batch's records of one shard's keys, partition 0's first, then 1's, ..., with the shard's state, on the loop of the partition that holds the shard.</summary>");
                w.Open($"public override void MapShard(int shard, global::System.Collections.Generic.IReadOnlyList<{Runtime}.Hosting.JobPartition> partitions)");
                foreach (StageModel stage in sharded)
                {
                    StageNames names = pipeline.NamesOf(stage);
                    StageNames loop = pipeline.NamesOf(pipeline.LoopSourcesOf(stage)[0]);
                    w.Line($"// [MapWithState] {stage.Name} ({stage.Location}): each partition's records of the shard's keys, in partition order, so each key sees its records in the input's order.");
                    w.Open();
                    w.Line($"var {loop.LoopLocal} = shard == 0 ? new {loop.LoopType}(this) : new {loop.LoopType}(({PartitionType})partitions[shard - 1]);");
                    w.Open("for (int p = 0; p <= partitions.Count; p++)");
                    w.Line($"var kept = (p == 0 ? {names.Arrived}! : (({PartitionType})partitions[p - 1]).{names.Arrived})[shard];");
                    w.Open("for (int i = 0; i < kept.Count; i++)");
                    w.Line($"{loop.LoopLocal}.{names.Replay}(kept.KeyAt(i), kept.ValueAt(i));");
                    w.Close();
                    w.Line();
                    w.Line("kept.Clear();");
                    w.Close();
                    EmitReduceWaitingCall(w, pipeline, pipeline.LoopSourcesOf(stage)[0], loop.LoopLocal!);
                    w.Close();
                }

                w.Close();
            }
        }
    }
}
