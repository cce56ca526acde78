using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
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
        /// <summary>
        /// Reads a [Pipeline] class from symbols into a <see cref="PipelineModel"/>, checking the chain of stages
        /// as it goes. Symbols stay inside this class; the model holds only strings, enums and numbers.
        /// </summary>
        internal sealed partial class Parser
        {
            private static readonly SymbolDisplayFormat ShortFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
                .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

            private static readonly SymbolDisplayFormat CodeFormat = SymbolDisplayFormat.FullyQualifiedFormat
                .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

            private static readonly SymbolDisplayFormat NamespaceFormat = new(
                globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
                typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
                miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

            private readonly ImmutableArray<Diagnostic>.Builder _diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
            private readonly List<SchemeCheck> _schemeChecks = new();
            private readonly CancellationToken _cancellationToken;
            private readonly Compilation _compilation;
            private readonly KnownTypes _known;
            private readonly INamedTypeSymbol _int64;
            private bool _hasErrors;

            // Whether a stage's Input or Other names no stage it can read (reported), so the graph is not the one meant.
            private bool _inputUnresolved;
            private long _intervalMs = 1000;
            private List<Draft>? _built;

            private Parser(Compilation compilation, KnownTypes known, CancellationToken cancellationToken)
            {
                _compilation = compilation;
                _known = known;
                _int64 = compilation.GetSpecialType(SpecialType.System_Int64);
                _cancellationToken = cancellationToken;
            }

            /// <summary>Parses the [Pipeline] class that <paramref name="context"/> found.</summary>
            public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
            {
                Compilation compilation = context.SemanticModel.Compilation;
                var parser = new Parser(compilation, KnownTypes.For(compilation, context.Attributes[0].AttributeClass), cancellationToken);
                PipelineModel? model = parser.ParsePipeline((INamedTypeSymbol)context.TargetSymbol, context.Attributes[0]);
                return ParseResult.Of(model, parser._diagnostics.ToImmutable(), parser._schemeChecks);
            }

            private PipelineModel? ParsePipeline(INamedTypeSymbol type, AttributeData pipelineAttribute)
            {
                TypeHierarchy? hierarchy = ReadHierarchy(type);
                if (hierarchy is null)
                {
                    // Nothing can be generated into a class that is not partial: the diagnostics say so.
                    return null;
                }

                EquatableArray<string> takenNames = CheckReservedNames(type);
                long intervalMs = ReadBatchInterval(type, pipelineAttribute);
                _intervalMs = intervalMs;
                _pipelineOnError = PolicyArgument(pipelineAttribute, "OnError");
                List<Draft> drafts = ReadStages(type);
                List<StageModel> stages = BuildGraph(type, drafts);
                _cancellationToken.ThrowIfCancellationRequested();

                // A second guard: a stage that reads nothing cannot be emitted, whatever was or was not reported.
                bool hasErrors = _hasErrors || stages.Any(s => s.Kind != StageKind.Source && s.Input < 0);
                string hintName = hierarchy.FullyQualifiedName.Replace("global::", "").Replace("@", "").Replace('<', '_').Replace('>', '_').Replace(',', '_') + ".g.cs";
                if (!hasErrors)
                {
                    WarnOfUnwritableState(drafts, stages);
                }

                return new PipelineModel(hierarchy, type.Name, hintName, intervalMs, stages.ToEquatableArray(), hasErrors, takenNames, TestDriverAccessibility(drafts),
                    NamedArgument(pipelineAttribute, "Checkpoint"));
            }

            // The test driver exposes the sources' and sinks' record types, so it can be no more visible than they are.
            private static string TestDriverAccessibility(List<Draft> drafts)
            {
                Accessibility least = Accessibility.Public;
                foreach (Draft draft in drafts)
                {
                    IEnumerable<ITypeSymbol> types = draft.Kind == StageKind.Source
                        ? (draft.OutputSymbol is { } record ? new[] { record } : Enumerable.Empty<ITypeSymbol>())
                        : draft.Kind == StageKind.Sink ? draft.Method.Parameters.Select(p => p.Type) : Enumerable.Empty<ITypeSymbol>();
                    foreach (ITypeSymbol type in types)
                    {
                        Accessibility accessibility = EffectiveAccessibility(type);
                        if (accessibility < least)
                        {
                            least = accessibility;
                        }
                    }
                }

                return least switch
                {
                    Accessibility.Public => "public",
                    Accessibility.Internal or Accessibility.ProtectedOrInternal => "internal",
                    _ => "private",
                };
            }

            // The least accessibility of a type, its containing types and its type arguments.
            private static Accessibility EffectiveAccessibility(ITypeSymbol type)
            {
                Accessibility least = Accessibility.Public;
                if (type is IArrayTypeSymbol array)
                {
                    return EffectiveAccessibility(array.ElementType);
                }

                for (ISymbol? symbol = type; symbol is INamedTypeSymbol named; symbol = symbol.ContainingType)
                {
                    if (named.DeclaredAccessibility != Accessibility.NotApplicable && named.DeclaredAccessibility < least)
                    {
                        least = named.DeclaredAccessibility;
                    }

                    foreach (ITypeSymbol argument in named.TypeArguments)
                    {
                        Accessibility inner = EffectiveAccessibility(argument);
                        if (inner < least)
                        {
                            least = inner;
                        }
                    }
                }

                return least;
            }

            // Definition, RunAsync, TestDriver and the job class are generated into the pipeline class, so the class must not
            // declare or inherit a member of those names (CMP0023). Returns the names that are taken.
            private EquatableArray<string> CheckReservedNames(INamedTypeSymbol type)
            {
                var taken = new List<string>();
                foreach ((string name, string kind) in new[] { ("Definition", "property"), ("RunAsync", "method"), ("TestDriver", "class"), (type.Name + "Job", "class") })
                {
                    if (type.Name == name)
                    {
                        Report(DiagnosticDescriptors.ReservedMemberName, type.Locations[0], type.Name, kind, name,
                            "the pipeline class: a class cannot have a member with its own name");
                        taken.Add(name);
                        continue;
                    }

                    foreach (ISymbol member in type.GetMembers(name).Where(m => Clashes(m, name)))
                    {
                        Location location = member.Locations.FirstOrDefault(l => l.IsInSource) ?? type.Locations[0];
                        Report(DiagnosticDescriptors.ReservedMemberName, location, type.Name, kind, name, $"your {KindOf(member)} '{name}'");
                        taken.Add(name);
                    }

                    // An inherited member would be hidden, which is a warning, and warnings may be errors.
                    for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null && !taken.Contains(name); baseType = baseType.BaseType)
                    {
                        foreach (ISymbol member in baseType.GetMembers(name).Where(m => m.DeclaredAccessibility != Accessibility.Private && Clashes(m, name)))
                        {
                            Report(DiagnosticDescriptors.ReservedMemberName, type.Locations[0], type.Name, kind, name,
                                $"the {KindOf(member)} '{baseType.Name}.{name}' that '{type.Name}' inherits, or derive '{type.Name}' from another class");
                            taken.Add(name);
                            break;
                        }
                    }
                }

                return taken.Distinct().ToEquatableArray();
            }

            // Any member of a reserved name clashes, except a RunAsync overload: only RunAsync(string[]) is generated.
            private static bool Clashes(ISymbol member, string name) =>
                !(name == "RunAsync" && member is IMethodSymbol method
                    && !(method.Arity == 0 && method.Parameters.Length == 1
                        && method.Parameters[0].Type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_String }));

            private static string KindOf(ISymbol member) => member switch
            {
                IMethodSymbol => "method",
                IPropertySymbol => "property",
                IFieldSymbol => "field",
                IEventSymbol => "event",
                INamedTypeSymbol { IsRecord: true } => "record",
                INamedTypeSymbol named => named.TypeKind.ToString().ToLowerInvariant(),
                _ => "member",
            };

            // The namespace and the chain of containing types; null (with CMP0001) if a declaration is not partial.
            private TypeHierarchy? ReadHierarchy(INamedTypeSymbol pipeline)
            {
                var types = new List<TypeDeclaration>();
                bool partial = true;
                bool fileLocal = false;
                bool generic = false;
                for (INamedTypeSymbol? type = pipeline; type is not null; type = type.ContainingType)
                {
                    generic |= type.TypeParameters.Length > 0;
                    TypeDeclarationSyntax? declaration = null;
                    foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
                    {
                        if (reference.GetSyntax(_cancellationToken) is TypeDeclarationSyntax candidate)
                        {
                            declaration ??= candidate;
                            if (partial && !candidate.Modifiers.Any(SyntaxKind.PartialKeyword))
                            {
                                Report(DiagnosticDescriptors.PipelineNotPartial, candidate.Identifier.GetLocation(), pipeline.Name, type.Name);
                                partial = false;
                            }

                            // A file-local type cannot be reopened from the generated file: the other part would be another type.
                            SyntaxToken file = candidate.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.FileKeyword));
                            if (!fileLocal && file.IsKind(SyntaxKind.FileKeyword))
                            {
                                Report(DiagnosticDescriptors.PipelineIsFileLocal, file.GetLocation(), pipeline.Name, type.Name);
                                fileLocal = true;
                            }
                        }
                    }

                    types.Insert(0, new TypeDeclaration(KeywordOf(declaration), Identifier(type.Name), type.IsStatic));
                }

                if (generic)
                {
                    Report(DiagnosticDescriptors.PipelineIsGeneric, pipeline.Locations[0], pipeline.Name);
                    return null;
                }

                if (!partial || fileLocal)
                {
                    return null;
                }

                string ns = pipeline.ContainingNamespace.IsGlobalNamespace ? "" : pipeline.ContainingNamespace.ToDisplayString(NamespaceFormat);
                return new TypeHierarchy(ns, types.ToEquatableArray());
            }

            private static string KeywordOf(TypeDeclarationSyntax? declaration) => declaration switch
            {
                RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
                RecordDeclarationSyntax => "record",
                StructDeclarationSyntax => "struct",
                InterfaceDeclarationSyntax => "interface",
                _ => "class",
            };

            private long ReadBatchInterval(INamedTypeSymbol type, AttributeData attribute)
            {
                string text = "1s";
                foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                {
                    if (argument.Key == "BatchInterval" && argument.Value.Value is string value)
                    {
                        text = value;
                    }
                }

                if (DurationText.TryParse(text, out TimeSpan interval))
                {
                    return (long)interval.TotalMilliseconds;
                }

                Report(DiagnosticDescriptors.InvalidBatchInterval, ArgumentLocation(attribute, "BatchInterval") ?? type.Locations[0], text, type.Name);
                return 1000;
            }

            // The methods that carry a stage attribute, in declaration order.
            private List<Draft> ReadStages(INamedTypeSymbol type)
            {
                var drafts = new List<Draft>();
                var names = new HashSet<string>(StringComparer.Ordinal);
                IEnumerable<IMethodSymbol> methods = type.GetMembers().OfType<IMethodSymbol>()
                    .Where(m => m.Locations.Length > 0 && m.Locations[0].IsInSource)
                    .OrderBy(m => m.Locations[0].SourceTree!.FilePath, StringComparer.Ordinal)
                    .ThenBy(m => m.Locations[0].SourceSpan.Start);
                foreach (IMethodSymbol method in methods)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    AttributeData? stageAttribute = null;
                    StageKind kind = default;
                    foreach (AttributeData attribute in method.GetAttributes())
                    {
                        if (!_known.TryGetStageKind(attribute.AttributeClass, out StageKind found))
                        {
                            continue;
                        }

                        if (stageAttribute is null)
                        {
                            stageAttribute = attribute;
                            kind = found;
                        }
                        else
                        {
                            Report(DiagnosticDescriptors.MultipleStageAttributes, method.Locations[0], method.Name,
                                ShortAttributeName(stageAttribute.AttributeClass!.ToDisplayString()), ShortAttributeName(attribute.AttributeClass!.ToDisplayString()));
                        }
                    }

                    if (stageAttribute is null)
                    {
                        continue;
                    }

                    if (!names.Add(method.Name))
                    {
                        Report(DiagnosticDescriptors.DuplicateStageName, method.Locations[0], method.Name);
                        continue;
                    }

                    drafts.Add(new Draft(method, kind, stageAttribute));
                }

                return drafts;
            }

            private static string ShortAttributeName(string fullName)
            {
                string name = fullName.Substring(fullName.LastIndexOf('.') + 1);
                return name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
            }

            private static string Quote(string text) => "'" + text + "'";

            private void Report(DiagnosticDescriptor descriptor, Location location, params object[] arguments)
            {
                _hasErrors |= descriptor.DefaultSeverity == DiagnosticSeverity.Error;
                _diagnostics.Add(Diagnostic.Create(descriptor, location, arguments));
            }
        }
    }
}
