using Compiled.Generators.Tests.Connectors;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Generators.Tests.Incremental;

/// <summary>
/// The connectors a project declares or references are one value compared by value: an edit that leaves them equal
/// re-runs nothing below them, and declaring one re-checks the default URIs without re-parsing the pipelines.
/// </summary>
public class ConnectorIncrementalTests
{
    private const string Other = "public static class Other { public static int Value => 1; }";
    private const string Declaration = """[assembly: Compiled.Connectors.SinkConnector("memory", typeof(Own.NullSinkFactory), Usage = "memory:NAME")]""";

    [Fact]
    public void Incremental_UnrelatedEdit_WithAConnector_ReEmitsNothing()
    {
        Compilation compilation = GeneratorHarness.CreateCompilationFromFiles(
            ("/src/Job.cs", ConnectorSources.Pipeline("stdin:", "memory:out")),
            ("/src/Connector.cs", ConnectorSources.Connector("Own")),
            ("/src/Declarations.cs", Declaration),
            ("/src/Other.cs", Other));
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation, TestContext.Current.CancellationToken);
        driver = driver.RunGenerators(Replace(compilation, "/src/Other.cs", Other.Replace("=> 1", "=> 2")), TestContext.Current.CancellationToken);

        GeneratorRunResult run = Assert.Single(driver.GetRunResult().Results);
        Assert.Equal(2, run.GeneratedSources.Length);
        AssertSteps(run, TrackingNames.OwnSinkConnectors, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSteps(run, TrackingNames.Connectors, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSteps(run, TrackingNames.ConnectorDeclarations, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSteps(run, TrackingNames.SchemeChecks, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.All(run.TrackedOutputSteps.SelectMany(o => o.Value).SelectMany(o => o.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void Incremental_DeclaringAConnector_AcceptsTheDefaultUri_WithoutReParsingThePipeline()
    {
        Compilation compilation = GeneratorHarness.CreateCompilationFromFiles(
            ("/src/Job.cs", ConnectorSources.Pipeline("stdin:", "memory:out")),
            ("/src/Connector.cs", ConnectorSources.Connector("Own")),
            ("/src/Declarations.cs", "// none yet"));
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation, TestContext.Current.CancellationToken);
        Assert.Contains(driver.GetRunResult().Diagnostics, d => d.Id == "CMP0007");

        driver = driver.RunGenerators(Replace(compilation, "/src/Declarations.cs", Declaration), TestContext.Current.CancellationToken);

        GeneratorRunResult run = Assert.Single(driver.GetRunResult().Results);
        Assert.Empty(run.Diagnostics);
        AssertSteps(run, TrackingNames.Parse, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSteps(run, TrackingNames.Plan, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSteps(run, TrackingNames.ConnectorDeclarations, IncrementalStepRunReason.Modified);
        AssertSteps(run, TrackingNames.SchemeChecks, IncrementalStepRunReason.Modified);
        Assert.Contains(run.GeneratedSources, s => s.HintName == "Compiled-Connectors.g.cs");
    }

    private static Compilation Replace(Compilation compilation, string path, string text)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, (CSharpParseOptions)old.Options, path));
    }

    private static void AssertSteps(GeneratorRunResult run, string step, params IncrementalStepRunReason[] allowed)
    {
        Assert.True(run.TrackedSteps.TryGetValue(step, out var steps), $"No tracked step named {step}.");
        Assert.NotEmpty(steps);
        foreach (IncrementalGeneratorRunStep runStep in steps)
        {
            foreach ((object _, IncrementalStepRunReason reason) in runStep.Outputs)
            {
                Assert.True(allowed.Contains(reason), $"Step {step} ran with reason {reason}; expected one of {string.Join(", ", allowed)}.");
            }
        }
    }
}
