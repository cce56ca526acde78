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
        }
    }
}
