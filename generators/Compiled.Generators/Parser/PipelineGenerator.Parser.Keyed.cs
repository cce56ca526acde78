using System.Collections.Immutable;
using System.Linq;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
            // The keyed input of a stateful stage: its key must be a byte span or a key a table can keep (KeyRefusal); returns false if not.
            private bool RequireKeyedInput(Draft draft, Draft upstream)
            {
                if (!upstream.Output!.IsKeyed)
                {
                    Report(DiagnosticDescriptors.KeyedInputRequired, draft.Method.Locations[0], draft.Name, upstream.Name, Quote(upstream.Output.Type.Display));
                    return false;
                }

                if (upstream.Output.Shape == RecordShape.Tuple && KeyRefusal(upstream.KeySymbol!) is { } refusal)
                {
                    Report(DiagnosticDescriptors.UnsupportedKeyType, draft.Method.Locations[0], draft.Name, Quote(upstream.Output.Key!.Display), refusal);
                    return false;
                }

                return true;
            }

            // The keyed output of a stage that keeps the input's key and emits values of type 'value'.
            private void SetKeyedOutput(Draft draft, Draft upstream, ITypeSymbol value)
            {
                TypeName valueName = NameOf(value);
                if (upstream.Output!.Shape == RecordShape.KeyValue)
                {
                    var type = new TypeName($"global::Compiled.KeyValue<{valueName.Code}>", $"KeyValue<{valueName.Display}>", TextFormat.Object, IsRefLike: true);
                    draft.SetOutput(new RecordType(RecordShape.KeyValue, type, ByteSpanName, valueName), null, null, value);
                }
                else
                {
                    INamedTypeSymbol tuple = _compilation.CreateTupleTypeSymbol(ImmutableArray.Create(upstream.KeySymbol!, value));
                    draft.SetOutput(new RecordType(RecordShape.Tuple, NameOf(tuple), upstream.Output.Key, valueName), tuple, upstream.KeySymbol, value);
                }
            }

            // [MapValues]: static W Name(V value); [FlatMapValues]: static IEnumerable-like<W> Name(V value). The key stays.
            private void CheckMapValues(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (upstream?.Output is null || !RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                string value = upstream.Output.Value!.Display;
                if (method.Parameters.Length != 1 || !SameType(method.Parameters[0].Type, upstream.ValueSymbol))
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        draft.Kind == StageKind.MapValues
                            ? $"it maps the value alone and the key stays: static W {draft.Name}({value} value)"
                            : $"it maps the value alone to zero or more values, each with the key: static TEnumerable {draft.Name}({value} value)");
                    return;
                }

                ITypeSymbol? mapped = draft.Kind == StageKind.MapValues ? method.ReturnType : ElementType(method.ReturnType);
                if (mapped is null || mapped.IsRefLikeType)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        mapped is null
                            ? $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', which foreach cannot walk; return an enumerable of the values, e.g. a struct enumerable"
                            : $"its values are '{mapped.ToDisplayString(ShortFormat)}', a ref struct, which a keyed record cannot hold; make its values a type that is not a ref struct, e.g. a struct or a string");
                    return;
                }

                draft.Arity = InputArity.Record;
                SetKeyedOutput(draft, upstream, mapped);
            }

            // [CombineByKey]: static C Name(V value) creates; MergeValue: static C M(C c, V v); MergeCombiners: static C M(C a, C b).
            private void CheckCombineByKey(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (upstream?.Output is null || !RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                string value = upstream.Output.Value!.Display;
                if (method.Parameters.Length != 1 || !SameType(method.Parameters[0].Type, upstream.ValueSymbol) || method.ReturnType.IsRefLikeType)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "CombineByKey",
                        $"it creates a combiner from a key's first value: static C {draft.Name}({value} value)");
                    return;
                }

                ITypeSymbol combiner = method.ReturnType;
                string c = combiner.ToDisplayString(ShortFormat);
                bool ok = true;
                foreach ((string property, ITypeSymbol second, string shape) in new[]
                {
                    ("MergeValue", upstream.ValueSymbol!, $"static {c} Name({c} combiner, {value} value)"),
                    ("MergeCombiners", combiner, $"static {c} Name({c} a, {c} b)"),
                })
                {
                    string? name = NamedArgument(draft.Attribute, property);
                    Location location = ArgumentLocation(draft.Attribute, property) ?? method.Locations[0];
                    if (name is null)
                    {
                        Report(DiagnosticDescriptors.CombineFunctionMismatch, location, draft.Name, property, "", $"none is given; add {property} = nameof(...), naming {shape.Replace("Name", "a method")}");
                        ok = false;
                        continue;
                    }

                    bool fits = draft.Method.ContainingType.GetMembers(name).OfType<IMethodSymbol>().Any(m =>
                        m.IsStatic && !m.IsGenericMethod && m.Parameters.Length == 2
                        && SameType(m.Parameters[0].Type, combiner) && SameType(m.Parameters[1].Type, second) && SameType(m.ReturnType, combiner));
                    if (!fits)
                    {
                        string? suggestion = draft.Method.ContainingType.GetMembers(name).IsEmpty ? DidYouMean(property, name, HelperMethodNames(draft.Method)) : null;
                        Report(DiagnosticDescriptors.CombineFunctionMismatch, location, draft.Name, property, name, suggestion is null
                            ? $"the pipeline class has no method '{shape.Replace("Name", name)}'; declare it"
                            : $"the pipeline class has no method of that name; {suggestion}");
                        ok = false;
                    }
                    else if (property == "MergeValue")
                    {
                        draft.MergeValue = name;
                    }
                    else
                    {
                        draft.MergeCombiners = name;
                    }
                }

                if (ok)
                {
                    draft.Arity = InputArity.Record;
                    SetKeyedOutput(draft, upstream, combiner);
                }
            }

            // [GroupByKey]: returns Grouped<V> (byte key) or Grouped<K, V> (a string, Utf8Text or struct key).
            private void CheckGroupByKey(Draft draft, Draft upstream, string shape)
            {
                IMethodSymbol method = draft.Method;
                if (!RequireKeyedInput(draft, upstream))
                {
                    return;
                }

                RecordType input = upstream.Output!;
                bool fits = method.ReturnType is INamedTypeSymbol named && (input.Shape == RecordShape.KeyValue
                    ? KnownTypes.Is(named, _known.Grouped1) && SameType(named.TypeArguments[0], upstream.ValueSymbol)
                    : KnownTypes.Is(named, _known.Grouped2) && SameType(named.TypeArguments[0], upstream.KeySymbol) && SameType(named.TypeArguments[1], upstream.ValueSymbol));
                if (!fits)
                {
                    string expected = input.Shape == RecordShape.KeyValue ? $"Grouped<{input.Value!.Display}>" : $"Grouped<{input.Key!.Display}, {input.Value!.Display}>";
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "GroupByKey",
                        $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', but a group of '{input.Type.Display}' records is '{expected}': '{shape}'");
                    return;
                }

                draft.SetOutput(new RecordType(RecordShape.Group, NameOf(method.ReturnType), input.Key, input.Value), method.ReturnType, upstream.KeySymbol, upstream.ValueSymbol);
            }

            private void CheckFlatMap(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                ITypeSymbol? element = ElementType(method.ReturnType);
                if (element is null)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, "FlatMap",
                        $"it returns '{method.ReturnType.ToDisplayString(ShortFormat)}', which foreach cannot walk; return an enumerable such as Utf8Words");
                    return;
                }

                if (method.ReturnType.IsReferenceType)
                {
                    Report(DiagnosticDescriptors.FlatMapAllocates, method.Locations[0], draft.Name, Quote(method.ReturnType.ToDisplayString(ShortFormat)));
                }

                if (RequireArity(draft, upstream, "static TEnumerable " + draft.Name + "(TIn record)") && upstream?.Output is not null && MatchInput(draft, upstream))
                {
                    SetClassifiedOutput(draft, element);
                }
            }

            private void CheckReduceByKey(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (method.Parameters.Length != 2
                    || !SameType(method.Parameters[0].Type, method.Parameters[1].Type)
                    || !SameType(method.Parameters[0].Type, method.ReturnType))
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        $"a reduce function combines two values of one type into one: static V {draft.Name}(V a, V b)");
                    return;
                }

                if (upstream?.Output is null)
                {
                    return;
                }

                if (!upstream.Output.IsKeyed)
                {
                    Report(DiagnosticDescriptors.KeyedInputRequired, method.Locations[0], draft.Name, upstream.Name, Quote(upstream.Output.Type.Display));
                    return;
                }

                if (upstream.Output.Shape == RecordShape.Tuple && KeyRefusal(upstream.KeySymbol!) is { } refusal)
                {
                    Report(DiagnosticDescriptors.UnsupportedKeyType, method.Locations[0], draft.Name, Quote(upstream.Output.Key!.Display), refusal);
                    return;
                }

                if (upstream.ValueSymbol is null || !SameType(upstream.ValueSymbol, method.Parameters[0].Type))
                {
                    Report(DiagnosticDescriptors.StageInputMismatch, ParameterTypeLocation(method, 0), draft.Name,
                        $"values of type {Quote(method.Parameters[0].Type.ToDisplayString(ShortFormat))}", upstream.Name,
                        $"{Quote(upstream.Output.Type.Display)} (values of type {Quote(upstream.Output.Value!.Display)})",
                        ReduceFix(draft, upstream, upstream.ValueSymbol!, keyed: true));
                    return;
                }

                draft.Arity = InputArity.KeyAndValue;
                draft.SetOutput(upstream);
                if (upstream.Output.Shape == RecordShape.Tuple)
                {
                    WarnIfKeyBoxes(draft, upstream.KeySymbol!, upstream.Output.Key!);
                }
            }

            private void CheckCountByValue(Draft draft, Draft? upstream)
            {
                IMethodSymbol method = draft.Method;
                if (!RequireArity(draft, upstream, "static TValue " + draft.Name + "(TIn record) returns the value to count") || upstream?.Output is null || !MatchInput(draft, upstream))
                {
                    return;
                }

                ITypeSymbol counted = method.ReturnType;
                TypeName count = NameOf(_int64);
                if (IsByteSpan(counted))
                {
                    var output = new RecordType(RecordShape.KeyValue, new TypeName("global::Compiled.KeyValue<long>", "KeyValue<long>", TextFormat.Object, IsRefLike: true), ByteSpanName, count);
                    draft.SetOutput(output, null, null, _int64);
                }
                else if (KeyRefusal(counted) is { } refusal)
                {
                    Report(DiagnosticDescriptors.UnsupportedKeyType, method.Locations[0], draft.Name, Quote(counted.ToDisplayString(ShortFormat)), refusal);
                }
                else
                {
                    INamedTypeSymbol tuple = _compilation.CreateTupleTypeSymbol(ImmutableArray.Create(counted, (ITypeSymbol)_int64));
                    draft.SetOutput(new RecordType(RecordShape.Tuple, NameOf(tuple), NameOf(counted), count), tuple, counted, _int64);
                    WarnIfKeyBoxes(draft, counted, NameOf(counted));
                }
            }

            // The struct key table hashes through a constrained call to GetHashCode, which boxes a struct that
            // inherits ValueType.GetHashCode. Primitives, enums, tuples and record structs hash without boxing.
            private void WarnIfKeyBoxes(Draft draft, ITypeSymbol key, TypeName name)
            {
                bool hashesInPlace = key.SpecialType != SpecialType.None
                    || key.TypeKind == TypeKind.Enum
                    || key.IsTupleType
                    || key.IsRecord
                    || key.GetMembers(nameof(GetHashCode)).OfType<IMethodSymbol>().Any(m => m.IsOverride && m.Parameters.Length == 0);
                if (!hashesInPlace)
                {
                    Report(DiagnosticDescriptors.KeyBoxes, draft.Method.Locations[0], draft.Name, Quote(name.Display));
                }
            }
        }
    }
}
