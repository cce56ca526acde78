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
