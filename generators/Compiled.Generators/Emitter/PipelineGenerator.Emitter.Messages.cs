using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            // The job's side of message sources (Kafka records, Redis stream entries, database changes): a batch of
            // messages runs through the same fused loop struct a framer drives, each payload as one record. The batch
            // calls the loop through a constrained generic parameter, so the per-message call is direct and inlined.
            private static void EmitProcessMessages(SourceWriter w, PipelineView pipeline)
            {
                w.Line();
                w.Line("/// <summary>Runs each message of the batch, its payload as one record, through the fused loop of its source.</summary>");
                w.Open($"public override void ProcessMessages(int source, {Runtime}.Connectors.Messages.MessageBatch batch)");
                w.Open("switch (source)");
                for (int i = 0; i < pipeline.Sources.Count; i++)
                {
                    StageNames names = pipeline.NamesOf(pipeline.Sources[i]);
                    w.Open($"case {i}:");
                    w.Line($"var {names.LoopLocal} = new {names.LoopType}(this);");
                    if (pipeline.BadRecordsFieldOf(pipeline.Sources[i]) is { } badRecords)
                    {
                        // A bad record's report gives the position of its message, which the batch knows as it delivers it.
                        w.Line($"{badRecords}.Messages = batch;");
                    }

                    w.Line($"batch.Deliver(ref {names.LoopLocal});");
                    if (pipeline.WaitingIn(pipeline.Sources[i]).Count > 0)
                    {
                        w.Line($"{names.LoopLocal}.ReduceWaiting();");
                    }

                    w.Line("break;");
                    w.Close();
                }

                w.Line(OutOfRange);
                w.Close();
                w.Close();
            }
        }
    }
}
