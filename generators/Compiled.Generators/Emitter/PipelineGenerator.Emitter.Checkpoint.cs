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
            // and of each kept tuple or struct written member by member, each once, in declaration order. The runtime
            // writes other kept types as their bytes or, strings and text keys, as UTF-8.
            private static void EmitCheckpointCodecs(SourceWriter w, PipelineView pipeline)
            {
                List<TypeName> kept = StatefulStages(pipeline)
                    .SelectMany(stage => KeptTypes.Of(pipeline.Model.Stages, stage))
                    .Select(k => k.Type)
                    .ToList();
                List<string> codecs = kept
                    .Where(type => type.Checkpoint == CheckpointForm.Codec)
                    .Select(type => type.Codec ?? type.Code)
                    .Distinct()
                    .ToList();
                if (codecs.Count > 0)
                {
                    w.Line("// The kept types that write themselves into a checkpoint (ICheckpointValue<T>).");
                    foreach (string codec in codecs)
                    {
                        w.Line($"{Checkpoints}.CheckpointValues.Register<{codec}>();");
                    }
                }

                List<TypeName> memberwise = kept
                    .Where(type => type.Checkpoint == CheckpointForm.Members)
                    .GroupBy(type => type.Code)
                    .Select(group => group.First())
                    .ToList();
                if (memberwise.Count > 0)
                {
                    w.Line("// The kept tuples and structs a checkpoint writes member by member, each member as its own type is written.");
                    foreach (TypeName type in memberwise)
                    {
                        EmitMemberwiseCodec(w, type);
                    }
                }
            }

            private static void EmitMemberwiseCodec(SourceWriter w, TypeName type)
            {
                w.Line($"{Checkpoints}.CheckpointValues.Register<{type.Code}>(");
                w.Line($"    static (in {type.Code} value, ref {Checkpoints}.CheckpointWriter.Section section) =>");
                w.Line("    {");
                EmitMemberWrites(w, type.CheckpointMembers, "value", "        ");
                w.Line("    },");
                w.Line($"    static (ref {Checkpoints}.CheckpointReader.Section section) => default({type.Code}) with");
                w.Line("    {");
                EmitMemberReads(w, type.CheckpointMembers, "        ");
                w.Line("    });");
            }

            // One write per member, a nested tuple's or struct's members in its place.
            private static void EmitMemberWrites(SourceWriter w, EquatableArray<CheckpointMember> members, string value, string indent)
            {
                foreach (CheckpointMember member in members)
                {
                    if (member.Members.Count > 0)
                    {
                        EmitMemberWrites(w, member.Members, $"{value}.{member.Name}", indent);
                    }
                    else
                    {
                        w.Line($"{indent}{Checkpoints}.CheckpointValues<{member.Type}>.Write({value}.{member.Name}, ref section);");
                    }
                }
            }

            // One read per member, in the order of the writes (a `with` sets its members in the order written).
            private static void EmitMemberReads(SourceWriter w, EquatableArray<CheckpointMember> members, string indent)
            {
                foreach (CheckpointMember member in members)
                {
                    if (member.Members.Count > 0)
                    {
                        w.Line($"{indent}{member.Name} = default({member.Type}) with");
                        w.Line($"{indent}{{");
                        EmitMemberReads(w, member.Members, indent + "    ");
                        w.Line($"{indent}}},");
                    }
                    else
                    {
                        w.Line($"{indent}{member.Name} = {Checkpoints}.CheckpointValues<{member.Type}>.Read(ref section),");
                    }
                }
            }

            // In the job's constructor: for each tuple or struct key holding Utf8Text members, how the key tables take
            // their own copy of such a key (once per new key), each type once, in declaration order.
            private static void EmitKeyTextCopies(SourceWriter w, PipelineView pipeline)
            {
                List<TypeName> keys = pipeline.Model.Stages
                    .Select(stage => stage.Output?.Key)
                    .Where(key => key?.TextCopy is not null)
                    .Select(key => key!)
                    .GroupBy(key => key.Code)
                    .Select(group => group.First())
                    .ToList();
                if (keys.Count == 0)
                {
                    return;
                }

                w.Line("// The keys holding Utf8Text, which points into a source's buffer: a key table keeps a copy with the text copied out.");
                foreach (TypeName key in keys)
                {
                    w.Line($"{Runtime}.Keys.KeyTextCopies.Register<{key.Code}>(static key => {key.TextCopy});");
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
                    w.Line(StateInShards(pipeline, stage)
                        ? $"{pipeline.NamesOf(stage).Field}.WriteCheckpoint({pipeline.NamesOf(stage).Shards}, ref section);"
                        : $"{pipeline.NamesOf(stage).Field}.WriteCheckpoint(ref section);");
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
