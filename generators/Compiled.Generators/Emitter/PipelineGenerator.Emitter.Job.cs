using System.Linq;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            // Not nameof(source): inside the user's class, a member named 'nameof' would turn it into a call.
            private const string OutOfRange = "default: throw new global::System.ArgumentOutOfRangeException(\"source\");";

            private static void EmitJob(SourceWriter w, PipelineView pipeline)
            {
                PipelineModel model = pipeline.Model;
                w.Line($"/// <summary>The running state of pipeline {model.Name}: framers, per-batch tables, sinks, and the fused loop.</summary>");
                w.Line(GeneratedCode);
                w.Open($"private sealed class {pipeline.JobName} : {Runtime}.Hosting.PipelineJob");
                foreach (string field in pipeline.JobFields)
                {
                    w.Line(field);
                }

                if (pipeline.Stateful.Any(s => s.State!.InitialState is not null))
                {
                    w.Line("// Until the first batch begins: whether it puts the initial state (a checkpoint's state read first takes its place).");
                    w.Line($"private bool {PipelineView.SeedField} = true;");
                }

                w.Line();
                w.Line($"/// <summary>Binds the job to its sources' framing options and to its sinks.</summary>");
                w.Open($"public {pipeline.JobName}({Runtime}.Hosting.JobContext context)");
                for (int i = 0; i < pipeline.Sources.Count; i++)
                {
                    w.Line($"{pipeline.NamesOf(pipeline.Sources[i]).Framer} = new(context.Framing[{i}], context.Counters[{i}]);");
                }

                for (int i = 0; i < pipeline.Sources.Count; i++)
                {
                    StageModel source = pipeline.Sources[i];
                    if (pipeline.NamesOf(source).BadRecords is { } badRecords && (source.Parse is not null || pipeline.HasGuards))
                    {
                        w.Line($"{badRecords} = {BadRecordsValue(pipeline, pipeline.Sources[i], i)};");
                    }
                }

                foreach (StageModel guarded in pipeline.Model.Stages.Where(pipeline.IsGuarded))
                {
                    w.Line($"{pipeline.NamesOf(guarded).Guard} = {GuardValue(guarded)};");
                }

                for (int i = 0; i < pipeline.Sources.Count; i++)
                {
                    if (pipeline.NamesOf(pipeline.Sources[i]).Counters is { } counters)
                    {
                        w.Line($"{counters} = {CountersValue(pipeline, pipeline.Sources[i], $"context.Counters[{i}]", $"context.Framing[{i}]")};");
                    }
                }

                if (pipeline.Model.Stages.Any(s => s.Kind == StageKind.EventTime))
                {
                    w.Line($"{PipelineView.MetricsField} = context.Metrics;");
                }

                EmitKeyTextCopies(w, pipeline);
                EmitCheckpointCodecs(w, pipeline);
                EmitStateInit(w, pipeline);
                EmitWindowInit(w, pipeline);
                for (int i = 0; i < pipeline.Sinks.Count; i++)
                {
                    EmitSinkBinding(w, pipeline, i);
                }

                w.Close();

                // BeginStream and Process dispatch on the source index.
                w.Line();
                // On partitions, the job's own partition starts ranges further into a file too (a section, a resumed run): a
                // record reader must know it is past the file's start, and a bad record's report gives its offset in the file.
                EmitBeginStreams(w, pipeline, "Starts a new stream (a connection or a file) of a source.",
                    SinglePartitionReason(pipeline) is null && pipeline.Sources.Any(source => pipeline.BadRecordsFieldOf(source) is not null));
                w.Line();
                w.Line("/// <summary>Frames the buffer's records and runs each through the fused loop of its source.</summary>");
                w.Open("public override global::System.SequencePosition Process(int source, in global::System.Buffers.ReadOnlySequence<byte> buffer, bool isCompleted)");
                w.Open("switch (source)");
                for (int i = 0; i < pipeline.Sources.Count; i++)
                {
                    StageNames names = pipeline.NamesOf(pipeline.Sources[i]);
                    w.Open($"case {i}:");
                    w.Line($"var {names.LoopLocal} = new {names.LoopType}(this);");
                    EmitFrame(w, pipeline, pipeline.Sources[i], endsRecordStream: true);
                    w.Close();
                }

                w.Line(OutOfRange);
                w.Close();
                w.Close();
                EmitProcessMessages(w, pipeline);

                foreach (StageModel source in pipeline.Sources)
                {
                    StageNames names = pipeline.NamesOf(source);
                    w.Line();
                    string push;
                    if (source.Parse is null)
                    {
                        w.Line($"/// <summary>Runs one record of {source.Name} through the fused loop, as if framed from its input (the test driver calls this).</summary>");
                        push = $"public void {names.Push}(global::System.ReadOnlySpan<byte> record)";
                    }
                    else
                    {
                        w.Line($"/// <summary>Runs one parsed record of {source.Name} through the fused loop (the test driver calls this).</summary>");
                        push = $"public void {names.Push}({source.Output!.Type.Code} record)";
                    }

                    string run = source.Parse is null ? "OnRecord(record)" : pipeline.HasGuards ? "OnValue(record, default)" : "OnValue(record)";
                    if (pipeline.WaitingIn(source).Count == 0)
                    {
                        w.Line($"{push} => new {names.LoopType}(this).{run};");
                    }
                    else
                    {
                        // The record's key is reduced before the call returns, as a framed buffer's keys are.
                        w.Open(push);
                        w.Line($"var {names.LoopLocal} = new {names.LoopType}(this);");
                        w.Line($"{names.LoopLocal}.{run};");
                        w.Line($"{names.LoopLocal}.ReduceWaiting();");
                        w.Close();
                    }
                }

                EmitStateAccess(w, pipeline);
                EmitInitialState(w, pipeline);
                EmitStateCheckpoint(w, pipeline);
                w.Line();
                w.Line("/// <summary>Emits what this batch aggregated, then clears the batch's tables.</summary>");
                w.Open($"public override void CompleteBatch(in {Runtime}.Hosting.BatchInfo batch)");
                bool any = false;
                foreach (StageModel union in pipeline.Replayed)
                {
                    if (any)
                    {
                        w.Line();
                    }

                    any = true;
                    EmitUnionReplay(w, pipeline, union);
                }

                foreach (StageModel aggregate in pipeline.Aggregates)
                {
                    pipeline.CancellationToken.ThrowIfCancellationRequested();
                    if (any)
                    {
                        w.Line();
                    }

                    any = true;
                    string? emitted = WindowEmittedCondition(w, pipeline, aggregate);
                    if (emitted is not null)
                    {
                        w.Open($"if ({emitted})");
                    }

                    if (aggregate.Time is not null)
                    {
                        EmitTimeBoundary(w, pipeline, aggregate);
                    }
                    else if (aggregate.State is not null)
                    {
                        EmitStateBoundary(w, pipeline, aggregate);
                    }
                    else if (aggregate.Kind is not (StageKind.ReduceByKey or StageKind.CountByValue or StageKind.CombineByKey) && aggregate.Window is null)
                    {
                        EmitBatchBoundary(w, pipeline, aggregate);
                    }
                    else if (aggregate.Window is null)
                    {
                        EmitTableScan(w, pipeline, aggregate);
                    }
                    else
                    {
                        EmitWindow(w, pipeline, aggregate);
                    }

                    if (emitted is not null)
                    {
                        w.Close();
                    }
                }

                if (!any)
                {
                    w.Line("// No stage aggregates: every record went to its sinks as it arrived.");
                }

                w.Close();
                EmitWindowSinkBatches(w, pipeline);
                w.Line();
                w.Line("/// <summary>Returns the framers' pooled buffers.</summary>");
                w.Open("protected override void Dispose(bool disposing)");
                foreach (StageModel source in pipeline.Sources)
                {
                    w.Line($"{pipeline.NamesOf(source).Framer}.Dispose();");
                }

                w.Close();
                EmitSinkWriters(w, pipeline);
                EmitPartitions(w, pipeline);
                foreach (StageModel source in pipeline.Sources)
                {
                    w.Line();
                    EmitLoop(w, pipeline, source);
                }

                EmitSessionReducers(w, pipeline);
                EmitPaneReducers(w, pipeline);
                EmitStateFunctions(w, pipeline);
                EmitWindowFunctions(w, pipeline);
                w.Close();
            }
        }
    }
}
