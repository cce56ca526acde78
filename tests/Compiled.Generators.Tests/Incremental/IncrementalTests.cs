using System.Reflection;
using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Generators.Tests.Incremental;

/// <summary>The generator re-emits a pipeline only when its model changes.</summary>
public class IncrementalTests
{
    private const string Other = "public static class Other { public static int Value => 1; }";

    private static readonly string WordCount = File.ReadAllText(GeneratorHarness.InputPath("WordCount"));

    [Fact]
    public void Incremental_SameCompilation_EverythingCached()
    {
        Compilation compilation = GeneratorHarness.CreateCompilationFromFiles(("/src/WordCount.cs", WordCount), ("/src/Other.cs", Other));
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation, TestContext.Current.CancellationToken);
        driver = driver.RunGenerators(compilation.Clone(), TestContext.Current.CancellationToken);

        GeneratorRunResult run = Assert.Single(driver.GetRunResult().Results);
        AssertSteps(run, TrackingNames.Parse, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSteps(run, TrackingNames.Model, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSteps(run, TrackingNames.Plan, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputs(run, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Incremental_UnrelatedEdit_DoesNotReEmit()
    {
        Compilation compilation = GeneratorHarness.CreateCompilationFromFiles(("/src/WordCount.cs", WordCount), ("/src/Other.cs", Other));
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation, TestContext.Current.CancellationToken);
        Compilation edited = Replace(compilation, "/src/Other.cs", Other.Replace("=> 1", "=> 2"));
        driver = driver.RunGenerators(edited, TestContext.Current.CancellationToken);

        GeneratorRunResult run = Assert.Single(driver.GetRunResult().Results);
        AssertSteps(run, TrackingNames.Parse, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSteps(run, TrackingNames.Model, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertSteps(run, TrackingNames.Plan, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputs(run, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Incremental_EditInsideAStageBody_ReParsesButDoesNotReEmit()
    {
        Compilation compilation = GeneratorHarness.CreateCompilationFromFiles(("/src/WordCount.cs", WordCount));
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation, TestContext.Current.CancellationToken);
        Compilation edited = Replace(compilation, "/src/WordCount.cs", WordCount.Replace("=> a + b;", "=> b + a;"));
        driver = driver.RunGenerators(edited, TestContext.Current.CancellationToken);

        GeneratorRunResult run = Assert.Single(driver.GetRunResult().Results);
        AssertSteps(run, TrackingNames.Parse, IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged);
        AssertSteps(run, TrackingNames.Model, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        AssertSteps(run, TrackingNames.Plan, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputs(run, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Incremental_RenamingAStage_ReEmits()
    {
        // The control case: a change the model sees must reach the output, or the tests above prove nothing.
        Compilation compilation = GeneratorHarness.CreateCompilationFromFiles(("/src/WordCount.cs", WordCount));
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation, TestContext.Current.CancellationToken);
        Compilation edited = Replace(compilation, "/src/WordCount.cs", WordCount.Replace("long Add(long a, long b)", "long Sum(long a, long b)"));
        driver = driver.RunGenerators(edited, TestContext.Current.CancellationToken);

        GeneratorRunResult run = Assert.Single(driver.GetRunResult().Results);
        AssertSteps(run, TrackingNames.Model, IncrementalStepRunReason.Modified);
        AssertSteps(run, TrackingNames.Plan, IncrementalStepRunReason.Modified);
        AssertOutputs(run, IncrementalStepRunReason.Modified);
        Assert.Contains("[ReduceByKey] Sum", Assert.Single(run.GeneratedSources).SourceText.ToString());
    }

    [Fact]
    public void ModelAndPlan_HoldNoCompilerObjects()
    {
        // A cached model that holds a symbol, a syntax node or a compilation keeps old compilations alive and
        // never compares equal across runs. Walk every type reachable from the model.
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(Diagnostic) };
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>();
        pending.Push(typeof(PhysicalPlan));
        while (pending.Count > 0)
        {
            Type type = pending.Pop();
            if (!seen.Add(type) || type.IsPrimitive || type == typeof(string) || type.IsEnum)
            {
                continue;
            }

            Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(type));
            foreach (Type argument in type.GetGenericArguments())
            {
                pending.Push(argument);
            }

            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                pending.Push(field.FieldType.IsArray ? field.FieldType.GetElementType()! : field.FieldType);
            }
        }

        Assert.Contains(typeof(PipelineModel), seen);
        Assert.Contains(typeof(StageModel), seen);
        Assert.Contains(typeof(BoundarySegment), seen);
        Assert.Contains(typeof(RecordType), seen);
    }

    private static Compilation Replace(Compilation compilation, string path, string text)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, (CSharpParseOptions)old.Options, path));
    }

    private static void AssertSteps(GeneratorRunResult run, string step, params IncrementalStepRunReason[] allowed)
    {
        Assert.True(run.TrackedSteps.TryGetValue(step, out var steps), $"No tracked step named {step}.");
        foreach (IncrementalGeneratorRunStep runStep in steps)
        {
            foreach ((object _, IncrementalStepRunReason reason) in runStep.Outputs)
            {
                Assert.True(allowed.Contains(reason), $"Step {step} ran with reason {reason}; expected one of {string.Join(", ", allowed)}.");
            }
        }
    }

    private static void AssertOutputs(GeneratorRunResult run, IncrementalStepRunReason expected)
    {
        IncrementalGeneratorRunStep[] outputs = run.TrackedOutputSteps.SelectMany(o => o.Value).ToArray();
        Assert.NotEmpty(outputs);
        Assert.Contains(outputs, o => o.Outputs.Any(output => output.Reason == expected));
        if (expected == IncrementalStepRunReason.Cached)
        {
            Assert.All(outputs, o => Assert.All(o.Outputs, output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason)));
        }
    }
}
