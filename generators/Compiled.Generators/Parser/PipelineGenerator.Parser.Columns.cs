using System.Collections.Generic;
using System.Linq;
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
            /// Column pruning: for each source of a <c>[Record]</c> struct, read as CSV or as JSON lines, the members its
            /// stages read, so that its fused loop parses only their fields or values (the others are left default). The record is followed down the stages
            /// that see it whole: a <c>[Filter]</c> or an <c>[EventTime]</c> hands it on as it is, a <c>[Map]</c> or a
            /// <c>[FlatMap]</c> makes something else of it. Each of their methods must use its parameter only to read a
            /// column (<c>bid.Price</c>); anything else (the record passed on whole, to a sink, a key, a window, a method,
            /// <c>with</c>, a computed property) reads every member, as does a method whose body is not in the compilation.
            /// </summary>
            private void PruneRecordColumns(List<Draft> built)
            {
                for (int i = 0; i < built.Count; i++)
                {
                    Draft source = built[i];
                    if (source.Kind != StageKind.Source || source.Parse is not { Record: not null } parse || source.OutputSymbol is not { } record)
                    {
                        continue;
                    }

                    List<ISymbol> columns = Records.RecordParser.ColumnMembers(record).ToList();
                    ulong? read = ColumnsRead(built, i, columns);
                    ulong all = columns.Count >= 64 ? ulong.MaxValue : (1UL << columns.Count) - 1;
                    if (read is not { } mask || (mask & all) == all)
                    {
                        continue;
                    }

                    string names = Names(columns, mask);
                    source.Parse = parse with { ReadMask = columns.Count > 64 ? mask | ~all : mask, ReadMembers = names.Length == 0 ? "none" : names };
                    (ulong filtered, int filters) = ColumnsFiltered(built, i, columns);
                    if (!parse.Json && filters > 0 && (filtered & mask) != mask)
                    {
                        // Late materialisation (CSV): the filters' members first, the rest only for the records they keep.
                        string first = Names(columns, filtered);
                        source.Parse = source.Parse with
                        {
                            FilterMask = filtered, Filters = filters, FilterMembers = first.Length == 0 ? "none" : first, RestMembers = Names(columns, mask & ~filtered),
                        };
                    }
                }
            }

            private static string Names(List<ISymbol> columns, ulong mask) =>
                string.Join(", ", columns.Where((_, bit) => bit < 64 && (mask & (1UL << bit)) != 0).Select(c => c.Name));

            // The columns read by the [Filter]s that lead the stages below `source`, each the only stage below the one before
            // (the source, then each filter), and how many they are: what a record must have parsed before they run.
            private (ulong Mask, int Filters) ColumnsFiltered(List<Draft> built, int source, List<ISymbol> columns)
            {
                ulong mask = 0;
                int filters = 0;
                int above = source;
                while (true)
                {
                    List<int> below = StagesBelow(built, above);
                    if (below.Count != 1 || built[below[0]] is not { Kind: StageKind.Filter } filter || filter.Other == above
                        || !TryReadColumns(filter.Method, columns, ref mask))
                    {
                        return (mask, filters);
                    }

                    filters++;
                    above = below[0];
                }
            }

            // The mask of the columns that the stages below `source` read, or null when one of them takes the record whole.
            private ulong? ColumnsRead(List<Draft> built, int source, List<ISymbol> columns)
            {
                ulong mask = 0;
                var pending = new Stack<int>();
                pending.Push(source);
                while (pending.Count > 0)
                {
                    int above = pending.Pop();
                    for (int i = 0; i < built.Count; i++)
                    {
                        Draft stage = built[i];
                        if (stage.Input != above && stage.Other != above)
                        {
                            continue;
                        }

                        if (stage.Other == above || stage.Arity != InputArity.Record
                            || stage.Kind is not (StageKind.Filter or StageKind.EventTime or StageKind.Map or StageKind.FlatMap)
                            || stage.Method.Parameters.Length != 1
                            || !TryReadColumns(stage.Method, columns, ref mask))
                        {
                            return null;
                        }

                        if (stage.Kind is StageKind.Filter or StageKind.EventTime)
                        {
                            pending.Push(i);
                        }
                    }
                }

                return mask;
            }

            // The operation of a method's body (a block or an expression), or null when it is not in the compilation.
            private IMethodBodyOperation? BodyOf(IMethodSymbol method) =>
                method.DeclaringSyntaxReferences.Length == 1
                && method.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is MethodDeclarationSyntax declaration
                && (declaration.Body is not null || declaration.ExpressionBody is not null)
                    ? _compilation.GetSemanticModel(declaration.SyntaxTree).GetOperation(declaration, _cancellationToken) as IMethodBodyOperation
                    : null;

            // The stages that read `above`'s output, first or second.
            private static List<int> StagesBelow(List<Draft> built, int above) =>
                Enumerable.Range(0, built.Count).Where(i => built[i].Input == above || built[i].Other == above).ToList();

            // Adds the columns `method` reads of its parameter to `mask`; false if it uses the parameter otherwise.
            private bool TryReadColumns(IMethodSymbol method, List<ISymbol> columns, ref ulong mask)
            {
                IParameterSymbol parameter = method.Parameters[0];
                if (BodyOf(method) is not { } body)
                {
                    return false;
                }

                foreach (IOperation operation in body.Descendants())
                {
                    if (operation is not IParameterReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter))
                    {
                        continue;
                    }

                    ISymbol? member = operation.Parent switch
                    {
                        IPropertyReferenceOperation property when property.Instance == operation => property.Property.OriginalDefinition,
                        IFieldReferenceOperation field when field.Instance == operation => field.Field.OriginalDefinition,
                        _ => null,
                    };
                    int column = member is null ? -1 : columns.FindIndex(c => SymbolEqualityComparer.Default.Equals(c, member));
                    if (column < 0)
                    {
                        return false;
                    }

                    mask |= column < 64 ? 1UL << column : 0;
                }

                return true;
            }
        }
    }
}
