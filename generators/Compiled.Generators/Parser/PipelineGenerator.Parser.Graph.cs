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
            // A pipeline is one graph: every source's stream must meet the first source's, through the stages that
            // read two streams (Union, the joins, Cogroup, TransformWith). Two graphs in one class are two pipelines.
            private void CheckSourcesMeet(INamedTypeSymbol type, List<Draft> built)
            {
                int[] parent = Enumerable.Range(0, built.Count).ToArray();
                int Find(int i)
                {
                    while (parent[i] != i)
                    {
                        i = parent[i] = parent[parent[i]];
                    }

                    return i;
                }

                for (int i = 0; i < built.Count; i++)
                {
                    foreach (int input in new[] { built[i].Input, built[i].Other })
                    {
                        if (input >= 0 && input < built.Count)
                        {
                            parent[Find(i)] = Find(input);
                        }
                    }
                }

                int first = built.FindIndex(d => d.Kind == StageKind.Source);
                for (int i = first + 1; i < built.Count; i++)
                {
                    if (built[i].Kind == StageKind.Source && Find(i) != Find(first))
                    {
                        Report(DiagnosticDescriptors.MultipleSources, built[i].Method.Locations[0], type.Name, built[i].Name, built[first].Name);
                    }
                }
            }

            // Resolves each stage's input, checks its signature against it, and builds the stage models.
            private List<StageModel> BuildGraph(INamedTypeSymbol type, List<Draft> drafts)
            {
                var stages = new List<StageModel>();
                var built = new List<Draft>();
                _built = built;
                Draft? firstSource = drafts.FirstOrDefault(d => d.Kind == StageKind.Source);
                Draft? source = null;
                int lastNonSink = -1;
                bool misplacedAboveSource = false;

                // A sink named as an [EventTime] stage's Late output reads that stage's late records only.
                var lateSinks = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (Draft draft in drafts.Where(d => d.Kind == StageKind.EventTime))
                {
                    if (NamedArgument(draft.Attribute, "Late") is { } late && !lateSinks.ContainsKey(late))
                    {
                        lateSinks[late] = draft.Name;
                    }
                }

                foreach (Draft draft in drafts)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    if (draft.Kind == StageKind.Source)
                    {
                        // A second source starts a chain of its own: the stages declared below it read it.
                        source = draft;
                        draft.SlideMs = _intervalMs;
                        CheckSource(draft);
                    }
                    else
                    {
                        int input = draft.Kind == StageKind.Sink && lateSinks.TryGetValue(draft.Name, out string? timeStage)
                            ? LateSinkInput(draft, built, timeStage)
                            : ResolveInput(draft, built, lastNonSink);
                        if (input < 0 && source is null && firstSource is not null && NamedArgument(draft.Attribute, "Input") is null)
                        {
                            // Nothing above it to read. Without any source, CMP0002 alone says what is missing.
                            Report(DiagnosticDescriptors.StageBeforeSource, draft.Method.Locations[0], draft.Name, firstSource.Name);
                            misplacedAboveSource |= !IsTerminal(draft.Kind);
                        }

                        draft.Input = input;
                        Draft? upstream = input >= 0 ? built[input] : null;
                        if (misplacedAboveSource && upstream?.Kind == StageKind.Source && NamedArgument(draft.Attribute, "Input") is null)
                        {
                            // The first stage below the source was meant to read the stage declared above the source, which
                            // CMP0022 reports: it is not checked against the source, which would report that mistake again.
                            upstream = null;
                            misplacedAboveSource = false;
                        }
                        draft.SlideMs = upstream?.SlideMs ?? _intervalMs;
                        Draft? other = null;
                        if (IsTwoInput(draft.Kind))
                        {
                            if (NamedArgument(draft.Attribute, "Other") is null)
                            {
                                Report(DiagnosticDescriptors.TwoInputsMismatch, draft.Method.Locations[0], draft.Name,
                                    "it names no second stream; add Other = nameof(...), naming a stage declared above it");
                                _inputUnresolved = true;
                            }
                            else
                            {
                                draft.Other = ResolveInput(draft, built, -1, "Other");
                                other = draft.Other >= 0 ? built[draft.Other] : null;
                                if (other is not null && upstream is not null && other.SlideMs != upstream.SlideMs)
                                {
                                    Report(DiagnosticDescriptors.TwoInputsMismatch, ArgumentLocation(draft.Attribute, "Other") ?? draft.Method.Locations[0], draft.Name,
                                        $"'{upstream.Name}' emits every {DurationText.Format(TimeSpan.FromMilliseconds(upstream.SlideMs))} and '{other.Name}' every {DurationText.Format(TimeSpan.FromMilliseconds(other.SlideMs))}; both must emit at the same slide, as in Spark; window them alike, or window the two streams after the stage");
                                }
                            }
                        }

                        if (draft.Kind == StageKind.Sink)
                        {
                            CheckSink(draft, upstream);
                        }
                        else if (IsDeclaredStage(draft.Kind))
                        {
                            CheckDeclaredStage(draft, upstream, other);
                        }
                        else if (IsTwoInput(draft.Kind) || draft.Kind is StageKind.Transform or StageKind.ForEachBatch)
                        {
                            CheckBatchFunction(draft, upstream, other);
                        }
                        else
                        {
                            CheckOperator(draft, upstream);
                        }

                        if (IsWindowed(draft.Kind))
                        {
                            draft.Window = ReadWindow(draft, upstream);
                            if (draft.Window is not null)
                            {
                                draft.SlideMs = draft.Window.SlideMilliseconds;
                            }
                        }
                    }

                    built.Add(draft);
                    if (!IsTerminal(draft.Kind))
                    {
                        lastNonSink = built.Count - 1;
                    }
                }

                foreach (Draft time in built.Where(d => d.Kind == StageKind.EventTime && d.Time is not null))
                {
                    if (NamedArgument(time.Attribute, "Late") is not { } late)
                    {
                        continue;
                    }

                    int sink = built.FindIndex(d => d.Name == late);
                    if (sink < 0 || built[sink].Kind != StageKind.Sink)
                    {
                        string? suggestion = sink < 0 ? DidYouMean("Late", late, built.Where(d => d.Kind == StageKind.Sink).Select(d => d.Name)) : null;
                        Report(DiagnosticDescriptors.InvalidEventTime, ArgumentLocation(time.Attribute, "Late") ?? time.Method.Locations[0], time.Name,
                            $"names Late = \"{late}\", but {(sink < 0 ? NoStageOfThatName : $"'{late}' is not a sink")}; {suggestion ?? "name a [Sink] declared below it that takes its records"}");
                        continue;
                    }

                    time.Time = time.Time! with { LateSink = sink };
                }

                if (source is null)
                {
                    Report(DiagnosticDescriptors.PipelineHasNoSource, type.Locations[0], type.Name);
                }
                else if (!_inputUnresolved)
                {
                    // With an Input or Other already reported as missing or unknown, the streams that seem not to meet
                    // may be the ones it was meant to join: that diagnostic is the cause, and CMP0008 would repeat it.
                    CheckSourcesMeet(type, built);
                }

                if (!built.Any(d => IsTerminal(d.Kind)))
                {
                    RecordType? last = lastNonSink >= 0 ? built[lastNonSink].Output : null;
                    Report(DiagnosticDescriptors.PipelineHasNoSink, type.Locations[0], type.Name, SuggestSinkParameters(last));
                }
                else if (!_hasErrors)
                {
                    // Only for a pipeline that is otherwise right: next to an error, an unused stage is noise.
                    for (int i = 0; i < built.Count; i++)
                    {
                        if (!IsTerminal(built[i].Kind) && !built.Any(d => d.Input == i || d.Other == i))
                        {
                            Report(DiagnosticDescriptors.StageOutputUnused, built[i].Method.Locations[0], built[i].Name);
                        }
                    }
                }

                if (!_hasErrors)
                {
                    PruneRecordColumns(built);
                    FindCopiedColumns(built);
                }

                foreach (Draft draft in built)
                {
                    stages.Add(new StageModel(
                        draft.Name,
                        draft.Kind,
                        draft.Input,
                        draft.Arity,
                        draft.Output,
                        LocationText(draft.Method),
                        draft.Kind is StageKind.Source or StageKind.Sink || IsDeclaredStage(draft.Kind) ? ImplementationSignature(draft.Method) : null,
                        draft.DefaultUri,
                        draft.Kind == StageKind.Source ? (draft.Parse is null ? "lines" : "lines of " + draft.Parse.RecordDisplay) : null,
                        draft.Kind == StageKind.Sink ? "(" + string.Join(", ", draft.Method.Parameters.Select(p => p.Type.ToDisplayString(ShortFormat) + " " + p.Name)) + ")" : null,
                        draft.Parse,
                        draft.Window,
                        draft.State,
                        draft.Other,
                        draft.MergeValue,
                        draft.Time,
                        draft.LateOnly,
                        draft.Fields,
                        draft.MergeCombiners,
                        OnErrorOf(draft),
                        draft.Attribute.NamedArguments.Any(a => a.Key == "InOrder" && a.Value.Value is true),
                        draft.Copy));
                }

                return stages;
            }

            private int ResolveInput(Draft draft, List<Draft> built, int lastNonSink, string property = "Input")
            {
                string? named = NamedArgument(draft.Attribute, property);
                if (named is null)
                {
                    return lastNonSink;
                }

                for (int i = 0; i < built.Count; i++)
                {
                    if (built[i].Name == named)
                    {
                        if (IsTerminal(built[i].Kind))
                        {
                            ReportInput(draft, property, named, $"'{named}' is an output of the pipeline, which emits nothing", built);
                            return -1;
                        }

                        return i;
                    }
                }

                string why = draft.Method.ContainingType.GetMembers(named).OfType<IMethodSymbol>().Any()
                    ? $"'{named}' is declared below it (or is not a stage)"
                    : NoStageOfThatName;
                ReportInput(draft, property, named, why, built);
                return -1;
            }

            private static bool IsTerminal(StageKind kind) => kind is StageKind.Sink or StageKind.ForEachBatch;

            private void ReportInput(Draft draft, string property, string named, string why, List<Draft> built)
            {
                _inputUnresolved = true;
                string[] readable = built.Where(d => !IsTerminal(d.Kind)).Select(d => d.Name).ToArray();
                string? suggestion = why == NoStageOfThatName ? DidYouMean(property, named, readable) : null;
                string fix = suggestion
                    ?? $"name a stage declared above '{draft.Name}', such as {(readable.Length == 0 ? "a source" : string.Join(", ", readable.Select(n => $"nameof({n})")))}";
                Report(DiagnosticDescriptors.UnknownStageInput, ArgumentLocation(draft.Attribute, property) ?? draft.Method.Locations[0],
                    draft.Name, property, named, why, fix);
            }

            private const string NoStageOfThatName = "no stage has that name";

            private void CheckOperator(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                string attribute = draft.Kind.ToString();
                if (!method.IsStatic)
                {
                    Report(DiagnosticDescriptors.OperatorNotStatic, method.Locations[0], draft.Name);
                    return;
                }

                if (!RequireSynchronous(draft))
                {
                    return;
                }

                string? problem =
                    IsPartialDeclarationOnly(method) ? "it has no body"
                    : method.IsGenericMethod ? "it has type parameters, but the generated loop calls it with concrete types"
                    : method.ReturnsVoid ? "it returns void, but a stage returns what it emits"
                    : RefProblem(method);
                if (problem is not null)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute, problem);
                    return;
                }

                switch (draft.Kind)
                {
                    case StageKind.Map:
                        if (RequireArity(draft, upstream, "one record in, one record out: static TOut " + draft.Name + "(TIn record)") && upstream?.Output is not null && MatchInput(draft, upstream))
                        {
                            SetClassifiedOutput(draft, method.ReturnType);
                        }

                        break;

                    case StageKind.Filter:
                        if (method.ReturnType.SpecialType != SpecialType.System_Boolean)
                        {
                            Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                                $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but a filter returns bool: static bool {draft.Name}(T record)");
                        }
                        else if (RequireArity(draft, upstream, "static bool " + draft.Name + "(T record)") && upstream?.Output is not null && MatchInput(draft, upstream))
                        {
                            draft.SetOutput(upstream);
                        }

                        break;

                    case StageKind.FlatMap:
                        CheckFlatMap(draft, upstream);
                        break;

                    case StageKind.ReduceByKey or StageKind.ReduceByKeyAndWindow:
                        CheckReduceByKey(draft, upstream);
                        break;

                    case StageKind.CountByValue or StageKind.CountByValueAndWindow:
                        CheckCountByValue(draft, upstream);
                        break;

                    case StageKind.ReduceByWindow or StageKind.Reduce:
                        CheckReduceByWindow(draft, upstream);
                        break;

                    case StageKind.MapValues or StageKind.FlatMapValues:
                        CheckMapValues(draft, upstream);
                        break;

                    case StageKind.CombineByKey:
                        CheckCombineByKey(draft, upstream);
                        break;

                    case StageKind.EventTime:
                        CheckEventTime(draft, upstream);
                        break;

                    case StageKind.EventWindow or StageKind.SessionWindow:
                        CheckEventWindow(draft, upstream);
                        break;

                    case StageKind.UpdateStateByKey:
                        CheckUpdateStateByKey(draft, upstream);
                        break;

                    case StageKind.MapWithState:
                        CheckMapWithState(draft, upstream);
                        break;
                }
            }

            // Stages without a function, declared as partial methods that the generator implements.
            internal static bool IsDeclaredStage(StageKind kind) =>
                kind is StageKind.Window or StageKind.CountByWindow or StageKind.Count or StageKind.GroupByKey or StageKind.Union;

            // [Window] and [CountByWindow] have no function: a partial method declares what they take and emit.
            private void CheckDeclaredStage(Draft draft, Draft? upstream, Draft? other = null)
            {
                IMethodSymbol method = draft.Method;
                string attribute = draft.Kind.ToString();
                string shape = draft.Kind switch
                {
                    StageKind.Window or StageKind.Union => $"public static partial T {draft.Name}(T record);",
                    StageKind.GroupByKey => $"public static partial Grouped<V> {draft.Name}(ReadOnlySpan<byte> key, V value);",
                    _ => $"public static partial long {draft.Name}(T record);",
                };
                string? problem =
                    !IsPartialDeclarationOnly(method) ? $"declare it partial with no body, '{shape}'; the generator implements it"
                    : !method.IsStatic ? "it must be static"
                    : method.IsGenericMethod ? "it must not have type parameters"
                    : method.Parameters.Length != 1 && !(draft.Kind == StageKind.GroupByKey && method.Parameters.Length == 2) ? $"it takes {method.Parameters.Length} parameters, but it takes the record: '{shape}'"
                    : WrittenAccessibility(method).Length == 0 ? "it has no access modifier, which C# requires of a partial method that returns a value; add 'public' or 'internal'"
                    : RefProblem(method);
                if (problem is not null)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute, problem);
                    return;
                }

                if (upstream?.Output is null || !MatchInput(draft, upstream))
                {
                    return;
                }

                if (draft.Kind == StageKind.GroupByKey)
                {
                    CheckGroupByKey(draft, upstream, shape);
                    return;
                }

                if (draft.Kind == StageKind.Union && other?.Output is not null)
                {
                    bool sameType = upstream.OutputSymbol is not null && other.OutputSymbol is not null
                        ? SameType(upstream.OutputSymbol, other.OutputSymbol)
                        : upstream.Output.Type.Code == other.Output.Type.Code;
                    if (!sameType)
                    {
                        Report(DiagnosticDescriptors.TwoInputsMismatch, ArgumentLocation(draft.Attribute, "Other") ?? method.Locations[0], draft.Name,
                            $"'{upstream.Name}' emits '{upstream.Output.Type.Display}' and '{other.Name}' emits '{other.Output.Type.Display}'; a union reads two streams of one type; add a [Map] that turns one stream's records into the other's type");
                        return;
                    }
                }

                if (draft.Kind is StageKind.CountByWindow or StageKind.Count)
                {
                    if (method.ReturnType.SpecialType != SpecialType.System_Int64)
                    {
                        Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                            $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but a count is a long: '{shape}'");
                        return;
                    }

                    draft.SetOutput(new RecordType(RecordShape.Value, NameOf(_int64), null, null), _int64, null, null);
                    return;
                }

                // [Window] and [Union]: the records as they are, so it returns what it takes.
                bool same = upstream.OutputSymbol is not null
                    ? SameType(method.ReturnType, upstream.OutputSymbol)
                    : method.ReturnType.ToDisplayString(CodeFormat) == upstream.Output.Type.Code || (upstream.Output.Shape == RecordShape.Bytes && IsByteSpan(method.ReturnType));
                if (!same)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                        $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but it emits the records it takes: '{upstream.Output.Type.Display}'");
                    return;
                }

                if (upstream.Output.Shape == RecordShape.Value && upstream.Output.Type.IsRefLike)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                        $"'{upstream.Output.Type.Display}' is a ref struct, which a window cannot keep; map the records to another type first");
                    return;
                }

                draft.SetOutput(upstream);
            }

            // Map, Filter, FlatMap and CountByValue take the record, the key and value of a keyed record, or the fields of a
            // tuple record one by one.
            private bool RequireArity(Draft draft, Draft? upstream, string shape)
            {
                int count = draft.Method.Parameters.Length;
                if (count is 1 or 2 || (count > 2 && TupleFields(upstream) == count))
                {
                    return true;
                }

                string fields = TupleFields(upstream) is int arity and > 2 ? $", or the {arity} fields of the tuple" : "";
                Report(DiagnosticDescriptors.UnsupportedOperatorSignature, draft.Method.Locations[0], draft.Name, draft.Kind.ToString(),
                    $"it takes {count} parameters; a [{draft.Kind}] takes the record (or a key and a value{fields}): {shape}");
                return false;
            }

            // How many fields the tuple a stage emits has; 0 when it emits no tuple.
            private static int TupleFields(Draft? stage) =>
                stage?.OutputSymbol is INamedTypeSymbol { IsTupleType: true } tuple ? tuple.TupleElements.Length : 0;

            // Checks the stage's parameters against what its input emits, and records how they are passed.
            private bool MatchInput(Draft draft, Draft upstream)
            {
                IMethodSymbol method = draft.Method;
                RecordType emitted = upstream.Output!;
                if (method.Parameters.Any(p => p.Type.TypeKind == TypeKind.Error))
                {
                    // The compiler reports the unknown type; a second message about it would only be noise.
                    _hasErrors = true;
                    return false;
                }

                if (method.Parameters.Length == 1 && SameType(method.Parameters[0].Type, upstream.OutputSymbol, emitted))
                {
                    draft.Arity = InputArity.Record;
                    return true;
                }

                if (method.Parameters.Length == 2 && emitted.IsKeyed
                    && (emitted.Shape == RecordShape.KeyValue ? IsByteSpan(method.Parameters[0].Type) : SameType(method.Parameters[0].Type, upstream.KeySymbol))
                    && SameType(method.Parameters[1].Type, upstream.ValueSymbol))
                {
                    draft.Arity = InputArity.KeyAndValue;
                    return true;
                }

                // A tuple's fields, one parameter each, in order: (long Auction, long Price) bid as (long auction, long price).
                if (method.Parameters.Length >= 2 && upstream.OutputSymbol is INamedTypeSymbol { IsTupleType: true } tuple
                    && tuple.TupleElements.Length == method.Parameters.Length)
                {
                    int wrong = Enumerable.Range(0, method.Parameters.Length).Where(i => !SameType(method.Parameters[i].Type, tuple.TupleElements[i].Type)).DefaultIfEmpty(-1).First();
                    if (wrong < 0)
                    {
                        draft.Arity = InputArity.Fields;
                        draft.Fields = method.Parameters.Length;
                        return true;
                    }

                    if (method.Parameters.Length > 2 || !emitted.IsKeyed)
                    {
                        string fields = string.Join(", ", tuple.TupleElements.Select((field, i) => $"{field.Type.ToDisplayString(ShortFormat)} {ParameterName(method, i, "field" + (i + 1))}"));
                        Report(DiagnosticDescriptors.StageInputMismatch, ParameterTypeLocation(method, wrong), draft.Name,
                            "the fields " + string.Join(", ", method.Parameters.Select(p => Quote(p.Type.ToDisplayString(ShortFormat)))),
                            upstream.Name, Quote(emitted.Type.Display),
                            $"change {draft.Name}'s parameters to the tuple's fields ({fields}), or take the whole record ({emitted.Type.Display} record)");
                        return false;
                    }
                }

                string takes = method.Parameters.Length == 1
                    ? Quote(method.Parameters[0].Type.ToDisplayString(ShortFormat))
                    : $"a key {Quote(method.Parameters[0].Type.ToDisplayString(ShortFormat))} and a value {Quote(method.Parameters[1].Type.ToDisplayString(ShortFormat))}";

                // Point at the parameter that is wrong: the value's when a key and value are given and the key fits.
                bool keyFits = method.Parameters.Length == 2 && emitted.IsKeyed
                    && (emitted.Shape == RecordShape.KeyValue ? IsByteSpan(method.Parameters[0].Type) : SameType(method.Parameters[0].Type, upstream.KeySymbol));
                Report(DiagnosticDescriptors.StageInputMismatch, ParameterTypeLocation(method, keyFits ? 1 : 0), draft.Name, takes, upstream.Name, Quote(emitted.Type.Display),
                    InputFix(draft, upstream, takes));
                return false;
            }
        }
    }
}
