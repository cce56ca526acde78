using System;
using System.Linq;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            // Whether any stage guards its call against an exception on one record ([Map(OnError = ...)] or the pipeline's).
            private static bool HasGuards(PipelineModel model) => model.Stages.Any(s => s.OnError is not null && s.Kind != StageKind.Source);

            // Whether a source reports bad records to a refusal point of its own: a typed source does (its reader, or its
            // generated parse, refuses the lines that do not parse), and every source of a pipeline with guarded stages does.
            private static bool NeedsBadRecords(PipelineModel model, StageModel source) => source.Parse is not null || HasGuards(model);

            // A typed source's line whose field 'field' did not parse: refused through its refusal point under the source's
            // declared policy, else Skip (a source URI's onBadRecord overrides either), counted, written as a dead letter or
            // thrown; the loop goes on with the next line.
            private static string RefuseTypedLine(StageModel source, StageNames names, int field) =>
                $"{{ {Runtime}.TypedLineRefusal.Refuse({names.BadRecords}, {Runtime}.BadRecordPolicy.{source.OnError ?? "Skip"}, {names.Line}, {field}, {source.Parse!.Fields.Count}, {(IsNumber(source.Parse.Fields[field].TypeCode) ? "true" : "false")}); return; }}";

            private static bool IsNumber(string type) =>
                type is "long" or "int" or "short" or "sbyte" or "ulong" or "uint" or "ushort" or "byte" or "double" or "float" or "decimal";

            // A source's refusal point in the run's bad-record ledger: its CSV reader's, or the one its guarded stages report to.
            private static string BadRecordsValue(PipelineView pipeline, StageModel source, int index) =>
                $"context.BadRecords.ForSource({Literal(source.Name)}, context.Counters[{index}], {pipeline.NamesOf(source).Framer})";

            // A guarded stage's guard: its name, attribute and declared policy, which --on-error may override.
            private static string GuardValue(StageModel stage) =>
                $"context.BadRecords.ForStage({Literal(stage.Name)}, {Literal(stage.Kind.ToString())}, {Runtime}.BadRecordPolicy.{stage.OnError})";

            // The raw record of the source whose loop is being written: the line its OnRecord was handed.
            private static string RawRecord(PipelineView pipeline)
            {
                StageModel source = pipeline.CurrentSource!;
                StageNames names = pipeline.NamesOf(source);
                return source.Parse is null ? names.Local! : names.Line!;
            }

            // A [Map], [Filter], [FlatMap], [MapValues] or [FlatMapValues] whose call is guarded: only the user's method (and,
            // for a flat map, its enumeration) is inside the try, never the stages below, so a sink's or a state's exception still ends the job.
            // The filter asks the stage's guard: under Skip and DeadLetter it counts the record (and writes it) and says
            // yes, the record goes no further; under Fail it notes the stage and the record's position and says no, so the
            // exception goes on up unchanged, stack trace and all.
            private static void EmitGuardedStage(SourceWriter w, PipelineView pipeline, StageModel stage, StageNames names, string call, RecordType inputType, string input, int index)
            {
                // At the batch boundary (below a keyed stage), a record is the batch's, not a source's: it has no raw bytes
                // and no position, and is counted under the batch.
                bool boundary = pipeline.CurrentSource is null;
                string caught = boundary
                    ? $"{names.Guard}.Caught({names.Error})"
                    : $"{names.Guard}.Caught({pipeline.NamesOf(pipeline.CurrentSource!).BadRecords!}, {RawRecord(pipeline)}, {names.Error})";
                string filter = $"when ({caught})";
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                w.Line($"// An exception {stage.Name} throws on this record is handled as its OnError says ({stage.OnError}, unless --on-error overrides it).");
                switch (stage.Kind)
                {
                    case StageKind.Map:
                    case StageKind.MapValues:
                    {
                        // A [MapValues] calls the user's method on the record's value and keeps the key.
                        string value = call;
                        if (stage.Kind == StageKind.MapValues)
                        {
                            (string mapped, Func<string, string> keyed) = ValueMapping(stage, inputType, input, method);
                            value = keyed(mapped);
                        }

                        w.Line($"{stage.Output!.Type.Code} {names.Local};");
                        w.Line($"try {{ {names.Local} = {value}; }}");
                        w.Line($"catch (global::System.Exception {names.Error}) {filter} {{ goto {names.Flag}; }}");
                        EmitChildren(w, pipeline, index, names.Local!);
                        w.Line($"{names.Flag}:;");
                        break;
                    }

                    case StageKind.Filter:
                        w.Line($"bool {names.Flag};");
                        w.Line($"try {{ {names.Flag} = {call}; }}");
                        w.Line($"catch (global::System.Exception {names.Error}) {filter} {{ {names.Flag} = false; }}");
                        w.Open($"if ({names.Flag})");
                        EmitChildren(w, pipeline, index, input);
                        w.Close();
                        break;

                    case StageKind.FlatMap:
                    case StageKind.FlatMapValues:
                        // The stages below run inside the try (between two records of the enumeration): the flag tells the
                        // filter that an exception from there is theirs, not the flat map's, and is not to be caught.
                        w.Line($"bool {names.Flag} = false;");
                        w.Open("try");
                        if (stage.Kind == StageKind.FlatMap)
                        {
                            w.Open($"foreach (var {names.Local} in {call})");
                        }
                        else
                        {
                            (string values, Func<string, string> record) = ValueMapping(stage, inputType, input, method);
                            w.Open($"foreach (var {names.Result} in {values})");
                            w.Line($"var {names.Local} = {record(names.Result!)};");
                        }

                        w.Line($"{names.Flag} = true;");
                        EmitChildren(w, pipeline, index, names.Local!);
                        w.Line($"{names.Flag} = false;");
                        w.Close();
                        w.Close();
                        w.Line($"catch (global::System.Exception {names.Error}) when (!{names.Flag} && {caught}) {{ }}");
                        break;
                }
            }
        }
    }
}
