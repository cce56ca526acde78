namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>
/// CMP0004 proposes only what the pipeline can have: the parameters that take what the stage above emits, and "make
/// 'X' emit ..." only where X chooses what it emits and could emit that (a reduce emits what it reads, and a key is a
/// byte span or a struct, never a string).
/// </summary>
public class MismatchAdviceTests
{
    private const string Usings = "using Compiled;\n";

    [Fact]
    public void CMP0004_SinkWithAStringKeyBelowAByteKeyedReduce_IsToldTheKeyAndValueItGets() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [FlatMap] public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKey] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output([|string|] key, int count);
        }
        """,
        "CMP0004",
        "Stage 'Output' takes a key 'string' and a value 'int' but 'Add' emits 'KeyValue<long>'; change Output's parameters to (ReadOnlySpan<byte> key, long count)");

    [Fact]
    public void CMP0004_StageTakingTheWholeRecordOfAKeyedStream_IsToldBothForms() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKey] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output([|KeyValue<int>|] pair);
        }
        """,
        "CMP0004",
        "Stage 'Output' takes 'KeyValue<int>' but 'Add' emits 'KeyValue<long>'; change Output's parameters to (KeyValue<long> pair) or (ReadOnlySpan<byte> key, long value)");

    [Fact]
    public void CMP0004_BelowAMapThatCouldEmitIt_OffersBoth() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static (int Length, long One) Pair(ReadOnlySpan<byte> line) => (line.Length, 1);
            [Sink] public static partial void Output([|string|] key, long count);
        }
        """,
        "CMP0004",
        "Stage 'Output' takes a key 'string' and a value 'long' but 'Pair' emits '(int Length, long One)'; change Output's parameters to (int key, long count), or make 'Pair' emit a key 'string' and a value 'long'");

    [Fact]
    public void CMP0004_BelowAFilter_DoesNotAskTheFilterToEmitAnotherType() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<long> Input();
            [Filter] public static bool Positive(long value) => value > 0;
            [Sink] public static partial void Output([|int|] value);
        }
        """,
        "CMP0004",
        "Stage 'Output' takes 'int' but 'Positive' emits 'long'; change Output's parameters to (long value)");

    [Fact]
    public void CMP0004_ReduceOfOtherValues_IsToldItsSignature() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKey] public static int Add([|int|] a, int b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, int count);
        }
        """,
        "CMP0004",
        "Stage 'Add' takes values of type 'int' but 'Pair' emits 'KeyValue<long>' (values of type 'long'); change Add to static long Add(long a, long b), or make 'Pair' emit values of type 'int'");

    [Fact]
    public void CMP0004_ReduceBelowAFilter_IsToldOnlyItsSignature() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [Filter] public static bool Short(ReadOnlySpan<byte> word, long one) => word.Length < 10;
            [ReduceByKey] public static int Add([|int|] a, int b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, int count);
        }
        """,
        "CMP0004",
        "Stage 'Add' takes values of type 'int' but 'Short' emits 'KeyValue<long>' (values of type 'long'); change Add to static long Add(long a, long b)");

    [Fact]
    public void CMP0004_ReduceByWindowOfOtherRecords_IsToldItsSignature() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<long> Input();
            [ReduceByWindow(Length = "3s")] public static int Sum([|int|] a, int b) => a + b;
            [Sink] public static partial void Output(int total);
        }
        """,
        "CMP0004",
        "Stage 'Sum' takes 'int' but 'Input' emits 'long'; change Sum to static long Sum(long a, long b)");

    [Fact]
    public void CMP0003_BelowAGroupByKey_SuggestsASinkOfTheGroups() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class [|Job|]
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [GroupByKey] public static partial Grouped<long> Groups(ReadOnlySpan<byte> word, long one);
        }
        """,
        "CMP0003",
        "Pipeline 'Job' has no sink, so its output goes nowhere; declare one, e.g. [Sink(Default = \"console\")] public static partial void Output(Grouped<long> record);");
}
