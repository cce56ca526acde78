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
            // The stages that keep state across batches (the plan's cross-batch storage), in declaration order; the
            // runtime orders them by name.
            private static List<StageModel> StatefulStages(PipelineView pipeline) =>
                pipeline.Physical.Storage
                    .Where(s => s.Lifetime == StorageLifetime.CrossBatch)
                    .Select(s => pipeline.Model.Stages[s.Stage])
                    .ToList();

            // An argument of the Definition: the layout of the pipeline's state, which a checkpoint must match. Its lines,
            // the last without the comma or parenthesis that follows it; none for a pipeline without state.
            private static List<string> StateLayoutArgument(PipelineView pipeline)
            {
                var lines = new List<string>();
                List<StageModel> stateful = StatefulStages(pipeline);
                if (stateful.Count == 0)
                {
                    return lines;
                }

                lines.Add($"    stateLayout: new {Runtime}.Hosting.StateLayout(global::System.TimeSpan.FromMilliseconds({pipeline.Model.BatchIntervalMilliseconds}), new {Runtime}.Hosting.StateLayoutStage[]");
                lines.Add("    {");
                foreach (StageModel stage in stateful)
                {
                    (string kind, TypeName? key, TypeName? value, string settings) = LayoutOf(pipeline, stage);
                    string fields = string.Join(" ", new[] { key?.Fields, value?.Fields }.Where(f => !string.IsNullOrEmpty(f)));
                    long length = stage.Window?.LengthMilliseconds ?? 0;
                    long slide = stage.Window?.SlideMilliseconds ?? 0;
                    lines.Add($"        new({Literal(stage.Name)}, {Literal(kind)}, {Literal(key?.Code ?? "")}, {Literal(value?.Code ?? "")}, {Literal(fields)}, {length}, {slide}, {Literal(settings)}),");
                }

                lines.Add("    })");
                return lines;
            }

            // What one stage's state is: its kind, the key and value (or state) it keeps, and what else shapes it.
            private static (string Kind, TypeName? Key, TypeName? Value, string Settings) LayoutOf(PipelineView pipeline, StageModel stage)
            {
                RecordType? output = stage.Output;
                switch (stage.Kind)
                {
                    case StageKind.UpdateStateByKey:
                    case StageKind.MapWithState:
                        string timeout = stage.Kind == StageKind.MapWithState
                            ? "timeout-ms=" + (stage.State?.TimeoutMilliseconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")
                            : "";
                        return (stage.Kind.ToString(), pipeline.Model.Stages[stage.Input].Output?.Key, stage.State?.State, timeout);
                    case StageKind.EventTime:
                        TimeModel watermark = stage.Time!;
                        int inputs = System.Math.Max(1, pipeline.LoopSourcesOf(stage).Count);
                        return ("EventTime", null, null, $"lateness-ms={watermark.LatenessMilliseconds} idle-ms={watermark.IdleMilliseconds} inputs={inputs}");
                    case StageKind.EventWindow:
                    case StageKind.SessionWindow:
                        TimeModel time = stage.Time!;
                        string clock = "time=" + pipeline.Model.Stages[time.TimeStage].Name;
                        return (stage.Kind.ToString(), output?.Key, output?.Value, stage.Kind == StageKind.EventWindow
                            ? $"size-ms={time.SizeMilliseconds} slide-ms={time.SlideMilliseconds}{(UsesPanes(stage) ? $" pane-ms={PaneMilliseconds(time)}" : "")} {clock}"
                            : $"gap-ms={time.GapMilliseconds} {clock}");
                    default:
                        // The batch windows: a window of records, or of each batch's partial (reduced, counted) values.
                        string kind = stage.Kind.ToString() + (stage.Kind == StageKind.Window ? "" : stage.Window?.Inverse is null ? " merged" : " incremental");
                        return (kind, output?.Key, output is null ? null : output.Value ?? output.Type, "");
                }
            }
        }
    }
}
