using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Snapshots;

/// <summary>The generated source of each pipeline in Inputs/ matches its baseline and compiles without warnings.</summary>
public class SnapshotTests
{
    [Theory]
    [InlineData("WordCount")]
    [InlineData("ErrorLevels")]
    [InlineData("StructKeys")]
    [InlineData("StringKeys")]
    [InlineData("TextKeys")]
    [InlineData("Nested")]
    [InlineData("Typed")]
    [InlineData("Windows")]
    [InlineData("State")]
    [InlineData("StateSeeded")]
    [InlineData("StateByWatermark")]
    [InlineData("Batches")]
    [InlineData("EventTime")]
    [InlineData("Names")]
    [InlineData("TwoSources")]
    [InlineData("TwoClocks")]
    [InlineData("Unions")]
    public void Snapshot_MatchesBaselineAndCompilesCleanly(string name)
    {
        string text = File.ReadAllText(GeneratorHarness.InputPath(name));
        var (result, output, generatorDiagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilationFromFiles(($"/src/{name}.cs", text)));

        // Nested.cs deliberately returns a reference-type-free struct enumerable; no pipeline here should warn.
        Assert.Empty(generatorDiagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        GeneratedSourceResult generated = Assert.Single(Assert.Single(result.Results).GeneratedSources);
        Baseline.Match(name, generated.SourceText.ToString());
    }

    [Fact]
    public void Snapshot_GeneratedCodeHasNoPerRecordIndirection()
    {
        // The fused loop calls user methods directly: no delegates, lambdas or interface casts inside OnRecord.
        string text = File.ReadAllText(GeneratorHarness.InputPath("WordCount"));
        var (result, _, _) = GeneratorHarness.Run(GeneratorHarness.CreateCompilationFromFiles(("/src/WordCount.cs", text)));
        string source = Assert.Single(Assert.Single(result.Results).GeneratedSources).SourceText.ToString();
        int start = source.IndexOf("public void OnRecord(", StringComparison.Ordinal);
        Assert.True(start > 0, "The generated job has no OnRecord method.");
        string loop = source[start..];
        Assert.DoesNotContain("=>", loop);
        Assert.DoesNotContain("Func<", loop);
        Assert.DoesNotContain("Action<", loop);
        Assert.DoesNotContain("(object)", loop);
        Assert.Contains("global::Samples.WordCount.WordCount.Words(input)", loop);
    }
}
