namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>One test per diagnostic id of windows, keyed state, two-input stages and event time (CMP0026 to CMP0033).</summary>
public class WindowAndStateDiagnosticTests
{
    private const string Usings = "using Compiled;\n";

    [Fact]
    public void CMP0026_InvalidWindow() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline(BatchInterval = "2s")]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKeyAndWindow(Length = [|"5s"|], Slide = "4s")] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """,
        "CMP0026",
        "The window of stage 'Add' has Length 5s, which is not a multiple of the batch interval 2s; use a multiple of 2s");

    [Fact]
    public void CMP0026_WindowNotAMultipleOfTheSlideAbove() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline(BatchInterval = "1s")]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Window(Length = "10s", Slide = "5s")] public static partial ReadOnlySpan<byte> Recent(ReadOnlySpan<byte> line);
            [CountByWindow(Length = "20s", Slide = [|"6s"|])] public static partial long Count(ReadOnlySpan<byte> line);
            [Sink] public static partial void Output(long count);
        }
        """,
        "CMP0026",
        "The window of stage 'Count' has Slide 6s, which is not a multiple of 5s, the slide of its input 'Recent'; use a multiple of 5s");

    [Fact]
    public void CMP0026_WindowWithoutLength() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [CountByWindow] public static partial long [|Count|](ReadOnlySpan<byte> line);
            [Sink] public static partial void Output(long count);
        }
        """,
        "CMP0026",
        "The window of stage 'Count' has no Length; give one, e.g. Length = \"30s\"");

    [Fact]
    public void CMP0027_InverseMismatch() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKeyAndWindow(Length = "3s", Inverse = [|nameof(Subtract)|])] public static long Add(long a, long b) => a + b;
            public static int Subtract(int a, int b) => a - b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """,
        "CMP0027",
        "Stage 'Add' names Inverse = \"Subtract\", but 'Subtract' does not take two 'long' values and return one; declare 'static long Subtract(long a, long b)' in the pipeline class, undoing what 'Add' does");

    [Fact]
    public void CMP0028_WindowFilterMismatch() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKeyAndWindow(Length = "3s", Inverse = nameof(Subtract), Filter = [|nameof(Keep)|])] public static long Add(long a, long b) => a + b;
            public static long Subtract(long a, long b) => a - b;
            public static bool Keep(long value) => value != 0;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """,
        "CMP0028",
        "Stage 'Add' names Filter = \"Keep\", but the pipeline class has no static method 'Keep' that takes a key 'ReadOnlySpan<byte>' and a value 'long' and returns bool; declare 'static bool Keep(ReadOnlySpan<byte> key, long value)' in the pipeline class");

    [Fact]
    public void CMP0028_FilterWithoutInverse() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKeyAndWindow(Length = "3s", Filter = [|nameof(Keep)|])] public static long Add(long a, long b) => a + b;
            public static bool Keep(ReadOnlySpan<byte> word, long value) => value != 0;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """,
        "CMP0028",
        "Stage 'Add' names Filter = \"Keep\", but a filter drops keys from a window kept up to date with an inverse function, and there is none; add Inverse = nameof(...) or remove the filter");

    [Fact]
    public void CMP0029_InvalidTimeout() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline(BatchInterval = "10s")]
        public static partial class Job
        {
            [Source] public static partial Lines<(int User, long Clicks)> Clicks();
            [MapWithState(Timeout = [|"45s"|])] public static long Track(int user, long? clicks, State<long> total) => 0;
            [Sink] public static partial void Output(long total);
        }
        """,
        "CMP0029",
        "The timeout of stage 'Track' 45s is not a multiple of the batch interval 10s; use a multiple of 10s");

    [Fact]
    public void CMP0030_TwoInputsMismatch() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Clicks(ReadOnlySpan<byte> line) => new(line, 1);
            [Map(Input = nameof(Input))] public static (int User, long Views) Views(ReadOnlySpan<byte> line) => (line.Length, 1);
            [Join(Input = nameof(Clicks), Other = [|nameof(Views)|])] public static long Both(ReadOnlySpan<byte> key, long clicks, long views) => clicks + views;
            [Sink] public static partial void Output(long total);
        }
        """,
        "CMP0030",
        "Stage 'Both' reads two streams, but 'Clicks' is keyed by 'ReadOnlySpan<byte>' and 'Views' by 'int'; a join needs one key type on both sides; add a [Map] that keys one stream by the other's key type");

    [Fact]
    public void CMP0030_UnionOfDifferentSlides() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Window(Length = "3s", Slide = "3s")] public static partial ReadOnlySpan<byte> Slow(ReadOnlySpan<byte> line);
            [Union(Input = nameof(Input), Other = [|nameof(Slow)|])] public static partial ReadOnlySpan<byte> All(ReadOnlySpan<byte> line);
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0030",
        "Stage 'All' reads two streams, but 'Input' emits every 1s and 'Slow' every 3s; both must emit at the same slide, as in Spark; window them alike, or window the two streams after the stage");

    [Fact]
    public void CMP0031_CombineFunctionMismatch() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [CombineByKey(MergeValue = [|nameof(Add)|], MergeCombiners = nameof(Merge))] public static double Create(long value) => value;
            public static double Add(double total, int value) => total + value;
            public static double Merge(double a, double b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, double total);
        }
        """,
        "CMP0031",
        "Stage 'Create' names MergeValue = \"Add\", but the pipeline class has no method 'static double Add(double combiner, long value)'; declare it");

    [Fact]
    public void CMP0032_InvalidEventTime() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [EventWindow(Size = "1m")] public static long [|Add|](long a, long b) => a + b;
            [Sink] public static partial void Output(Windowed<long> count);
        }
        """,
        "CMP0032",
        "Stage 'Add' has no event time; declare an [EventTime] stage above it, with only per-record stages ([Map], [Filter], [FlatMap], [MapValues]) between them");

    [Fact]
    public void CMP0026_SessionGapOfZero() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [EventTime] public static long Time(ReadOnlySpan<byte> line) => line.Length;
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [SessionWindow(Gap = [|"0s"|])] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output(Windowed<long> session);
        }
        """,
        "CMP0026",
        "The window of stage 'Add' has Gap '0s', but it must be more than zero; write a positive duration, e.g. 30s");

    [Fact]
    public void CMP0033_InitialStateMismatch_NoSuchMethod() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(int User, long Clicks)> Clicks();
            [UpdateStateByKey(InitialState = [|"Seed"|])] public static long? Total(ReadOnlySpan<long> values, long? state) => state;
            [Sink] public static partial void Output(int user, long total);
        }
        """,
        "CMP0033",
        "Stage 'Total' names InitialState = \"Seed\", but the pipeline class has no method of that name; declare 'static IEnumerable<(int Key, long State)> Seed()' in the pipeline class");

    [Fact]
    public void CMP0033_InitialStateMismatch_NotStatic() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public partial class Job
        {
            [Source] public static partial Lines<(int User, long Clicks)> Clicks();
            [MapWithState(InitialState = [|nameof(Seed)|])] public static long Track(int user, long? clicks, State<long> total) => 0;
            public (int, long)[] Seed() => [];
            [Sink] public static partial void Output(long total);
        }
        """,
        "CMP0033",
        "Stage 'Track' names InitialState = \"Seed\", but 'Seed' is not static; declare 'static IEnumerable<(int Key, long State)> Seed()' in the pipeline class");

    [Fact]
    public void CMP0033_InitialStateMismatch_ByteKeysAreStrings() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [UpdateStateByKey(InitialState = [|nameof(Seed)|])] public static long? Total(ReadOnlySpan<long> values, long? state) => state;
            public static System.Collections.Generic.List<(byte[] Key, long State)> Seed() => [];
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long total);
        }
        """,
        "CMP0033",
        "Stage 'Total' names InitialState = \"Seed\", but 'Seed' does not take no arguments and return the keys' (string Key, long State) pairs; declare 'static IEnumerable<(string Key, long State)> Seed()' in the pipeline class");

    [Fact]
    public void CMP0033_InitialStateMismatch_WrongStateType() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(int User, long Clicks)> Clicks();
            [MapWithState(Timeout = "3s", InitialState = [|nameof(Seed)|])] public static long Track(int user, long? clicks, State<long> total) => 0;
            public static System.Collections.Generic.IEnumerable<(int User, int Total)> Seed() { yield return (1, 2); }
            [Sink] public static partial void Output(long total);
        }
        """,
        "CMP0033",
        "Stage 'Track' names InitialState = \"Seed\", but 'Seed' does not take no arguments and return the keys' (int Key, long State) pairs; declare 'static IEnumerable<(int Key, long State)> Seed()' in the pipeline class");

    [Fact]
    public void CMP0006_UpdateStateByKey_TimeAndKeyForm_WithTheWrongKey() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(int User, long Clicks)> Clicks();
            [UpdateStateByKey] public static long? [|Total|](long batchTime, long user, ReadOnlySpan<long> values, long? state) => state;
            [Sink] public static partial void Output(int user, long total);
        }
        """,
        "CMP0006",
        "Stage 'Total' has a signature a [UpdateStateByKey] cannot have: an update function takes the key's new values and its state, and returns the new state or null to remove the key: static S? Total(ReadOnlySpan<long> values, S? state), or with the batch time and the key first, static S? Total(long batchTime, int key, ReadOnlySpan<long> values, S? state), where S is a struct");
}
