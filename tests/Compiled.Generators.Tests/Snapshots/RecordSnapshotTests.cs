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
        GeneratedSourceResult record = Assert.Single(result.Results[1].GeneratedSources);
        Baseline.Match("Records", pipeline.SourceText.ToString());
        Baseline.Match("RecordsParser", record.SourceText.ToString());

        // The fused loop hands each line to the record's own parser, directly; the parser reads each field with a direct,
        // non-generic call.
        string loop = pipeline.SourceText.ToString();
        Assert.Contains("if (!global::Markets.Trade.TryReadCsv(_tradesReader, tradesLine, out global::Markets.Trade trades))", loop);
        string parser = record.SourceText.ToString();
        Assert.DoesNotContain("=>", parser[parser.IndexOf("TryReadCsv", StringComparison.Ordinal)..]);
        Assert.Contains("global::Compiled.CsvValues.Decimal(field, out decimal m1)", parser);
        Assert.Contains("global::Compiled.CsvValues.DateTime(field, \"yyyy-MM-dd HH:mm:ss\", out global::System.DateTime m4)", parser);
    }

    [Fact]
    public void GuardedStages_MatchBaselineAndCatchOnlyTheirOwnCalls()
    {
        string text = File.ReadAllText(GeneratorHarness.InputPath("BadRecords"));
        var (result, output, diagnostics) = Run(GeneratorHarness.CreateCompilationFromFiles(("/src/BadRecords.cs", text)));

        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        Assert.Equal(2, result.Results[0].GeneratedSources.Length);
        GeneratedSourceResult pipeline = result.Results[0].GeneratedSources.Single(s => s.HintName.Contains("Revenue", StringComparison.Ordinal));
        GeneratedSourceResult typed = result.Results[0].GeneratedSources.Single(s => s.HintName.Contains("CustomerTotals", StringComparison.Ordinal));
        Baseline.Match("BadRecords", pipeline.SourceText.ToString());
        Baseline.Match("BadRecordsTyped", typed.SourceText.ToString());

        // A typed source that declares its policy refuses a bad line through its refusal point, naming the field.
        Assert.Contains("if (!global::Compiled.Utf8Fields.TryInt64(ordersLine, ref ordersAt, true, out long ordersValue2)) { global::Compiled.TypedLineRefusal.Refuse(_ordersBadRecords, global::Compiled.BadRecordPolicy.DeadLetter, ordersLine, 1, 2, true); return; }", typed.SourceText.ToString());

        // Each guarded call is its own try, whose filter asks the stage's guard; the CSV reader reports to the source's
        // refusal point; the stages' policies are the declared ones, the pipeline's where a stage declares none.
        string job = pipeline.SourceText.ToString();
        Assert.Contains("try { withNote = global::Orders.Revenue.WithNote(orders); }", job);
        Assert.Contains("catch (global::System.Exception withNoteError) when (_withNoteGuard.Caught(_ordersBadRecords, ordersLine, withNoteError)) { goto withNoteDone; }", job);
        Assert.Contains("context.BadRecords.ForStage(\"WithNote\", \"Map\", global::Compiled.BadRecordPolicy.Skip)", job);
        Assert.Contains("context.BadRecords.ForStage(\"Priced\", \"Filter\", global::Compiled.BadRecordPolicy.DeadLetter)", job);
        Assert.Contains("context.BadRecords.ForStage(\"Words\", \"FlatMap\", global::Compiled.BadRecordPolicy.Fail)", job);
        Assert.Contains("context.Framing[0].MaxRecordBytes, _ordersBadRecords)", job);
        Assert.Contains("when (!wordsInside && _wordsGuard.Caught(", job);
        Assert.Contains("catch (global::System.Exception dollarsError) when (_dollarsGuard.Caught(dollarsError)) { goto dollarsDone; }", job);
    }
}
