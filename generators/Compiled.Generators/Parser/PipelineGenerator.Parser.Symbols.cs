using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Compiled.Generators.Diagnostics;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Compiled.Internal;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generators
{
    public sealed partial class PipelineGenerator
    {
        internal sealed partial class Parser
        {
            private static string? RefProblem(IMethodSymbol method)
            {
                foreach (IParameterSymbol parameter in method.Parameters)
                {
                    if (parameter.RefKind is not (RefKind.None or RefKind.In))
                    {
                        return $"parameter '{parameter.Name}' is passed by {parameter.RefKind.ToString().ToLowerInvariant()}; take it by value";
                    }
                }

                return null;
            }

            private static bool IsPartialDeclarationOnly(IMethodSymbol method) =>
                method.IsPartialDefinition && method.PartialImplementationPart is null;

            // The implementation's signature, copied from the user's partial declaration; null when no implementation
            // can compile: a method with a body, or one without an access modifier that C# requires to have one
            // (CMP0009 or CMP0010 says so, and the compiler's own error stays on the user's line).
            private string? ImplementationSignature(IMethodSymbol method)
            {
                if (!IsPartialDeclarationOnly(method))
                {
                    return null;
                }

                // Both parts must say the same: the accessibility exactly as written, or none for C#'s default.
                string accessibility = WrittenAccessibility(method);
                if (accessibility.Length == 0 && (!method.ReturnsVoid || method.Parameters.Any(p => p.RefKind == RefKind.Out)))
                {
                    return null;
                }

                string parameters = string.Join(", ", method.Parameters.Select(p =>
                    (p.IsParams ? "params " : "")
                    + (p.ScopedKind == ScopedKind.ScopedValue ? "scoped " : "")
                    + p.RefKind switch
                    {
                        RefKind.Ref => "ref ",
                        RefKind.Out => "out ",
                        RefKind.In => "in ",
                        RefKind.RefReadOnlyParameter => "ref readonly ",
                        _ => "",
                    }
                    + p.Type.ToDisplayString(CodeFormat) + " " + Identifier(p.Name)));
                string returns = method.ReturnsVoid ? "void"
                    : (method.ReturnsByRefReadonly ? "ref readonly " : method.ReturnsByRef ? "ref " : "") + method.ReturnType.ToDisplayString(CodeFormat);
                return $"{(accessibility.Length == 0 ? "" : accessibility + " ")}{(method.IsStatic ? "static " : "")}partial {returns} {Identifier(method.Name)}({parameters})";
            }

            // The access modifiers on the method's declaration as the user wrote them ("public", "protected internal"),
            // or "" when there are none.
            private string WrittenAccessibility(IMethodSymbol method)
            {
                foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(_cancellationToken) is MethodDeclarationSyntax declaration)
                    {
                        return string.Join(" ", declaration.Modifiers
                            .Where(m => m.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.InternalKeyword or SyntaxKind.ProtectedKeyword or SyntaxKind.PrivateKeyword)
                            .Select(m => m.Text));
                    }
                }

                return "";
            }

            private static string Identifier(string name) =>
                SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

            private static string LocationText(IMethodSymbol method)
            {
                Location location = method.Locations[0];
                FileLinePositionSpan span = location.GetLineSpan();
                return $"{Path.GetFileName(span.Path)}:{span.StartLinePosition.Line + 1}";
            }

            private Location ParameterTypeLocation(IMethodSymbol method, int index)
            {
                if (method.Parameters.Length > index
                    && method.Parameters[index].DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is ParameterSyntax { Type: { } type })
                {
                    return type.GetLocation();
                }

                return method.Locations[0];
            }

            private Location? ArgumentLocation(AttributeData attribute, string name)
            {
                if (attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is AttributeSyntax { ArgumentList: { } arguments })
                {
                    foreach (AttributeArgumentSyntax argument in arguments.Arguments)
                    {
                        if (argument.NameEquals?.Name.Identifier.Text == name)
                        {
                            return argument.Expression.GetLocation();
                        }
                    }
                }

                return null;
            }

            // Why none of the pipeline class's methods named 'name' (the candidates) is one a stage can call, or null when one
            // is: there is none of that name, none 'fits' (it 'doesNotFit'), or the one that fits is not static or is generic.
            private static string? WhyNotCallable(IMethodSymbol[] candidates, string name, Func<IMethodSymbol, bool> fits, string doesNotFit)
            {
                IMethodSymbol? match = candidates.FirstOrDefault(fits);
                return candidates.Length == 0 ? "the pipeline class has no method of that name"
                    : match is null ? $"'{name}' {doesNotFit}"
                    : !match.IsStatic ? $"'{name}' is not static"
                    : match.IsGenericMethod ? $"'{name}' has type parameters"
                    : null;
            }

            // "did you mean 'Subtract'? Write Inverse = nameof(Subtract), ...", for a name that names nothing, when one of
            // the candidates is near enough to be what was meant; null when none is.
            private static string? DidYouMean(string property, string named, IEnumerable<string> candidates) =>
                NameSuggestion.Nearest(named, candidates) is { } nearest
                    ? $"did you mean '{nearest}'? Write {property} = nameof({nearest}), which the compiler checks"
                    : null;

            // The methods of the pipeline class that are not stages: what an Inverse, a Filter, a MergeValue or an
            // InitialState may name.
            private IEnumerable<string> HelperMethodNames(IMethodSymbol stage) =>
                stage.ContainingType.GetMembers().OfType<IMethodSymbol>()
                    .Where(m => m.MethodKind == MethodKind.Ordinary && !m.GetAttributes().Any(a => _known.TryGetStageKind(a.AttributeClass, out _)))
                    .Select(m => m.Name)
                    .Distinct();

            private static string? NamedArgument(AttributeData attribute, string name)
            {
                foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                {
                    if (argument.Key == name)
                    {
                        return argument.Value.Value as string;
                    }
                }

                return null;
            }
        }
    }
}
