using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
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
            // [UpdateStateByKey]: static S? Name(ReadOnlySpan<V> values, S? state), S a struct.
            private void CheckUpdateStateByKey(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (upstream?.Output is null || !RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                string value = upstream.Output.Value!.Display;
                string shape = $"static S? {draft.Name}(ReadOnlySpan<{value}> values, S? state), where S is a struct";
                ITypeSymbol? state = NullableOf(method.ReturnType);
                bool fits = method.Parameters.Length == 2
                    && state is not null
                    && method.Parameters[0].Type is INamedTypeSymbol span && KnownTypes.Is(span, _known.ReadOnlySpan)
                    && SameType(span.TypeArguments[0], upstream.ValueSymbol)
                    && SameType(method.Parameters[1].Type, method.ReturnType);
                if (!fits)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "UpdateStateByKey",
                        $"an update function takes the key's new values and its state, and returns the new state or null to remove the key: {shape}");
                    return;
                }

                draft.Arity = InputArity.KeyAndValue;
                draft.State = new StateModel(NameOf(state!), upstream.Output.Value, null, OptionalOutput: false);
                SetKeyedOutput(draft, upstream, state!);
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
                draft.State = new StateModel(NameOf(state), upstream.Output.Value, timeout, OptionalOutput: optional is not null);
                SetClassifiedOutput(draft, optional ?? method.ReturnType);
            }
        }
    }
}
