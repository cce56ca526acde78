using System.Linq;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
            // CMP0004's fix for a stage whose parameters do not take what the stage above emits: the parameters that would,
            // and, only where the stage above chooses what it emits and could emit what the parameters take, making it emit
            // that. A stage that passes on what it reads (a filter, a reduce, a window) cannot be made to emit another type,
            // and a keyed record's key is a byte span or a struct, so no other advice is given.
            private string InputFix(Draft draft, Draft upstream, string takes)
            {
                IMethodSymbol method = draft.Method;
                RecordType emitted = upstream.Output!;
                string whole = $"({emitted.Type.Display} {ParameterName(method, 0, "record")})";
                bool mayTakeKeyAndValue = emitted.IsKeyed && (!IsDeclaredStage(draft.Kind) || draft.Kind == StageKind.GroupByKey);
                string parameters =
                    !mayTakeKeyAndValue ? whole
                    : method.Parameters.Length == 2 ? $"({emitted.Key!.Display} {ParameterName(method, 0, "key")}, {emitted.Value!.Display} {ParameterName(method, 1, "value")})"
                    : $"{whole} or ({emitted.Key!.Display} key, {emitted.Value!.Display} value)";
                string fix = $"change {draft.Name}'s parameters to {parameters}";
                return CouldEmit(upstream, method) ? $"{fix}, or make '{upstream.Name}' emit {takes}" : fix;
            }

            // CMP0004's fix for a reduce whose values are not the ones it reads: its signature over them, and where the stage
            // above chooses its values, making it emit the reduce's.
            private string ReduceFix(Draft draft, Draft upstream, ITypeSymbol read, bool keyed)
            {
                IMethodSymbol method = draft.Method;
                string type = read.ToDisplayString(ShortFormat);
                string fix = $"change {draft.Name} to static {type} {draft.Name}({type} {ParameterName(method, 0, "a")}, {type} {ParameterName(method, 1, "b")})";
                ITypeSymbol wanted = method.Parameters[0].Type;
                bool couldEmit = !wanted.IsRefLikeType && (keyed
                    ? upstream.Kind is StageKind.Map or StageKind.FlatMap or StageKind.MapValues or StageKind.FlatMapValues
                    : ChoosesItsRecords(upstream.Kind));
                string shown = Quote(wanted.ToDisplayString(ShortFormat));
                return couldEmit ? $"{fix}, or make '{upstream.Name}' emit {(keyed ? "values of type " + shown : shown)}" : fix;
            }

            // Whether the stage above could emit a record that 'method' takes as it is declared.
            private bool CouldEmit(Draft upstream, IMethodSymbol method)
            {
                if (!ChoosesItsRecords(upstream.Kind))
                {
                    return false;
                }

                bool anyType = upstream.Kind is StageKind.Map or StageKind.FlatMap;
                if (method.Parameters.Length == 1)
                {
                    return anyType || !method.Parameters[0].Type.IsRefLikeType;
                }

                // A key and a value: KeyValue<V> for a byte-span key, a (K, V) tuple otherwise; neither holds a ref struct.
                ITypeSymbol key = method.Parameters[0].Type;
                return !method.Parameters[1].Type.IsRefLikeType && (IsByteSpan(key) || !key.IsRefLikeType);
            }

            // The stages whose record type is their own method's choice, rather than what they read or a runtime type.
            private static bool ChoosesItsRecords(StageKind kind) =>
                kind is StageKind.Map or StageKind.FlatMap or StageKind.MapWithState or StageKind.Transform or StageKind.TransformWith
                    or StageKind.Join or StageKind.LeftOuterJoin or StageKind.RightOuterJoin or StageKind.FullOuterJoin or StageKind.Cogroup;

            private static string ParameterName(IMethodSymbol method, int index, string fallback) =>
                method.Parameters.Length > index ? Identifier(method.Parameters[index].Name) : fallback;
        }
    }
}
