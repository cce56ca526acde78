namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>One test per diagnostic id: the id, the location and the message a user sees.</summary>
public class DiagnosticTests
{
    private const string Usings = "using Compiled;\n";

    [Fact]
    public void CMP0001_PipelineNotPartial() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static class [|Job|]
        {
            [Source] public static Lines Input() => null!;
            [Sink] public static void Output(ReadOnlySpan<byte> line) { }
        }
        """,
        "CMP0001",
        "Pipeline 'Job' must be declared partial so that its loop can be generated into it; add the 'partial' keyword to the declaration of 'Job'");

    [Fact]
    public void CMP0001_ContainingTypeNotPartial() => DiagnosticVerifier.Verify(Usings + """
        public class [|Outer|]
        {
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines Input();
                [Sink] public static partial void Output(ReadOnlySpan<byte> line);
            }
        }
        """,
        "CMP0001",
        "Pipeline 'Job' must be declared partial so that its loop can be generated into it; add the 'partial' keyword to the declaration of 'Outer'",
        compilesOtherwise: false);

    [Fact]
    public void CMP0002_PipelineHasNoSource() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class [|Job|]
        {
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0002",
        "Pipeline 'Job' has no source; declare one, e.g. [Source(Default = \"tcp://localhost:9999\")] public static partial Lines Input();");

    [Fact]
    public void CMP0003_PipelineHasNoSink() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class [|Job|]
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<int> Pair(ReadOnlySpan<byte> word) => new(word, 1);
        }
        """,
        "CMP0003",
        "Pipeline 'Job' has no sink, so its output goes nowhere; declare one, e.g. [Sink(Default = \"console\")] public static partial void Output(ReadOnlySpan<byte> key, int value);");

    [Fact]
    public void CMP0004_StageInputMismatch() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static int Length(ReadOnlySpan<byte> line) => line.Length;
            [Map] public static long Twice([|string|] text) => text.Length * 2L;
            [Sink] public static partial void Output(long value);
        }
        """,
        "CMP0004",
        "Stage 'Twice' takes 'string' but 'Length' emits 'int'; change Twice's parameters to (int text), or make 'Length' emit 'string'");

    [Fact]
    public void CMP0004_SinkInputMismatch() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKey] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, [|int|] count);
        }
        """,
        "CMP0004",
        "Stage 'Output' takes a key 'ReadOnlySpan<byte>' and a value 'int' but 'Add' emits 'KeyValue<long>'; change Output's parameters to (ReadOnlySpan<byte> word, long count)");

    [Fact]
    public void CMP0005_OperatorNotStatic() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public partial class Job
        {
            [Source] public static partial Lines Input();
            [Filter] public bool [|Long|](ReadOnlySpan<byte> line) => line.Length > 10;
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0005",
        "Stage 'Long' must be static: the generated loop calls it directly, without an instance; add the 'static' keyword to 'Long'");

    [Fact]
    public void CMP0006_UnsupportedOperatorSignature() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Filter] public static int [|Long|](ReadOnlySpan<byte> line) => line.Length;
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0006",
        "Stage 'Long' has a signature a [Filter] cannot have: it returns 'int', but a filter returns bool: static bool Long(T record)");

    [Fact]
    public void CMP0006_ReduceWithDifferentTypes() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKey] public static long [|Add|](long a, int b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """,
        "CMP0006",
        "Stage 'Add' has a signature a [ReduceByKey] cannot have: a reduce function combines two values of one type into one: static V Add(V a, V b)");

    [Fact]
    public void CMP0007_UnknownUriScheme() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source(Default = [|"kafk://localhost:9092/words"|])] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0007",
        "The default URI 'kafk://localhost:9092/words' of source 'Input' has an unknown scheme 'kafk'; use one of: tcp://host:port, file:///path/to/file.txt, file:///logs/*.log or file:///incoming/, stdin:, or reference the connector package that declares 'kafk'");

    [Fact]
    public void CMP0007_UnknownSinkScheme() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Sink(Default = [|"stdout"|])] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0007",
        "The default URI 'stdout' of sink 'Output' has an unknown scheme 'stdout'; use one of: console or console?num=20, file:///out/prefix?suffix=txt, or reference the connector package that declares 'stdout'");

    [Fact]
    public void CMP0008_MultipleSources() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Clicks();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
            [Source] public static partial Lines [|Views|]();
            [Sink] public static partial void ViewsOutput(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0008",
        "Pipeline 'Job' reads source 'Views' besides 'Clicks', but no stage combines their streams, so it is two pipelines in one; combine them with [Union], [Join], [Cogroup] or [TransformWith] (Input and Other naming a stage of each), or move 'Views' to a pipeline of its own");

    [Fact]
    public void CMP0009_SourceSignature() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial string [|Input|]();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0009",
        "Source 'Input' must be declared 'public static partial Lines Input();', without parameters or a body: it returns 'string', but a source returns Lines (newline-delimited records) or Lines<T> (each line parsed as a T)");

    [Fact]
    public void CMP0009_TypedSourceThatCannotBeParsed() => DiagnosticVerifier.Verify(Usings + """
        public sealed class Order { }

        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<Order> [|Orders|]();
            [Sink] public static partial void Output(Order order);
        }
        """,
        "CMP0009",
        "Source 'Orders' must be declared 'public static partial Lines Orders();', without parameters or a body: a line cannot be read as 'Order'; use string, DateTime or DateTimeOffset (dates and times in ISO 8601), a type that implements IUtf8SpanParsable<T> (int, long, double, decimal, Guid, or your own), or a tuple of those, written as comma-separated fields");

    [Fact]
    public void CMP0009_SourceWithoutAccessModifier() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] static partial Lines [|Input|]();
            [Sink] static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0009",
        "Source 'Input' must be declared 'public static partial Lines Input();', without parameters or a body: it has no access modifier, which C# requires of a partial method that returns a value; add 'public' or 'internal'",
        compilesOtherwise: false);

    [Fact]
    public void CMP0010_SinkSignature() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Sink] public static void [|Output|](ReadOnlySpan<byte> line) { }
        }
        """,
        "CMP0010",
        "Sink 'Output' must be declared 'public static partial void Output(...)' without a body, taking the record or its key and value: declare it 'partial' with no body; the body is generated");

    [Fact]
    public void CMP0010_SinkWithRefParameter() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void [|Output|](ref ReadOnlySpan<byte> line);
        }
        """,
        "CMP0010",
        "Sink 'Output' must be declared 'public static partial void Output(...)' without a body, taking the record or its key and value: parameter 'line' is passed by ref; take it by value");

    [Fact]
    public void CMP0011_UnknownStageInput() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Filter(Input = [|"Lines"|])] public static bool Long(ReadOnlySpan<byte> line) => line.Length > 10;
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0011",
        "Stage 'Long' reads Input = \"Lines\", but no stage has that name; name a stage declared above 'Long', such as nameof(Input)");

    [Fact]
    public void CMP0012_InvalidBatchInterval() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline(BatchInterval = [|"1 second"|])]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0012",
        "Batch interval '1 second' of pipeline 'Job' is not a duration; write a number and a unit (ms, s, m or h), e.g. 500ms, 1s, 2m");

    [Fact]
    public void CMP0013_KeyedInputRequired() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static long Length(ReadOnlySpan<byte> line) => line.Length;
            [ReduceByKey] public static long [|Add|](long a, long b) => a + b;
            [Sink] public static partial void Output(long total);
        }
        """,
        "CMP0013",
        "Stage 'Add' works per key, but 'Length' emits 'long', which has no key; add a [Map] before 'Add' that returns KeyValue<V> (a byte-span key) or a (TKey, TValue) tuple whose key is a string or a struct with value equality");

    [Fact]
    public void CMP0014_UnsupportedKeyType() => DiagnosticVerifier.Verify(Usings + """
        public sealed class Symbol { public string Name = ""; }

        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static (Symbol Symbol, long One) Pair(ReadOnlySpan<byte> word) => (new Symbol(), 1);
            [ReduceByKey] public static long [|Add|](long a, long b) => a + b;
            [Sink] public static partial void Output((Symbol Symbol, long Count) pair);
        }
        """,
        "CMP0014",
        "Stage 'Add' keys records by 'Symbol', which is neither a byte span, a string, Utf8Text nor a struct with value equality; key by bytes (KeyValue<V>), by a string, or by a struct that implements IEquatable<T>");

    [Fact]
    public void CMP0014_KeyHoldingUtf8TextInAReadonlyField() => DiagnosticVerifier.Verify(Usings + """
        [Record]
        public partial struct Trade
        {
            public Utf8Text Symbol;
            public long Volume;
        }

        public readonly struct Listing : IEquatable<Listing>
        {
            public readonly Utf8Text Symbol;
            public Listing(Utf8Text symbol) => Symbol = symbol;
            public bool Equals(Listing other) => Symbol.Equals(other.Symbol);
            public override bool Equals(object? obj) => obj is Listing other && Equals(other);
            public override int GetHashCode() => Symbol.GetHashCode();
        }

        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<Trade> Input();
            [Map] public static ((Listing Listing, int Venue) Key, long Volume) Pair(Trade trade) => ((new Listing(trade.Symbol), 0), trade.Volume);
            [ReduceByKey] public static long [|Add|](long a, long b) => a + b;
            [Sink] public static partial void Output(((Listing Listing, int Venue) Key, long Volume) total);
        }
        """,
        "CMP0014",
        "Stage 'Add' keys records by '(Listing Listing, int Venue)', which holds a Utf8Text ('Listing.Symbol'), a slice of the source's buffer that the next record reuses, and the table cannot take its own copy of the key: its field 'Symbol' is readonly, so its text cannot be copied into a key of the table's own; make the members settable (a field, or a property with set or init: a record struct's are), key by the text alone, or make that member a string (text.ToString())");

    [Fact]
    public void StringAndUtf8TextKeys_AreAccepted()
    {
        // The keys CMP0014 used to refuse: a string, a Utf8Text alone, a tuple and a record struct holding Utf8Text.
        // None is reported (the jobs of Compiled.Tests' StringKeyPipelines and TextKeyPipelines compile and run with
        // them; this harness runs no [Record] generator).
        string source = Usings + """
            [Record]
            public partial struct Trade
            {
                public Utf8Text Symbol;
                public long Volume;
            }

            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines<Trade> Input();
                [Map] public static (string Symbol, long Volume) Named(Trade trade) => (trade.Symbol.ToString(), trade.Volume);
                [ReduceByKey] public static long Add(long a, long b) => a + b;
                [Sink] public static partial void Output((string Symbol, long Volume) total);
                [Map(Input = nameof(Input))] public static (Utf8Text Symbol, long Volume) Sliced(Trade trade) => (trade.Symbol, trade.Volume);
                [UpdateStateByKey] public static long? Total(ReadOnlySpan<long> volumes, long? total) => (total ?? 0) + volumes.Length;
                [Sink] public static partial void Totals((Utf8Text Symbol, long Volume) total);
                [Map(Input = nameof(Input))] public static ((Utf8Text Symbol, int Venue) Listing, long Volume) Paired(Trade trade) => ((trade.Symbol, 0), trade.Volume);
                [ReduceByKey] public static long AddPaired(long a, long b) => a + b;
                [Sink] public static partial void PairedOut(((Utf8Text Symbol, int Venue) Listing, long Volume) total);
                [Map(Input = nameof(Input))] public static (Listing Listing, long Volume) Listed(Trade trade) => (new Listing(trade.Symbol, 0), trade.Volume);
                [ReduceByKey] public static long AddListed(long a, long b) => a + b;
                [Sink] public static partial void ListedOut((Listing Listing, long Volume) total);
            }

            public readonly record struct Listing(Utf8Text Symbol, int Venue);
            """;
        var (_, output, generated) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.Empty(generated.AddRange(GeneratorHarness.AnalyzerDiagnostics(output)).Where(d => d.Id.StartsWith("CMP", StringComparison.Ordinal)));
    }

    [Fact]
    public void NullableStringKey_CompilesWithoutWarnings()
    {
        // A key annotated string? (a map that may give null): the job compiles without a nullability warning, and its
        // tables keep a null key apart from "".
        string source = Usings + """
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines Input();
                [Map] public static (string? Word, long One) Pair(ReadOnlySpan<byte> word) => (word.IsEmpty ? null : System.Text.Encoding.UTF8.GetString(word), 1);
                [ReduceByKey] public static long Add(long a, long b) => a + b;
                [Sink] public static partial void Output((string? Word, long Count) pair);
                [UpdateStateByKey(Input = nameof(Pair))] public static long? Total(ReadOnlySpan<long> ones, long? total) => (total ?? 0) + ones.Length;
                [Sink] public static partial void Totals((string? Word, long Count) total);
            }
            """;
        var (_, output, generated) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.Empty(generated);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
    }

    [Fact]
    public void CMP0015_StageOutsidePipeline() => DiagnosticVerifier.Verify(Usings + """
        public static class Helpers
        {
            [[|Map|]] public static int Length(ReadOnlySpan<byte> line) => line.Length;
        }
        """,
        "CMP0015",
        "'Length' has a [Map] attribute, but its class 'Helpers' is not a pipeline; add [Pipeline] to 'Helpers', or remove the attribute");

    [Fact]
    public void CMP0015_StageInAClassNestedInAPipeline() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);

            public static class Helpers
            {
                [[|Filter|]] public static bool Keep(ReadOnlySpan<byte> line) => line.Length > 1;
            }
        }
        """,
        "CMP0015",
        "'Keep' has a [Filter] attribute, but its class 'Helpers' is not a pipeline; add [Pipeline] to 'Helpers', or remove the attribute");

    [Fact]
    public void CMP0016_DuplicateStageName() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Filter] public static bool Keep(ReadOnlySpan<byte> line) => line.Length > 1;
            [Filter] public static bool [|Keep|](ReadOnlySpan<byte> line, int unused) => true;
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0016",
        "Two stages are named 'Keep'; a stage's name identifies it in Input and in messages, so rename one of them");

    [Fact]
    public void CMP0017_MultipleStageAttributes() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Filter, Map] public static bool [|Keep|](ReadOnlySpan<byte> line) => line.Length > 1;
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0017",
        "'Keep' has both [Filter] and [Map]; a method is one stage, so keep one of the attributes");

    [Fact]
    public void CMP0018_StageOutputUnused() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
            [Map] public static int [|Length|](ReadOnlySpan<byte> line) => line.Length;
        }
        """,
        "CMP0018",
        "Nothing reads the output of stage 'Length'; add a [Sink] or another stage below it, or name it in a stage's Input");

    [Fact]
    public void CMP0019_FlatMapAllocates() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [FlatMap] public static byte[] [|Bytes|](ReadOnlySpan<byte> line) => line.ToArray();
            [Sink] public static partial void Output(byte value);
        }
        """,
        "CMP0019",
        "[FlatMap] 'Bytes' returns 'byte[]', a reference type, so every record allocates; return a struct or ref struct enumerable such as Utf8Words");

    [Fact]
    public void CMP0020_UnprintableRecord() => DiagnosticVerifier.Verify(Usings + """
        public ref struct Window(ReadOnlySpan<byte> bytes) { public ReadOnlySpan<byte> Bytes = bytes; }

        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static Window Wrap(ReadOnlySpan<byte> line) => new(line);
            [Sink] public static partial void [|Output|](Window window);
        }
        """,
        "CMP0020",
        "Sink 'Output' receives 'Window', a ref struct that cannot be written as text; implement IUtf8SpanFormattable on it, or map it to another type before the sink");

    [Fact]
    public void CMP0021_PipelineIsGeneric() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class [|Job|]<T>
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0021",
        "Pipeline 'Job' has type parameters, which a pipeline cannot have; remove them from 'Job' and from the types that contain it",
        compilesOtherwise: false);

    [Fact]
    public void CMP0022_StageBeforeSource() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Map] public static int [|Length|](ReadOnlySpan<byte> line) => line.Length;
            [Sink] public static partial void Output(int length);
            [Source] public static partial Lines Input();
        }
        """,
        "CMP0022",
        "Stage 'Length' is declared above the source 'Input', so it has nothing to read; move the [Source] 'Input' above 'Length', since a stage reads the stage declared above it");

    [Fact]
    public void CMP0022_SinkBeforeSource() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Sink] public static partial void [|Output|](ReadOnlySpan<byte> line);
            [Source] public static partial Lines Input();
        }
        """,
        "CMP0022",
        "Stage 'Output' is declared above the source 'Input', so it has nothing to read; move the [Source] 'Input' above 'Output', since a stage reads the stage declared above it");

    [Fact]
    public void CMP0023_ReservedMemberName() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Filter] public static bool [|Definition|](ReadOnlySpan<byte> line) => true;
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0023",
        "Pipeline 'Job' gets a generated property named 'Definition'; rename your method 'Definition'");

    [Fact]
    public void CMP0023_RunAsyncWithTheGeneratedSignature() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
            public static Task<int> [|RunAsync|](string[] arguments) => Task.FromResult(0);
        }
        """,
        "CMP0023",
        "Pipeline 'Job' gets a generated method named 'RunAsync'; rename your method 'RunAsync'");

    [Fact]
    public void CMP0023_JobClassName() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public partial class Words
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
            public int [|WordsJob|] { get; set; }
        }
        """,
        "CMP0023",
        "Pipeline 'Words' gets a generated class named 'WordsJob'; rename your property 'WordsJob'");

    [Fact]
    public void CMP0023_PipelineNamedLikeAGeneratedMember() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class [|Definition|]
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0023",
        "Pipeline 'Definition' gets a generated property named 'Definition'; rename the pipeline class: a class cannot have a member with its own name");

    [Fact]
    public void CMP0023_InheritedMember() => DiagnosticVerifier.Verify(Usings + """
        public class Base { public static string Definition => ""; }

        [Pipeline]
        public partial class [|Job|] : Base
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0023",
        "Pipeline 'Job' gets a generated property named 'Definition'; rename the property 'Base.Definition' that 'Job' inherits, or derive 'Job' from another class");

    [Fact]
    public void RunAsyncOverload_IsNotReserved()
    {
        // Only RunAsync(string[]) is generated, so a convenience overload beside it is fine.
        var (_, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Usings + """
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines Input();
                [Sink] public static partial void Output(ReadOnlySpan<byte> line);
                public static Task<int> RunAsync() => RunAsync(["--source", "stdin:"]);
            }
            """));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
    }

    [Fact]
    public void CMP0024_PipelineIsFileLocal() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        [|file|] static partial class Job
        {
            [Source] public static partial Lines Input();
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0024",
        "Pipeline 'Job' cannot be generated because 'Job' is declared 'file', and a file-local type cannot be continued in the generated file; remove 'file' (declare it 'internal' to keep it inside the assembly)",
        compilesOtherwise: false);

    [Fact]
    public void CMP0024_ContainingTypeIsFileLocal() => DiagnosticVerifier.Verify(Usings + """
        [|file|] static partial class Outer
        {
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines Input();
                [Sink] public static partial void Output(ReadOnlySpan<byte> line);
            }
        }
        """,
        "CMP0024",
        "Pipeline 'Job' cannot be generated because 'Outer' is declared 'file', and a file-local type cannot be continued in the generated file; remove 'file' (declare it 'internal' to keep it inside the assembly)",
        compilesOtherwise: false);

    [Fact]
    public void CMP0025_KeyBoxes() => DiagnosticVerifier.Verify(Usings + """
        public readonly struct Point(int x, int y) : IEquatable<Point>
        {
            public bool Equals(Point other) => x == other.X && y == other.Y;
            public int X => x;
            public int Y => y;
        }

        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static (Point Point, long One) Pair(ReadOnlySpan<byte> line) => (new Point(line.Length, 0), 1);
            [ReduceByKey] public static long [|Add|](long a, long b) => a + b;
            [Sink] public static partial void Output((Point Point, long Count) total);
        }
        """,
        "CMP0025",
        "Stage 'Add' keys records by 'Point', which does not override GetHashCode, so every lookup boxes the key; override GetHashCode in 'Point' (a record struct does) or key by another type");

    [Fact]
    public void CMP0025_CountByValueKeyBoxes() => DiagnosticVerifier.Verify(Usings + """
        public readonly struct Point(int x) : IEquatable<Point>
        {
            public bool Equals(Point other) => x == other.X;
            public int X => x;
        }

        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [CountByValue] public static Point [|Lengths|](ReadOnlySpan<byte> line) => new(line.Length);
            [Sink] public static partial void Output(Point point, long count);
        }
        """,
        "CMP0025",
        "Stage 'Lengths' keys records by 'Point', which does not override GetHashCode, so every lookup boxes the key; override GetHashCode in 'Point' (a record struct does) or key by another type");

    [Fact]
    public void CMP0002_StagesWithoutAnySource_ReportOnlyTheMissingSource() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class [|Job|]
        {
            [Map] public static int Length(ReadOnlySpan<byte> line) => line.Length;
            [Sink] public static partial void Output(int length);
        }
        """,
        "CMP0002",
        "Pipeline 'Job' has no source; declare one, e.g. [Source(Default = \"tcp://localhost:9999\")] public static partial Lines Input();");

    [Fact]
    public void EveryDescriptorHasATest()
    {
        // A new diagnostic without a test in Diagnostics/ fails this test.
        string tests = string.Concat(Directory.GetFiles(Path.Combine(GeneratorHarness.ProjectDirectory, "Diagnostics"), "*.cs").Select(File.ReadAllText));
        foreach (Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor in Compiled.Generators.Diagnostics.DiagnosticDescriptors.All)
        {
            Assert.Contains($"public void {descriptor.Id}_", tests);
        }
    }

    [Fact]
    public void UnresolvedTypes_ReportOnlyTheCompilerError()
    {
        // A missing using makes ReadOnlySpan an error type: the compiler says so, and the generator adds nothing.
        var (_, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilationFromFiles(("/src/Job.cs", """
            [Compiled.Pipeline]
            public static partial class Job
            {
                [Compiled.Source] public static partial Compiled.Lines Input();
                [Compiled.Filter] public static bool Keep(Missing.Type line) => true;
                [Compiled.Sink] public static partial void Output(System.ReadOnlySpan<byte> line);
            }
            """)));
        Assert.DoesNotContain(diagnostics, d => d.Id.StartsWith("CMP", StringComparison.Ordinal));
        Assert.Contains(output.GetDiagnostics(TestContext.Current.CancellationToken), d => d.Id == "CS0246");
    }
}
