namespace Compiled.Tests.Windows;

/// <summary>
/// <see cref="WindowShapes"/>, batches of 500ms: the windowed stages over tuples, typed records, keyed records
/// taken whole, and a window below a window with its slide left out. Input, customer and cents:
/// batch 1 (1,100) (2,50); 2 (1,30); 3 none; 4 (3,500) (1,1); 5 (2,200); then empty batches to 8.
/// </summary>
public class WindowShapesTests
{
    [Fact]
    public void ReduceByKeyAndWindow_OnATupleSource_KeyedByItsFirstField()
    {
        // Window 1500ms (3 batches), slide 1s (2 batches); customer 2 at 0 dropped at 2000 by the filter cents > 0.
        using var test = Run();
        WindowAssert.BatchesAsSets(
            1000,
            [
                [(1, 130L), (2, 50L)],          // batches 1..2
                [(1, 31L), (3, 500L)],          // 2..4
                [(1, 1L), (2, 200L), (3, 500L)], // 4..6
                [],                             // 6..8
            ],
            test.SpentOut);
    }

    [Fact]
    public void ReduceByWindowWithInverse_OfTuples()
    {
        // Window 1s (2 batches), slide 500ms: (customers summed, cents summed); (0, 0) once the window is empty.
        using var test = Run();
        WindowAssert.Batches(
            500,
            [[(3, 150L)], [(4, 180L)], [(1, 30L)], [(4, 501L)], [(6, 701L)], [(2, 200L)], [(0, 0L)], [(0, 0L)]],
            test.TotalsOut);
    }

    [Fact]
    public void Window_OfAPerBatchCount_KeepsEachBatchsCountsInFirstSeenOrder()
    {
        // countByValue per batch, then a window of 2 batches sliding by 1.
        using var test = Run();
        WindowAssert.Batches(
            500,
            [
                [(1, 1L), (2, 1L)],
                [(1, 1L), (2, 1L), (1, 1L)],
                [(1, 1L)],
                [(3, 1L), (1, 1L)],
                [(3, 1L), (1, 1L), (2, 1L)],
                [(2, 1L)],
                [],
                [],
            ],
            test.RecentCountsOut);
    }

    [Fact]
    public void Window_AsLongAsABatch_PassesEachBatchThrough()
    {
        using var test = Run();
        WindowAssert.Batches(
            500,
            [[(1, 100L), (2, 50L)], [(1, 30L)], [], [(3, 500L), (1, 1L)], [(2, 200L)], [], [], []],
            test.SameOut);
    }

    [Fact]
    public void Window_BelowAWindow_WithoutASlide_SlidesAsItsInput()
    {
        using var test = Run();

        // Tumbling: 1s (2 batches) every 1s.
        WindowAssert.Batches(
            1000,
            [
                [("one", 100L), ("two", 50L), ("one", 30L)],
                [("many", 500L), ("one", 1L)],
                [("two", 200L)],
                [],
            ],
            test.TumblingOut);

        // Sliding: 2s of the tumbling window, every 1s (its input's slide): the last two tumbling windows.
        WindowAssert.Batches(
            1000,
            [
                [("one", 100L), ("two", 50L), ("one", 30L)],
                [("one", 100L), ("two", 50L), ("one", 30L), ("many", 500L), ("one", 1L)],
                [("many", 500L), ("one", 1L), ("two", 200L)],
                [("two", 200L)],
            ],
            test.SlidingOut);
    }

    [Fact]
    public void ReduceByKeyAndWindow_FilterTakingTheRecordWhole_SinkTakingTheRecordWhole()
    {
        // Window 1s (2 batches), slide 500ms, inverse, filter value != 0.
        using var test = Run();
        WindowAssert.BatchesAsSets(
            500,
            [
                [("one", 100L), ("two", 50L)],                  // batch 1
                [("one", 130L), ("two", 50L)],                  // 1..2
                [("one", 30L)],                                 // 2..3
                [("many", 500L), ("one", 1L)],                  // 3..4
                [("many", 500L), ("one", 1L), ("two", 200L)],   // 4..5
                [("two", 200L)],                                // 5..6
                [],                                             // 6..7
                [],                                             // 7..8
            ],
            test.ByNameOut);
    }

    private static WindowShapes.TestDriver Run()
    {
        var test = new WindowShapes.TestDriver();
        test.Orders.Batch((1, 100), (2, 50)).Batch((1, 30)).Batch().Batch((3, 500), (1, 1)).Batch((2, 200));
        test.Run(8);
        return test;
    }
}
