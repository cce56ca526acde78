using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Generators.Tests.Snapshots;

/// <summary>
/// A [Record] struct's generated parser, and the pipeline that reads it, match their baselines and compile cleanly; the
/// loop calls the parser directly.
/// </summary>
public class RecordSnapshotTests
{
    /// <summary>Runs both generators, as the compiler does for a project that references Compiled.</summary>
    internal static (GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(Compilation input)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new PipelineGenerator().AsSourceGenerator(), new Records.RecordGenerator().AsSourceGenerator()],
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest));
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (driver.GetRunResult(), output, diagnostics);
    }

    [Fact]
    public void RecordAndItsPipeline_MatchBaselinesAndCompileCleanly()
    {
        string text = File.ReadAllText(GeneratorHarness.InputPath("Records"));
        var (result, output, diagnostics) = Run(GeneratorHarness.CreateCompilationFromFiles(("/src/Records.cs", text)));

        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        GeneratedSourceResult pipeline = Assert.Single(result.Results[0].GeneratedSources);
        Assert.Equal(2, result.Results[1].GeneratedSources.Length);
        GeneratedSourceResult record = result.Results[1].GeneratedSources.Single(s => s.HintName.EndsWith(".Record.g.cs", StringComparison.Ordinal));
        GeneratedSourceResult writer = result.Results[1].GeneratedSources.Single(s => s.HintName.EndsWith(".RecordWriter.g.cs", StringComparison.Ordinal));
        Baseline.Match("Records", pipeline.SourceText.ToString());
        Baseline.Match("RecordsParser", record.SourceText.ToString());
        Baseline.Match("RecordsWriter", writer.SourceText.ToString());

        // The fused loop hands each line to the record's own parser, directly; the parser reads each field with a direct,
        // non-generic call.
        string loop = pipeline.SourceText.ToString();
        Assert.Contains("if (!global::Markets.Trade.TryReadCsv(_tradesReader, tradesLine, out global::Markets.Trade trades))", loop);
        string parser = record.SourceText.ToString();
        Assert.DoesNotContain("=>", parser[parser.IndexOf("TryReadCsv", StringComparison.Ordinal)..]);
        Assert.Contains("global::Compiled.CsvValues.Decimal(field, out decimal m1)", parser);
        Assert.Contains("global::Compiled.CsvValues.DateTime(field, \"yyyy-MM-dd HH:mm:ss\", out global::System.DateTime m4)", parser);

        // The writers write each column with a direct call, in column order, the time in the format the parser reads.
        string writers = writer.SourceText.ToString();
        Assert.Contains("public static global::System.ReadOnlySpan<byte> CsvHeaderRow => \"symbol;px;Quantity;Side;ts;Venue;;;;Flags\"u8;", writers);
        Assert.Contains("global::Compiled.CsvText.Formatted(text, record.Time, \"yyyy-MM-dd HH:mm:ss\", (byte)';');", writers);
        Assert.Contains("case global::Markets.Side.@Buy: text.Append(\"\\\"Buy\\\"\"u8); break;", writers);
    }
}
