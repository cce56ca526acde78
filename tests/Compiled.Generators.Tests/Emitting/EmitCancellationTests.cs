using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Emitting;

/// <summary>The emit step stops when the compiler cancels it, and writes the same text when it does not.</summary>
public class EmitCancellationTests
{
    [Fact]
    public void Emit_CancelledToken_Throws()
    {
        PipelineModel model = WordCountModel();

        Assert.ThrowsAny<OperationCanceledException>(() => PipelineGenerator.Emitter.Emit(model, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Emit_TokenNotCancelled_WritesWhatTheGeneratorAdds()
    {
        Compilation compilation = GeneratorHarness.CreateCompilationFromFiles(("/src/WordCount.cs", File.ReadAllText(GeneratorHarness.InputPath("WordCount"))));
        GeneratorRunResult run = Assert.Single(GeneratorHarness.Run(compilation).Result.Results);

        string text = PipelineGenerator.Emitter.Emit(WordCountModel(), TestContext.Current.CancellationToken);

        Assert.Equal(Assert.Single(run.GeneratedSources).SourceText.ToString(), text);
    }

    // The model of the word count sample, as the generator's Model step yields it.
    private static PipelineModel WordCountModel()
    {
        Compilation compilation = GeneratorHarness.CreateCompilationFromFiles(("/src/WordCount.cs", File.ReadAllText(GeneratorHarness.InputPath("WordCount"))));
        GeneratorRunResult run = Assert.Single(GeneratorHarness.Run(compilation).Result.Results);
        IncrementalGeneratorRunStep step = Assert.Single(run.TrackedSteps[TrackingNames.Model]);
        return Assert.IsType<PipelineModel>(Assert.Single(step.Outputs).Value);
    }
}
