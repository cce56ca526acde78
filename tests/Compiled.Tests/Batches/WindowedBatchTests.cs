using Compiled.Testing;

namespace Compiled.Tests.Batches;

/// <summary>
/// Batch stages over a tumbling window of two batches: like Spark's <c>window(2s, 2s)</c> followed by the stage,
/// they emit once per window, at its end, over the window's records; the sinks see only those batches.
/// </summary>
public class WindowedBatchTests
{
    private static readonly (int Key, int Value)[][] Batches =
    [
        [(1, 1)],
        [(1, 2), (2, 3)],
        [(3, 4)],
        [],
        [],
        [],
        [(2, 5), (2, 6)],
    ];

    // Window k covers batches 2k - 1 and 2k and emits at batch 2k (time 2000 k).
    private static List<(long Time, (int Key, int Value)[] Records)> Windows((int Key, int Value)[][] batches) =>
        [.. Enumerable.Range(1, (batches.Length + 1) / 2).Select(k => (2000L * k, batches.Skip((2 * k) - 2).Take(2).SelectMany(b => b).ToArray()))];

    private static Windowed.TestDriver Run()
    {
        var test = new Windowed.TestDriver();
        test.Input.Batches(Batches);
        test.Run(8);
        return test;
    }

    [Fact]
    public void Reduce_OfAWindow_OneRecordPerNonEmptyWindow_AtTheWindowsEnd()
    {
        using var test = Run();

        Assert.Equal(
            Windows(Batches).Select(w => new OutputBatch<(int, int)>(w.Time, w.Records.Length == 0 ? [] : [w.Records[^1]])),
            test.RecentLast.Batches);
        Assert.Equal([2000L, 4000, 6000, 8000], test.RecentLast.Batches.Select(b => b.Time));
    }

    [Fact]
    public void GroupByKey_OfAWindow_GroupsTheWindowsRecords()
    {
        using var test = Run();

        Assert.Equal(
            Windows(Batches).Select(w => new OutputBatch<Group<int, int>>(w.Time, [.. Reference.GroupByKey(w.Records).Select(g => new Group<int, int>(g.Key, g.Values))])),
            test.RecentGrouped.Batches);
        Assert.Equal([new Group<int, int>(1, [1, 2]), new Group<int, int>(2, [3])], test.RecentGrouped.Batches[0].Records);
    }

    [Fact]
    public void Join_OfTwoWindows_JoinsTheWindowsRecords()
    {
        using var test = Run();

        Assert.Equal(
            Windows(Batches).Select(w => new OutputBatch<(int, int, int)>(w.Time, Reference.Join(w.Records, [.. w.Records.Select(r => (r.Key, -r.Value))]))),
            test.WindowJoins.Batches);
        Assert.Equal([(1, 1, -1), (1, 1, -2), (1, 2, -1), (1, 2, -2), (2, 3, -3)], test.WindowJoins.Batches[0].Records);
    }

    [Fact]
    public void Union_OfTwoWindows_HasBothWindowsRecords()
    {
        using var test = Run();

        Assert.Equal(
            Windows(Batches).Select(w => Reference.AsMultiset(w.Records.Concat(w.Records.Select(r => (r.Key, -r.Value))))),
            test.WindowUnion.Batches.Select(b => Reference.AsMultiset(b.Records)));
        Assert.Equal([2000L, 4000, 6000, 8000], test.WindowUnion.Batches.Select(b => b.Time));
    }
}
