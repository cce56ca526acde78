using System.Reflection;
using System.Runtime.Loader;
using Compiled.Hosting;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Layouts;

/// <summary>
/// The state layout the generator stamps on a pipeline, read from the compiled pipeline's Definition: every change
/// to what a checkpoint holds gives another fingerprint, and a change that does not touch state gives the same.
/// </summary>
public sealed class StateLayoutFingerprintTests
{
    // A pipeline with a batch window over keyed records and a state store of a user struct, a filter and two sinks.
    private const string Shop = """
        using Compiled;

        namespace Layouts;

        public struct Tally
        {
            public long Count;
            public long Sum;

            public override string ToString() => $"{Count}/{Sum}";
        }

        [Pipeline(BatchInterval = "1s")]
        public static partial class Shop
        {
            [Source(Default = "tcp://localhost:9999")]
            public static partial Lines<(ITEM Item, long Amount)> Orders();

            [Filter]
            public static bool Positive((ITEM Item, long Amount) order) => order.Amount > 0;

            [ReduceByKeyAndWindow(Length = "30s", Slide = "10s")]
            public static long Sales(long a, long b) => a + b;

            public static long Minus(long a, long b) => a - b;

            [Sink(Default = "console")]
            public static partial void SalesOut(ITEM item, long sales);

            [UpdateStateByKey(Input = nameof(Positive))]
            public static Tally? Totals(ReadOnlySpan<long> amounts, Tally? state)
            {
                Tally tally = state ?? default;
                foreach (long amount in amounts)
                {
                    tally.Count++;
                    tally.Sum += amount;
                }

                return tally;
            }

            [Sink(Default = "console")]
            public static partial void TotalsOut(ITEM item, Tally tally);
        }
        """;

    private static string Base => Shop.Replace("ITEM", "int", StringComparison.Ordinal);

    [Fact]
    public void Layout_ListsTheStagesWithState_ByName_WithTheirTypesAndWindows()
    {
        StateLayout layout = LayoutOf(Base);
        Assert.Equal(TimeSpan.FromSeconds(1), layout.BatchInterval);
        Assert.Collection(
            layout.Stages,
            sales => Assert.Equal(new StateLayoutStage("Sales", "ReduceByKeyAndWindow merged", "int", "long", "", 30000, 10000, ""), sales),
            totals =>
            {
                Assert.Equal("Totals", totals.Id);
                Assert.Equal("UpdateStateByKey", totals.Kind);
                Assert.Equal("int", totals.Key);
                Assert.Equal("global::Layouts.Tally", totals.Value);
                Assert.Equal("global::Layouts.Tally { long Count; long Sum; }", totals.Fields);
            });
    }

    public static TheoryData<string, string, string> CompatibleChanges => new()
    {
        { "a filter's body", "order.Amount > 0", "order.Amount >= 10" },
        {
            "a new stateless stage and its sink",
            "    public static partial void TotalsOut(int item, Tally tally);",
            "    public static partial void TotalsOut(int item, Tally tally);\n\n" +
            "    [Map(Input = nameof(Orders))]\n    public static long Doubled((int Item, long Amount) order) => order.Amount * 2;\n\n" +
            "    [Sink(Default = \"console\")]\n    public static partial void DoubledOut(long doubled);"
        },
        {
            "a new sink of a stateful stage",
            "    [Sink(Default = \"console\")]\n    public static partial void TotalsOut",
            "    [Sink(Input = nameof(Sales), Default = \"console\")]\n    public static partial void SalesAgain(int item, long sales);\n\n" +
            "    [Sink(Default = \"console\")]\n    public static partial void TotalsOut"
        },
        { "a renamed sink", "SalesOut", "SalesPrinted" },
        { "a stateful stage's body", "tally.Count++;", "tally.Count += 1;" },
        {
            "the stateful stages declared in another order",
            "    [ReduceByKeyAndWindow(Length = \"30s\", Slide = \"10s\")]\n    public static long Sales(long a, long b) => a + b;\n\n    public static long Minus(long a, long b) => a - b;\n\n    [Sink(Default = \"console\")]\n    public static partial void SalesOut(int item, long sales);\n",
            ""
        },
    };

    [Theory]
    [MemberData(nameof(CompatibleChanges))]
    public void CompatibleChange_KeepsTheFingerprint(string change, string from, string to)
    {
        string changed = Base.Replace(from, to, StringComparison.Ordinal);
        if (change == "the stateful stages declared in another order")
        {
            // Move the window and its sink to the end of the class.
            changed = changed.TrimEnd()[..^1] + "\n    [ReduceByKeyAndWindow(Input = nameof(Positive), Length = \"30s\", Slide = \"10s\")]\n    public static long Sales(long a, long b) => a + b;\n\n" +
                "    [Sink(Default = \"console\")]\n    public static partial void SalesOut(int item, long sales);\n}\n";
        }

        Assert.NotEqual(Base, changed);
        StateLayout before = LayoutOf(Base);
        StateLayout after = LayoutOf(changed);
        Assert.Empty(StateLayout.Compare(before, after));
        Assert.Equal(before.Fingerprint, after.Fingerprint);
    }

    public static TheoryData<string, string, string, StateLayoutChange> IncompatibleChanges => new()
    {
        { "window length", "Length = \"30s\"", "Length = \"60s\"", StateLayoutChange.Length },
        { "window slide", "Slide = \"10s\"", "Slide = \"5s\"", StateLayoutChange.Slide },
        { "merged to incremental", "Slide = \"10s\")]", "Slide = \"10s\", Inverse = nameof(Minus))]", StateLayoutChange.Kind },
        { "struct fields", "public long Sum;", "public long Sum;\n    public long Max;", StateLayoutChange.Fields },
        { "struct field type", "public long Sum;", "public double Sum;", StateLayoutChange.Fields },
        { "state type", "Tally", "Totals2", StateLayoutChange.ValueType },
        { "batch interval", "BatchInterval = \"1s\"", "BatchInterval = \"2s\"", StateLayoutChange.BatchInterval },
        { "renamed stateful stage", "Sales(long a", "Revenue(long a", StateLayoutChange.Removed },
        {
            "new stateful stage",
            "    public static partial void TotalsOut(int item, Tally tally);",
            "    public static partial void TotalsOut(int item, Tally tally);\n\n" +
            "    [CountByWindow(Input = nameof(Orders), Length = \"1m\")]\n    public static partial long PerMinute((int Item, long Amount) order);\n\n" +
            "    [Sink(Default = \"console\")]\n    public static partial void PerMinuteOut(long orders);",
            StateLayoutChange.Added
        },
    };

    [Theory]
    [MemberData(nameof(IncompatibleChanges))]
    public void IncompatibleChange_ChangesTheFingerprint(string change, string from, string to, StateLayoutChange expected)
    {
        string changed = Base.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Base, changed);
        StateLayout before = LayoutOf(Base);
        StateLayout after = LayoutOf(changed);
        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
        IReadOnlyList<StateLayoutDifference> differences = StateLayout.Compare(before, after);
        Assert.True(differences.Any(d => d.Change == expected), $"{change}: expected a {expected} difference, got: {string.Join("; ", differences.Select(d => d.Message))}");
    }

    [Fact]
    public void KeyTypeChange_ChangesTheFingerprint()
    {
        StateLayout before = LayoutOf(Base);
        StateLayout after = LayoutOf(Shop.Replace("ITEM", "long", StringComparison.Ordinal));
        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
        Assert.Equal(
            [StateLayoutChange.KeyType, StateLayoutChange.KeyType],
            StateLayout.Compare(before, after).Select(d => d.Change));
    }

    [Fact]
    public void RunInterval_ThatChangesLengthsInBatches_ChangesTheFingerprint()
    {
        StateLayout declared = LayoutOf(Base);
        Assert.Equal(declared.Fingerprint, declared.For(TimeSpan.FromSeconds(1)).Fingerprint);
        Assert.NotEqual(declared.Fingerprint, declared.For(TimeSpan.FromSeconds(2)).Fingerprint);
    }

    // Compiles the pipeline with the generator, loads it, and reads its Definition's layout.
    private static StateLayout LayoutOf(string source)
    {
        (GeneratorDriverRunResult result, Compilation output, _) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.DoesNotContain(result.Diagnostics.Concat(GeneratorHarness.CompilerProblems(output)), d => d.Severity == DiagnosticSeverity.Error);
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(image, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        var context = new AssemblyLoadContext("layout", isCollectible: true);
        try
        {
            image.Position = 0;
            Assembly assembly = context.LoadFromStream(image);
            Type pipeline = assembly.GetType("Layouts.Shop", throwOnError: true)!;
            var definition = (PipelineDefinition)pipeline.GetProperty("Definition")!.GetValue(null)!;
            return definition.StateLayout;
        }
        finally
        {
            context.Unload();
        }
    }
}
