using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Snapshots;

/// <summary>
/// A project that references Compiled.Parquet gets each sink's Parquet columns in its job, matching a baseline and
/// compiling cleanly; a project that does not gets none.
/// </summary>
public class ParquetSnapshotTests
{
    private static readonly MetadataReference[] ParquetReferences =
    [
        MetadataReference.CreateFromFile(typeof(Compiled.Parquet.ParquetSink).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(global::Parquet.ParquetWriter).Assembly.Location),
    ];

    [Fact]
    public void ProjectReferencingCompiledParquet_JobHasEachSinksColumns_MatchingTheBaseline()
    {
        string text = File.ReadAllText(GeneratorHarness.InputPath("Parquet"));
        Compilation input = GeneratorHarness.CreateCompilationFromFiles(("/src/Parquet.cs", text)).AddReferences(ParquetReferences);
        var (result, output, diagnostics) = RecordSnapshotTests.Run(input);

        GeneratedSourceResult pipeline = result.Results[0].GeneratedSources.Single(s => s.HintName.Contains("FillsToLake", StringComparison.Ordinal));
        string generated = pipeline.SourceText.ToString();
        Assert.Contains("public sealed class RowsParquet : global::Compiled.Parquet.Columns.ParquetColumns", generated, StringComparison.Ordinal);
        Assert.Contains("public sealed class VenuesParquet", generated, StringComparison.Ordinal);
        Assert.Contains("public sealed class SidesParquet", generated, StringComparison.Ordinal);
        Baseline.Match("Parquet", generated);
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
    }

    [Theory]
    [InlineData("Nothing", "Nothing")]
    [InlineData("(Nothing A, Nothing B)", "(Nothing A, Nothing B)")]
    public void SinkRecordWithNoColumns_IsRefusedByTheRecordsDiagnosticAlone_TheJobsParquetColumnsCompile(string output, string sinkType)
    {
        string text = $$"""
            using Compiled;

            namespace Lake;

            [Record]
            public partial struct Nothing
            {
                private long _id;
                public long Id => _id;
            }

            [Pipeline]
            public static partial class Empties
            {
                [Source(Default = "file:///data/in.txt")] public static partial Lines Input();
                [Map] public static {{output}} Drop(ReadOnlySpan<byte> line) => default;
                [Sink(Default = "parquet:///lake/none/part")] public static partial void Output({{sinkType}} record);
            }
            """;
        Compilation input = GeneratorHarness.CreateCompilationFromFiles(("/src/Empties.cs", text)).AddReferences(ParquetReferences);
        var (result, compiled, diagnostics) = RecordSnapshotTests.Run(input);

        Diagnostic refused = Assert.Single(diagnostics);
        Assert.Equal("CMP0105", refused.Id);
        Assert.Equal("Record 'Nothing' has no columns; declare a public field or a public property with a setter for each column", refused.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        string generated = result.Results[0].GeneratedSources.Single(s => s.HintName.Contains("Empties", StringComparison.Ordinal)).SourceText.ToString();
        Assert.Contains("public sealed class OutputParquet : global::Compiled.Parquet.Columns.ParquetColumns", generated, StringComparison.Ordinal);

        // The generated job adds no error of its own: the record's is the only one to fix.
        Assert.Empty(compiled.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void ProjectWithoutCompiledParquet_JobHasNoParquetColumns()
    {
        string text = File.ReadAllText(GeneratorHarness.InputPath("Parquet")).Replace("parquet:///lake/fills/part?compression=zstd", "console").Replace("parquet:///lake/venues/part", "console");
        var (result, output, diagnostics) = RecordSnapshotTests.Run(GeneratorHarness.CreateCompilationFromFiles(("/src/Parquet.cs", text)));

        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        string generated = result.Results[0].GeneratedSources.Single(s => s.HintName.Contains("FillsToLake", StringComparison.Ordinal)).SourceText.ToString();
        Assert.DoesNotContain("Compiled.Parquet", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("ParquetColumns", generated, StringComparison.Ordinal);
    }
}
