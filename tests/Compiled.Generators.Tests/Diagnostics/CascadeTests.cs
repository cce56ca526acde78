namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>
/// One mistake, one diagnostic: what follows from a mistake already reported (a stream left unconnected, a stage whose
/// input is unknown) is not reported again as a second fault. <see cref="DiagnosticVerifier"/> fails on any other
/// CMP diagnostic.
/// </summary>
public class CascadeTests
{
    private const string Usings = "using Compiled;\n";

    [Fact]
    public void JoinWithoutOther_ReportsOnlyTheMissingOther_NotTheUnjoinedSource() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(int Ad, int User)> Impressions();
            [Source] public static partial Lines<(int Ad, int User)> Clicks();
            [Join(Input = nameof(Impressions))] public static (int Ad, int Shown, int Clicked) [|Matched|](int ad, int shownTo, int clickedBy) => (ad, shownTo, clickedBy);
            [Sink] public static partial void Output((int Ad, int Shown, int Clicked) match);
        }
        """,
        "CMP0030",
        "Stage 'Matched' reads two streams, but it names no second stream; add Other = nameof(...), naming a stage declared above it");

    [Fact]
    public void UnionOfAnUnknownStage_ReportsOnlyTheUnknownName_NotTheUnjoinedSource() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Left();
            [Source] public static partial Lines Right();
            [Union(Input = nameof(Left), Other = [|"Middle"|])] public static partial ReadOnlySpan<byte> Both(ReadOnlySpan<byte> line);
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0011",
        "Stage 'Both' reads Other = \"Middle\", but no stage has that name; name a stage declared above 'Both', such as nameof(Left), nameof(Right)");

    [Fact]
    public void SourceOfTheWrongType_ReportsOnlyTheSource_NotTheStagesBelow() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial string [|Input|]();
            [Map] public static int Length(string line) => line.Length;
            [Sink] public static partial void Output(int length);
        }
        """,
        "CMP0009",
        "Source 'Input' must be declared 'public static partial Lines Input();', without parameters or a body: it returns 'string', but a source returns Lines (newline-delimited records) or Lines<T> (each line parsed as a T)");

    [Fact]
    public void AsyncStage_ReportsOnlyTheAsyncStage_NotTheSinkBelowIt() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<string> Input();
            [Map] public static [|Task<int>|] Length(string line) => Task.FromResult(line.Length);
            [Sink] public static partial void Output(Task<int> length);
        }
        """,
        "CMP0034",
        "Stage 'Length' returns 'Task<int>', but the generated loop calls a stage synchronously, once per record (or once per batch), and never awaits it: its work would not be done when the batch is, and a stage below would get the task instead of its result; make 'Length' synchronous and return 'int', and do asynchronous work such as loading a lookup table before the run");

    [Fact]
    public void StageAboveTheSource_ReportsOnlyThat_NotTheStageBelowTheSourceThatMeantToReadIt() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Map] public static KeyValue<long> [|Pair|](ReadOnlySpan<byte> word) => new(word, 1);
            [Source] public static partial Lines Input();
            [ReduceByKey] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """,
        "CMP0022",
        "Stage 'Pair' is declared above the source 'Input', so it has nothing to read; move the [Source] 'Input' above 'Pair', since a stage reads the stage declared above it");
}
