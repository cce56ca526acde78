using System;
using System.Collections.Immutable;
using Compiled.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Compiled.Generators.Analyzers
{
    /// <summary>
    /// Reports CMP0015: a stage attribute on a method of a class that is not a <c>[Pipeline]</c>, which the generator
    /// would otherwise ignore in silence. An analyzer rather than a generator step: the generator's incremental
    /// pipeline stays one <c>ForAttributeWithMetadataName</c> (on <c>[Pipeline]</c>) instead of one more per stage
    /// attribute, and a method is looked at once, with every attribute it has.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class StageOutsidePipelineAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.StageOutsidePipeline);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(static start =>
            {
                // Found once per compilation; a compilation that does not reference the runtime has nothing to check.
                KnownTypes known = KnownTypes.For(start.Compilation, pipelineAttribute: null);
                if (known.PipelineAttribute is null)
                {
                    return;
                }

                start.RegisterSymbolAction(symbol => AnalyzeMethod(symbol, known), SymbolKind.Method);
            });
        }

        private static void AnalyzeMethod(SymbolAnalysisContext context, KnownTypes known)
        {
            var method = (IMethodSymbol)context.Symbol;
            INamedTypeSymbol? type = method.ContainingType;
            if (type is null)
            {
                return;
            }

            ImmutableArray<AttributeData> attributes = method.GetAttributes();
            bool isPipeline = false;
            bool checkedType = false;
            foreach (AttributeData attribute in attributes)
            {
                if (!known.TryGetStageKind(attribute.AttributeClass, out _))
                {
                    continue;
                }

                if (!checkedType)
                {
                    checkedType = true;
                    foreach (AttributeData typeAttribute in type.GetAttributes())
                    {
                        isPipeline |= SymbolEqualityComparer.Default.Equals(typeAttribute.AttributeClass, known.PipelineAttribute);
                    }
                }

                if (isPipeline)
                {
                    return;
                }

                context.CancellationToken.ThrowIfCancellationRequested();
                Location location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? method.Locations[0];
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StageOutsidePipeline, location, method.Name, ShortName(attribute.AttributeClass!), type.Name));
            }
        }

        // [Map], not [MapAttribute]: as the user writes it.
        private static string ShortName(INamedTypeSymbol attribute) =>
            attribute.Name.EndsWith("Attribute", StringComparison.Ordinal) ? attribute.Name.Substring(0, attribute.Name.Length - "Attribute".Length) : attribute.Name;
    }
}
