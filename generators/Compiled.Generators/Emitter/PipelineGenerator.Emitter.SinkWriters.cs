using System.Collections.Generic;
using System.Linq;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Compiled.Generators.Records;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            private const string SinkWritersClass = "SinkWriters";

            /// <summary>
            /// The CSV and JSON-lines writers of each sink's record type, as static methods of a class nested in the job: a
            /// CSV header, a row writer and an object writer per sink, each straight-line code over the record's columns.
            /// </summary>
            private static void EmitSinkWriters(SourceWriter w, PipelineView pipeline)
            {
                w.Line();
                w.Line("/// <summary>Each sink's records as CSV rows and JSON objects (the sink URI's ?format=csv or ?format=json), written into the job's text buffer.</summary>");
                w.Open($"private static class {SinkWritersClass}");
                bool first = true;
                foreach (StageModel sink in pipeline.Sinks)
                {
                    RecordType record = pipeline.Model.Stages[sink.Input].Output!;
                    string type = record.Type.Code;
                    List<WriterField> columns = SinkColumns(record);
                    if (!first)
                    {
                        w.Line();
                    }

                    first = false;
                    // A [Record] read without a header row is written without one, so that its own parser reads the files back.
                    char separator = record.Shape == RecordShape.Value && record.Type.Writer is { Kind: WriterKind.Record } own ? own.Separator : ',';
                    string header = record.Shape == RecordShape.Value && record.Type.Writer is { Kind: WriterKind.Record, Format: RecordWriterFields.NoHeader }
                        ? "" : RecordWriterEmitter.CsvHeader(columns, separator);
                    w.Line($"/// <summary>The CSV header row of sink {sink.Name}'s records{(header.Length == 0 ? " (none: its record is read without one)" : "")}.</summary>");
                    w.Line($"public static global::System.ReadOnlySpan<byte> {sink.Name}CsvHeader => {RecordWriterEmitter.Utf8Literal(header)};");
                    w.Line();
                    if (record.Shape == RecordShape.Group)
                    {
                        // A key and its values: one CSV row per value, and one JSON object with the values in an array.
                        OpenWriter(w, sink, "Csv", type, "as CSV rows, one per value: key, value");
                        // Each value in a local: the compiler follows a nullable value's HasValue check on a local, not on an element.
                        w.Open("foreach (var value in record.Values)");
                        w.Line("text.Clear();");
                        RecordWriterEmitter.EmitCsv(w, new[] { columns[0].Named("key", "record.Key"), columns[1].Named("value", "value") }, "", ',');
                        w.Line("sink.Write(text.Written);");
                        w.Close();
                        w.Close();
                        w.Line();
                        OpenWriter(w, sink, "Json", type, "as one JSON object: its key, and its values in an array");
                        w.Line("text.Clear();");
                        w.Line("text.Append(\"{\\\"key\\\":\"u8);");
                        RecordWriterEmitter.EmitJsonOne(w, columns[0], "record.Key");
                        w.Line("text.Append(\",\\\"values\\\":[\"u8);");
                        w.Line("bool first = true;");
                        w.Open("foreach (var value in record.Values)");
                        w.Line("if (!first) text.Append(',');");
                        w.Line("first = false;");
                        RecordWriterEmitter.EmitJsonOne(w, columns[1], "value");
                        w.Close();
                        w.Line("text.Append(\"]}\"u8);");
                        w.Line("sink.Write(text.Written);");
                        w.Close();
                        continue;
                    }

                    // Each written by a method of its own, out of line: the fused loop carries only the text format's rendering
                    // (the format is fixed for the run), and the loop the JIT compiles at start-up is smaller.
                    (string? key, string written) = RenderedParts(record);
                    EmitRowWriter(w, sink, "Csv", type, "as one CSV row", key, written, () => RecordWriterEmitter.EmitCsv(w, columns, "record", separator));
                    w.Line();
                    if (sink.Copy is { } copy)
                    {
                        // Called in the fused loop of the source whose line holds the columns (ColumnCopy).
                        var copied = copy.Columns.ToDictionary(c => "record." + c.Member, c => c.Column);
                        EmitRowWriter(w, sink, "CsvCopying", type, "as one CSV row, the members it holds unchanged from the source's line copied from it", key, written,
                            () => RecordWriterEmitter.EmitCsv(w, columns, "record", separator, e => copied.TryGetValue(e, out int column) ? column : null, copy.Separator),
                            $", {Runtime}.CsvRecordReader reader, global::System.ReadOnlySpan<byte> line");
                        w.Line();
                    }

                    EmitRowWriter(w, sink, "Json", type, "as one JSON object", key, written, () => RecordWriterEmitter.EmitJson(w, columns, "record"));
                }

                if (pipeline.Parquet)
                {
                    foreach (StageModel sink in pipeline.Sinks)
                    {
                        w.Line();
                        EmitParquetColumns(w, sink, pipeline.Model.Stages[sink.Input].Output!);
                    }
                }

                w.Close();
            }

            // Opens a sink's writer of one format (SinkWriters): out of line, so the fused loop carries only a call to it.
            // `more`: parameters after the record's.
            private static void OpenWriter(SourceWriter w, StageModel sink, string format, string type, string how, string more = "")
            {
                w.Line($"/// <summary>Writes a record to sink {sink.Name} {how}.</summary>");
                w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
                w.Open($"public static void {sink.Name}{format}({Runtime}.Sinks.Sink sink, {Runtime}.RecordText text, in {type} record{more})");
            }

            // A sink's writer of one record as one row or object: the text cleared, the key put first if any (RenderedParts),
            // the record rendered, and the whole written to the sink.
            private static void EmitRowWriter(SourceWriter w, StageModel sink, string format, string type, string how, string? key, string written, System.Action render, string more = "")
            {
                OpenWriter(w, sink, format, type, how + ", with its key apart for a sink that keeps keys", more);
                w.Line("text.Clear();");
                if (key is not null)
                {
                    w.Line(key);
                }

                render();
                w.Line($"sink.Write({written});");
                w.Close();
            }

            // Binds a sink in the job's constructor: its records as they are only in the text format, and its CSV header.
            private static void EmitSinkBinding(SourceWriter w, PipelineView pipeline, int index)
            {
                StageModel sink = pipeline.Sinks[index];
                StageNames names = pipeline.NamesOf(sink);
                w.Line($"{names.Field} = context.Sinks[{index}];");
                w.Line($"{names.Records} = {names.Field}.Format == {Runtime}.Sinks.SinkFormat.Text ? {names.Field} as {pipeline.WriterType(sink)} : null;");
                w.Line($"if ({names.Field}.Format == {Runtime}.Sinks.SinkFormat.Csv) {names.Field}.UseCsvHeader({SinkWritersClass}.{sink.Name}CsvHeader);");
                if (names.Parquet is { } columns)
                {
                    // A parquet:// sink takes typed rows: the job appends each record to these columns, which the sink writes at commit.
                    w.Open($"if ({names.Field} is {ParquetRuntime}.ParquetSink)");
                    w.Line($"{columns} = new {SinkWritersClass}.{ParquetColumnsClass(sink)}();");
                    w.Line($"(({ParquetRuntime}.ParquetSink){names.Field}).UseColumns({columns});");
                    w.Close();
                }
            }

            // One record to a sink: as it is to a sink that takes it so; otherwise rendered as the sink's format asks (the
            // format is read per record, a field compare the branch predictor learns, since it is fixed for the run).
            private static void EmitSinkWrite(SourceWriter w, PipelineView pipeline, StageModel sink, StageNames names, RecordType inputType, string input)
            {
                if (names.Parquet is { } columns)
                {
                    // A parquet:// sink's record goes to its typed columns, member by member.
                    w.Line($"if ({columns} is not null) {columns}.Append({input});");
                    w.Line($"else if ({names.Records} is not null) {names.Records}.Write({input});");
                }
                else
                {
                    w.Line($"if ({names.Records} is not null) {names.Records}.Write({input});");
                }
                w.Line(inputType.Shape == RecordShape.Bytes
                    ? $"else if ({names.Field}.Format == {Runtime}.Sinks.SinkFormat.Text) {names.Field}.Write({input});"
                    : $"else if ({names.Field}.Format == {Runtime}.Sinks.SinkFormat.Text) {names.Field}.Write({PipelineView.TextField}.Clear(){Render(inputType, input)}.Written);");
                // The CSV and JSON rows are written by methods of their own, out of line (SinkWriters).
                if (sink.Copy is { } copy && pipeline.CopyFrom is { } from && pipeline.IndexOf(from) == copy.Source)
                {
                    // Columns the record holds unchanged from the line are copied from it (ColumnCopy).
                    StageNames line = pipeline.NamesOf(from);
                    w.Line($"else if ({names.Field}.Format == {Runtime}.Sinks.SinkFormat.Csv) {SinkWritersClass}.{sink.Name}CsvCopying({names.Field}, {PipelineView.TextField}, {input}, {line.Counters}, {line.Line});");
                }
                else
                {
                    w.Line($"else if ({names.Field}.Format == {Runtime}.Sinks.SinkFormat.Csv) {SinkWritersClass}.{sink.Name}Csv({names.Field}, {PipelineView.TextField}, {input});");
                }

                w.Line($"else {SinkWritersClass}.{sink.Name}Json({names.Field}, {PipelineView.TextField}, {input});");
            }

            // How a sink writer (SinkWriters) hands a record's CSV or JSON rendering to its sink, and the line that puts the
            // record's key in the text first, if any: a keyed record is written with its key, so that a sink that keeps keys
            // (Kafka's message key) keeps it; the other sinks ignore it. A KeyValue's key is its bytes; a pair's is its key's
            // text, as the text format renders it, put in the buffer before the row and marked, when the sink keeps keys
            // (read per record as the format is; the other sinks are spared the rendering) and that allocates nothing (a
            // string, text, a number or anything else that formats itself as UTF-8); a pair of another key is written without one.
            private static (string? Key, string Written) RenderedParts(RecordType record) => record.Shape switch
            {
                RecordShape.KeyValue => (null, "record.Key, text.Written"),
                RecordShape.Tuple when record.Key!.Code == "string" || record.Key.Format is TextFormat.Bytes or TextFormat.Utf8Formattable or TextFormat.Boolean
                    => ($"if (sink.KeepsKeys) text{Render(record.Key, "record.Item1")}.MarkKey();", "text.Key, text.AfterKey"),
                _ => (null, "text.Written"),
            };

            // The columns of a sink's record: a pair's key and value (or the tuple's element names), a window's start and end
            // before its key and value, a [Record]'s or a tuple's own columns, or one value.
            private static List<WriterField> SinkColumns(RecordType record)
            {
                switch (record.Shape)
                {
                    case RecordShape.Bytes:
                        return new List<WriterField> { Leaf(WriterKind.Bytes, "value", "", "global::System.ReadOnlySpan<byte>") };
                    case RecordShape.KeyValue:
                        return new List<WriterField> { Leaf(WriterKind.Bytes, "key", ".Key", "global::System.ReadOnlySpan<byte>"), WriterOf(record.Value!).Named("value", ".Value") };
                    case RecordShape.Tuple:
                    {
                        string keyName = record.Type.Writer is { Kind: WriterKind.Tuple, Children.Count: 2 } tuple && tuple.Children[0].Name.Length > 0 ? tuple.Children[0].Name : "key";
                        string valueName = record.Type.Writer is { Kind: WriterKind.Tuple, Children.Count: 2 } pair && pair.Children[1].Name.Length > 0 ? pair.Children[1].Name : "value";
                        return new List<WriterField> { WriterOf(record.Key!).Named(keyName, ".Item1"), WriterOf(record.Value!).Named(valueName, ".Item2") };
                    }

                    case RecordShape.Windowed:
                        return new List<WriterField>
                        {
                            Leaf(WriterKind.Number, "start", ".Window.Start", "long"),
                            Leaf(WriterKind.Number, "end", ".Window.End", "long"),
                            WriterOf(record.Key!).Named("key", ".Key"),
                            WriterOf(record.Value!).Named("value", ".Value"),
                        };
                    case RecordShape.Group:
                        return new List<WriterField> { WriterOf(record.Key!).Named("key", ""), WriterOf(record.Value!).Named("value", "") };
                    default:
                        WriterField value = WriterOf(record.Type);
                        return value.Kind is WriterKind.Record or WriterKind.Tuple
                            ? new List<WriterField>(value.Children)
                            : new List<WriterField> { value.Named("value", "") };
                }
            }

            // How a value of the type is written: as the parser read it from the symbol, or by its text format for a name it composed.
            private static WriterField WriterOf(TypeName type) => type.Writer ?? Leaf(
                type.Format switch
                {
                    TextFormat.Bytes => WriterKind.Bytes,
                    TextFormat.Boolean => WriterKind.Boolean,
                    TextFormat.Utf8Formattable => WriterKind.Formattable,
                    _ => WriterKind.Object,
                },
                "", "", type.Code);

            private static WriterField Leaf(WriterKind kind, string name, string access, string type) =>
                new(name, access, kind, type, null, ',', EquatableArray<string>.Empty, EquatableArray<WriterField>.Empty);
        }
    }
}
