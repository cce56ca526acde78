using System.Collections.Generic;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
            // [UpdateStateByKey(EventTime = true)]: the function takes the watermark of an [EventTime] stage above it in
            // place of the batch time, so it must take a time (the (time, key, values, state) form) and have an [EventTime]
            // stage among the stages it reads from. timeStage is that stage's index, or -1 without EventTime = true; false
            // when EventTime = true does not fit (reported).
            private bool TryStateTimeStage(Draft draft, Draft upstream, bool takesTime, out int timeStage)
            {
                timeStage = -1;
                if (!NamedBool(draft.Attribute, "EventTime"))
                {
                    return true;
                }

                Location location = ArgumentLocation(draft.Attribute, "EventTime") ?? draft.Method.Locations[0];
                string key = upstream.Output!.Shape == RecordShape.KeyValue ? "ReadOnlySpan<byte>" : upstream.Output.Key!.Display;
                if (!takesTime)
                {
                    Report(DiagnosticDescriptors.InvalidEventTime, location, draft.Name,
                        $"has EventTime = true, but its function takes no time to give the watermark to; take it first, with the key: static S? {draft.Name}(long watermark, {key} key, ReadOnlySpan<{upstream.Output.Value!.Display}> values, S? state)");
                    return false;
                }

                // The nearest [EventTime] stage up the chain of inputs: its watermark has moved on by the time this stage's
                // boundary runs, as stages complete their batch in declaration order.
                var seen = new HashSet<Draft>();
                for (Draft? current = upstream; current is not null && seen.Add(current); current = current.Input >= 0 ? _built![current.Input] : null)
                {
                    if (current.Kind == StageKind.EventTime)
                    {
                        timeStage = _built!.IndexOf(current);
                        return true;
                    }
                }

                Report(DiagnosticDescriptors.InvalidEventTime, location, draft.Name,
                    "has EventTime = true, but no [EventTime] stage above it gives a watermark; declare an [EventTime] stage above it, or remove EventTime = true to be given the batch time");
                return false;
            }

            private static bool NamedBool(AttributeData attribute, string name)
            {
                foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                {
                    if (argument.Key == name)
                    {
                        return argument.Value.Value is true;
                    }
                }

                return false;
            }
        }
    }
}
