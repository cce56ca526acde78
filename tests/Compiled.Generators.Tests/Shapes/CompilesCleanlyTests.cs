using Microsoft.CodeAnalysis.CSharp;

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

    [Theory]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("0ms")]
    public void EventTime_WithNoLateness(string lateness) => AssertCompilesCleanly($$"""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(long Time, int User)> Input();
            [EventTime(Lateness = "{{lateness}}")] public static long At((long Time, int User) click) => click.Time;
            [Sink] public static partial void Output((long Time, int User) click);
        }
        """);

    [Fact]
    public void SourcesAndSinks_NamedLikeTheTestDriversMembers() => AssertCompilesCleanly("""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines BatchCommitted();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> line) => new(line, 1);
            [UpdateStateByKey] public static long? BatchCompleted(ReadOnlySpan<long> values, long? total) => (total ?? 0) + values.Length;
            [Sink] public static partial void LastProgress(ReadOnlySpan<byte> line, long total);
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

    [Fact]
    public void Stage_NamedWithAKeyword() => AssertCompilesCleanly("""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines @event();
            [Filter] public static bool @checked(ReadOnlySpan<byte> line) => !line.IsEmpty;
            [Map] public static KeyValue<long> @class(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKey] public static long @int(long a, long b) => a + b;
            [Sink] public static partial void @return(ReadOnlySpan<byte> word, long count);
        }
        """);

    [Fact]
    public void Pipeline_AndItsNamespaceNamedWithKeywords() => AssertCompilesCleanly("""
        namespace @event.@base;

        public static partial class @in
        {
            [Pipeline]
            public static partial class @class
            {
                [Source] public static partial Lines Input();
                [Sink] public static partial void Output(ReadOnlySpan<byte> line);
            }
        }
        """);

    [Theory]
    [InlineData("record")]
    [InlineData("sealed record class")]
    public void Pipeline_IsARecordClass(string keywords) => AssertCompilesCleanly($$"""
        [Pipeline]
        public {{keywords.Replace("record", "partial record")}} Job
        {
            [Source] public static partial Lines Input();
            [Filter] static bool NotEmpty(ReadOnlySpan<byte> line) => !line.IsEmpty;
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """);

    [Theory]
    [InlineData("public", "")]
    [InlineData("internal", "private")]
    [InlineData("private", "internal")]
    [InlineData("protected internal", "private protected")]
    [InlineData("internal", "protected")]
    public void SourceAndSink_WithTheAccessModifierAsWritten(string source, string sink) => AssertCompilesCleanly($$"""
        [Pipeline]
        public partial class Job
        {
            [Source] {{source}} static partial Lines Input();
            [Sink] {{sink}} static partial void Output(ReadOnlySpan<byte> line);
        }
        """);

    [Theory]
    [InlineData("int")]
    [InlineData("Guid")]
    [InlineData("DateTime")]
    [InlineData("(int, int)")]
    [InlineData("Point")]
    [InlineData("Hashed")]
    [InlineData("Level")]
    public void Key_HashesWithoutBoxing(string key) => AssertCompilesCleanly($$"""
        public readonly record struct Point(int X, int Y);

        public enum Level { Info, Warning, Error }

        public readonly struct Hashed(int value) : IEquatable<Hashed>
        {
            public bool Equals(Hashed other) => value == other.Value;
            public override bool Equals(object? obj) => obj is Hashed other && Equals(other);
            public override int GetHashCode() => value;
            public int Value => value;
        }

        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static ({{key}} Key, long One) Pair(ReadOnlySpan<byte> line) => (default, 1);
            [ReduceByKey] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output(({{key}} Key, long Count) total);
            [CountByValue(Input = nameof(Pair))] public static {{key}} Keys({{key}} key, long one) => key;
            [Sink] public static partial void Counts({{key}} key, long count);
        }
        """);

    [Theory]
    [InlineData("long?")]
    [InlineData("(long Id, int Count)?")]
    [InlineData("System.DateTime?")]
    public void Sink_OfAGroupOfNullableValues(string value) => AssertCompilesCleanly($$"""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(int User, long Click)> Input();
            [Map] public static (int User, {{value}} Value) Pair((int User, long Click) click) => (click.User, default);
            [GroupByKey] public static partial Grouped<int, {{value}}> Clicks(int user, {{value}} value);
            [Sink] public static partial void Output(Grouped<int, {{value}}> group);
        }
        """);

    [Fact]
    public void Sink_NamedText() => AssertCompilesCleanly("""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static int Length(ReadOnlySpan<byte> line) => line.Length;
            [Sink] public static partial void Text(int length);
        }
        """);

    [Fact]
    public void Stages_DifferingOnlyInCase() => AssertCompilesCleanly("""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Count(ReadOnlySpan<byte> line) => new(line, 1);
            [ReduceByKey] public static long count(long a, long b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> line, long n);
            [Map(Input = nameof(Count))] public static int COUNT(ReadOnlySpan<byte> line, long one) => line.Length;
            [CountByValue] public static int cOUNT(int length) => length;
            [Sink] public static partial void Lengths(int length, long n);
        }
        """);

    [Fact]
    public void Stages_NamedLikeGeneratedHelpers() => AssertCompilesCleanly("""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> w) => new(w, 1);
            [ReduceByKey] public static long Add(long a, long b) => a + b;
            [Map(Input = nameof(Pair))] public static long AddSlot(ReadOnlySpan<byte> w, long one) => one;
            [Map] public static long AddExists(long n) => n;
            [Map] public static long AddIndex(long n) => n;
            [Map] public static long InputLoop(long n) => n;
            [Map] public static long _add(long n) => n;
            [Map] public static long _inputFramer(long n) => n;
            [Map] public static long Buffer(long n) => n;
            [Map] public static long Context(long n) => n;
            [Map] public static long _(long n) => n;
            [Sink] public static partial void Output(long n);
            [CountByValue(Input = nameof(_))] public static long Values(long n) => n;
            [Sink] public static partial void ValueCounts(long n, long count);
            [Sink(Input = nameof(Add))] public static partial void Counts(ReadOnlySpan<byte> w, long n);
        }
        """);

    public static TheoryData<string> ContextualKeywords() =>
        new(SyntaxFacts.GetContextualKeywordKinds().Select(SyntaxFacts.GetText).Where(k => k.Length > 0 && char.IsLetter(k[0])).Distinct().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ContextualKeywords))]
    public void Stages_NamedWithAContextualKeyword(string keyword) => AssertCompilesCleanly($$"""
        [Pipeline]
        public static partial class MapNamedSo
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> {{keyword}}(ReadOnlySpan<byte> w) => new(w, 1);
            [ReduceByKey] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> w, long n);
        }

        [Pipeline]
        public static partial class SourceNamedSo
        {
            [Source] public static partial Lines {{keyword}}();
            [FlatMap] public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');
            [Sink] public static partial void Output(ReadOnlySpan<byte> w);
        }

        [Pipeline]
        public static partial class ReduceNamedSo
        {
            [Source] public static partial Lines Input();
            [Map] public static (int Length, long One) Pair(ReadOnlySpan<byte> w) => (w.Length, 1);
            [ReduceByKey] public static long {{keyword}}(long a, long b) => a + b;
            [Sink] public static partial void Output(int length, long n);
        }
        """, generatedFiles: 3);

    [Fact]
    public void Reduce_AfterReduce_WithABranch() => AssertCompilesCleanly("""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> w) => new(w, 1);
            [ReduceByKey] public static long Add(long a, long b) => a + b;
            [Map] public static (long Count, long One) ByCount(ReadOnlySpan<byte> w, long c) => (c, 1);
            [ReduceByKey] public static long Sum(long a, long b) => a + b;
            [Sink] public static partial void Output(long count, long words);
            [Sink(Input = nameof(Pair))] public static partial void Raw(ReadOnlySpan<byte> w, long one);
        }
        """);

    [Fact]
    public void Pipeline_BesideATypeNamedLikeItsJob() => AssertCompilesCleanly("""
        public class JobJob { }

        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """);

    /// <summary>Runs the generator and asserts that it produced a file and that nothing at all was reported.</summary>
    internal static void AssertCompilesCleanly(string source, int generatedFiles = 1)
    {
        var (result, output, generatorDiagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Usings + source));
        string problems = string.Join("\n", generatorDiagnostics.Concat(GeneratorHarness.CompilerProblems(output)).Select(d => d.ToString()));
        Assert.True(problems.Length == 0, problems);
        Assert.Equal(generatedFiles, Assert.Single(result.Results).GeneratedSources.Length);
    }
}
