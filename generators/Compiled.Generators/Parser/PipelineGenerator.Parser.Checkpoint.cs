using System.Collections.Generic;
using System.Linq;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
            // CMP0035: a stage that keeps, across batches, keys, values or state of a type a checkpoint cannot write (it holds
            // references and does not implement ICheckpointValue<T>). A warning: the pipeline runs, but refuses a checkpoint.
            private void WarnOfUnwritableState(List<Draft> drafts, List<StageModel> stages)
            {
                foreach (StageModel stage in stages.Where(KeptTypes.KeepsState))
                {
                    Draft? draft = drafts.FirstOrDefault(d => d.Name == stage.Name);
                    if (draft is null)
                    {
                        continue;
                    }

                    foreach ((string what, TypeName type) in KeptTypes.Of(stages, stage))
                    {
                        if (type.Checkpoint == CheckpointForm.Unwritable)
                        {
                            Report(DiagnosticDescriptors.UnwritableState, draft.Method.Locations[0], stage.Name, what, type.Display);
                        }
                    }
                }
            }
        }
    }
}
