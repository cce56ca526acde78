using System.Collections.Immutable;
using System.Linq;
using Compiled.Generators.Helpers;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generators
{
    /// <summary>
    /// Turns each <c>[Pipeline]</c> class into a compiled pipeline: one fused loop per source that calls the
    /// user's stage methods directly, plus the class's <c>Definition</c> and <c>RunAsync</c>.
    /// </summary>
    /// <remarks>
    /// Two branches leave the parse step: diagnostics, reported as they are, and the value-only model, which
    /// is all the emitter sees; an edit that leaves a model equal does not re-run its emit.
    /// </remarks>
    [Generator(LanguageNames.CSharp)]
    public sealed partial class PipelineGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ParseResult> pipelines = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.PipelineAttribute,
                    static (node, _) => node is ClassDeclarationSyntax
                        || node is RecordDeclarationSyntax record && !record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword),
                    static (syntax, cancellationToken) => Parser.Parse(syntax, cancellationToken))
                .WithTrackingName(TrackingNames.Parse);

            IncrementalValuesProvider<EquatableArray<Diagnostic>> diagnostics = pipelines
                .Select(static (result, _) => result.Diagnostics)
                .WithTrackingName(TrackingNames.Diagnostics);
            context.RegisterSourceOutput(diagnostics, static (output, found) =>
            {
                foreach (Diagnostic diagnostic in found)
                {
                    output.ReportDiagnostic(diagnostic);
                }
            });

            IncrementalValuesProvider<PipelineModel> models = pipelines
                .Select(static (result, _) => result.Model!)
                .Where(static model => model is not null)
                .WithTrackingName(TrackingNames.Model);
            IncrementalValuesProvider<PhysicalPlan> plans = models
                .Select(static (model, cancellationToken) => Lowering.Lower(model, cancellationToken))
                .WithTrackingName(TrackingNames.Plan);
            context.RegisterSourceOutput(plans, static (output, plan) =>
                output.AddSource(plan.Model.HintName, Emitter.Emit(plan, output.CancellationToken)));

            // A stage attribute on a method of a class that is not a pipeline (CMP0015) is reported by
            // StageOutsidePipelineAnalyzer, not by a step of this pipeline.
        }

        /// <summary>What the parse step yields for one pipeline class.</summary>
        internal sealed record ParseResult(PipelineModel? Model, EquatableArray<Diagnostic> Diagnostics)
        {
            public static ParseResult Of(PipelineModel? model, ImmutableArray<Diagnostic> diagnostics) =>
                new(model, new EquatableArray<Diagnostic>(diagnostics.ToArray()));
        }
    }
}
