using Compiled.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Lowering;

/// <summary>The lowering step on its own: what each source's loop runs, what runs at the boundary and how often, which batches a sink receives.</summary>
public class LoweringTests
{
    [Fact]
    public void Lowering_WordCount_OneLoopIntoOneTable()
    {
        PhysicalPlan plan = PlanOf(File.ReadAllText(GeneratorHarness.InputPath("WordCount")));

        LoopSegment loop = Assert.Single(plan.Loops);
        Assert.Equal("Input", NameOf(plan, loop.Source));
        Assert.Equal(["Words", "Pair", "Add"], Names(plan, loop.Stages));
        Assert.Equal(["Add"], Names(plan, loop.Handoffs));

        BoundarySegment add = Assert.Single(plan.Boundaries);
        Assert.Equal("Add", NameOf(plan, add.Stage));
        Assert.Equal(BoundaryRole.KeyedTable, add.Role);
        Assert.False(add.KeepsState);
        Assert.Null(add.SlideMilliseconds);
        Assert.Equal(["Output"], Names(plan, add.Stages));

        SinkPlan output = Assert.Single(plan.Sinks);
        Assert.Equal(0, output.Sink);
        Assert.Null(output.SlideMilliseconds);
        Assert.Equal("Input (lines) → [FlatMap] Words → [Map] Pair → [ReduceByKey] Add → [Sink] Output", plan.Text);
        Assert.Equal(
            [("Input", StorageLifetime.Bound), ("Add", StorageLifetime.PerBatch), ("Output", StorageLifetime.Sink)],
            plan.Storage.Select(s => (NameOf(plan, s.Stage), s.Lifetime)));
        Assert.Empty(plan.ReplayedUnions);
    }

    [Fact]
    public void Lowering_WindowsStateAndEventTime_AreKeptAcrossBatches()
    {
        foreach (string input in new[] { "Windows", "State", "EventTime" })
        {
            PhysicalPlan plan = PlanOf(File.ReadAllText(GeneratorHarness.InputPath(input)));
            for (int index = 0; index < plan.Model.Stages.Count; index++)
            {
                StageModel stage = plan.Model.Stages[index];
                if (stage.Window is null && stage.State is null && stage.Time is null)
                {
                    continue;
                }

                Assert.Equal(StorageLifetime.CrossBatch, Assert.Single(plan.Storage, s => s.Stage == index).Lifetime);
            }

            // Every stage that runs at the boundary keeps something; stages that only pass records on keep nothing.
            Assert.All(plan.Boundaries, b => Assert.Contains(plan.Storage, s => s.Stage == b.Stage));
            Assert.DoesNotContain(plan.Storage, s => plan.Model.Stages[s.Stage].Kind is StageKind.Map or StageKind.Filter or StageKind.FlatMap);
        }
    }

    [Fact]
    public void Lowering_UnionWhoseOrderShows_KeepsTheSecondStreamForTheBoundary()
    {
        PhysicalPlan plan = PlanOf(File.ReadAllText(GeneratorHarness.InputPath("Unions")));

        // A sink below sees the order: Spark lists the first stream's records, then the second's. A count below does not.
        Assert.Equal(["Problems", "Twice"], Names(plan, plan.ReplayedUnions));
        Assert.All(plan.ReplayedUnions, u => Assert.Equal(StorageLifetime.PerBatch, Assert.Single(plan.Storage, s => s.Stage == u).Lifetime));
        Assert.DoesNotContain(plan.Storage, s => NameOf(plan, s.Stage) == "AllLengths");
    }

    [Fact]
    public void Lowering_StagesBelowAWindow_RunAtItsSlidesAndItsSinksReceiveOnlyThose()
    {
        PhysicalPlan plan = PlanOf("""
            using Compiled;
            [Pipeline(BatchInterval = "1s")]
            public static partial class Counts
            {
                [Source] public static partial Lines Input();
                [Window(Length = "4s", Slide = "2s")] public static partial ReadOnlySpan<byte> Recent(ReadOnlySpan<byte> line);
                [Count] public static partial long Lines(ReadOnlySpan<byte> line);
                [Sink(Default = "console")] public static partial void Total(long lines);
                [Sink(Input = nameof(Input), Default = "console")] public static partial void Echo(ReadOnlySpan<byte> line);
            }
            """);

        Assert.Equal(["Recent", "Echo"], Names(plan, Assert.Single(plan.Loops).Handoffs));
        BoundarySegment window = plan.Boundaries.Single(b => NameOf(plan, b.Stage) == "Recent");
        Assert.Equal(BoundaryRole.Window, window.Role);
        Assert.True(window.KeepsState);
        Assert.Equal(2000, window.SlideMilliseconds);
        Assert.Equal(["Lines"], Names(plan, window.Stages));

        // The count is not a window, but it counts what the window emits: it runs only when the window does.
        BoundarySegment count = plan.Boundaries.Single(b => NameOf(plan, b.Stage) == "Lines");
        Assert.Equal(BoundaryRole.BatchFunction, count.Role);
        Assert.Equal(2000, count.SlideMilliseconds);
        Assert.Equal(["Total"], Names(plan, count.Stages));

        Assert.Equal(2000, plan.Sinks.Single(s => NameOf(plan, s.Stage) == "Total").SlideMilliseconds);
        Assert.Null(plan.Sinks.Single(s => NameOf(plan, s.Stage) == "Echo").SlideMilliseconds);
        Assert.Equal([0, 1], plan.Sinks.Select(s => s.Sink));
    }

    [Fact]
    public void Lowering_TwoSources_EachLoopReachesTheStagesTheyMeetIn()
    {
        PhysicalPlan plan = PlanOf(File.ReadAllText(GeneratorHarness.InputPath("TwoSources")));

        Assert.Equal(2, plan.Loops.Count);
        foreach (LoopSegment loop in plan.Loops)
        {
            // Both streams meet in the join (collected until the boundary) and in the union (run inline in each loop).
            string[] reached = Names(plan, loop.Stages);
            Assert.Contains("Matched", reached);
            Assert.Contains("Events", reached);
            Assert.Contains("Matched", Names(plan, loop.Handoffs));
            Assert.DoesNotContain("Events", Names(plan, loop.Handoffs));
        }
    }

    [Fact]
    public void Lowering_State_StoresKeepStateAndMapWithStateAlsoRunsInTheLoop()
    {
        PhysicalPlan plan = PlanOf(File.ReadAllText(GeneratorHarness.InputPath("State")));

        Assert.All(plan.Boundaries.Where(b => plan.Model.Stages[b.Stage].State is not null), b =>
        {
            Assert.Equal(BoundaryRole.State, b.Role);
            Assert.True(b.KeepsState);
        });

        // [UpdateStateByKey] collects values until the boundary; [MapWithState] emits per record, in the loop.
        LoopSegment loop = Assert.Single(plan.Loops);
        string[] handoffs = Names(plan, loop.Handoffs);
        StageModel update = plan.Model.Stages.Single(s => s.Kind == StageKind.UpdateStateByKey);
        StageModel track = plan.Model.Stages.Single(s => s.Kind == StageKind.MapWithState);
        Assert.Contains(update.Name, handoffs);
        Assert.DoesNotContain(track.Name, handoffs);
        Assert.Contains(track.Name, Names(plan, loop.Stages));
    }

    [Fact]
    public void Lowering_PipelineWithErrors_HasNoSegments()
    {
        PhysicalPlan plan = PlanOf("""
            using Compiled;
            [Pipeline]
            public static partial class Broken
            {
                [Source] public static partial Lines Input();
                [Map] public static int Length(int notALine) => notALine;
                [Sink(Default = "console")] public static partial void Output(int length);
            }
            """);

        Assert.True(plan.Model.HasErrors);
        Assert.Empty(plan.Loops);
        Assert.Empty(plan.Boundaries);
        Assert.Empty(plan.Sinks);
    }

    [Fact]
    public void Lowering_SameModel_EqualPlan()
    {
        // The plan is a cached step of the generator: lowering one model twice must give equal values.
        string source = File.ReadAllText(GeneratorHarness.InputPath("Windows"));
        PhysicalPlan first = PlanOf(source);
        PhysicalPlan second = Generators.PipelineGenerator.Lowering.Lower(first.Model, TestContext.Current.CancellationToken);
        Assert.Equal(first, second);
        Assert.NotSame(first, second);
    }

    // Runs the generator on the source and returns the output of its Plan step.
    private static PhysicalPlan PlanOf(string source)
    {
        Compilation compilation = GeneratorHarness.CreateCompilation(source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation, TestContext.Current.CancellationToken);
        GeneratorRunResult run = Assert.Single(driver.GetRunResult().Results);
        IncrementalGeneratorRunStep step = Assert.Single(run.TrackedSteps[TrackingNames.Plan]);
        return Assert.IsType<PhysicalPlan>(Assert.Single(step.Outputs).Value);
    }

    private static string NameOf(PhysicalPlan plan, int stage) => plan.Model.Stages[stage].Name;

    private static string[] Names(PhysicalPlan plan, IEnumerable<int> stages) => stages.Select(s => NameOf(plan, s)).ToArray();
}
