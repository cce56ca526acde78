using System.Collections.Generic;
using System.Linq;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
            /// <summary>
            /// Columns written as they were read: for each source of a CSV <c>[Record]</c>, the integer members that reach a
            /// sink of a <c>[Record]</c> unchanged, in the same fused loop. The record is followed down a chain of stages, each
            /// the only one below the last: a <c>[Filter]</c> hands it on as it is; a <c>[Map]</c> whose body is one expression
            /// hands on the members it copies (<c>bid with { Price = ... }</c> keeps every member but <c>Price</c>;
            /// <c>new Out(bid.Auction, ...)</c> and <c>new Out { Auction = bid.Auction }</c> put <c>bid.Auction</c> in
            /// <c>Out.Auction</c>; <c>bid</c> itself keeps all); anything else ends the chain. The sink at its end writes each
            /// such member, as CSV, by copying its column from the line when its text is the text it would be written as
            /// (<see cref="ColumnCopy"/>), and the source's parser keeps where those columns are (<see cref="SourceParse.KeepMask"/>).
            /// A stage guarded against exceptions (<c>OnError</c>) ends the chain too.
            /// </summary>
            private void FindCopiedColumns(List<Draft> built)
            {
                for (int i = 0; i < built.Count; i++)
                {
                    Draft source = built[i];
                    if (source.Kind != StageKind.Source || source.Parse is not { Record: not null, Json: false } parse || source.OutputSymbol is not { } record
                        || OnErrorOf(source) is not null)
                    {
                        continue;
                    }

                    // The record's columns as its own generator reads them: a column is copied only where its parser keeps its place.
                    if (Records.RecordParser.ModelOf(record, _cancellationToken) is not { } model)
                    {
                        continue;
                    }

                    int[] columns = Enumerable.Range(0, model.Members.Count).Select(m => Records.RecordEmitter.KeptColumn(model, m)).ToArray();
                    // Each member of the record at this point of the chain that holds a column unchanged: its name, and the
                    // source member it came from.
                    var carried = new Dictionary<string, int>();
                    for (int m = 0; m < model.Members.Count && m < 64; m++)
                    {
                        if (columns[m] >= 0 && (parse.ReadMask & (1UL << m)) != 0)
                        {
                            carried[model.Members[m].Name] = m;
                        }
                    }

                    int at = i;
                    while (carried.Count > 0)
                    {
                        List<int> below = StagesBelow(built, at);
                        if (below.Count != 1 || built[below[0]] is not { } stage || stage.Other == at || OnErrorOf(stage) is not null)
                        {
                            break;
                        }

                        if (stage.Kind == StageKind.Filter && stage.Arity == InputArity.Record)
                        {
                            at = below[0];
                            continue;
                        }

                        if (stage.Kind == StageKind.Map && stage.Arity == InputArity.Record && stage.Method.Parameters.Length == 1)
                        {
                            carried = CopiedBy(stage.Method, carried);
                            at = below[0];
                            continue;
                        }

                        if (stage.Kind == StageKind.Sink && !stage.LateOnly && built[at].OutputSymbol is { } written && Records.RecordParser.IsRecord(written))
                        {
                            stage.Copy = new ColumnCopy(i, model.Separator, carried.OrderBy(c => columns[c.Value])
                                .Select(c => new CopiedColumn(c.Key, columns[c.Value])).ToEquatableArray());
                            ulong keep = carried.Values.Aggregate(0UL, (mask, m) => mask | (1UL << m));
                            source.Parse = source.Parse with { KeepMask = keep };
                        }

                        break;
                    }
                }
            }

            // The members of a map's result that hold a column unchanged, from those of its parameter (`carried`): by the one
            // expression its body returns. Empty when it is anything but the parameter, a `with` on it, or a new struct whose
            // members are set from the parameter's.
            private Dictionary<string, int> CopiedBy(IMethodSymbol method, Dictionary<string, int> carried)
            {
                var none = new Dictionary<string, int>();
                IParameterSymbol parameter = method.Parameters[0];
                if (BodyOf(method) is not { } body
                    || (body.BlockBody ?? body.ExpressionBody) is not IBlockOperation { Operations.Length: 1 } block
                    || block.Operations[0] is not IReturnOperation { ReturnedValue: { } returned })
                {
                    return none;
                }

                // The parameter's member that `value` reads as it is (no conversion), if it holds a column.
                string? CopiedMember(IOperation value)
                {
                    ISymbol? member = value switch
                    {
                        IPropertyReferenceOperation { Instance: IParameterReferenceOperation p } property when SymbolEqualityComparer.Default.Equals(p.Parameter, parameter) => property.Property,
                        IFieldReferenceOperation { Instance: IParameterReferenceOperation p } field when SymbolEqualityComparer.Default.Equals(p.Parameter, parameter) => field.Field,
                        _ => null,
                    };
                    return member is not null && carried.ContainsKey(member.Name) ? member.Name : null;
                }

                // The members an initializer sets: each copied from the parameter's, or no longer holding a column.
                void Initialize(IObjectOrCollectionInitializerOperation? initializer, Dictionary<string, int> result)
                {
                    foreach (IOperation set in initializer?.Initializers ?? Enumerable.Empty<IOperation>())
                    {
                        if (set is not ISimpleAssignmentOperation { Target: IMemberReferenceOperation target } assignment)
                        {
                            result.Clear();
                            return;
                        }

                        result.Remove(target.Member.Name);
                        if (CopiedMember(assignment.Value) is { } from && SameType(target.Member, parameter.Type, from))
                        {
                            result[target.Member.Name] = carried[from];
                        }
                    }
                }

                // A target-typed `new(...)` is returned through a conversion to its own type.
                while (returned is IConversionOperation { Operand: { } operand } conversion && SymbolEqualityComparer.Default.Equals(conversion.Type, operand.Type))
                {
                    returned = operand;
                }

                switch (returned)
                {
                    case IParameterReferenceOperation itself when SymbolEqualityComparer.Default.Equals(itself.Parameter, parameter):
                        return carried;

                    case IWithOperation { Operand: IParameterReferenceOperation operand } with when SymbolEqualityComparer.Default.Equals(operand.Parameter, parameter):
                    {
                        var result = new Dictionary<string, int>(carried);
                        Initialize(with.Initializer, result);
                        return result;
                    }

                    case IObjectCreationOperation { Constructor: { } constructor } creation when Records.RecordParser.IsRecord(creation.Type!):
                    {
                        var result = new Dictionary<string, int>();
                        foreach (IArgumentOperation argument in creation.Arguments)
                        {
                            // A positional record's parameter sets the property of its name, which the compiler declares.
                            if (argument.Parameter is { } set && CopiedMember(argument.Value) is { } from
                                && creation.Type!.GetMembers(set.Name).OfType<IPropertySymbol>().FirstOrDefault() is { } property
                                && property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is ParameterSyntax
                                && constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is RecordDeclarationSyntax
                                && SameType(property, parameter.Type, from))
                            {
                                result[property.Name] = carried[from];
                            }
                        }

                        Initialize(creation.Initializer, result);
                        return result;
                    }

                    default:
                        return none;
                }
            }

            // Whether `target` (a member of the map's result) has the type of the parameter's member `from`.
            private static bool SameType(ISymbol target, ITypeSymbol parameterType, string from)
            {
                ITypeSymbol? Type(ISymbol member) => member switch { IPropertySymbol p => p.Type, IFieldSymbol f => f.Type, _ => null };
                ISymbol? source = parameterType.GetMembers(from).FirstOrDefault(m => m is IPropertySymbol or IFieldSymbol);
                return source is not null && Type(target) is { } t && Type(source) is { } s && SymbolEqualityComparer.Default.Equals(t, s);
            }
        }
    }
}
