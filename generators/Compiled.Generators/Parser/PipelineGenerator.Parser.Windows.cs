using System;
using System.Collections.Immutable;
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
            private static bool IsWindowed(StageKind kind) =>
                kind is StageKind.Window or StageKind.ReduceByKeyAndWindow or StageKind.ReduceByWindow or StageKind.CountByWindow or StageKind.CountByValueAndWindow;

            // [ReduceByWindow]: static T Name(T a, T b) over records of type T, which the window keeps.
            private void CheckReduceByWindow(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (method.Parameters.Length != 2
                    || !SameType(method.Parameters[0].Type, method.Parameters[1].Type)
                    || !SameType(method.Parameters[0].Type, method.ReturnType))
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        $"a reduce function combines two records of one type into one: static T {draft.Name}(T a, T b)");
                    return;
                }

                if (method.ReturnType.IsRefLikeType)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        $"'{method.ReturnType.ToDisplayString(ShortFormat)}' is a ref struct, which cannot be kept across records; map the records to another type first");
                    return;
                }

                if (upstream?.Output is null)
                {
                    return;
                }

                if (upstream.OutputSymbol is null || !SameType(upstream.OutputSymbol, method.Parameters[0].Type))
                {
                    Report(DiagnosticDescriptors.StageInputMismatch, ParameterTypeLocation(method, 0), draft.Name,
                        Quote(method.Parameters[0].Type.ToDisplayString(ShortFormat)), upstream.Name, Quote(upstream.Output.Type.Display),
                        upstream.OutputSymbol is null ? $"change {draft.Name}'s parameters to take {Quote(upstream.Output.Type.Display)}" : ReduceFix(draft, upstream, upstream.OutputSymbol, keyed: false));
                    return;
                }

                draft.Arity = InputArity.Record;
                draft.SetOutput(upstream);
            }

            // Length and Slide of a windowed stage: durations, multiples of the batch interval and of the slide above;
            // Inverse and Filter: methods of the pipeline class that fit the reduce.
            private WindowModel? ReadWindow(Draft draft, Draft? upstream)
            {
                AttributeData attribute = draft.Attribute;
                string? lengthText = NamedArgument(attribute, "Length");
                string? slideText = NamedArgument(attribute, "Slide");
                long inputSlide = upstream?.SlideMs ?? _intervalMs;
                if (lengthText is null)
                {
                    Report(DiagnosticDescriptors.InvalidWindow, draft.Method.Locations[0], draft.Name, "has no Length; give one, e.g. Length = \"30s\"");
                    return null;
                }

                long? length = WindowDuration(draft, "Length", lengthText, inputSlide, upstream);
                long? slide = slideText is null ? inputSlide : WindowDuration(draft, "Slide", slideText, inputSlide, upstream);
                if (length is null || slide is null)
                {
                    return null;
                }

                string? inverse = NamedArgument(attribute, "Inverse");
                string? filter = NamedArgument(attribute, "Filter");
                InputArity filterArity = InputArity.None;
                if (draft.Output is null)
                {
                    // The stage itself is wrong; its own diagnostic says why.
                    return new WindowModel(length.Value, slide.Value, inverse, filter, filterArity);
                }

                if (inverse is not null)
                {
                    CheckInverse(draft, inverse);
                }

                if (filter is not null)
                {
                    filterArity = CheckWindowFilter(draft, filter, inverse);
                }

                return new WindowModel(length.Value, slide.Value, inverse, filter, filterArity);
            }

            private long? WindowDuration(Draft draft, string name, string text, long inputSlide, Draft? upstream)
            {
                Location location = ArgumentLocation(draft.Attribute, name) ?? draft.Method.Locations[0];
                if (!DurationText.TryParse(text, out TimeSpan duration))
                {
                    Report(DiagnosticDescriptors.InvalidWindow, location, draft.Name,
                        $"has {name} '{text}', which is not a duration; write a number and a unit (ms, s, m or h), e.g. 30s");
                    return null;
                }

                long ms = (long)duration.TotalMilliseconds;
                if (ms % _intervalMs != 0)
                {
                    string interval = DurationText.Format(TimeSpan.FromMilliseconds(_intervalMs));
                    Report(DiagnosticDescriptors.InvalidWindow, location, draft.Name,
                        $"has {name} {DurationText.Format(duration)}, which is not a multiple of the batch interval {interval}; use a multiple of {interval}");
                    return null;
                }

                if (ms % inputSlide != 0 && upstream is not null)
                {
                    string slide = DurationText.Format(TimeSpan.FromMilliseconds(inputSlide));
                    Report(DiagnosticDescriptors.InvalidWindow, location, draft.Name,
                        $"has {name} {DurationText.Format(duration)}, which is not a multiple of {slide}, the slide of its input '{upstream.Name}'; use a multiple of {slide}");
                    return null;
                }

                return ms;
            }

            // The inverse of a reduce takes and returns what the reduce does.
            private void CheckInverse(Draft draft, string inverse)
            {
                ITypeSymbol value = draft.Kind == StageKind.ReduceByKeyAndWindow ? draft.ValueSymbol! : draft.OutputSymbol!;
                string type = value.ToDisplayString(ShortFormat);
                Location location = ArgumentLocation(draft.Attribute, "Inverse") ?? draft.Method.Locations[0];
                IMethodSymbol[] candidates = draft.Method.ContainingType.GetMembers(inverse).OfType<IMethodSymbol>().ToArray();
                string? why = WhyNotCallable(candidates, inverse,
                    m => m.Parameters.Length == 2 && SameType(m.Parameters[0].Type, value) && SameType(m.Parameters[1].Type, value) && SameType(m.ReturnType, value),
                    $"does not take two '{type}' values and return one");
                if (why is not null)
                {
                    string? suggestion = candidates.Length == 0 ? DidYouMean("Inverse", inverse, HelperMethodNames(draft.Method)) : null;
                    Report(DiagnosticDescriptors.InverseMismatch, location, draft.Name, inverse, why,
                        suggestion ?? $"declare 'static {type} {inverse}({type} a, {type} b)' in the pipeline class, undoing what '{draft.Name}' does");
                }
            }

            // A window filter keeps a key: static bool Keep(K key, V value), or Keep(record); it needs an inverse.
            private InputArity CheckWindowFilter(Draft draft, string filter, string? inverse)
            {
                Location location = ArgumentLocation(draft.Attribute, "Filter") ?? draft.Method.Locations[0];
                RecordType record = draft.Output!;
                string key = record.Key?.Display ?? "K";
                string value = record.Value?.Display ?? "V";
                string shape = $"declare 'static bool {filter}({key} key, {value} value)' in the pipeline class";
                if (inverse is null)
                {
                    Report(DiagnosticDescriptors.WindowFilterMismatch, location, draft.Name, filter,
                        $"a filter drops keys from a window kept up to date with an inverse function, and there is none; add Inverse = nameof(...) or remove the filter");
                    return InputArity.None;
                }

                IMethodSymbol[] candidates = draft.Method.ContainingType.GetMembers(filter).OfType<IMethodSymbol>().ToArray();
                if (candidates.Length == 0 && DidYouMean("Filter", filter, HelperMethodNames(draft.Method)) is { } suggestion)
                {
                    Report(DiagnosticDescriptors.WindowFilterMismatch, location, draft.Name, filter, $"the pipeline class has no method of that name; {suggestion}");
                    return InputArity.None;
                }

                foreach (IMethodSymbol candidate in candidates)
                {
                    if (!candidate.IsStatic || candidate.IsGenericMethod || candidate.ReturnType.SpecialType != SpecialType.System_Boolean)
                    {
                        continue;
                    }

                    if (candidate.Parameters.Length == 2
                        && (record.Shape == RecordShape.KeyValue ? IsByteSpan(candidate.Parameters[0].Type) : SameType(candidate.Parameters[0].Type, draft.KeySymbol))
                        && SameType(candidate.Parameters[1].Type, draft.ValueSymbol))
                    {
                        return InputArity.KeyAndValue;
                    }

                    if (candidate.Parameters.Length == 1 && SameType(candidate.Parameters[0].Type, draft.OutputSymbol, record))
                    {
                        return InputArity.Record;
                    }
                }

                Report(DiagnosticDescriptors.WindowFilterMismatch, location, draft.Name, filter,
                    $"the pipeline class has no static method '{filter}' that takes a key '{key}' and a value '{value}' and returns bool; {shape}");
                return InputArity.None;
            }
        }
    }
}
