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
            // A stage runs inside the fused loop, called synchronously per record (or per batch at the boundary) and never
            // awaited: one that is async, returns something awaitable (Task, ValueTask, any task-like) or an async stream
            // would hand its task down the pipeline, or drop it unfinished. CMP0034 refuses it; returns false if it did.
            private bool RequireSynchronous(Draft draft)
            {
                IMethodSymbol method = draft.Method;
                ITypeSymbol returns = method.ReturnType;
                bool awaitable = AwaitResult(returns, out ITypeSymbol? result);

                // A type foreach can walk is fine even if it can also be walked asynchronously.
                ITypeSymbol? streamed = ElementType(returns) is null ? AsyncStreamElement(returns) : null;
                if (!method.IsAsync && !awaitable && streamed is null)
                {
                    return true;
                }

                string shown = Quote(returns.ToDisplayString(ShortFormat));
                string what = method.IsAsync
                    ? method.ReturnsVoid ? "is async" : $"is async and returns {shown}"
                    : $"returns {shown}";
                string instead =
                    streamed is not null ? $"an enumerable of {Quote(streamed.ToDisplayString(ShortFormat))} that foreach walks (a struct enumerable keeps the loop allocation-free)"
                    : result is not null && result.SpecialType != SpecialType.System_Void ? Quote(result.ToDisplayString(ShortFormat))
                    : draft.Kind is StageKind.ForEachBatch or StageKind.Transform or StageKind.TransformWith ? "void"
                    : "what it emits";
                Report(DiagnosticDescriptors.AsyncStage, ReturnTypeLocation(method), draft.Name, what, instead);
                return false;
            }

            // Whether C# can await the type (it has an instance GetAwaiter() whose awaiter has GetResult()), and what
            // awaiting it gives (void for Task and ValueTask).
            private static bool AwaitResult(ITypeSymbol type, out ITypeSymbol? result)
            {
                result = null;
                IMethodSymbol? getAwaiter = null;
                for (ITypeSymbol? current = type; current is not null && getAwaiter is null; current = current.BaseType)
                {
                    getAwaiter = current.GetMembers("GetAwaiter").OfType<IMethodSymbol>()
                        .FirstOrDefault(m => !m.IsStatic && m.Parameters.Length == 0 && m.DeclaredAccessibility == Accessibility.Public);
                }

                if (getAwaiter is null)
                {
                    return false;
                }

                result = getAwaiter.ReturnType.GetMembers("GetResult").OfType<IMethodSymbol>().FirstOrDefault(m => m.Parameters.Length == 0)?.ReturnType;
                return true;
            }

            // The element type of an IAsyncEnumerable<T> (or of a type that implements it); null for any other type.
            private ITypeSymbol? AsyncStreamElement(ITypeSymbol type)
            {
                INamedTypeSymbol? stream = KnownTypes.Is(type, _known.AsyncEnumerable)
                    ? (INamedTypeSymbol)type
                    : type.AllInterfaces.FirstOrDefault(i => KnownTypes.Is(i, _known.AsyncEnumerable));
                return stream?.TypeArguments[0];
            }

            private Location ReturnTypeLocation(IMethodSymbol method) =>
                method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is MethodDeclarationSyntax declaration
                    ? declaration.ReturnType.GetLocation()
                    : method.Locations[0];
        }
    }
}
