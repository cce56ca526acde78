using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Emitting;

/// <summary>
/// Which sliding event windows keep panes (one table per slice, which each record updates once): those over integer
/// values and tuples of them, which regroup exactly; a float or a decimal anywhere in the value keeps a table per window.
/// </summary>
public class PaneEmitTests
{
    [Theory]
    [InlineData("long", true)]
    [InlineData("(long Count, int Max)", true)]
    [InlineData("(long Count, (int Min, int Max) Range)", true)]
    [InlineData("double", false)]
    [InlineData("(long Count, double Sum)", false)]
    [InlineData("(long Count, decimal Sum)", false)]
    public void SlidingWindow_KeepsPanes_OnlyForValuesThatRegroupExactly(string value, bool panes)
    {
        string source = $$"""
            using Compiled;

            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines Input();
                [EventTime(Lateness = "1s")] public static long At(ReadOnlySpan<byte> line) => line.Length;
                [Map] public static KeyValue<{{value}}> Pair(ReadOnlySpan<byte> line) => new(line, default);
                [EventWindow(Size = "10s", Slide = "2s")] public static {{value}} Fold({{value}} a, {{value}} b) => b;
                [Sink] public static partial void Out(Windowed<{{value}}> folded);
            }
            """;
        var (_, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error));
        string generated = string.Concat(output.SyntaxTrees.Select(t => t.GetText(TestContext.Current.CancellationToken).ToString()));
        Assert.Equal(panes, generated.Contains("global::Compiled.Windows.EventWindowPanes<", StringComparison.Ordinal));
    }
}
