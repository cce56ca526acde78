using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Model;
using Compiled.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
            // [EventTime]'s IdleTimeout when none is given: a source quiet for a minute is idle (see the README's event time).
            private const long DefaultIdleTimeoutMilliseconds = 60_000;

            // "0", "0s", "0ms", "00m", "0.0s": no time at all, which a lateness may be though a window may not.
            private static bool IsZeroDuration(string text)
            {
                string number = text.Trim();
                foreach (string unit in new[] { "ms", "s", "m", "h" })
                {
                    if (number.EndsWith(unit, StringComparison.Ordinal))
                    {
                        number = number.Substring(0, number.Length - unit.Length);
                        break;
                    }
                }

                return number.Contains('0') && number.All(c => c is '0' or '.');
            }

            // A late sink reads its [EventTime] stage, which must be declared above it.
            private int LateSinkInput(Draft sink, List<Draft> built, string timeStage)
            {
                sink.LateOnly = true;
                int index = built.FindIndex(d => d.Name == timeStage);
                if (index < 0)
                {
                    Report(DiagnosticDescriptors.InvalidEventTime, sink.Method.Locations[0], timeStage,
                        $"names Late = \"{sink.Name}\", but '{sink.Name}' is declared above it; declare the late sink below the [EventTime] stage");
                }

                return index;
            }

            // [EventTime]: static long Name(T record) or static DateTimeOffset Name(T record); the records pass on unchanged.
            private void CheckEventTime(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                bool offset = SymbolEqualityComparer.Default.Equals(method.ReturnType, _known.DateTimeOffset);
                if (method.ReturnType.SpecialType != SpecialType.System_Int64 && !offset)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "EventTime",
                        $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but an event time is a long (Unix milliseconds) or a DateTimeOffset: static long {draft.Name}(T record)");
                    return;
                }

                if (!RequireArity(draft, upstream, $"static long {draft.Name}(T record)") || upstream?.Output is null || !MatchInput(draft, upstream))
                {
                    return;
                }

                long lateness = 0;
                if (NamedArgument(draft.Attribute, "Lateness") is { } text && !IsZeroDuration(text))
                {
                    if (!DurationText.TryParse(text, out TimeSpan duration))
                    {
                        Report(DiagnosticDescriptors.InvalidEventTime, ArgumentLocation(draft.Attribute, "Lateness") ?? method.Locations[0], draft.Name,
                            $"has Lateness '{text}', which is not a duration; write a number and a unit (ms, s, m or h), e.g. 10s, or 0");
                        return;
                    }

                    lateness = (long)duration.TotalMilliseconds;
                }

                long idle = DefaultIdleTimeoutMilliseconds;
                if (NamedArgument(draft.Attribute, "IdleTimeout") is { } idleText)
                {
                    if (IsZeroDuration(idleText))
                    {
                        idle = 0;
                    }
                    else if (DurationText.TryParse(idleText, out TimeSpan duration))
                    {
                        idle = (long)duration.TotalMilliseconds;
                    }
                    else
                    {
                        Report(DiagnosticDescriptors.InvalidEventTime, ArgumentLocation(draft.Attribute, "IdleTimeout") ?? method.Locations[0], draft.Name,
                            $"has IdleTimeout '{idleText}', which is not a duration; write a number and a unit (ms, s, m or h), e.g. 30s, or 0 for a source that is never idle");
                        return;
                    }
                }

                draft.SetOutput(upstream);
                draft.Time = new TimeModel(lateness, offset, -1, 0, 0, 0, -1, idle);
            }

            // [EventWindow] and [SessionWindow]: a keyed reduce, static V Name(V a, V b), below an [EventTime] stage with
            // only per-record stages between, so that each record's event time is at hand.
            private void CheckEventWindow(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                CheckReduceByKey(draft, upstream);
                if (draft.Output is null || upstream is null)
                {
                    return;
                }

                int time = -1;
                for (Draft? current = upstream; current is not null; current = current.Input >= 0 ? _built![current.Input] : null)
                {
                    if (current.Kind == StageKind.EventTime)
                    {
                        time = _built!.IndexOf(current);
                        break;
                    }

                    if (current.Kind is not (StageKind.Map or StageKind.Filter or StageKind.FlatMap or StageKind.MapValues or StageKind.FlatMapValues))
                    {
                        break;
                    }
                }

                if (time < 0)
                {
                    Report(DiagnosticDescriptors.InvalidEventTime, method.Locations[0], draft.Name,
                        "has no event time; declare an [EventTime] stage above it, with only per-record stages ([Map], [Filter], [FlatMap], [MapValues]) between them");
                    draft.ClearOutput();
                    return;
                }

                long size = 0;
                long slide = 0;
                long gap = 0;
                if (draft.Kind == StageKind.EventWindow)
                {
                    size = EventDuration(draft, "Size") ?? 0;
                    slide = NamedArgument(draft.Attribute, "Slide") is null ? size : EventDuration(draft, "Slide") ?? 0;
                    if (size > 0 && slide > size)
                    {
                        Report(DiagnosticDescriptors.InvalidWindow, ArgumentLocation(draft.Attribute, "Slide") ?? method.Locations[0], draft.Name,
                            $"has Slide {DurationText.Format(TimeSpan.FromMilliseconds(slide))}, more than its Size {DurationText.Format(TimeSpan.FromMilliseconds(size))}, so some records would be in no window; use a slide of at most the size");
                        slide = 0;
                    }
                }
                else
                {
                    gap = EventDuration(draft, "Gap") ?? 0;
                }

                if ((draft.Kind == StageKind.EventWindow && (size == 0 || slide == 0)) || (draft.Kind == StageKind.SessionWindow && gap == 0))
                {
                    draft.ClearOutput();
                    return;
                }

                RecordType input = upstream.Output!;
                TypeName value = input.Value!;
                TypeName type = input.Shape == RecordShape.KeyValue
                    ? new TypeName($"global::Compiled.Windowed<{value.Code}>", $"Windowed<{value.Display}>", TextFormat.Object, IsRefLike: true)
                    : new TypeName($"global::Compiled.Windowed<{input.Key!.Code}, {value.Code}>", $"Windowed<{input.Key.Display}, {value.Display}>", TextFormat.Object,
                        // A window, a key and a value: as bytes when the key and the value are (a [Window] below may keep these records).
                        Checkpoint: input.Key.Checkpoint == CheckpointForm.Bytes && value.Checkpoint == CheckpointForm.Bytes ? CheckpointForm.Bytes : CheckpointForm.Unwritable);
                // A struct key's windowed records are a plain struct, which a whole-batch stage below can be handed in a span.
                ITypeSymbol? symbol = input.Shape != RecordShape.KeyValue && _known.Windowed2 is { } windowed
                    && upstream.KeySymbol is { } key && upstream.ValueSymbol is { } keyed
                    ? windowed.Construct(key, keyed)
                    : null;
                draft.SetOutput(new RecordType(RecordShape.Windowed, type, input.Key, value), symbol, upstream.KeySymbol, upstream.ValueSymbol);
                draft.Time = new TimeModel(0, false, -1, size, slide, gap, time);
            }

            // Size, Slide or Gap of an event-time window: a duration of more than zero.
            private long? EventDuration(Draft draft, string name)
            {
                string? text = NamedArgument(draft.Attribute, name);
                Location location = ArgumentLocation(draft.Attribute, name) ?? draft.Method.Locations[0];
                if (text is null)
                {
                    Report(DiagnosticDescriptors.InvalidWindow, location, draft.Name, $"has no {name}; give one, e.g. {name} = \"1m\"");
                    return null;
                }

                if (!DurationText.TryParse(text, out TimeSpan duration))
                {
                    Report(DiagnosticDescriptors.InvalidWindow, location, draft.Name, IsZeroDuration(text)
                        ? $"has {name} '{text}', but it must be more than zero; write a positive duration, e.g. 30s"
                        : $"has {name} '{text}', which is not a duration; write a number and a unit (ms, s, m or h), e.g. 30s");
                    return null;
                }

                return (long)duration.TotalMilliseconds;
            }
        }
    }
}
