using System.Collections.Generic;
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
            // The connectors the project declares ([assembly: SourceConnector/SinkConnector]) or references: one value for
            // the compilation, compared by value, so that an edit elsewhere re-runs nothing below it.
            IncrementalValuesProvider<ConnectorScan> ownSources = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Connectors.SourceAttribute,
                    static (node, _) => node is CompilationUnitSyntax,
                    static (syntax, cancellationToken) => Connectors.Own(syntax, "source", cancellationToken))
                .WithTrackingName(TrackingNames.OwnSourceConnectors);
            IncrementalValuesProvider<ConnectorScan> ownSinks = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Connectors.SinkAttribute,
                    static (node, _) => node is CompilationUnitSyntax,
                    static (syntax, cancellationToken) => Connectors.Own(syntax, "sink", cancellationToken))
                .WithTrackingName(TrackingNames.OwnSinkConnectors);
            IncrementalValueProvider<ConnectorScan> referenced = context.CompilationProvider
                .Select(static (compilation, cancellationToken) => Connectors.Referenced(compilation, cancellationToken))
                .WithTrackingName(TrackingNames.ReferencedConnectors);
            IncrementalValueProvider<ConnectorSet> connectors = ownSources.Collect()
                .Combine(ownSinks.Collect())
                .Combine(referenced)
                .Select(static (all, _) => Connectors.Combine(all.Left.Left, all.Left.Right, all.Right))
                .WithTrackingName(TrackingNames.Connectors);
            // Each pipeline's source, with the Parquet columns of its sinks when the project references Compiled.Parquet (its
            // sink takes typed rows, which only the generated code can give; other projects' jobs are written without them).
            IncrementalValueProvider<bool> parquet = connectors
                .Select(static (set, _) => Connectors.DeclaresParquetSink(set.Declarations))
                .WithTrackingName(TrackingNames.ParquetSink);
            context.RegisterSourceOutput(plans.Combine(parquet), static (output, pair) =>
                output.AddSource(pair.Left.Model.HintName, Emitter.Emit(pair.Left, pair.Right, output.CancellationToken)));

            context.RegisterSourceOutput(connectors.Select(static (set, _) => set.Diagnostics), static (output, found) =>
            {
                foreach (Diagnostic diagnostic in found)
                {
                    output.ReportDiagnostic(diagnostic);
                }
            });

            // Once per project, not per pipeline: a module initializer that registers every declared connector.
            IncrementalValueProvider<EquatableArray<ConnectorDeclaration>> declarations = connectors
                .Select(static (set, _) => set.Declarations)
                .WithTrackingName(TrackingNames.ConnectorDeclarations);
            // The hint name has a hyphen, which no pipeline's (a type's full name) can have.
            context.RegisterSourceOutput(declarations, static (output, declared) =>
            {
                if (declared.Count > 0)
                {
                    output.AddSource("Compiled-Connectors.g.cs", Emitter.EmitRegistration(declared));
                }
            });

            // A default URI whose scheme is not built in is known if a connector declares it; CMP0007 otherwise.
            IncrementalValuesProvider<(EquatableArray<SchemeCheck> Checks, EquatableArray<ConnectorDeclaration> Declared)> checks = pipelines
                .Select(static (result, _) => result.SchemeChecks)
                .Where(static found => found.Count > 0)
                .Combine(declarations)
                .WithTrackingName(TrackingNames.SchemeChecks);
            context.RegisterSourceOutput(checks, static (output, pair) =>
            {
                foreach (Diagnostic diagnostic in Connectors.Check(pair.Checks, pair.Declared))
                {
                    output.ReportDiagnostic(diagnostic);
                }
            });

            // A stage attribute on a method of a class that is not a pipeline (CMP0015) is reported by
            // StageOutsidePipelineAnalyzer, not by a step of this pipeline.
        }

        /// <summary>What the parse step yields for one pipeline class.</summary>
        internal sealed record ParseResult(PipelineModel? Model, EquatableArray<Diagnostic> Diagnostics, EquatableArray<SchemeCheck> SchemeChecks)
        {
            public static ParseResult Of(PipelineModel? model, ImmutableArray<Diagnostic> diagnostics, IEnumerable<SchemeCheck> schemeChecks) =>
                new(model, new EquatableArray<Diagnostic>(diagnostics.ToArray()), schemeChecks.ToEquatableArray());
        }
    }
}
