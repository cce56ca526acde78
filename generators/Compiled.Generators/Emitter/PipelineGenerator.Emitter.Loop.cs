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
            // The fused loop of one source: a struct whose OnRecord runs every record-phase stage inline.
            private static void EmitLoop(SourceWriter w, PipelineView pipeline, StageModel source)
            {
                StageNames names = pipeline.NamesOf(source);
                List<(string Declaration, string Name)> fields = pipeline.LoopFields(source);
                w.Line($"/// <summary>The fused loop of source {source.Name}: each line runs through every stage below it, inline.</summary>");
                w.Open($"private readonly struct {names.LoopType} : {Runtime}.Framing.IRecordConsumer");
                foreach ((string declaration, _) in fields)
                {
                    w.Line(declaration.Replace(" = new();", ";"));
                }

                w.Line();
                w.Open($"public {names.LoopType}({pipeline.JobName} job)");
                foreach ((_, string name) in fields)
                {
                    w.Line($"{name} = {pipeline.LoopFieldValue(name)};");
                }

                w.Close();
                if (SinglePartitionReason(pipeline) is null)
                {
                    // The same loop over one more partition's framer and tables.
                    w.Line();
                    w.Open($"public {names.LoopType}({PartitionType} partition)");
                    HashSet<string> stores = ReplayedStores(pipeline);
                    foreach ((_, string name) in fields)
                    {
                        // A [MapWithState] state not kept in shards is the job's alone: the partition keeps its records for the job.
                        w.Line(stores.Contains(name) ? $"{name} = null!;" : $"{name} = partition.{name};");
                    }

                    w.Close();
                }
                w.Line();
                pipeline.CurrentSource = source;
                if (source.Parse is { Record: not null, Json: false })
                {
                    // A CSV record's plain lines: the framer counts their fields in the pass that finds their end.
                    w.Line($"/// <summary>The separator the framer counts a line's fields by: the record's, when its parser reads plain lines.</summary>");
                    w.Line($"public static int FieldSeparator => {source.Parse.Record}.CsvPlainSeparator;");
                    w.Line();
                    w.Line($"/// <summary>Handles one line of {source.Name} whose fields the framer counted.</summary>");
                    w.Line(Inline);
                    w.Open($"public void OnRecord(global::System.ReadOnlySpan<byte> {names.Line}, int fields)");
                    w.Line($"{names.Counters}.FieldsCounted(fields);");
                    w.Line($"OnRecord({names.Line});");
                    w.Close();
                    w.Line();
                }
                else
                {
                    // Both stated rather than left to the interface's defaults: a ReadyToRun compile leaves out a loop that
                    // calls a member through its interface's default, the static one or the counted OnRecord (tried: without
                    // either, the word count's loop was compiled by the JIT; LineFramer.LoopsPrecompiled).
                    w.Line("/// <summary>None: the framer hands lines on without counting their fields.</summary>");
                    w.Line("public static int FieldSeparator => -1;");
                    w.Line();
                    w.Line("/// <summary>Not called: the framer counts no fields for this loop.</summary>");
                    w.Line(Inline);
                    w.Open("public void OnRecord(global::System.ReadOnlySpan<byte> record, int fields)");
                    w.Line("OnRecord(record);");
                    w.Close();
                    w.Line();
                }

                w.Line($"/// <summary>Handles one record of {source.Name} ({source.Location}).</summary>");
                w.Line("// Inlined into the framer's loop even without dynamic PGO (Native AOT): one call per line less.");
                w.Line(Inline);
                if (source.Parse is null)
                {
                    w.Open($"public void OnRecord(global::System.ReadOnlySpan<byte> {names.Local})");
                    EmitChildren(w, pipeline, pipeline.IndexOf(source), names.Local!);
                    w.Close();
                }
                else if (FilterOfLateRead(pipeline, source) is var filter && (filter is not null || source.Parse.KeepMask != 0))
                {
                    // The stages written out here, with the line, since OnValue (which the test driver calls with whole records)
                    // has no line: for late materialisation (the members the leading filters read, the filters, then the
                    // rest), and for a sink that copies columns of the line as they came.
                    w.Open($"public void OnRecord(global::System.ReadOnlySpan<byte> {names.Line})");
                    EmitRecordParse(w, source, names, filtersFirst: filter is not null);
                    pipeline.LateRead = filter is int last ? (last, source) : null;
                    pipeline.CopyFrom = source.Parse.KeepMask != 0 ? source : null;
                    EmitChildren(w, pipeline, pipeline.IndexOf(source), names.Local!);
                    pipeline.LateRead = null;
                    pipeline.CopyFrom = null;
                    w.Close();
                }
                else
                {
                    w.Open($"public void OnRecord(global::System.ReadOnlySpan<byte> {names.Line})");
                    EmitParse(w, source, names);
                    w.Line(pipeline.HasGuards ? $"OnValue({names.Local}, {names.Line});" : $"OnValue({names.Local});");
                    w.Close();
                }

                if (source.Parse is not null)
                {
                    bool raw = pipeline.HasGuards;
                    w.Line();
                    w.Line(raw
                        ? $"/// <summary>Handles one parsed record of {source.Name}; the line it was read from goes with it, for a stage's bad-record report.</summary>"
                        : $"/// <summary>Handles one parsed record of {source.Name}.</summary>");
                    w.Line(Inline);
                    w.Open(raw
                        ? $"public void OnValue({source.Output!.Type.Code} {names.Local}, global::System.ReadOnlySpan<byte> {names.Line})"
                        : $"public void OnValue({source.Output!.Type.Code} {names.Local})");
                    EmitChildren(w, pipeline, pipeline.IndexOf(source), names.Local!);
                    w.Close();
                }

                EmitReduceWaitingMethod(w, pipeline, source);
                if (SinglePartitionReason(pipeline) is null)
                {
                    foreach (StageModel stateful in pipeline.ReachedFrom(source).Where(s => s.Kind == StageKind.MapWithState))
                    {
                        EmitStateReplay(w, pipeline, stateful);
                    }
                }

                w.Close();
                pipeline.CurrentSource = null;
            }

            private const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";

            // The last of the filters that lead a CSV record source's stages, after which its loop parses the rest of the
            // members (SourceParse.FilterMask); null when the record is parsed at once (no such filters, or one guarded).
            private static int? FilterOfLateRead(PipelineView pipeline, StageModel source)
            {
                if (source.Parse is not { Record: not null, Json: false, Filters: > 0 } parse)
                {
                    return null;
                }

                int at = pipeline.IndexOf(source);
                for (int i = 0; i < parse.Filters; i++)
                {
                    List<StageModel> below = pipeline.ChildrenOf(at).ToList();
                    if (below.Count != 1 || below[0].Kind != StageKind.Filter || pipeline.IsGuarded(below[0]))
                    {
                        return null;
                    }

                    at = pipeline.IndexOf(below[0]);
                }

                return at;
            }

            // A typed source's line becomes its record; a line that does not parse is counted and skipped. A tuple's fields
            // are read in one forward pass: each Utf8Fields reader starts where the previous field's comma left the position
            // and is called directly, so the JIT inlines its common case into the loop.
            private static void EmitParse(SourceWriter w, StageModel source, StageNames names)
            {
                SourceParse parse = source.Parse!;
                if (parse.Record is not null)
                {
                    EmitRecordParse(w, source, names);
                    return;
                }

                // A line that does not parse is refused through the source's refusal point, which counts it per field and
                // reason, and skips it, writes it or throws as the policy says.
                string Malformed(int field) => RefuseTypedLine(source, names, field);
                w.Line(source.OnError is null
                    ? $"// Parse the line as {parse.RecordDisplay}; a line that is not one is refused: counted and skipped, unless the source URI's onBadRecord says otherwise."
                    : $"// Parse the line as {parse.RecordDisplay}; a line that is not one is refused as the source's OnBadRecord says ({source.OnError}).");
                if (!parse.IsTuple)
                {
                    ParseField field = parse.Fields[0];
                    if (IsIntegerReader(field.Reader))
                    {
                        // The whole line as one integer field: its reader refuses a comma, as the type's parser would.
                        w.Line($"int {names.At} = 0;");
                        w.Line($"if (!{Runtime}.Utf8Fields.{field.Reader}({names.Line}, ref {names.At}, true, out {field.TypeCode} {names.Local})) {Malformed(0)}");
                    }
                    else
                    {
                        w.Line($"if (!{Runtime}.Utf8Parse.TryParse({names.Line}, out {field.TypeCode} {names.Local})) {Malformed(0)}");
                    }

                    return;
                }

                w.Line($"int {names.At} = 0;");
                for (int i = 0; i < parse.Fields.Count; i++)
                {
                    ParseField field = parse.Fields[i];
                    string last = i == parse.Fields.Count - 1 ? "true" : "false";
                    if (field.Reader is not null)
                    {
                        w.Line($"if (!{Runtime}.Utf8Fields.{field.Reader}({names.Line}, ref {names.At}, {last}, out {field.TypeCode} {names.FieldValues![i]})) {Malformed(i)}");
                    }
                    else
                    {
                        w.Line($"if (!{Runtime}.Utf8Fields.TryCut({names.Line}, ref {names.At}, {last}, out global::System.ReadOnlySpan<byte> {names.FieldSpans![i]})"
                            + $" || !{Runtime}.Utf8Parse.TryParse({names.FieldSpans[i]}, out {field.TypeCode} {names.FieldValues![i]})) {Malformed(i)}");
                    }
                }

                w.Line($"{source.Output!.Type.Code} {names.Local} = ({string.Join(", ", names.FieldValues!)});");
            }

            // Whether a Utf8Fields reader reads an integer: one that refuses a comma anywhere, so it may read a whole line.
            private static bool IsIntegerReader(string? reader) =>
                reader is "TryInt64" or "TryInt32" or "TryInt16" or "TrySByte" or "TryUInt64" or "TryUInt32" or "TryUInt16" or "TryByte";

            private static void EmitChildren(SourceWriter w, PipelineView pipeline, int parent, string input)
            {
                StageModel from = pipeline.Model.Stages[parent];
                foreach (StageModel stage in pipeline.ChildrenOf(parent))
                {
                    EmitStage(w, pipeline, stage, from.Output!, input, parent);
                }
            }

            // A [MapValues] or [FlatMapValues] stage's call on the keyed record's value, and how a value it gives becomes the
            // stage's record, with the input's key.
            private static (string Call, Func<string, string> Record) ValueMapping(StageModel stage, RecordType inputType, string input, string method)
            {
                bool byteKey = inputType.Shape == RecordShape.KeyValue;
                string key = byteKey ? input + ".Key" : input + ".Item1";
                string value = byteKey ? input + ".Value" : input + ".Item2";
                string outputType = stage.Output!.Type.Code;
                return ($"{method}({value})", v => byteKey ? $"new {outputType}({key}, {v})" : $"({key}, {v})");
            }

            private static void EmitStage(SourceWriter w, PipelineView pipeline, StageModel stage, RecordType inputType, string input, int parent)
            {
                pipeline.CancellationToken.ThrowIfCancellationRequested();
                StageNames names = pipeline.NamesOf(stage);
                string method = $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}";
                string call = $"{method}({Arguments(stage, inputType, input)})";
                int index = pipeline.IndexOf(stage);
                w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location})");
                // A stage guarded against an exception on one record: in a source's fused loop, or at the batch boundary.
                if (pipeline.IsGuarded(stage))
                {
                    EmitGuardedStage(w, pipeline, stage, names, call, inputType, input, index);
                    return;
                }

                switch (stage.Kind)
                {
                    case StageKind.Map:
                        w.Line($"var {names.Local} = {call};");
                        EmitChildren(w, pipeline, index, names.Local!);
                        break;

                    case StageKind.Filter:
                        w.Open($"if ({call})");
                        if (pipeline.LateRead is ({ } lastFilter, { } source) && lastFilter == index)
                        {
                            StageNames sourceNames = pipeline.NamesOf(source);
                            SourceParse parse = source.Parse!;
                            w.Line($"// The rest of the members the stages read ({parse.RestMembers}), parsed once the filters keep the record; a refused record goes no further.");
                            string keep = parse.KeepMask != 0 ? $"0x{parse.KeepMask:X}UL, " : "";
                            w.Line($"if (!{parse.Record}.TryReadCsvRest({sourceNames.Counters}, {sourceNames.Line}, 0x{parse.ReadMask & ~parse.FilterMask:X}UL, {keep}ref {sourceNames.Local})) return;");
                        }

                        EmitChildren(w, pipeline, index, input);
                        w.Close();
                        break;

                    case StageKind.FlatMap:
                        w.Open($"foreach (var {names.Local} in {call})");
                        EmitChildren(w, pipeline, index, names.Local!);
                        w.Close();
                        break;

                    case StageKind.ReduceByKey or StageKind.CountByValue when pipeline.CurrentSource is not null && pipeline.DefersReduce(stage):
                    {
                        // A table larger than a core's caches: the key waits in it while its slot is fetched, and the keys due are
                        // reduced, oldest first, as they came. A smaller one (the table grows, never shrinks, within a batch): at once.
                        // A count's key is its method's result, and its value a count of one.
                        bool count = stage.Kind == StageKind.CountByValue;
                        string key = count ? call : KeyOf(inputType, input);
                        string value = count ? "1L" : ValueOf(inputType, input);
                        if (count)
                        {
                            // In a block of its own: a stage that two streams reach (a union's) is written once for each.
                            w.Open();
                            w.Line($"var {names.Local} = {call};");
                            key = names.Local!;
                        }

                        w.Line("// A table larger than the cache: the key waits in it while its slot is fetched; the keys due are reduced, oldest first, as they came.");
                        w.Open($"if ({names.Field}.IsLargerThanCache)");
                        EmitReduceWaiting(w, stage, names, $"{names.Field}.Defer({key}, {value})", method);
                        w.Close();
                        w.Open("else");
                        if (count)
                        {
                            w.Line($"{names.Field}.GetValueRefOrAddDefault({key}, out bool _)++;");
                        }
                        else
                        {
                            EmitReduceInto(w, names.Field!, stage, names, key, value, method);
                        }

                        w.Close();
                        if (count)
                        {
                            w.Close();
                        }

                        break;
                    }

                    case StageKind.ReduceByKey:
                    case StageKind.CountByValue:
                    case StageKind.Count:
                    case StageKind.Reduce:
                        EmitCollect(w, stage, names, inputType, input, names.Field!, method, call);
                        break;

                    case StageKind.ReduceByKeyAndWindow:
                    case StageKind.CountByValueAndWindow:
                    case StageKind.ReduceByWindow:
                    case StageKind.CountByWindow:
                    case StageKind.Window:
                        EmitWindowRecord(w, pipeline, stage, inputType, input);
                        break;

                    case StageKind.MapValues:
                    case StageKind.FlatMapValues:
                    {
                        (string mapped, Func<string, string> record) = ValueMapping(stage, inputType, input, method);
                        if (stage.Kind == StageKind.MapValues)
                        {
                            w.Line($"var {names.Local} = {record(mapped)};");
                            EmitChildren(w, pipeline, index, names.Local!);
                        }
                        else
                        {
                            w.Open($"foreach (var {names.Result} in {mapped})");
                            w.Line($"var {names.Local} = {record(names.Result!)};");
                            EmitChildren(w, pipeline, index, names.Local!);
                            w.Close();
                        }

                        break;
                    }

                    case StageKind.GroupByKey:
                    {
                        string key = KeyOf(inputType, input);
                        string value = ValueOf(inputType, input);
                        w.Line($"{names.Values}.Add(ref {names.Field}.GetValueRefOrAddDefault({key}, out bool _), {value});");
                        break;
                    }

                    case StageKind.CombineByKey:
                    {
                        // A key's first value creates its combiner; later ones are merged into it.
                        string key = KeyOf(inputType, input);
                        string value = ValueOf(inputType, input);
                        string merge = $"{pipeline.ClassName}.{NameTable.Escaped(stage.MergeValue!)}";
                        w.Line($"ref {stage.Output!.Value!.Code} {names.Slot} = ref {names.Field}.GetValueRefOrAddDefault({key}, out bool {names.Exists});");
                        w.Line($"{names.Slot} = {names.Exists} ? {merge}({names.Slot}, {value}) : {method}({value});");
                        break;
                    }

                    case StageKind.Union:
                        EmitUnion(w, pipeline, stage, input, parent);
                        break;

                    case StageKind.Join:
                    case StageKind.LeftOuterJoin:
                    case StageKind.RightOuterJoin:
                    case StageKind.FullOuterJoin:
                    case StageKind.Cogroup:
                    {
                        // Each side's values are kept per key for the batch; the join runs at the batch boundary.
                        string key = KeyOf(inputType, input);
                        string value = ValueOf(inputType, input);
                        if (parent == stage.Input)
                        {
                            w.Line($"{names.LeftValues}.Add(ref {names.Left}.GetValueRefOrAddDefault({key}, out bool _), {value});");
                        }

                        if (parent == stage.Other)
                        {
                            w.Line($"{names.RightValues}.Add(ref {names.Right}.GetValueRefOrAddDefault({key}, out bool _), {value});");
                        }

                        break;
                    }

                    case StageKind.Transform:
                    case StageKind.TransformWith:
                    case StageKind.ForEachBatch:
                        // Kept for the batch: the function gets the whole batch at the boundary.
                        if (parent == stage.Input)
                        {
                            w.Line(inputType.Shape == RecordShape.KeyValue ? $"{names.In}.Add({input}.Key, {input}.Value);" : $"{names.In}.Add({input});");
                        }

                        if (parent == stage.Other)
                        {
                            w.Line($"{names.OtherIn}.Add({input});");
                        }

                        break;

                    case StageKind.EventTime:
                    case StageKind.EventWindow:
                    case StageKind.SessionWindow:
                        EmitTimeRecord(w, pipeline, stage, inputType, input);
                        break;

                    case StageKind.UpdateStateByKey:
                    case StageKind.MapWithState:
                        EmitStateRecord(w, pipeline, stage, inputType, input);
                        break;

                    case StageKind.Sink:
                        EmitSinkWrite(w, pipeline, stage, names, inputType, input);
                        break;
                }
            }

            // A keyed record's key and value: KeyValue<V> has Key and Value, a (K, V) tuple Item1 and Item2.
            private static string KeyOf(RecordType record, string expression) => record.Shape == RecordShape.KeyValue ? expression + ".Key" : expression + ".Item1";

            private static string ValueOf(RecordType record, string expression) => record.Shape == RecordShape.KeyValue ? expression + ".Value" : expression + ".Item2";

            // One record into what a batch collects, in the fused loop or in a windowed stage's current batch ('target'):
            // a key's entry of a table, a value's count, a reduced value, or a record count.
            private static void EmitCollect(SourceWriter w, StageModel stage, StageNames names, RecordType inputType, string input, string target, string method, string call)
            {
                switch (stage.Kind)
                {
                    case StageKind.ReduceByKey or StageKind.ReduceByKeyAndWindow:
                        EmitReduceInto(w, target, stage, names, KeyOf(inputType, input), ValueOf(inputType, input), method);
                        break;

                    case StageKind.CountByValue or StageKind.CountByValueAndWindow:
                        // A typed discard: a bare '_' would bind to a member of the user's class named '_'.
                        w.Line($"{target}.GetValueRefOrAddDefault({call}, out bool _)++;");
                        break;

                    case StageKind.Reduce or StageKind.ReduceByWindow:
                        w.Line($"if ({target}.HasValue) {target}.Value = {method}({target}.Value, {input});");
                        w.Line($"else {{ {target}.Value = {input}; {target}.HasValue = true; }}");
                        break;

                    case StageKind.Count:
                        w.Line($"{target}.Value++;");
                        break;

                    case StageKind.CountByWindow:
                        w.Line($"{target}.Value++;");
                        w.Line($"{target}.HasValue = true;");
                        break;

                    default:
                        throw new System.InvalidOperationException($"Stage '{stage.Name}' ([{stage.Kind}]) collects nothing per record, but the emitter was asked to write its collecting code; only keyed, counting and reducing stages collect.");
                }
            }

            // Reduces a value into its key's entry of a table: the first value of a key is kept as it is, later ones
            // are combined with it (Spark's reduceByKey).
            private static void EmitReduceInto(SourceWriter w, string table, StageModel stage, StageNames names, string key, string value, string method)
            {
                w.Line($"ref {stage.Output!.Value!.Code} {names.Slot} = ref {table}.GetValueRefOrAddDefault({key}, out bool {names.Exists});");
                w.Line($"{names.Slot} = {names.Exists} ? {method}({names.Slot}, {value}) : {value};");
            }

            // Takes back the keys due from a [ReduceByKey] or [CountByValue] stage's table (see ByteKeyTable.Defer), oldest first,
            // and reduces each one's value into its entry as EmitReduceInto does (a count's with a sum).
            private static void EmitReduceWaiting(SourceWriter w, StageModel stage, StageNames names, string due, string method, string? table = null)
            {
                string type = stage.Output!.Value!.Code;
                string folded = stage.Kind == StageKind.CountByValue ? $"{names.Slot} + {names.Waited}" : $"{method}({names.Slot}, {names.Waited})";
                w.Open($"for (int {names.Due} = {due}; {names.Due} > 0; {names.Due}--)");
                w.Line($"ref {type} {names.Slot} = ref {table ?? names.Field}.TakeOldest(out bool {names.Exists}, out {type} {names.Waited});");
                w.Line($"{names.Slot} = {names.Exists} ? {folded} : {names.Waited};");
                w.Close();
            }

            // A loop whose [ReduceByKey] stages defer their keys reduces what still waits before it returns to its framer's
            // caller: nothing reads a table (the batch boundary, a partition's merge, a checkpoint) while keys wait in it.
            private static void EmitReduceWaitingMethod(SourceWriter w, PipelineView pipeline, StageModel source)
            {
                List<StageModel> waiting = pipeline.WaitingIn(source);
                if (waiting.Count == 0)
                {
                    return;
                }

                w.Line();
                w.Line("/// <summary>Reduces the keys still waiting in this loop's tables, oldest first: called before the loop returns, so that nothing reads a table while keys wait in it.</summary>");
                w.Open("public void ReduceWaiting()");
                foreach (StageModel stage in waiting)
                {
                    StageNames names = pipeline.NamesOf(stage);
                    w.Line($"// [{stage.Kind}] {stage.Name} ({stage.Location})");
                    EmitReduceWaiting(w, stage, names, $"{names.Field}.Waiting", $"{pipeline.ClassName}.{NameTable.Escaped(stage.Name)}");
                }

                w.Close();
            }

            // A source's case of Process: its framer runs the buffer through the loop (in `LoopLocal`); the keys still waiting in
            // the loop's tables are reduced before anything (a boundary, a merge) can read them, and, for the job, a CSV
            // record source's stream that ends inside a quoted field ends its record reader.
            private static void EmitFrame(SourceWriter w, PipelineView pipeline, StageModel source, bool endsRecordStream)
            {
                StageNames names = pipeline.NamesOf(source);
                bool waits = pipeline.WaitingIn(source).Count > 0;
                bool ends = endsRecordStream && source.Parse?.Record is not null && !source.Parse!.Json;
                if (!waits && !ends)
                {
                    w.Line($"return {names.Framer}.Frame(buffer, isCompleted, ref {names.LoopLocal});");
                    return;
                }

                w.Line($"global::System.SequencePosition {names.LoopLocal}Consumed = {names.Framer}.Frame(buffer, isCompleted, ref {names.LoopLocal});");
                if (waits)
                {
                    w.Line($"{names.LoopLocal}.ReduceWaiting();");
                }

                if (ends)
                {
                    // A CSV source's stream that ends inside a quoted field leaves a record that never completes.
                    w.Line($"if (isCompleted) {names.Counters}.EndStream();");
                }

                w.Line($"return {names.LoopLocal}Consumed;");
            }

            // After a loop's records were run outside its framer (a partition's kept [MapWithState] records mapped at the
            // boundary): what still waits in its tables is reduced before anything reads them.
            private static void EmitReduceWaitingCall(SourceWriter w, PipelineView pipeline, StageModel source, string loop)
            {
                if (pipeline.WaitingIn(source).Count > 0)
                {
                    w.Line($"{loop}.ReduceWaiting();");
                }
            }

            private static string Arguments(StageModel stage, RecordType inputType, string input) => stage.Arity switch
            {
                InputArity.KeyAndValue => $"{KeyOf(inputType, input)}, {ValueOf(inputType, input)}",
                InputArity.Fields => string.Join(", ", Enumerable.Range(1, stage.Fields).Select(field => $"{input}.Item{field}")),
                _ => input,
            };

            // The RecordText calls that write a record as Spark prints it: (key,value) for keyed records.
            private static string Render(RecordType record, string expression) => record.Shape switch
            {
                RecordShape.KeyValue => $".Append('(').Append({expression}.Key).Append(','){Render(record.Value!, expression + ".Value")}.Append(')')",
                RecordShape.Tuple => $".Append('('){Render(record.Key!, expression + ".Item1")}.Append(','){Render(record.Value!, expression + ".Item2")}.Append(')')",
                RecordShape.Group => $".Append('('){Render(record.Key!, expression + ".Key")}.Append(','){(record.Value!.Format is TextFormat.Utf8Formattable ? ".AppendValues" : ".AppendObjects")}({expression}.Values).Append(')')",
                RecordShape.Windowed => $".Append('(').AppendValue({expression}.Window).Append(','){Render(record.Key!, expression + ".Key")}.Append(','){Render(record.Value!, expression + ".Value")}.Append(')')",
                _ => Render(record.Type, expression),
            };

            private static string Render(TypeName type, string expression) => type.Format switch
            {
                TextFormat.Bytes => $".Append({expression})",
                TextFormat.Utf8Formattable or TextFormat.Boolean => $".AppendValue({expression})",
                _ => $".AppendObject({expression})",
            };
        }
    }
}
