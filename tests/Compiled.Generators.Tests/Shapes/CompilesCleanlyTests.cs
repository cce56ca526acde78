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

    [Fact]
    public void Stages_WithDefaultPrivateAccessibility() => AssertCompilesCleanly("""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Filter] static bool NotEmpty(ReadOnlySpan<byte> line) => !line.IsEmpty;
            [Map] private static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKey] static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """);

    [Fact]
    public void Pipeline_NestedPrivatelyInAnotherClass() => AssertCompilesCleanly("""
        public static partial class Outer
        {
            [Pipeline]
            private static partial class Job
            {
                [Source] public static partial Lines Input();
                [Filter] public static bool NotEmpty(ReadOnlySpan<byte> line) => !line.IsEmpty;
                [Sink] public static partial void Output(ReadOnlySpan<byte> line);
            }
        }
        """);

    [Fact]
    public void Key_IsAPrivateNestedRecordStruct() => AssertCompilesCleanly("""
        [Pipeline]
        public static partial class Job
        {
            private readonly record struct Length(int Bytes);

            [Source] public static partial Lines Input();
            [Map] static (Length Length, long One) Pair(ReadOnlySpan<byte> line) => (new Length(line.Length), 1);
            [ReduceByKey] static long Add(long a, long b) => a + b;
            [Sink] private static partial void Totals((Length Length, long Count) total);
            [CountByValue(Input = nameof(Pair))] static Length Lengths(Length length, long one) => length;
            [Sink] private static partial void Counts(Length length, long count);
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
