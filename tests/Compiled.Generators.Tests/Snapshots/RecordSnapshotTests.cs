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

        // The fused loop hands each line to the record's own parser, directly, with the members its stages read (the
        // symbol, the quantity and the side: bits 0, 2 and 3), so the price and the time are not parsed: the side, which
        // the filter reads, first (bit 3), the symbol and the quantity once the filter keeps the trade; the parser reads
        // each field with a direct, non-generic call.
        string loop = pipeline.SourceText.ToString();
        Assert.Contains("parsing first only the members the leading filters read (Side)", loop);
        Assert.Contains("if (!global::Markets.Trade.TryReadCsv(_tradesReader, tradesLine, 0x8UL, out global::Markets.Trade trades))", loop);
        Assert.Contains("if (!global::Markets.Trade.TryReadCsvRest(_tradesReader, tradesLine, 0x5UL, ref trades)) return;", loop);
        string parser = record.SourceText.ToString();
        string masked = parser[parser.IndexOf("ulong members", StringComparison.Ordinal)..parser.IndexOf("JsonLayout JsonLayout", StringComparison.Ordinal)];
        Assert.DoesNotContain("=>", masked);
        Assert.Contains("if ((members & 0x2UL) != 0)", masked);
        Assert.Contains("global::Compiled.CsvValues.Decimal(field, out m1)", masked);
        Assert.Contains("global::Compiled.CsvValues.DateTime(field, \"yyyy-MM-dd HH:mm:ss\", out m4)", masked);

        // The writers write each column with a direct call, in column order, the time in the format the parser reads.
        string writers = writer.SourceText.ToString();
        Assert.Contains("public static global::System.ReadOnlySpan<byte> CsvHeaderRow => \"symbol;px;Quantity;Side;ts;Venue;;;;Flags\"u8;", writers);
        Assert.Contains("global::Compiled.CsvText.Formatted(text, record.Time, \"yyyy-MM-dd HH:mm:ss\", (byte)';');", writers);
        Assert.Contains("case global::Markets.Side.@Buy: text.Append(\"\\\"Buy\\\"\"u8); break;", writers);
    }

    [Fact]
    public void JsonRecordAndItsPipeline_MatchBaselinesAndCompileCleanly()
    {
        string text = File.ReadAllText(GeneratorHarness.InputPath("RecordsJson"));
        var (result, output, diagnostics) = Run(GeneratorHarness.CreateCompilationFromFiles(("/src/RecordsJson.cs", text)));

        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        GeneratedSourceResult pipeline = Assert.Single(result.Results[0].GeneratedSources);
        GeneratedSourceResult record = result.Results[1].GeneratedSources.Single(s => s.HintName.EndsWith(".Record.g.cs", StringComparison.Ordinal));
        Baseline.Match("RecordsJson", pipeline.SourceText.ToString());
        Baseline.Match("RecordsJsonParser", record.SourceText.ToString());

        // The fused loop hands each line to the record's JSON parser, directly, with the source's JSON reader and the
        // members its stages read (the symbol, the quantity and the side: bits 0, 2 and 3); a JSON source does not keep its
        // pipeline on one partition as a CSV source does.
        string loop = pipeline.SourceText.ToString();
        Assert.Contains("converting only the members the stages read (Symbol, Quantity, Side)", loop);
        Assert.Contains("if (!global::Events.TradeEvent.TryReadJson(_tradesReader, tradesLine, 0xDUL, out global::Events.TradeEvent trades))", loop);
        Assert.Contains("new global::Compiled.JsonRecordReader(global::Events.TradeEvent.JsonLayout, \"Trades\", context.Counters[0], _tradesBadRecords)", loop);
        Assert.DoesNotContain("reads CSV records", loop);

        // The parser walks the line with a JsonLineReader in a method without an exception handler, reads each value
        // with a direct, non-generic call, and descends into the nested object "meta" and its "venue".
        string parser = record.SourceText.ToString();
        string walk = parser[parser.IndexOf("private static bool ReadJson", StringComparison.Ordinal)..];
        Assert.DoesNotContain("try", walk);
        Assert.DoesNotContain("=>", walk);
        Assert.Contains("global::Compiled.JsonValues.Decimal(ref json, out m1)", walk);
        Assert.Contains("global::Compiled.JsonValues.DateTime(ref json, \"unixms\", reader, out m4)", walk);
        Assert.Contains("global::System.MemoryExtensions.SequenceEqual(property0, \"meta\"u8)", walk);
        Assert.Contains("global::System.MemoryExtensions.SequenceEqual(property1, \"venue\"u8)", walk);
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
        Assert.Contains("context.BadRecords.ForStage(\"Split\", \"FlatMapValues\", global::Compiled.BadRecordPolicy.DeadLetter)", job);
        Assert.Contains("context.BadRecords.ForStage(\"Whole\", \"MapValues\", global::Compiled.BadRecordPolicy.Skip)", job);
        Assert.Contains("context.Framing[0].MaxRecordBytes, _ordersBadRecords)", job);
        Assert.Contains("when (!wordsInside && _wordsGuard.Caught(", job);
        Assert.Contains("catch (global::System.Exception dollarsError) when (_dollarsGuard.Caught(dollarsError)) { goto dollarsDone; }", job);
    }
}
