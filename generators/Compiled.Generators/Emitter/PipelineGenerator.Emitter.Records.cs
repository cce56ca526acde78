using Compiled.Generators.Helpers;
using Compiled.Generators.Model;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal static partial class Emitter
        {
            // A Lines<T> source of a [Record] struct: the struct's generated TryReadCsv takes each line, with the source's
            // CsvRecordReader (which counts the records it refuses as the source's malformed lines), and the loop goes on
            // with the record when a line completes one.
            private static void EmitCsvParse(SourceWriter w, StageModel source, StageNames names)
            {
                string type = source.Parse!.CsvRecord!;
                w.Line($"// Read the line as CSV into a {source.Parse.RecordDisplay}: a header row, a line inside a quoted field or a refused record goes no further.");
                w.Open($"if (!{type}.TryReadCsv({names.Counters}, {names.Line}, out {type} {names.Local}))");
                w.Line("return;");
                w.Close();
            }

            // The type of a typed source's counters field: its CsvRecordReader for a [Record] struct, else its SourceCounters.
            private static string CountersType(StageModel source) =>
                source.Parse?.CsvRecord is null ? $"{Runtime}.Connectors.SourceCounters" : $"{Runtime}.CsvRecordReader";

            // What the job binds that field to.
            // A CSV reader reports the records it refuses to its source's refusal point, bound just before it.
            private static string CountersValue(PipelineView pipeline, StageModel source, int index) =>
                source.Parse?.CsvRecord is { } type
                    ? $"new {Runtime}.CsvRecordReader({type}.CsvLayout, {Literal(source.Name)}, context.Counters[{index}], context.Framing[{index}].MaxRecordBytes, {pipeline.NamesOf(source).BadRecords}{(source.OnError is null ? "" : $", {Runtime}.BadRecordPolicy.{source.OnError}")})"
                    : $"context.Counters[{index}]";

            // A CSV source's reader starts each stream too: its header row, its line numbers.
            private static string BeginCsvStream(PipelineView pipeline, StageModel source) =>
                source.Parse?.CsvRecord is null ? "" : $" {pipeline.NamesOf(source).Counters}.BeginStream(streamName);";

            // Why a CSV source keeps its pipeline on one partition: a split of a file may fall inside a quoted field, and
            // only the first split sees the header row.
            private static string? CsvSinglePartitionReason(StageModel source) =>
                source.Parse?.CsvRecord is null ? null : "its source reads CSV records, whose quoted fields may span lines and whose header row only the first split of a file holds";
        }
    }
}
