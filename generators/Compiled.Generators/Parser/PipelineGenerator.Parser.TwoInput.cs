using System;
using System.Collections.Immutable;
using System.IO;
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
            private static bool IsTwoInput(StageKind kind) =>
                kind is StageKind.Union or StageKind.Join or StageKind.LeftOuterJoin or StageKind.RightOuterJoin or StageKind.FullOuterJoin
                    or StageKind.Cogroup or StageKind.TransformWith;

            // Joins, cogroup, transform, transformWith and forEachBatch: a function of whole batches or of joined values.
            private void CheckBatchFunction(Draft draft, Draft? upstream, Draft? other)
            {
                IMethodSymbol method = draft.Method;
                string attribute = draft.Kind.ToString();
                if (!RequireSynchronous(draft))
                {
                    return;
                }

                if (!method.IsStatic || method.IsGenericMethod || RefProblem(method) is not null || IsPartialDeclarationOnly(method))
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                        !method.IsStatic ? "it must be static" : IsPartialDeclarationOnly(method) ? "it has no body" : method.IsGenericMethod ? "it has type parameters" : RefProblem(method)!);
                    return;
                }

                if (upstream?.Output is null || (IsTwoInput(draft.Kind) && other?.Output is null))
                {
                    return;
                }

                switch (draft.Kind)
                {
                    case StageKind.Transform or StageKind.ForEachBatch or StageKind.TransformWith:
                        CheckTransform(draft, upstream, other);
                        return;
                }

                // The joins: both inputs keyed by the same key.
                if (!RequireKeyedInput(draft, upstream) || !RequireKeyedInput(draft, other!))
                {
                    return;
                }

                RecordType left = upstream.Output;
                RecordType right = other!.Output!;
                bool sameKey = left.Shape == right.Shape && (left.Shape == RecordShape.KeyValue || SameType(upstream.KeySymbol, other.KeySymbol));
                if (!sameKey)
                {
                    Report(DiagnosticDescriptors.TwoInputsMismatch, ArgumentLocation(draft.Attribute, "Other") ?? method.Locations[0], draft.Name,
                        $"'{upstream.Name}' is keyed by '{left.Key!.Display}' and '{other.Name}' by '{right.Key!.Display}'; a join needs one key type on both sides; add a [Map] that keys one stream by the other's key type");
                    return;
                }

                string key = left.Key!.Display;
                string v = left.Value!.Display;
                string w = right.Value!.Display;
                (string leftShape, string rightShape) = draft.Kind switch
                {
                    StageKind.LeftOuterJoin => (v, w + "?"),
                    StageKind.RightOuterJoin => (v + "?", w),
                    StageKind.FullOuterJoin => (v + "?", w + "?"),
                    StageKind.Cogroup => ($"ReadOnlySpan<{v}>", $"ReadOnlySpan<{w}>"),
                    _ => (v, w),
                };
                string shape = $"static R {draft.Name}({key} key, {leftShape} left, {rightShape} right)";
                bool fits = method.Parameters.Length == 3 && !method.ReturnsVoid
                    && (left.Shape == RecordShape.KeyValue ? IsByteSpan(method.Parameters[0].Type) : SameType(method.Parameters[0].Type, upstream.KeySymbol))
                    && FitsSide(method.Parameters[1].Type, upstream.ValueSymbol!, leftShape)
                    && FitsSide(method.Parameters[2].Type, other.ValueSymbol!, rightShape);
                if (!fits)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, attribute,
                        $"it takes the key and one value of each side ({(draft.Kind == StageKind.Join ? "" : "null where a side has none, so a value type; ")}the outer joins need struct values): {shape}");
                    return;
                }

                draft.Arity = InputArity.KeyAndValue;
                SetClassifiedOutput(draft, method.ReturnType);
            }

            // A join parameter: the value, a nullable value (outer side), or a span of values (cogroup).
            private bool FitsSide(ITypeSymbol parameter, ITypeSymbol value, string shape) =>
                shape.EndsWith("?", StringComparison.Ordinal) ? NullableOf(parameter) is { } underlying && SameType(underlying, value)
                : shape.StartsWith("ReadOnlySpan<", StringComparison.Ordinal)
                    ? parameter is INamedTypeSymbol span && KnownTypes.Is(span, _known.ReadOnlySpan) && SameType(span.TypeArguments[0], value)
                : SameType(parameter, value);

            // [ForEachBatch] over byte records or byte-keyed records, which are views of the input and cannot be kept in a
            // span: void Name(ByteBatch records, long batchTime) or void Name(KeyValueBatch<V> records, long batchTime), a view
            // over the copies the stage keeps.
            private void CheckByteBatch(Draft draft, Draft upstream)
            {
                IMethodSymbol method = draft.Method;
                bool keyed = upstream.Output!.Shape == RecordShape.KeyValue;
                string batch = keyed ? $"KeyValueBatch<{upstream.Output.Value!.Display}>" : "ByteBatch";
                bool fits = method.ReturnsVoid && method.Parameters.Length == 2
                    && method.Parameters[0].Type is INamedTypeSymbol first
                    && (keyed
                        ? KnownTypes.Is(first, _known.KeyValueBatch) && SameType(first.TypeArguments[0], upstream.ValueSymbol)
                        : KnownTypes.Is(first, _known.ByteBatch))
                    && method.Parameters[1].Type.SpecialType == SpecialType.System_Int64;
                if (!fits)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        $"'{upstream.Name}' emits '{upstream.Output.Type.Display}', views of the input that the batch keeps as copies; it takes them as static void {draft.Name}({batch} records, long batchTime)");
                    return;
                }

                draft.Arity = InputArity.Record;
            }

            // [Transform]: void Name(ReadOnlySpan<T>, RecordBuffer<U>); [TransformWith]: (ReadOnlySpan<T>, ReadOnlySpan<U>, RecordBuffer<R>);
            // [ForEachBatch]: void Name(ReadOnlySpan<T>, long batchTime). The records are kept for the batch, so T is no ref struct.
            private void CheckTransform(Draft draft, Draft upstream, Draft? other)
            {
                IMethodSymbol method = draft.Method;
                string t = upstream.Output!.Type.Display;
                string shape = draft.Kind switch
                {
                    StageKind.Transform => $"static void {draft.Name}(ReadOnlySpan<{t}> records, RecordBuffer<U> output)",
                    StageKind.TransformWith => $"static void {draft.Name}(ReadOnlySpan<{t}> records, ReadOnlySpan<{other!.Output!.Type.Display}> others, RecordBuffer<R> output)",
                    _ => $"static void {draft.Name}(ReadOnlySpan<{t}> records, long batchTime)",
                };
                if (draft.Kind == StageKind.ForEachBatch && upstream.Output!.Shape is RecordShape.Bytes or RecordShape.KeyValue)
                {
                    CheckByteBatch(draft, upstream);
                    return;
                }

                foreach (Draft input in other is null ? new[] { upstream } : new[] { upstream, other })
                {
                    if (input.Output!.Type.IsRefLike || input.OutputSymbol is null)
                    {
                        string way = input.Output.Shape == RecordShape.Windowed
                            ? $"key '{input.Name}' by a struct (a [Map] to a (TKey, TValue) tuple above it), whose windows can be kept"
                            : "map the records to another type first";
                        Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                            $"it is handed the batch's records in a span, but '{input.Name}' emits '{input.Output.Type.Display}', a ref struct that cannot be kept; {way}");
                        return;
                    }
                }

                int spans = other is null ? 1 : 2;
                bool fits = method.ReturnsVoid && method.Parameters.Length == spans + 1
                    && IsSpanOf(method.Parameters[0].Type, upstream.OutputSymbol!)
                    && (other is null || IsSpanOf(method.Parameters[1].Type, other.OutputSymbol!));
                ITypeSymbol last = fits ? method.Parameters[spans].Type : method.ReturnType;
                ITypeSymbol? produced = null;
                if (fits && draft.Kind == StageKind.ForEachBatch)
                {
                    fits = last.SpecialType == SpecialType.System_Int64;
                }
                else if (fits)
                {
                    produced = last is INamedTypeSymbol buffer && KnownTypes.Is(buffer, _known.RecordBuffer) ? buffer.TypeArguments[0] : null;
                    fits = produced is not null;
                }

                if (!fits)
                {
                    Report(DiagnosticDescriptors.UnsupportedOperatorSignature, method.Locations[0], draft.Name, draft.Kind.ToString(),
                        $"it takes the whole batch: {shape}");
                    return;
                }

                draft.Arity = InputArity.Record;
                if (produced is not null)
                {
                    SetClassifiedOutput(draft, produced);
                }
            }
        }
    }
}
