using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>
/// Checks one diagnostic of the generator or of the analyzers that ship with it: its id, its exact location
/// (marked in the source with <c>[|</c> and <c>|]</c>) and its whole message.
/// </summary>
internal static class DiagnosticVerifier
{
    public static void Verify(string markup, string id, string message, bool compilesOtherwise = true)
    {
        int start = markup.IndexOf("[|", StringComparison.Ordinal);
        int end = markup.IndexOf("|]", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "The test source must mark the expected location with [| and |].");
        string source = markup.Remove(end, 2).Remove(start, 2);
        var expectedSpan = new TextSpan(start, end - start - 2);

        var (_, output, generated) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        ImmutableArray<Diagnostic> diagnostics = generated.AddRange(GeneratorHarness.AnalyzerDiagnostics(output));
        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        Assert.Equal(expectedSpan, diagnostic.Location.SourceSpan);
        Assert.Equal("/src/Input0.cs", diagnostic.Location.SourceTree?.FilePath);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.DoesNotContain(diagnostics, d => d.Id.StartsWith("CMP", StringComparison.Ordinal) && d.Id != id);

        if (compilesOtherwise)
        {
            // The generator implements the partial members even for a broken pipeline, so the user sees its
            // diagnostic and nothing else.
            Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        }
    }
}
