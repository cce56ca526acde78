using Compiled.Generators.Helpers;

namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>
/// A name that names no method or stage is answered with the nearest existing name first ("did you mean 'Subtract'?"),
/// in every diagnostic that looks a name up: Input and Other (CMP0011), Inverse (CMP0027), Filter (CMP0028),
/// MergeValue and MergeCombiners (CMP0031), Late (CMP0032) and InitialState (CMP0033).
/// </summary>
public class NameSuggestionTests
{
    private const string Usings = "using Compiled;\n";

    [Theory]
    [InlineData("Subtrct", "Subtract")]     // a letter left out
    [InlineData("Subtracct", "Subtract")]   // a letter doubled
    [InlineData("Sbutract", "Subtract")]    // two letters swapped: one edit, as a typist makes it
    [InlineData("subtract", "Subtract")]    // the case alone
    [InlineData("Ad", "Add")]               // short names: one edit still counts
    [InlineData("Pairs", "Pair")]
    public void Nearest_FindsTheNameMeant(string typed, string expected) =>
        Assert.Equal(expected, NameSuggestion.Nearest(typed, ["Add", "Subtract", "Pair", "Active", "Output"]));

    [Theory]
    [InlineData("Lines")]     // five edits from Input: another name, not a typo
    [InlineData("Remove")]
    [InlineData("Sub")]       // a prefix five letters short is not a typo of Subtract
    [InlineData("X")]
    public void Nearest_FindsNothingForANameThatIsNotATypo(string typed) =>
        Assert.Null(NameSuggestion.Nearest(typed, ["Input", "Add", "Subtract", "Pair"]));

    [Fact]
    public void Nearest_PrefersTheFewestEdits_ThenTheExactCase_ThenTheFirstListed()
    {
        Assert.Equal("Merge", NameSuggestion.Nearest("Merg", ["Merged", "Merge"]));
        Assert.Equal("Keep", NameSuggestion.Nearest("keep", ["KEEP", "Keep"]));
        Assert.Equal("Seed", NameSuggestion.Nearest("Sead", ["Seed", "Send"]));
    }

    [Theory]
    [InlineData("Subtrct", "Subtract", 1)]
    [InlineData("Sbutract", "Subtract", 1)]
    [InlineData("ab", "ba", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("ca", "abc", 3)] // optimal string alignment: no substring is edited twice
    public void Distance_CountsInsertionsDeletionsSubstitutionsAndSwaps(string a, string b, int expected)
    {
        Assert.Equal(expected, NameSuggestion.Distance(a, b));
        Assert.Equal(expected, NameSuggestion.Distance(b, a));
    }

    [Fact]
    public void CMP0027_InverseMisspelt() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKeyAndWindow(Length = "3s", Inverse = [|"Subtrct"|])] public static long Add(long a, long b) => a + b;
            public static long Subtract(long a, long b) => a - b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """,
        "CMP0027",
        "Stage 'Add' names Inverse = \"Subtrct\", but the pipeline class has no method of that name; did you mean 'Subtract'? Write Inverse = nameof(Subtract), which the compiler checks");

    [Fact]
    public void CMP0027_InverseWithNoNameNearby_SaysWhatToDeclare() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKeyAndWindow(Length = "3s", Inverse = [|"Undo"|])] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """,
        "CMP0027",
        "Stage 'Add' names Inverse = \"Undo\", but the pipeline class has no method of that name; declare 'static long Undo(long a, long b)' in the pipeline class, undoing what 'Add' does");

    [Fact]
    public void CMP0011_InputMisspelt() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKey(Input = [|"Pairs"|])] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """,
        "CMP0011",
        "Stage 'Add' reads Input = \"Pairs\", but no stage has that name; did you mean 'Pair'? Write Input = nameof(Pair), which the compiler checks");

    [Fact]
    public void CMP0011_OtherMisspelt() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(int Ad, int User)> Impressions();
            [Source] public static partial Lines<(int Ad, int User)> Clicks();
            [Join(Input = nameof(Impressions), Other = [|"Click"|])] public static (int Ad, int Shown, int Clicked) Matched(int ad, int shownTo, int clickedBy) => (ad, shownTo, clickedBy);
            [Sink] public static partial void Output((int Ad, int Shown, int Clicked) match);
        }
        """,
        "CMP0011",
        "Stage 'Matched' reads Other = \"Click\", but no stage has that name; did you mean 'Clicks'? Write Other = nameof(Clicks), which the compiler checks");

    [Fact]
    public void CMP0028_FilterMisspelt() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [ReduceByKeyAndWindow(Length = "3s", Inverse = nameof(Subtract), Filter = [|"Kep"|])] public static long Add(long a, long b) => a + b;
            public static long Subtract(long a, long b) => a - b;
            public static bool Keep(ReadOnlySpan<byte> word, long count) => count != 0;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
        }
        """,
        "CMP0028",
        "Stage 'Add' names Filter = \"Kep\", but the pipeline class has no method of that name; did you mean 'Keep'? Write Filter = nameof(Keep), which the compiler checks");

    [Fact]
    public void CMP0031_MergeCombinersMisspelt() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [CombineByKey(MergeValue = nameof(Add), MergeCombiners = [|"Marge"|])] public static double Create(long value) => value;
            public static double Add(double total, long value) => total + value;
            public static double Merge(double a, double b) => a + b;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, double total);
        }
        """,
        "CMP0031",
        "Stage 'Create' names MergeCombiners = \"Marge\", but the pipeline class has no method of that name; did you mean 'Merge'? Write MergeCombiners = nameof(Merge), which the compiler checks");

    [Fact]
    public void CMP0032_LateSinkMisspelt() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(long Time, int User)> Clicks();
            [EventTime(Late = [|"TooLat"|])] public static long Time((long Time, int User) click) => click.Time;
            [Map] public static (int User, long One) Pair((long Time, int User) click) => (click.User, 1);
            [EventWindow(Size = "1m")] public static long Count(long a, long b) => a + b;
            [Sink] public static partial void Output(Windowed<int, long> count);
            [Sink(Input = nameof(Time))] public static partial void TooLate((long Time, int User) click);
        }
        """,
        "CMP0032",
        "Stage 'Time' names Late = \"TooLat\", but no stage has that name; did you mean 'TooLate'? Write Late = nameof(TooLate), which the compiler checks");

    [Fact]
    public void CMP0033_InitialStateMisspelt() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(int User, long Clicks)> Clicks();
            [UpdateStateByKey(InitialState = [|"Sed"|])] public static long? Total(ReadOnlySpan<long> values, long? state) => state;
            public static (int User, long Total)[] Seed() => [];
            [Sink] public static partial void Output(int user, long total);
        }
        """,
        "CMP0033",
        "Stage 'Total' names InitialState = \"Sed\", but the pipeline class has no method of that name; did you mean 'Seed'? Write InitialState = nameof(Seed), which the compiler checks");
}
