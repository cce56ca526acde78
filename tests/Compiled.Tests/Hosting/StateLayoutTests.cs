using Compiled.Hosting;

namespace Compiled.Tests.Hosting;

/// <summary>
/// The state layout a checkpoint stores and a restart compares: its text round-trips, its fingerprint is stable,
/// and each change is reported naming the stage, what changed and what keeps the checkpoint.
/// </summary>
public sealed class StateLayoutTests
{
    private static readonly StateLayoutStage Sales = new("Sales", "ReduceByKeyAndWindow merged", "int", "long", "", 30000, 10000, "");
    private static readonly StateLayoutStage Totals = new("Totals", "UpdateStateByKey", "int", "global::Shop.Tally", "global::Shop.Tally { long Count; long Sum; }", 0, 0, "");
    private static readonly StateLayoutStage Track = new("Track", "MapWithState", "int", "long", "", 0, 0, "timeout-ms=30000");
    private static readonly StateLayoutStage Clock = new("At", "EventTime", "", "", "", 0, 0, "lateness-ms=5000 idle-ms=0 inputs=1");

    private static StateLayout Layout(params StateLayoutStage[] stages) => new(TimeSpan.FromSeconds(1), stages);

    [Fact]
    public void Text_RoundTrips_WithEveryField()
    {
        StateLayout layout = Layout(Track, Sales, Totals, Clock);
        string text = layout.ToText();
        StateLayout read = StateLayout.Parse(text);
        Assert.Equal(layout.BatchInterval, read.BatchInterval);
        Assert.Equal(layout.Stages, read.Stages);
        Assert.Equal(text, read.ToText());
        Assert.Equal(layout.Fingerprint, read.Fingerprint);
    }

    [Fact]
    public void Text_IsCanonical_StagesByName_LengthsInBatches()
    {
        Assert.Equal(
            "compiled-state-layout 1\n" +
            "interval-ms\t2000\n" +
            "stage\tSales\tReduceByKeyAndWindow merged\tint\tlong\t\t15\t5\t30000\t10000\t\n" +
            "stage\tTrack\tMapWithState\tint\tlong\t\t0\t0\t0\t0\ttimeout-ms=30000\n",
            new StateLayout(TimeSpan.FromSeconds(2), [Track, Sales]).ToText());
    }

    [Fact]
    public void Fingerprint_IsXxHash3OfTheText_SoItIsTheSameInEveryProcess()
    {
        // XxHash3 64 (seed 0) of the empty input: the published test vector.
        Assert.Equal(0x2D06800538D394C2UL, System.IO.Hashing.XxHash3.HashToUInt64([]));
        StateLayout layout = Layout(Sales, Totals);
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(layout.ToText())), layout.Fingerprint);
        // Pinned: a checkpoint written by any process or version stores this value for this layout.
        Assert.Equal(0xE1CD92C3EC777534UL, layout.Fingerprint);
        Assert.Equal(layout.Fingerprint, Layout(Totals, Sales).Fingerprint);
    }

    [Fact]
    public void Parse_RejectsForeignOrDamagedText_SayingWhichLine()
    {
        FormatException header = Assert.Throws<FormatException>(() => StateLayout.Parse("not a layout\n"));
        Assert.Contains("does not start with 'compiled-state-layout 1'", header.Message);
        FormatException interval = Assert.Throws<FormatException>(() => StateLayout.Parse("compiled-state-layout 1\ninterval-ms\t-5\n"));
        Assert.Contains("Line 2", interval.Message);
        string cut = Layout(Sales).ToText();
        FormatException stage = Assert.Throws<FormatException>(() => StateLayout.Parse(cut[..^8]));
        Assert.Contains("Line 3", stage.Message);
        string twice = Layout(Sales).ToText() + Layout(Sales).ToText().Split('\n')[2] + "\n";
        FormatException duplicate = Assert.Throws<FormatException>(() => StateLayout.Parse(twice));
        Assert.Contains("names stage 'Sales' twice", duplicate.Message);
    }

    [Fact]
    public void Compare_SameLayout_NoDifferences()
    {
        Assert.Empty(StateLayout.Compare(Layout(Sales, Totals), Layout(Totals, Sales)));
        Assert.Null(StateLayout.Incompatibility("Shop", "/ck", Layout(Sales), Layout(Sales)));
    }

    [Fact]
    public void Compare_NoState_AnyInterval_NoDifferences()
    {
        Assert.Empty(StateLayout.Compare(Layout(), new StateLayout(TimeSpan.FromSeconds(5), [])));
    }

    public static TheoryData<string, StateLayoutStage, StateLayoutChange, string> StageChanges => new()
    {
        { "kind", Sales with { Kind = "ReduceByKeyAndWindow incremental" }, StateLayoutChange.Kind, "stage 'Sales': its kind changed from ReduceByKeyAndWindow merged to ReduceByKeyAndWindow incremental" },
        { "key", Sales with { Key = "long" }, StateLayoutChange.KeyType, "stage 'Sales': its key type changed from 'int' to 'long'" },
        { "value", Sales with { Value = "double" }, StateLayoutChange.ValueType, "stage 'Sales': its value type changed from 'long' to 'double'" },
        { "fields", Totals with { Fields = "global::Shop.Tally { long Count; long Sum; long Max; }" }, StateLayoutChange.Fields, "stage 'Totals': the fields of its types changed from 'global::Shop.Tally { long Count; long Sum; }' to 'global::Shop.Tally { long Count; long Sum; long Max; }'" },
        { "length", Sales with { LengthMilliseconds = 60000 }, StateLayoutChange.Length, "stage 'Sales': its window length changed from 30 to 60 batches (30s at 1s to 1m at 1s)" },
        { "slide", Sales with { SlideMilliseconds = 5000 }, StateLayoutChange.Slide, "stage 'Sales': its window slide changed from 10 to 5 batches (10s at 1s to 5s at 1s)" },
        { "timeout", Track with { Settings = "timeout-ms=60000" }, StateLayoutChange.Settings, "stage 'Track': its settings changed from 'timeout-ms=30000' to 'timeout-ms=60000'" },
        { "lateness", Clock with { Settings = "lateness-ms=9000 idle-ms=0 inputs=1" }, StateLayoutChange.Settings, "stage 'At': its settings changed from 'lateness-ms=5000 idle-ms=0 inputs=1' to 'lateness-ms=9000 idle-ms=0 inputs=1'" },
    };

    [Theory]
    [MemberData(nameof(StageChanges))]
    public void Compare_StageChange_NamesTheStageWhatChangedAndTheFix(string change, StateLayoutStage changed, StateLayoutChange expected, string message)
    {
        StateLayoutStage original = new[] { Sales, Totals, Track, Clock }.Single(s => s.Id == changed.Id);
        StateLayoutDifference difference = Assert.Single(StateLayout.Compare(Layout(original), Layout(changed)));
        Assert.Equal(changed.Id, difference.Stage);
        Assert.Equal(expected, difference.Change);
        Assert.Equal(message + "; to keep the checkpoint, restore its old declaration", difference.Message);
        Assert.NotEqual(Layout(original).Fingerprint, Layout(changed).Fingerprint);
        Assert.False(string.IsNullOrEmpty(change));
    }

    [Fact]
    public void Compare_AddedAndRemovedStages()
    {
        IReadOnlyList<StateLayoutDifference> differences = StateLayout.Compare(Layout(Sales, Track), Layout(Sales, Totals));
        Assert.Collection(
            differences,
            removed =>
            {
                Assert.Equal(StateLayoutChange.Removed, removed.Change);
                Assert.Equal("stage 'Track' (MapWithState) keeps state in the checkpoint but is no longer in the pipeline; to keep the checkpoint, restore stage 'Track'", removed.Message);
            },
            added =>
            {
                Assert.Equal(StateLayoutChange.Added, added.Change);
                Assert.Equal("stage 'Totals' (UpdateStateByKey) keeps state but the checkpoint has none for it; to keep the checkpoint, remove stage 'Totals'", added.Message);
            });
    }

    [Fact]
    public void Compare_RenamedStage_IsAChange_ThatSaysHowToKeepTheCheckpoint()
    {
        IReadOnlyList<StateLayoutDifference> differences = StateLayout.Compare(Layout(Sales), Layout(Sales with { Id = "Revenue" }));
        Assert.Equal([StateLayoutChange.Removed, StateLayoutChange.Added], differences.Select(d => d.Change));
        Assert.Contains("if 'Revenue' is 'Sales' renamed, its saved state is kept under the old name: to keep the checkpoint, name the method 'Sales' again", differences[0].Message);
    }

    [Fact]
    public void Compare_BatchInterval_ThatKeepsNoLengthInBatches_ReportsTheIntervalAndTheLengths()
    {
        StateLayout saved = Layout(Sales);
        StateLayout current = saved.For(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), current.BatchInterval);
        Assert.Same(saved, saved.For(TimeSpan.FromSeconds(1)));
        Assert.NotEqual(saved.Fingerprint, current.Fingerprint);
        IReadOnlyList<StateLayoutDifference> differences = StateLayout.Compare(saved, current);
        Assert.Equal([StateLayoutChange.BatchInterval, StateLayoutChange.Length, StateLayoutChange.Slide], differences.Select(d => d.Change));
        Assert.Null(differences[0].Stage);
        Assert.Equal("the batch interval changed from 1s to 2s, which renumbers the saved batches; to keep the checkpoint, run with --batch-interval 1s", differences[0].Message);
        Assert.Equal("stage 'Sales': its window length changed from 30 to 15 batches (30s at 1s to 30s at 2s); to keep the checkpoint, restore its old declaration", differences[1].Message);
    }

    [Fact]
    public void Compare_BatchInterval_WithStateButNoWindows_IsStillAChange()
    {
        IReadOnlyList<StateLayoutDifference> differences = StateLayout.Compare(Layout(Track), Layout(Track).For(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(StateLayoutChange.BatchInterval, Assert.Single(differences).Change);
    }

    [Fact]
    public void Incompatibility_ListsEachChange_AndBothChoices()
    {
        string? message = StateLayout.Incompatibility("Shop", "/data/ck", Layout(Sales, Track), Layout(Sales with { LengthMilliseconds = 60000 }));
        Assert.Equal(
            "The checkpoint in '/data/ck' holds state of pipeline 'Shop' in a layout this build cannot read (2 change(s) since it was written):\n" +
            "  - stage 'Sales': its window length changed from 30 to 60 batches (30s at 1s to 1m at 1s); to keep the checkpoint, restore its old declaration\n" +
            "  - stage 'Track' (MapWithState) keeps state in the checkpoint but is no longer in the pipeline; to keep the checkpoint, restore stage 'Track'\n" +
            "Either start with a new checkpoint directory (the state starts empty), or keep the old layout: run the code and batch interval the checkpoint was written with.",
            message);
    }

    [Fact]
    public void Constructor_RejectsTwoStagesWithOneId()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Layout(Sales, Sales with { Kind = "Window" }));
        Assert.Contains("names stage 'Sales' twice", e.Message);
    }

    [Fact]
    public void Constructor_RejectsAFieldWithATab_WhichTheTextCouldNotHold()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Layout(Sales with { Settings = "a\tb" }));
        Assert.Contains("holds a tab or line break", e.Message);
    }

    [Fact]
    public void Definition_WithoutLayout_HasAnEmptyOneAtItsInterval()
    {
        var definition = new PipelineDefinition("P", TimeSpan.FromSeconds(3), "plan", [], [], _ => throw new InvalidOperationException("not created"));
        Assert.Empty(definition.StateLayout.Stages);
        Assert.Equal(TimeSpan.FromSeconds(3), definition.StateLayout.BatchInterval);
    }
}
