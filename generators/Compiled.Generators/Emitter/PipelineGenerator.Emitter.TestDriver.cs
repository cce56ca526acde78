using System.Linq;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            // The base class's members, which the driver's source and sink properties must not hide.
            private static readonly string[] TestDriverMembers =
            {
                "TestDriver", "Run", "RunToEnd", "BatchesRun", "BatchInterval", "Counters", "Metrics", "Dispose", "Job", "Sinks", "Push", "InputBatchCount", "BatchCompleted", "LastProgress", "BatchCommitted",
                "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize",
            };

            // A class for tests: typed batches in per source, typed batches out per sink, on a virtual clock.
            private static void EmitTestDriver(SourceWriter w, PipelineView pipeline)
            {
                PipelineModel model = pipeline.Model;
                var table = new NameTable();
                foreach (string name in TestDriverMembers)
                {
                    table.Reserve(name);
                }

                var inputs = pipeline.Sources.Select(s => (Stage: s, Member: table.Allocate(s.Name), Type: TestInputType(s))).ToList();
                var outputs = pipeline.Sinks.Select(s => (Stage: s, Member: table.Allocate(s.Name), Capture: CaptureOf(pipeline, s))).ToList();
                var states = pipeline.Stateful.Select(s => (Stage: s, Member: table.Allocate(s.Name), Type: $"{Runtime}.Testing.TestState<{StateKeyForTest(pipeline, s)}, {s.State!.State.Code}>")).ToList();
                w.Line($"/// <summary>");
                w.Line($"/// Runs pipeline {model.Name} batch by batch on a virtual clock, for tests: give each source's batches");
                w.Line($"/// ({string.Join(", ", inputs.Select(i => i.Member))}), call Run, and read each sink's batches ({string.Join(", ", outputs.Select(o => o.Member))}). Batch k is at");
                w.Line($"/// k × the batch interval; nothing is read from or written to the outside.");
                w.Line($"/// </summary>");
                w.Line(GeneratedCode);
                w.Open($"{model.TestDriverAccessibility} sealed class TestDriver : {Runtime}.Testing.PipelineTestDriver");
                w.Line("/// <summary>Creates a driver; batch k runs at k × <paramref name=\"batchInterval\"/>, by default the pipeline's interval.</summary>");
                w.Line("public TestDriver(global::System.TimeSpan? batchInterval = null)");
                w.Line($"    : base(Definition, batchInterval, new {Runtime}.Sinks.Sink[] {{ {string.Join(", ", outputs.Select(o => $"new {o.Capture.Type}({Literal(o.Stage.Name)})"))} }})");
                w.Open();
                w.Close();
                foreach (var input in inputs)
                {
                    string records = input.Stage.Parse is null ? "each line as a string" : "each a " + Xml(input.Stage.Parse.RecordDisplay);
                    w.Line();
                    w.Line($"/// <summary>The records source {input.Stage.Name} receives, batch by batch ({records}).</summary>");
                    w.Line($"public {Runtime}.Testing.TestInput<{input.Type}> {input.Member} {{ get; }} = new();");
                }

                for (int i = 0; i < outputs.Count; i++)
                {
                    var output = outputs[i];
                    w.Line();
                    w.Line($"/// <summary>What sink {output.Stage.Name} received, batch by batch.</summary>");
                    w.Line($"public {Runtime}.Testing.TestOutput<{output.Capture.Record}> {output.Member} => (({output.Capture.Type})Sinks[{i}]).Output;");
                }

                foreach (var state in states)
                {
                    w.Line();
                    w.Line($"/// <summary>The state of [{state.Stage.Kind}] {state.Stage.Name}: give keys an initial state before the first batch, and read the whole state after each batch.</summary>");
                    w.Line($"public {state.Type} {state.Member} {{ get; }} = new();");
                }

                w.Line();
                w.Line("/// <inheritdoc />");
                w.Line($"protected override int InputBatchCount => {(inputs.Count == 1 ? inputs[0].Member + ".Count" : "global::System.Math.Max(" + string.Join(", ", inputs.Select(i => i.Member + ".Count")) + ")")};");
                w.Line();
                w.Line("/// <inheritdoc />");
                w.Open("protected override void Push(int index)");
                w.Line($"var job = ({pipeline.JobName})Job;");
                if (states.Count > 0)
                {
                    w.Open("if (index == 0)");
                    foreach (var state in states)
                    {
                        w.Open($"foreach (var initial in {state.Member}.TakeInitial())");
                        w.Line($"job.{pipeline.NamesOf(state.Stage).PutState}(initial.Key, initial.State);");
                        w.Close();
                    }

                    w.Close();
                }

                for (int i = 0; i < inputs.Count; i++)
                {
                    var input = inputs[i];
                    w.Open($"foreach ({input.Type} record in {input.Member}.At(index))");
                    w.Line($"Counters[{i}].Records++;");
                    w.Line(input.Stage.Parse is null
                        ? $"job.{pipeline.NamesOf(input.Stage).Push}(global::System.Text.Encoding.UTF8.GetBytes(record));"
                        : $"job.{pipeline.NamesOf(input.Stage).Push}(record);");
                    w.Close();
                }

                w.Close();
                if (states.Count > 0)
                {
                    w.Line();
                    w.Line("/// <inheritdoc />");
                    w.Open("protected override void BatchCompleted(long time)");
                    w.Line($"var job = ({pipeline.JobName})Job;");
                    foreach (var state in states)
                    {
                        w.Line($"{state.Member}.AddSnapshot(time, job.{pipeline.NamesOf(state.Stage).Snapshot}());");
                    }

                    w.Close();
                }

                w.Close();
            }

            // What a test gives a source: strings for byte lines (fed as their UTF-8 bytes), the record type otherwise.
            private static string TestInputType(StageModel source) => source.Parse is null ? "string" : source.Output!.Type.Code;

            // How the test driver keeps what a sink receives: byte records as strings, KeyValue<V> as (string Key, V Value),
            // ref structs as their text, anything else as it is.
            private static (string Type, string Record) CaptureOf(PipelineView pipeline, StageModel sink)
            {
                RecordType record = pipeline.Model.Stages[sink.Input].Output!;
                return record.Shape switch
                {
                    RecordShape.Bytes => ($"{Runtime}.Testing.TextCapture", "string"),
                    RecordShape.KeyValue => ($"{Runtime}.Testing.KeyValueCapture<{record.Value!.Code}>", $"(string Key, {record.Value.Code} Value)"),
                    RecordShape.Windowed when record.Key!.Format == TextFormat.Bytes => ($"{Runtime}.Testing.WindowedCapture<{record.Value!.Code}>", $"(global::Compiled.EventWindow Window, string Key, {record.Value.Code} Value)"),
                    RecordShape.Group when record.Key!.Format == TextFormat.Bytes => ($"{Runtime}.Testing.GroupCapture<{record.Value!.Code}>", $"{Runtime}.Testing.Group<string, {record.Value.Code}>"),
                    RecordShape.Group => ($"{Runtime}.Testing.StructGroupCapture<{record.Key!.Code}, {record.Value!.Code}>", $"{Runtime}.Testing.Group<{record.Key.Code}, {record.Value.Code}>"),
                    _ when record.Type.IsRefLike => ($"{Runtime}.Testing.TextCapture", "string"),
                    _ => ($"{Runtime}.Testing.RecordCapture<{record.Type.Code}>", record.Type.Code),
                };
            }
        }
    }
}
