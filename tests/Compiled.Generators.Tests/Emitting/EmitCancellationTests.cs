using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Emitting;

/// <summary>The emit step stops when the compiler cancels it, and writes the same text when it does not.</summary>
public class EmitCancellationTests
{
    [Fact]
    public void Emit_CancelledToken_Throws()
    {
        PhysicalPlan plan = WordCountPlan();

        Assert.ThrowsAny<OperationCanceledException>(() => PipelineGenerator.Emitter.Emit(plan, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Emit_TokenNotCancelled_WritesWhatTheGeneratorAdds()
    {
        Compilation compilation = GeneratorHarness.CreateCompilationFromFiles(("/src/WordCount.cs", File.ReadAllText(GeneratorHarness.InputPath("WordCount"))));
        GeneratorRunResult run = Assert.Single(GeneratorHarness.Run(compilation).Result.Results);

        string text = PipelineGenerator.Emitter.Emit(WordCountPlan(), TestContext.Current.CancellationToken);

        Assert.Equal(Assert.Single(run.GeneratedSources).SourceText.ToString(), text);
    }

    // The plan of the word count sample, as the generator's Plan step yields it.
    private static PhysicalPlan WordCountPlan()
    {
        Compilation compilation = GeneratorHarness.CreateCompilationFromFiles(("/src/WordCount.cs", File.ReadAllText(GeneratorHarness.InputPath("WordCount"))));
        GeneratorRunResult run = Assert.Single(GeneratorHarness.Run(compilation).Result.Results);
        IncrementalGeneratorRunStep step = Assert.Single(run.TrackedSteps[TrackingNames.Plan]);
        return Assert.IsType<PhysicalPlan>(Assert.Single(step.Outputs).Value);
    }
}
