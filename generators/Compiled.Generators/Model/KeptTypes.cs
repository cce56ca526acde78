using System.Collections.Generic;

namespace Compiled.Generators.Model
{
    /// <summary>
    /// The types whose values a stage keeps from batch to batch, which a checkpoint writes: the parser warns of those it
    /// cannot write (CMP0035), and the emitter registers the codecs of those that write themselves.
    /// </summary>
    internal static class KeptTypes
    {
        /// <summary>Whether a stage keeps state across batches: a window, a state store, a watermark, event-time windows or sessions.</summary>
        public static bool KeepsState(StageModel stage) => stage.Window is not null || stage.State is not null || stage.Time is not null;

        /// <summary>
        /// The types of the values <paramref name="stage"/> keeps across batches, each with what it is to the stage
        /// (<c>keys</c>, <c>state</c>, <c>values</c>, <c>records</c>), keys first, each type once. Byte keys, the counts of a
        /// count window and a watermark's times are the runtime's own and are not listed.
        /// </summary>
        public static List<(string What, TypeName Type)> Of(IReadOnlyList<StageModel> stages, StageModel stage)
        {
            var kept = new List<(string What, TypeName Type)>();
            if (!KeepsState(stage))
            {
                return kept;
            }

            RecordType? input = stage.Input >= 0 ? stages[stage.Input].Output : null;
            RecordType? output = stage.Output;
            switch (stage.Kind)
            {
                case StageKind.UpdateStateByKey:
                case StageKind.MapWithState:
                    AddKey(kept, input);
                    Add(kept, "state", stage.State?.State);
                    break;
                case StageKind.EventWindow:
                case StageKind.SessionWindow:
                    // The open windows' (sessions') tables: the input's keys and values.
                    AddKey(kept, input);
                    Add(kept, "values", input?.Value);
                    break;
                case StageKind.Window:
                    // The records of the window's batches: bytes as they are, a byte-keyed record's value, any other record whole.
                    if (output is { Shape: RecordShape.KeyValue })
                    {
                        Add(kept, "values", output.Value);
                    }
                    else if (output is { Shape: not RecordShape.Bytes })
                    {
                        Add(kept, "records", output.Type);
                    }

                    break;
                case StageKind.ReduceByKeyAndWindow:
                case StageKind.CountByValueAndWindow:
                    AddKey(kept, output);
                    Add(kept, "values", output?.Value);
                    break;
                case StageKind.ReduceByWindow:
                    Add(kept, "values", output?.Type);
                    break;
            }

            return kept;
        }

        // A struct key; byte keys are written as their bytes.
        // A Utf8Text key is the table's own copy, which a checkpoint writes as its bytes, and so is each text member of a
        // tuple or struct key (its TextCopy); a Utf8Text kept as a value still points into its source's buffer, and
        // stays unwritable.
        private static void AddKey(List<(string What, TypeName Type)> kept, RecordType? record)
        {
            if (record is { Shape: not RecordShape.KeyValue })
            {
                TypeName? key = record.Key;
                if (key is { Code: "global::Compiled.Utf8Text" })
                {
                    key = key with { Checkpoint = CheckpointForm.Text };
                }
                else if (key is { Checkpoint: CheckpointForm.Unwritable, TextCopy: not null, CheckpointMembers.Count: > 0 })
                {
                    key = key with { Checkpoint = CheckpointForm.Members };
                }

                Add(kept, "keys", key);
            }
        }

        private static void Add(List<(string What, TypeName Type)> kept, string what, TypeName? type)
        {
            if (type is null || kept.Exists(k => k.Type.Code == type.Code))
            {
                return;
            }

            kept.Add((what, type));
        }
    }
}
