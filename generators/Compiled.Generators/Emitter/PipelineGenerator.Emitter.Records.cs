using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            // A Lines<T> source of a [Record] struct: the struct's generated TryReadCsv or TryReadJson, by the format the
            // source reads, takes each line with the source's CsvRecordReader or JsonRecordReader (which counts the records
            // it refuses as the source's malformed lines), and the loop goes on with the record when a line completes one.
            private static void EmitRecordParse(SourceWriter w, StageModel source, StageNames names, bool filtersFirst = false)
            {
                string type = source.Parse!.Record!;
                // The places of the columns a sink copies as they came, kept as the line is read (ColumnCopy).
                string keep = source.Parse.KeepMask != 0 ? $"0x{source.Parse.KeepMask:X}UL, " : "";
                if (keep.Length != 0)
                {
                    w.Line($"// Where the columns of the members a sink copies unchanged are on a plain line is kept in the reader as they are read.");
                }

                if (filtersFirst)
                {
                    // Late materialisation: the leading filters' members now, the rest once the filters keep the record.
                    w.Line($"// Read the line as CSV into a {source.Parse.RecordDisplay}, parsing first only the members the leading filters read ({source.Parse.FilterMembers});");
                    w.Line("// the other members the stages read are parsed below the filters, for the records they keep. A header row, a line inside a");
                    w.Line("// quoted field or a refused record goes no further.");
                    w.Open($"if (!{type}.TryReadCsv({names.Counters}, {names.Line}, 0x{source.Parse.FilterMask:X}UL, {keep}out {type} {names.Local}))");
                }
                else if (source.Parse.Json && source.Parse.ReadMembers is { } readJson)
                {
                    // Column pruning: the stages read only some members, so only their values are converted.
                    w.Line($"// Read the line as a JSON object into a {source.Parse.RecordDisplay}, converting only the members the stages read ({readJson}); the others stay default.");
                    w.Line("// An empty line or a refused record goes no further.");
                    w.Open($"if (!{type}.TryReadJson({names.Counters}, {names.Line}, 0x{source.Parse.ReadMask:X}UL, out {type} {names.Local}))");
                }
                else if (source.Parse.Json)
                {
                    w.Line($"// Read the line as a JSON object into a {source.Parse.RecordDisplay}: an empty line or a refused record goes no further.");
                    w.Open($"if (!{type}.TryReadJson({names.Counters}, {names.Line}, out {type} {names.Local}))");
                }
                else if (source.Parse.ReadMembers is { } read)
                {
                    // Column pruning: the stages read only some members, so only their fields are parsed.
                    w.Line($"// Read the line as CSV into a {source.Parse.RecordDisplay}, parsing only the members the stages read ({read}); the others stay default.");
                    w.Line("// A header row, a line inside a quoted field or a refused record goes no further.");
                    w.Open($"if (!{type}.TryReadCsv({names.Counters}, {names.Line}, 0x{source.Parse.ReadMask:X}UL, {keep}out {type} {names.Local}))");
                }
                else
                {
                    w.Line($"// Read the line as CSV into a {source.Parse.RecordDisplay}: a header row, a line inside a quoted field or a refused record goes no further.");
                    w.Open(keep.Length != 0
                        ? $"if (!{type}.TryReadCsv({names.Counters}, {names.Line}, ulong.MaxValue, {keep}out {type} {names.Local}))"
                        : $"if (!{type}.TryReadCsv({names.Counters}, {names.Line}, out {type} {names.Local}))");
                }

                w.Line("return;");
                w.Close();
            }

            // The type of a typed source's counters field: its record reader for a [Record] struct, else its SourceCounters.
            private static string CountersType(StageModel source) =>
                source.Parse?.Record is null ? $"{Runtime}.Connectors.SourceCounters"
                : source.Parse.Json ? $"{Runtime}.JsonRecordReader"
                : $"{Runtime}.CsvRecordReader";

            // What the job (or a partition) binds that field to, given the source's counters and framing options. A record
            // reader reports the records it refuses to its source's refusal point (bound just before it), under the
            // source's own policy when it declares one.
            private static string CountersValue(PipelineView pipeline, StageModel source, string counters, string framing)
            {
                if (source.Parse?.Record is not { } type)
                {
                    return counters;
                }

                string refusals = $"{pipeline.NamesOf(source).BadRecords}{(source.OnError is null ? "" : $", {Runtime}.BadRecordPolicy.{source.OnError}")}";
                return source.Parse.Json
                    ? $"new {Runtime}.JsonRecordReader({type}.JsonLayout, {Literal(source.Name)}, {counters}, {refusals})"
                    : $"new {Runtime}.CsvRecordReader({type}.CsvLayout, {Literal(source.Name)}, {counters}, {framing}.MaxRecordBytes, {refusals})";
            }

            // BeginStream for the job or a partition: each source's framer (and record reader) starts a stream; withOffset, the
            // overload for a byte range that begins further into a file as well.
            private static void EmitBeginStreams(SourceWriter w, PipelineView pipeline, string summary, bool withOffset)
            {
                w.Line($"/// <summary>{summary}</summary>");
                w.Open("public override void BeginStream(int source, string streamName)");
                w.Open("switch (source)");
                for (int i = 0; i < pipeline.Sources.Count; i++)
                {
                    StageNames names = pipeline.NamesOf(pipeline.Sources[i]);
                    w.Line($"case {i}: {names.Framer}.Reset(streamName);{BeginRecordStream(names.Counters, pipeline.Sources[i])} break;");
                }

                w.Line(OutOfRange);
                w.Close();
                w.Close();
                if (!withOffset)
                {
                    return;
                }

                w.Line();
                w.Line("/// <summary>Starts a byte range of a file of a source that begins offset bytes into it.</summary>");
                w.Open("public override void BeginStream(int source, string streamName, long offset)");
                w.Open("switch (source)");
                for (int i = 0; i < pipeline.Sources.Count; i++)
                {
                    StageNames names = pipeline.NamesOf(pipeline.Sources[i]);
                    w.Line($"case {i}: {names.Framer}.Reset(streamName, offset);{BeginRecordStreamAt(names.Counters, pipeline.Sources[i])} break;");
                }

                w.Line(OutOfRange);
                w.Close();
                w.Close();
            }

            // A record source's reader starts each stream too: its line numbers, and for CSV its header row.
            private static string BeginRecordStream(string? reader, StageModel source) =>
                source.Parse?.Record is null ? "" : $" {reader}.BeginStream(streamName);";

            // The same for a partition's range that begins offset bytes into a file (a JSON record's source, or a CSV one
            // read one line each without a header of names): its reader counts lines from the file's start only; further
            // in, a bad record's report gives its offset, not a line, and a header row is not there to skip.
            private static string BeginRecordStreamAt(string? reader, StageModel source) =>
                source.Parse?.Record is not null && (source.Parse.Json || source.Parse.Splittable) ? $" {reader}.BeginStream(streamName, offset);" : "";

            // Why a CSV source keeps its pipeline on one partition: a split of a file may fall inside a quoted field, and
            // only the first split sees the header row. A JSON line is a whole record, and so is a CSV line of a record read
            // one line each (MultiLine = false) without a header of names, so a split at a line break is fine.
            private static string? CsvSinglePartitionReason(StageModel source) =>
                source.Parse?.Record is null || source.Parse.Json || source.Parse.Splittable ? null
                : "its source reads CSV records, whose quoted fields may span lines and whose header row only the first split of a file holds (declare the record [Record(MultiLine = false)] with Header None or Skip to split it)";
        }
    }
}
