using System;
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
            // In the job: the struct reducer through which each [SessionWindow]'s sessions merge, calling the user's method.
            private static void EmitSessionReducers(SourceWriter w, PipelineView pipeline)
            {
                foreach (StageModel session in pipeline.Model.Stages.Where(s => s.Kind == StageKind.SessionWindow))
                {
                    StageNames names = pipeline.NamesOf(session);
                    string value = session.Output!.Value!.Code;
                    w.Line();
                    w.Line($"/// <summary>Merges the values of sessions that a record bridges, with {session.Name}.</summary>");
                    w.Open($"private readonly struct {names.Reducer} : {Runtime}.Windows.IReducer<{value}>");
                    w.Line($"public {value} Reduce({value} a, {value} b) => {pipeline.ClassName}.{NameTable.Escaped(session.Name)}(a, b);");
                    w.Close();
                }
            }

            // One record of an event-time stage in the fused loop: the watermark observes it, or a window or session takes it in.
            private static void EmitTimeRecord(SourceWriter w, PipelineView pipeline, StageModel stage, RecordType inputType, string input)
            {
                StageNames names = pipeline.NamesOf(stage);
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                string call = $"{method}({Arguments(stage, inputType, input)})";
                int index = pipeline.IndexOf(stage);
                switch (stage.Kind)
                {
                    case StageKind.EventTime:
                    {
                        TimeModel time = stage.Time!;
                        w.Line($"long {names.Time} = {call}{(time.ReturnsOffset ? ".ToUnixTimeMilliseconds()" : "")};");
                        List<StageModel> inputs = pipeline.LoopSourcesOf(stage);
                        if (inputs.Count > 1 && pipeline.CurrentSource is { } current)
                        {
                            w.Line($"// The watermark follows the source furthest behind of those not idle: this is {current.Name}'s event time; a record, late or not, shows the source is not idle.");
                            w.Line($"{names.Field}.Observe({inputs.IndexOf(current)}, {names.Time});");
                        }
                        else
                        {
                            w.Line("// The watermark notes the event time; a record, late or not, shows the source is not idle.");
                            w.Line($"{names.Field}.Observe({names.Time});");
                        }

                        w.Open($"if ({names.Field}.IsLate({names.Time}))");
                        w.Line("// Older than the watermark: its windows have been emitted already.");
                        w.Line($"{PipelineView.MetricsField}.LateRecords++;");
                        if (time.LateSink >= 0)
                        {
                            StageModel sink = pipeline.Model.Stages[time.LateSink];
                            StageNames late = pipeline.NamesOf(sink);
                            w.Line($"// [Sink] {sink.Name} ({sink.Location}): the late records.");
                            EmitSinkWrite(w, pipeline, sink, late, inputType, input);
                        }

                        w.Close();
                        w.Open("else");
                        EmitChildren(w, pipeline, index, input);
                        w.Close();
                        break;
                    }

                    case StageKind.EventWindow:
                    {
                        TimeModel time = stage.Time!;
                        string at = pipeline.NamesOf(pipeline.Model.Stages[time.TimeStage]).Time!;
                        string key = KeyOf(inputType, input);
                        string value = ValueOf(inputType, input);
                        if (UsesPanes(stage))
                        {
                            EmitPaneRecord(w, stage, names, at, key, value, method);
                        }
                        else if (time.SlideMilliseconds == time.SizeMilliseconds)
                        {
                            w.Line($"var {names.Part} = {names.Field}.WindowOf({at}, {time.SizeMilliseconds});");
                            EmitReduceInto(w, names.Part!, stage, names, key, value, method);
                        }
                        else
                        {
                            w.Line("// Every window that holds the event time: the one starting last at or before it, and those before it.");
                            w.Open($"foreach (var {names.Part} in {names.Field}.WindowsOf({at}, {time.SizeMilliseconds}, {time.SlideMilliseconds}))");
                            EmitReduceInto(w, names.Part!, stage, names, key, value, method);
                            w.Close();
                        }

                        break;
                    }

                    case StageKind.SessionWindow:
                    {
                        TimeModel time = stage.Time!;
                        string at = pipeline.NamesOf(pipeline.Model.Stages[time.TimeStage]).Time!;
                        string key = KeyOf(inputType, input);
                        string value = ValueOf(inputType, input);
                        w.Line("// The record opens a session of its own, which takes in every session of its key that it overlaps.");
                        w.Line($"{names.Field}.Add<{names.Reducer}>({key}, {at}, {time.GapMilliseconds}, {value});");
                        break;
                    }
                }
            }

            // At the batch boundary: an [EventTime] stage moves its watermark on; event-time windows that the watermark
            // passed are emitted, in order of their end.
            private static void EmitTimeBoundary(SourceWriter w, PipelineView pipeline, StageModel stage)
            {
                StageNames n = pipeline.NamesOf(stage);
                int index = pipeline.IndexOf(stage);
                TimeModel time = stage.Time!;
                if (stage.Kind == StageKind.EventTime)
                {
                    string lateness = time.LatenessMilliseconds == 0 ? "the latest event time" : $"the latest event time minus {Duration(time.LatenessMilliseconds)}";
                    string idle = time.IdleMilliseconds == 0
                        ? "; a quiet source is never idle"
                        : $"; a source quiet for {Duration(time.IdleMilliseconds)} is idle and does not hold it back, and when all are it moves on with batch time";
                    w.Line($"// [EventTime] {stage.Name} ({stage.Location}): the watermark moves on to {lateness}{idle}; past every window at the end of the input or a stop (not a suspend, whose windows the checkpoint keeps).");
                    w.Line($"{n.Field}.Advance(batch.Time, batch.FlushesWindows);");
                    return;
                }

                string watermark = $"{pipeline.NamesOf(pipeline.Model.Stages[time.TimeStage]).Field}.Value";
                RecordType output = stage.Output!;
                if (UsesPanes(stage))
                {
                    EmitPaneBoundary(w, pipeline, stage, watermark);
                    return;
                }

                if (stage.Kind == StageKind.EventWindow)
                {
                    string shape = time.SlideMilliseconds == time.SizeMilliseconds
                        ? $"{Duration(time.SizeMilliseconds)} tumbling windows"
                        : $"{Duration(time.SizeMilliseconds)} windows every {Duration(time.SlideMilliseconds)}";
                    w.Line($"// [EventWindow] {stage.Name} ({stage.Location}): {shape}, each emitted once the watermark passes its end.");
                    w.Open($"while ({n.Field}.TryClose({watermark}, out var {n.Window}, out var {n.Part}))");
                    w.Open($"for (int {n.Index} = 0; {n.Index} < {n.Part}.Count; {n.Index}++)");
                    w.Line($"var {n.Local} = new {output.Type.Code}({n.Window}, {n.Part}.KeyAt({n.Index}), {n.Part}.ValueAt({n.Index}));");
                    EmitChildren(w, pipeline, index, n.Local!);
                    w.Close();
                    w.Line($"{n.Part}.Clear();");
                    w.Line($"{n.Field}.Recycle({n.Part});");
                    w.Close();
                    return;
                }

                w.Line($"// [SessionWindow] {stage.Name} ({stage.Location}): sessions with a gap of {Duration(time.GapMilliseconds)}, each emitted once the watermark passes its end, in order of end.");
                w.Open($"foreach (var {n.Local} in {n.Field}.Close({watermark}))");
                EmitChildren(w, pipeline, index, n.Local!);
                w.Close();
            }

            private sealed partial class PipelineView
            {
                // The job's fields of the event-time stages: the metrics that count late records and each watermark.
                // (Event windows and session windows are collectors: see CollectorsOf.)
                private void AddTimeFields(PipelineModel model)
                {
                    if (model.Stages.Any(s => s.Kind == StageKind.EventTime))
                    {
                        _jobFields.Add((null, $"private readonly {Runtime}.Hosting.JobMetrics {MetricsField};"));
                    }

                    foreach (StageModel stage in model.Stages.Where(s => s.Kind == StageKind.EventTime))
                    {
                        StageNames names = NamesOf(stage);
                        int inputs = LoopSourcesOf(stage).Count;
                        TimeModel time = stage.Time!;
                        _jobFields.Add((stage, $"private readonly {Runtime}.Windows.Watermark {names.Field} = new({time.LatenessMilliseconds}, inputs: {Math.Max(1, inputs)}, idleTimeoutMilliseconds: {time.IdleMilliseconds});"));
                        _stateTables.Add(stage, ($"private readonly {Runtime}.Windows.Watermark {names.Field};", names.Field!));
                    }
                }
            }
        }
    }
}
