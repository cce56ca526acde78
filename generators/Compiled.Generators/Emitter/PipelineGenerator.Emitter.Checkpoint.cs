using System.Collections.Generic;
using System.Linq;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            private const string Checkpoints = Runtime + ".Checkpoints";

            // An argument of the Definition: the checkpoint directory of [Pipeline(Checkpoint = "...")], as written.
            private static List<string> CheckpointArgument(PipelineView pipeline) =>
                pipeline.Model.Checkpoint is { } directory ? new List<string> { $"    checkpoint: {Literal(directory)}" } : new List<string>();

            // An argument of the Definition: why a checkpoint cannot hold the pipeline's state, one CMP0035 message per
            // stage and type, so that a run given a checkpoint refuses it with the build's own words.
            private static List<string> CheckpointProblemsArgument(PipelineView pipeline)
            {
                var lines = new List<string>();
                List<string> problems = CheckpointProblems(pipeline);
                if (problems.Count == 0)
                {
                    return lines;
                }

                lines.Add("    checkpointProblems: new string[]");
                lines.Add("    {");
                lines.AddRange(problems.Select(p => $"        {Literal(p)},"));
                lines.Add("    }");
                return lines;
            }

            // The CMP0035 messages of the stages that keep a type a checkpoint cannot write, in declaration order.
            private static List<string> CheckpointProblems(PipelineView pipeline) =>
                StatefulStages(pipeline)
                    .SelectMany(stage => KeptTypes.Of(pipeline.Model.Stages, stage)
                        .Where(kept => kept.Type.Checkpoint == CheckpointForm.Unwritable)
                        .Select(kept => DiagnosticDescriptors.UnwritableStateMessage(stage.Name, kept.What, kept.Type.Display)))
                    .ToList();

            // In the job's constructor: the codec of each kept type that writes itself into a checkpoint (ICheckpointValue<T>),
            // each once, in declaration order. The runtime writes other kept types as their bytes.
            private static void EmitCheckpointCodecs(SourceWriter w, PipelineView pipeline)
            {
                List<string> codecs = StatefulStages(pipeline)
                    .SelectMany(stage => KeptTypes.Of(pipeline.Model.Stages, stage))
                    .Where(kept => kept.Type.Checkpoint == CheckpointForm.Codec)
                    .Select(kept => kept.Type.Codec ?? kept.Type.Code)
                    .Distinct()
                    .ToList();
                if (codecs.Count == 0)
                {
                    return;
                }

                w.Line("// The kept types that write themselves into a checkpoint (ICheckpointValue<T>).");
                foreach (string codec in codecs)
                {
                    w.Line($"{Checkpoints}.CheckpointValues.Register<{codec}>();");
                }
            }

            // In the job: WriteState and ReadState, one checkpoint section per stage that keeps state across batches, named
            // state/ and the stage's name, in declaration order. A job without such state keeps the base's (nothing).
            private static void EmitStateCheckpoint(SourceWriter w, PipelineView pipeline)
            {
                List<StageModel> stateful = StatefulStages(pipeline);
                if (stateful.Count == 0)
                {
                    return;
                }

                w.Line();
                w.Line("/// <summary>Writes the state kept across batches, between batches: one section per stage, named state/ and the stage's name.</summary>");
                w.Open($"public override void WriteState({Checkpoints}.CheckpointWriter checkpoint)");
                for (int i = 0; i < stateful.Count; i++)
                {
                    StageModel stage = stateful[i];
                    w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location}): {KeptDescription(stage)}.");
                    w.Line($"{(i == 0 ? "var " : "")}section = checkpoint.BeginSection({Literal(SectionName(stage))});");
                    w.Line($"{pipeline.NamesOf(stage).Field}.WriteCheckpoint(ref section);");
                    w.Line("section.End();");
                }

                w.Close();
                w.Line();
                w.Line("/// <summary>Restores the state WriteState wrote, before the first batch: each stage's section into its empty runtime type.</summary>");
                w.Open($"public override void ReadState({Checkpoints}.CheckpointReader checkpoint)");
                if (pipeline.Stateful.Any(s => s.State!.InitialState is not null))
                {
                    w.Line("// The checkpoint's state takes the place of the initial state.");
                    w.Line($"{PipelineView.SeedField} = false;");
                }

                for (int i = 0; i < stateful.Count; i++)
                {
                    StageModel stage = stateful[i];
                    w.Line($"{(i == 0 ? "var " : "")}section = checkpoint.GetSection({Literal(SectionName(stage))});");
                    w.Line($"{pipeline.NamesOf(stage).Field}.ReadCheckpoint(ref section);");
                    w.Line("section.End();");
                }

                w.Close();
            }

            // The checkpoint section of a stage's state: state/ and its name, for a watermark too.
            private static string SectionName(StageModel stage) => "state/" + stage.Name;

            // What a stage's section holds, for the comment above it.
            private static string KeptDescription(StageModel stage) => stage.Kind switch
            {
                StageKind.UpdateStateByKey or StageKind.MapWithState => "each key's state",
                StageKind.EventTime => "the watermark",
                StageKind.EventWindow when UsesPanes(stage) => "the open panes' tables and their keys' arrival numbers",
                StageKind.EventWindow => "the open windows' tables",
                StageKind.SessionWindow => "the open sessions",
                StageKind.Window => "the records of the window's batches",
                _ => "the window's clock and its batches' values",
            };
        }
    }
}
