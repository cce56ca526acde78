using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Shapes;

/// <summary>
/// Ordinary ways to declare a pipeline that once broke the generated code. Each must generate code that compiles
/// with no diagnostic at all: no CMP diagnostic, and no C# error or warning in the generated file.
/// </summary>
public class CompilesCleanlyTests
{
    private const string Usings = "using Compiled;\n";

    [Fact]
    public void Sink_OfRefStructThatFormatsItself() => AssertCompilesCleanly("""
        public readonly ref struct Word : IUtf8SpanFormattable
        {
            private readonly ReadOnlySpan<byte> _bytes;
            public Word(ReadOnlySpan<byte> bytes) => _bytes = bytes;
            public bool TryFormat(Span<byte> destination, out int written, ReadOnlySpan<char> format, IFormatProvider? provider)
            {
                written = _bytes.Length;
                return _bytes.TryCopyTo(destination);
            }
            public string ToString(string? format, IFormatProvider? provider) => "";
        }

        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static Word ToWord(ReadOnlySpan<byte> line) => new(line);
            [Sink] public static partial void Output(Word word);
        }
        """);

    /// <summary>Runs the generator and asserts that it produced a file and that nothing at all was reported.</summary>
    internal static string AssertCompilesCleanly(string source)
    {
        var (result, output, generatorDiagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Usings + source));
        Assert.Empty(generatorDiagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output).Select(d => d.ToString()));
        GeneratedSourceResult generated = Assert.Single(Assert.Single(result.Results).GeneratedSources);
        return generated.SourceText.ToString();
    }
}
