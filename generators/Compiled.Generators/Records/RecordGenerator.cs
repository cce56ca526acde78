using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generators.Records
{
    /// <summary>
    /// Generates the CSV parser of each <c>[Record]</c> struct into the struct itself (<see cref="RecordEmitter"/>), and
    /// reports what keeps one from being generated (CMP0101 to CMP0105); and its CSV and JSON-lines writers
    /// (<see cref="RecordWriterEmitter"/>). The pipeline generator calls the parser from the
    /// fused loop of a <c>Lines&lt;T&gt;</c> source of such a struct.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class RecordGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<RecordResult> records = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    RecordParser.RecordAttribute,
                    static (node, _) => node is StructDeclarationSyntax || node is RecordDeclarationSyntax record && record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword),
                    static (syntax, cancellationToken) => RecordParser.Parse(syntax, cancellationToken))
                .WithTrackingName("RecordParse");
            context.RegisterSourceOutput(records, static (output, result) =>
            {
                foreach (Diagnostic diagnostic in result.Diagnostics)
                {
                    output.ReportDiagnostic(diagnostic);
                }

                if (result.Model is { } model)
                {
                    output.AddSource(model.HintName, RecordEmitter.Emit(model));
                }
            });

            // Its CSV and JSON-lines writers, into the struct too (RecordWriterEmitter).
            IncrementalValuesProvider<RecordWriterModel?> writers = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    RecordParser.RecordAttribute,
                    static (node, _) => node is StructDeclarationSyntax || node is RecordDeclarationSyntax record && record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword),
                    static (syntax, cancellationToken) => RecordWriterFields.ParseRecord(syntax, cancellationToken))
                .WithTrackingName("RecordWriterParse");
            context.RegisterSourceOutput(writers, static (output, model) =>
            {
                if (model is not null)
                {
                    output.AddSource(model.HintName, RecordWriterEmitter.Emit(model));
                }
            });
        }
    }
}
