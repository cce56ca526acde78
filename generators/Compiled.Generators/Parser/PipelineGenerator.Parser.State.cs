using System;
using System.Collections.Generic;
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
            // [UpdateStateByKey]: static S? Name(ReadOnlySpan<V> values, S? state), or Spark's fuller form
            // static S? Name(long batchTime, K key, ReadOnlySpan<V> values, S? state); S a struct.
            private void CheckUpdateStateByKey(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (upstream?.Output is null || !RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                string key = upstream.Output.Key!.Display;
                string value = upstream.Output.Value!.Display;
                string shape = $"static S? {draft.Name}(ReadOnlySpan<{value}> values, S? state), or with the batch time and the key first, "
                    + $"static S? {draft.Name}(long batchTime, {key} key, ReadOnlySpan<{value}> values, S? state), where S is a struct";
                ITypeSymbol? state = NullableOf(method.ReturnType);
                int first = method.Parameters.Length - 2;
                bool timeAndKeyFit = first == 0
                    || (first == 2
                        && method.Parameters[0].Type.SpecialType == SpecialType.System_Int64
                        && (upstream.Output.Shape == RecordShape.KeyValue ? IsByteSpan(method.Parameters[1].Type) : SameType(method.Parameters[1].Type, upstream.KeySymbol)));
                bool fits = timeAndKeyFit
                    && state is not null
                    && method.Parameters[first].Type is INamedTypeSymbol span && KnownTypes.Is(span, _known.ReadOnlySpan)
                    && SameType(span.TypeArguments[0], upstream.ValueSymbol)
                    && SameType(method.Parameters[first + 1].Type, method.ReturnType);
                if (!fits)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "UpdateStateByKey",
                        $"an update function takes the key's new values and its state, and returns the new state or null to remove the key: {shape}");
                    return;
                }

                if (!TryStateTimeStage(draft, upstream, first == 2, out int timeStage))
                {
                    return;
                }

                draft.Arity = InputArity.KeyAndValue;
                TypeName stateName = NameOf(state!);
                string? initial = CheckInitialState(draft, upstream, state!);
                draft.State = new StateModel(stateName, upstream.Output.Value, null, OptionalOutput: false, TakesTimeAndKey: first == 2, InitialState: initial, TimeStage: timeStage);
                SetKeyedOutput(draft, upstream, state!);
            }

            // InitialState = nameof(M): static IEnumerable<(K Key, S State)> M(), string keys for byte-span keys. Returns
            // the method's name, or null (reported) when it does not fit or none is named.
            private string? CheckInitialState(Draft draft, Draft upstream, ITypeSymbol state)
            {
                if (NamedArgument(draft.Attribute, "InitialState") is not { } name)
                {
                    return null;
                }

                bool byteKeys = upstream.Output!.Shape == RecordShape.KeyValue;
                string key = byteKeys ? "string" : upstream.Output.Key!.Display;
                string stateType = state.ToDisplayString(ShortFormat);
                Location location = ArgumentLocation(draft.Attribute, "InitialState") ?? draft.Method.Locations[0];
                IMethodSymbol[] candidates = draft.Method.ContainingType.GetMembers(name).OfType<IMethodSymbol>().ToArray();
                string? why = WhyNotCallable(candidates, name, m => m.Parameters.Length == 0 && ListsPairs(m.ReturnType),
                    $"does not take no arguments and return the keys' ({key} Key, {stateType} State) pairs");
                if (why is not null)
                {
                    string? suggestion = candidates.Length == 0 ? DidYouMean("InitialState", name, HelperMethodNames(draft.Method)) : null;
                    Report(DiagnosticDescriptors.InitialStateMismatch, location, draft.Name, name, why,
                        suggestion ?? $"declare 'static IEnumerable<({key} Key, {stateType} State)> {name}()' in the pipeline class");
                    return null;
                }

                return name;

                // Whether the type is, or implements, IEnumerable<(K, S)> (an array, a list, an iterator method's result).
                bool ListsPairs(ITypeSymbol type)
                {
                    IEnumerable<ITypeSymbol> elements = type is IArrayTypeSymbol array
                        ? new[] { array.ElementType }
                        : new[] { type }.Concat(type.AllInterfaces)
                            .OfType<INamedTypeSymbol>()
                            .Where(t => t.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)
                            .Select(t => t.TypeArguments[0]);
                    return elements.Any(e => e is INamedTypeSymbol { IsTupleType: true } tuple
                        && tuple.TupleElements.Length == 2
                        && (byteKeys ? tuple.TupleElements[0].Type.SpecialType == SpecialType.System_String : SameType(tuple.TupleElements[0].Type, upstream.KeySymbol))
                        && SameType(tuple.TupleElements[1].Type, state));
                }
            }

            // [MapWithState]: static TOut Name(K key, V? value, State<S> state), S a struct; TOut? emits nothing for null.
            private void CheckMapWithState(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                long? timeout = null;
                if (NamedArgument(draft.Attribute, "Timeout") is { } text)
                {
                    Location location = ArgumentLocation(draft.Attribute, "Timeout") ?? method.Locations[0];
                    string interval = DurationText.Format(TimeSpan.FromMilliseconds(_intervalMs));
                    if (!DurationText.TryParse(text, out TimeSpan duration))
                    {
                        Report(DiagnosticDescriptors.InvalidTimeout, location, draft.Name, $"'{text}' is not a duration; write a number and a unit (ms, s, m or h), e.g. 30s");
                    }
                    else if ((long)duration.TotalMilliseconds % _intervalMs != 0)
                    {
                        Report(DiagnosticDescriptors.InvalidTimeout, location, draft.Name,
                            $"{DurationText.Format(duration)} is not a multiple of the batch interval {interval}; use a multiple of {interval}");
                    }
                    else
                    {
                        timeout = (long)duration.TotalMilliseconds;
                    }
                }

                if (upstream?.Output is null || !RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                string key = upstream.Output.Key!.Display;
                string value = upstream.Output.Value!.Display;
                string shape = $"static TOut {draft.Name}({key} key, {value}? value, State<S> state), where S is a struct";
                bool keyFits = method.Parameters.Length == 3
                    && (upstream.Output.Shape == RecordShape.KeyValue ? IsByteSpan(method.Parameters[0].Type) : SameType(method.Parameters[0].Type, upstream.KeySymbol));
                bool valueFits = method.Parameters.Length == 3 && NullableOf(method.Parameters[1].Type) is { } v && SameType(v, upstream.ValueSymbol);
                ITypeSymbol? state = method.Parameters.Length == 3 && method.Parameters[2].Type is INamedTypeSymbol st && KnownTypes.Is(st, _known.State)
                    ? st.TypeArguments[0]
                    : null;
                if (!keyFits || !valueFits || state is null)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "MapWithState",
                        $"a mapping function takes the key, the value (null when the key times out) and the key's state: {shape}");
                    return;
                }

                ITypeSymbol? optional = NullableOf(method.ReturnType);
                draft.Arity = InputArity.KeyAndValue;
                string? initial = CheckInitialState(draft, upstream, state);
                draft.State = new StateModel(NameOf(state), upstream.Output.Value, timeout, OptionalOutput: optional is not null, InitialState: initial);
                SetClassifiedOutput(draft, optional ?? method.ReturnType);
            }
        }
    }
}
