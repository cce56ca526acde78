namespace Compiled.Tests.Windows;

/// <summary>
/// Each windowed operator on small inputs whose outputs are worked out by hand (in the comments): windows
/// partly filled at the start, slides of more than one batch, empty batches, keys that leave and come back, and
/// runs past the end of the input. Batches are 1s unless said; window (k - L, k] is batches k - L + 1 .. k.
/// </summary>
public class WindowSemanticsTests
{
    // window, length 4 slide 2, over keyed records: emits at batches 2, 4, 6, 8, 10 (times 2000 ... 10000), the
    // records of the window oldest batch first, each batch in arrival order; an empty window is an empty batch.
    [Fact]
    public void Window_SlideOfTwo_RecordsOfTheWindowOldestBatchFirst_PastTheEndOfTheInput()
    {
        using var test = new RandomWindows.TestDriver();
        test.Input.Batch("a 1", "b 2").Batch().Batch("c 3").Batch("a 4", "a 5").Batch("b 6");
        test.Run();
        test.Run(5);

        Assert.Equal(10, test.BatchesRun);
        WindowAssert.Batches(
            2000,
            [
                [("a", 1L), ("b", 2L)],                                 // batches 1..2
                [("a", 1L), ("b", 2L), ("c", 3L), ("a", 4L), ("a", 5L)], // 1..4
                [("c", 3L), ("a", 4L), ("a", 5L), ("b", 6L)],           // 3..6
                [("b", 6L)],                                            // 5..8
                [],                                                     // 7..10
            ],
            test.RecentL4S2Out);
    }

    // window, length 2 slide 3 (Spark's "non-overlapping window"): batches 1, 4, 7 are never in a window.
    [Fact]
    public void Window_ShorterThanItsSlide_SkipsTheBatchesBetweenWindows()
    {
        using var test = new RandomWindows.TestDriver();
        test.Input.Batch("a 1").Batch("b 2").Batch("c 3").Batch("d 4").Batch().Batch("f 6").Batch("g 7");
        test.Run(9);

        WindowAssert.Batches(
            3000,
            [
                [("b", 2L), ("c", 3L)], // batches 2..3
                [("f", 6L)],            // 5..6
                [],                     // 8..9
            ],
            test.RecentL2S3Out);
    }

    // window, length 3 slide 1: the first windows are partly filled.
    [Fact]
    public void Window_FirstWindowsArePartlyFilled()
    {
        using var test = new RandomWindows.TestDriver();
        test.Input.Batch("a 1").Batch("b 2", "b 3").Batch("c 4").Batch("d 5");
        test.Run();

        WindowAssert.Batches(
            1000,
            [
                [("a", 1L)],                                    // batch 1
                [("a", 1L), ("b", 2L), ("b", 3L)],              // 1..2
                [("a", 1L), ("b", 2L), ("b", 3L), ("c", 4L)],   // 1..3
                [("b", 2L), ("b", 3L), ("c", 4L), ("d", 5L)],   // 2..4
            ],
            test.RecentL3S1Out);
    }

    // countByWindow, length 3 slide 1: nothing (an empty batch) before the first record, then a count at every
    // slide, 0 included once the window is empty again.
    [Fact]
    public void CountByWindow_NothingBeforeTheFirstRecord_ThenACountEverySlide_ZeroIncluded()
    {
        using var test = new RandomWindows.TestDriver();
        test.Input.Batch().Batch().Batch("x 1").Batch().Batch("y 1", "z 1");
        test.Run();
        test.Run(4);

        WindowAssert.Batches(
            1000,
            [
                [],   // batch 1: no record yet
                [],   // batch 2: no record yet
                [1L], // 1..3
                [1L], // 2..4
                [3L], // 3..5
                [2L], // 4..6
                [2L], // 5..7
                [0L], // 6..8
                [0L], // 7..9
            ],
            test.CountL3S1Out);
    }

    // countByWindow, length 4 slide 2, same input: emits at batches 2, 4, 6, 8, 10 only.
    [Fact]
    public void CountByWindow_SlideOfTwo_EmitsAtMultiplesOfTheSlide()
    {
        using var test = new RandomWindows.TestDriver();
        test.Input.Batch().Batch().Batch("x 1").Batch().Batch("y 1", "z 1");
        test.Run(10);

        WindowAssert.Batches(
            2000,
            [
                [],   // 1..2: no record yet
                [1L], // 1..4
                [3L], // 3..6
                [2L], // 5..8
                [0L], // 7..10
            ],
            test.CountL4S2Out);
    }

    // reduceByWindow (sum) without an inverse, length 3 slide 1: an empty window emits nothing.
    [Fact]
    public void ReduceByWindow_EmptyWindow_EmitsNothing()
    {
        using var test = Sparse(12);
        WindowAssert.Batches(
            1000,
            [
                [],   // batch 1: empty
                [2L], // 1..2
                [2L], // 1..3
                [2L], // 2..4
                [],   // 3..5: empty
                [5L], // 4..6
                [6L], // 5..7
                [6L], // 6..8
                [1L], // 7..9
                [],   // 8..10
                [],   // 9..11
                [],   // 10..12
            ],
            test.SumL3S1Out);
    }

    // reduceByWindow (sum) without an inverse, length 4 slide 2.
    [Fact]
    public void ReduceByWindow_SlideOfTwo()
    {
        using var test = Sparse(12);
        WindowAssert.Batches(
            2000,
            [
                [2L], // 1..2
                [2L], // 1..4
                [5L], // 3..6
                [6L], // 5..8
                [1L], // 7..10
                [],   // 9..12
            ],
            test.SumL4S2Out);
    }

    // reduceByWindow (sum) with an inverse, length 3 slide 1: as Spark's (a reduceByKeyAndWindow with an inverse
    // on one key), nothing before the first record, then a value every slide, the inverse's 0 included.
    [Fact]
    public void ReduceByWindowWithInverse_EmitsEverySlideOnceTheFirstRecordCame()
    {
        using var test = Sparse(12);
        WindowAssert.Batches(
            1000,
            [
                [],   // batch 1: no record yet
                [2L], // 1..2
                [2L], // 1..3
                [2L], // 2..4
                [0L], // 3..5
                [5L], // 4..6
                [6L], // 5..7
                [6L], // 6..8
                [1L], // 7..9
                [0L], // 8..10
                [0L], // 9..11
                [0L], // 10..12
            ],
            test.InverseSumL3S1Out);
    }

    // reduceByWindow (sum) with an inverse, length 4 slide 2.
    [Fact]
    public void ReduceByWindowWithInverse_SlideOfTwo()
    {
        using var test = Sparse(12);
        WindowAssert.Batches(2000, [[2L], [2L], [5L], [6L], [1L], [0L]], test.InverseSumL4S2Out);
    }

    // reduceByWindow with an associative reduce that is not commutative (concatenation), length 3 slide 2: the
    // window combines its records oldest batch first, each batch in arrival order.
    [Fact]
    public void ReduceByWindow_CombinesOldestBatchFirst_InArrivalOrder()
    {
        using var test = new ConcatWindow.TestDriver();
        test.Input.Batch("a", "b").Batch("c").Batch().Batch("d", "e", "f").Batch("g").Batch().Batch();
        test.Run(8);

        WindowAssert.Batches(
            2000,
            [
                ["abc"],  // batches 1..2
                ["cdef"], // 2..4
                ["defg"], // 4..6
                [],       // 6..8: empty
            ],
            test.Output);
    }

    // countByValueAndWindow, length 3 slide 1: a value whose count fell to zero is dropped, not emitted as 0.
    [Fact]
    public void CountByValueAndWindow_DropsValuesWhoseCountFellToZero()
    {
        using var test = new RandomWindows.TestDriver();
        test.Input.Batch("a 1", "a 1").Batch("b 1").Batch().Batch("a 1");
        test.Run();
        test.Run(4);

        WindowAssert.BatchesAsSets(
            1000,
            [
                [("a", 2L)],            // batch 1
                [("a", 2L), ("b", 1L)], // 1..2
                [("a", 2L), ("b", 1L)], // 1..3
                [("b", 1L), ("a", 1L)], // 2..4
                [("a", 1L)],            // 3..5
                [("a", 1L)],            // 4..6
                [],                     // 5..7
                [],                     // 6..8
            ],
            test.KeysL3S1Out);
    }

    // countByValueAndWindow, length 4 slide 2.
    [Fact]
    public void CountByValueAndWindow_SlideOfTwo()
    {
        using var test = new RandomWindows.TestDriver();
        test.Input.Batch("a 1", "a 1").Batch("b 1").Batch().Batch("a 1");
        test.Run(8);

        WindowAssert.BatchesAsSets(
            2000,
            [
                [("a", 2L), ("b", 1L)], // 1..2
                [("a", 3L), ("b", 1L)], // 1..4
                [("a", 1L)],            // 3..6
                [],                     // 5..8
            ],
            test.KeysL4S2Out);
    }

    // reduceByKeyAndWindow, length 4 slide 2, merged, with an inverse, and with an inverse and a filter of zero
    // values. Key a leaves the window at batch 8 and comes back at batch 9; b leaves at batch 10.
    private static readonly string[][] LeavingKeys =
        [["a 1"], ["b 2"], ["a 3"], [], [], ["b 1"], [], [], ["a 5"]];

    [Fact]
    public void ReduceByKeyAndWindow_Merged_KeysLeaveAndComeBack()
    {
        using var test = Run(LeavingKeys, 14);
        WindowAssert.BatchesAsSets(
            2000,
            [
                [("a", 1L), ("b", 2L)], // 1..2
                [("a", 4L), ("b", 2L)], // 1..4
                [("a", 3L), ("b", 1L)], // 3..6
                [("b", 1L)],            // 5..8
                [("a", 5L)],            // 7..10
                [("a", 5L)],            // 9..12
                [],                     // 11..14
            ],
            test.MergedL4S2Out);
    }

    [Fact]
    public void ReduceByKeyAndWindowWithInverse_KeepsKeysWhoseValueFellToZero()
    {
        using var test = Run(LeavingKeys, 14);
        WindowAssert.BatchesAsSets(
            2000,
            [
                [("a", 1L), ("b", 2L)],
                [("a", 4L), ("b", 2L)],
                [("a", 3L), ("b", 1L)],
                [("a", 0L), ("b", 1L)],
                [("a", 5L), ("b", 0L)],
                [("a", 5L), ("b", 0L)],
                [("a", 0L), ("b", 0L)],
            ],
            test.InverseL4S2Out);
    }

    [Fact]
    public void ReduceByKeyAndWindowWithInverseAndFilter_DropsKeysTheFilterRejects_AndTakesThemBackWhenTheyReturn()
    {
        using var test = Run(LeavingKeys, 14);
        WindowAssert.BatchesAsSets(
            2000,
            [
                [("a", 1L), ("b", 2L)],
                [("a", 4L), ("b", 2L)],
                [("a", 3L), ("b", 1L)],
                [("b", 1L)],
                [("a", 5L)],
                [("a", 5L)],
                [],
            ],
            test.FilteredL4S2Out);
    }

    // A value of 0 in the input: the merged window emits the key at 0; the filtered one drops it, and keeps
    // counting the key right when a non-zero value follows while the 0 is still in the window.
    [Fact]
    public void ReduceByKeyAndWindow_ZeroValuesInTheInput()
    {
        using var test = Run([["z 0"], ["z 4"], [], []], 4);
        WindowAssert.BatchesAsSets(1000, [[("z", 0L)], [("z", 4L)], [("z", 4L)], [("z", 4L)]], test.MergedL3S1Out);
        WindowAssert.BatchesAsSets(1000, [[], [("z", 4L)], [("z", 4L)], [("z", 4L)]], test.FilteredL3S1Out);
        WindowAssert.BatchesAsSets(1000, [[("z", 0L)], [("z", 4L)], [("z", 4L)], [("z", 4L)]], test.InverseL3S1Out);
    }

    // Windows of a window. Inner: length 4 slide 2 over the pairs, emitting at 2, 4, 6, 8, 10:
    //   @2 [a1 b2]  @4 [a1 b2 c3 d4]  @6 [c3 d4 e5]  @8 [e5]  @10 []
    [Fact]
    public void WindowOfAWindow_OuterStagesSeeTheInnerWindowsAsTheirBatches()
    {
        using var test = Run([["a 1"], ["b 2"], ["c 3"], ["d 4"], ["e 5"]], 10);

        // window length 4 slide 4 of it: inner @2 and @4, then @6 and @8.
        WindowAssert.Batches(
            4000,
            [
                [("a", 1L), ("b", 2L), ("a", 1L), ("b", 2L), ("c", 3L), ("d", 4L)],
                [("c", 3L), ("d", 4L), ("e", 5L), ("e", 5L)],
            ],
            test.OuterWindowL4S4Out);

        // reduceByKeyAndWindow length 6 slide 4 of it: (k - 6, k] holds inner @2, @4 at 4; @4, @6, @8 at 8.
        WindowAssert.BatchesAsSets(
            4000,
            [
                [("a", 2L), ("b", 4L), ("c", 3L), ("d", 4L)],
                [("a", 1L), ("b", 2L), ("c", 6L), ("d", 8L), ("e", 10L)],
            ],
            test.OuterMergedL6S4Out);

        // countByWindow length 6 slide 2 of it: 2; 2+4; 2+4+3; 4+3+1; 3+1+0.
        WindowAssert.Batches(2000, [[2L], [6L], [9L], [8L], [4L]], test.OuterCountL6S2Out);
    }

    // A batch interval given at run time resizes the windows in batches: at 500ms, window 4s slide 2s is 8
    // batches sliding by 4; at 2s it is 2 batches sliding by 1. Output times stay multiples of the slide, 2000 ms.
    [Fact]
    public void RunTimeInterval_WindowsKeepTheirDurations()
    {
        using (var half = new SparkInts.TestDriver(TimeSpan.FromMilliseconds(500)))
        {
            half.Input.Batches([[0], [1], [2], [3], [4], [5]]);
            half.Run(16);
            WindowAssert.Batches(
                2000,
                [
                    [0, 1, 2, 3],       // batches 1..4
                    [0, 1, 2, 3, 4, 5], // 1..8
                    [4, 5],             // 5..12
                    [],                 // 9..16
                ],
                half.LargerOut);
        }

        // Word counts over window 4s slide 2s, merged and incremental.
        string[] words = ["a", "b", "a b", "c", "a"];
        using (var quarter = new KeyedWindowLoad.TestDriver(TimeSpan.FromMilliseconds(500)))
        {
            quarter.Input.Batches(words.Select(line => new[] { line }));
            quarter.Run(12);
            (string, long)[][] expected =
            [
                [("a", 2L), ("b", 2L), ("c", 1L)], // batches 1..4
                [("a", 3L), ("b", 2L), ("c", 1L)], // 1..8
                [("a", 1L)],                       // 5..12
            ];
            WindowAssert.BatchesAsSets(2000, expected, quarter.MergedOut);
            WindowAssert.BatchesAsSets(2000, expected, quarter.IncrementalOut);
        }

        using var twice = new KeyedWindowLoad.TestDriver(TimeSpan.FromSeconds(2));
        twice.Input.Batches(words.Select(line => new[] { line }));
        twice.Run(6);
        (string, long)[][] perBatch =
        [
            [("a", 1L)],                       // batch 1
            [("a", 1L), ("b", 1L)],            // 1..2
            [("b", 2L), ("a", 1L)],            // 2..3
            [("a", 1L), ("b", 1L), ("c", 1L)], // 3..4
            [("c", 1L), ("a", 1L)],            // 4..5
            [("a", 1L)],                       // 5..6
        ];
        WindowAssert.BatchesAsSets(2000, perBatch, twice.MergedOut);
        WindowAssert.BatchesAsSets(2000, perBatch, twice.IncrementalOut);
    }

    // Input given after a run continues the windows where the driver stopped.
    [Fact]
    public void MoreInputAfterARun_ContinuesTheWindows()
    {
        using var test = new RandomWindows.TestDriver();
        test.Input.Batch("a 1").Batch("a 2");
        test.Run();
        test.Input.Batch("b 3");
        test.Run();
        test.Run(1);

        Assert.Equal(4, test.BatchesRun);
        WindowAssert.Batches(1000, [[1L], [2L], [3L], [2L]], test.CountL3S1Out);
        WindowAssert.BatchesAsSets(
            1000,
            [[("a", 1L)], [("a", 3L)], [("a", 3L), ("b", 3L)], [("a", 2L), ("b", 3L)]],
            test.MergedL3S1Out);
    }

    // Batches: 1 empty, 2 "a 2", 3-5 empty, 6 "b 5", 7 "c 1", then empty to the given count.
    private static RandomWindows.TestDriver Sparse(int batches) =>
        Run([[], ["a 2"], [], [], [], ["b 5"], ["c 1"]], batches);

    private static RandomWindows.TestDriver Run(string[][] input, int batches)
    {
        var test = new RandomWindows.TestDriver();
        test.Input.Batches(input);
        test.Run(batches);
        return test;
    }
}
