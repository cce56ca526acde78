using Compiled.Testing;

namespace Compiled.Tests.Windows;

/// <summary>
/// Spark's own window tests (streaming/src/test/scala/org/apache/spark/streaming/WindowOperationsSuite.scala),
/// ported as they are: the same inputs, the same expected outputs, batches of 1s. Spark runs
/// <c>numBatches = expectedOutput.size * (slide / batch)</c> batches, which may go past the end of the input;
/// so does each test here, with <c>test.Run(numBatches)</c>. Spark compares each batch as a set
/// (<c>useSet = true</c>); the window tests here compare in order, which our window promises.
/// </summary>
public class SparkWindowOperationsSuiteTests
{
    private static readonly (string, int)[][] LargerSlideInput =
    [
        [("a", 1)],
        [("a", 2)], // 1st window from here
        [("a", 3)],
        [("a", 4)], // 2nd window from here
        [("a", 5)],
        [("a", 6)], // 3rd window from here
        [],
        [],         // 4th window from here
    ];

    private static readonly (string, int)[][] LargerSlideReduceOutput =
    [
        [("a", 3)],
        [("a", 10)],
        [("a", 18)],
        [("a", 11)],
    ];

    private static readonly (string, int)[][] BigInput =
    [
        [("a", 1)],
        [("a", 1), ("b", 1)],
        [("a", 1), ("b", 1), ("c", 1)],
        [("a", 1), ("b", 1)],
        [("a", 1)],
        [],
        [("a", 1)],
        [("a", 1), ("b", 1)],
        [("a", 1), ("b", 1), ("c", 1)],
        [("a", 1), ("b", 1)],
        [("a", 1)],
        [],
    ];

    private static readonly (string, int)[][] BigReduceOutput =
    [
        [("a", 1)],
        [("a", 2), ("b", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 1)],
        [("a", 1)],
        [("a", 1)],
        [("a", 2), ("b", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 1)],
        [("a", 1)],
    ];

    // Spark: "The output of the reduceByKeyAndWindow with inverse function but without a filter function will be
    // different from the naive reduceByKeyAndWindow, as no keys get eliminated from the ReducedWindowedDStream even
    // if the value of a key becomes 0."
    private static readonly (string, int)[][] BigReduceInvOutput =
    [
        [("a", 1)],
        [("a", 2), ("b", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 1), ("c", 0)],
        [("a", 1), ("b", 0), ("c", 0)],
        [("a", 1), ("b", 0), ("c", 0)],
        [("a", 2), ("b", 1), ("c", 0)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 2), ("c", 1)],
        [("a", 2), ("b", 1), ("c", 0)],
        [("a", 1), ("b", 0), ("c", 0)],
    ];

    private static readonly int[][] WindowInput = [[0], [1], [2], [3], [4], [5]];

    // Spark: testWindow("basic window", ...), window 2s, slide 1s.
    [Fact]
    public void Spark_Window_BasicWindow()
    {
        using var test = Ints(WindowInput, batches: 6);
        WindowAssert.Batches(1000, [[0], [0, 1], [1, 2], [2, 3], [3, 4], [4, 5]], test.BasicOut);
    }

    // Spark: testWindow("tumbling window", ..., Seconds(2), Seconds(2)).
    [Fact]
    public void Spark_Window_TumblingWindow()
    {
        using var test = Ints(WindowInput, batches: 3 * 2);
        WindowAssert.Batches(2000, [[0, 1], [2, 3], [4, 5]], test.TumblingOut);
    }

    // Spark: testWindow("larger window", ..., Seconds(4), Seconds(2)): 8 batches, two past the input.
    [Fact]
    public void Spark_Window_LargerWindow()
    {
        using var test = Ints(WindowInput, batches: 4 * 2);
        WindowAssert.Batches(2000, [[0, 1], [0, 1, 2, 3], [2, 3, 4, 5], [4, 5]], test.LargerOut);
    }

    // Spark: testWindow("non-overlapping window", ..., Seconds(2), Seconds(3)): the window skips batches 1 and 4.
    [Fact]
    public void Spark_Window_NonOverlappingWindow()
    {
        using var test = Ints(WindowInput, batches: 2 * 3);
        WindowAssert.Batches(3000, [[1, 2], [4, 5]], test.NonOverlappingOut);
    }

    // Spark: test("countByWindow"): window 2s, slide 1s; 0 once the window is empty again.
    [Fact]
    public void Spark_CountByWindow()
    {
        using var test = Ints([[1], [1], [1, 2], [0], [], []], batches: 6);
        WindowAssert.Batches(1000, [[1L], [2L], [3L], [3L], [1L], [0L]], test.CountOut);
    }

    // Spark: test("countByValueAndWindow"): window 2s, slide 1s.
    [Fact]
    public void Spark_CountByValueAndWindow()
    {
        using var test = new SparkValues.TestDriver();
        test.Input.Batch("a").Batch("b", "b").Batch("a", "b");
        test.Run(3);
        WindowAssert.BatchesAsSets(1000, [[("a", 1L)], [("a", 1L), ("b", 2L)], [("a", 1L), ("b", 3L)]], test.Output);
    }

    // Spark: testReduceByKeyAndWindow("basic reduction", ...).
    [Fact]
    public void Spark_ReduceByKeyAndWindow_BasicReduction()
    {
        using var test = Pairs([[("a", 1), ("a", 3)]], batches: 1);
        WindowAssert.BatchesAsSets(1000, [[("a", 4)]], test.NaiveOut);
    }

    // Spark: testReduceByKeyAndWindow("key already in window and new value added into window", ...).
    [Fact]
    public void Spark_ReduceByKeyAndWindow_KeyAlreadyInWindowAndNewValueAddedIntoWindow()
    {
        using var test = Pairs([[("a", 1)], [("a", 1)]], batches: 2);
        WindowAssert.BatchesAsSets(1000, [[("a", 1)], [("a", 2)]], test.NaiveOut);
    }

    // Spark: testReduceByKeyAndWindow("new key added into window", ...).
    [Fact]
    public void Spark_ReduceByKeyAndWindow_NewKeyAddedIntoWindow()
    {
        using var test = Pairs([[("a", 1)], [("a", 1), ("b", 1)]], batches: 2);
        WindowAssert.BatchesAsSets(1000, [[("a", 1)], [("a", 2), ("b", 1)]], test.NaiveOut);
    }

    // Spark: testReduceByKeyAndWindow("key removed from window", ...).
    [Fact]
    public void Spark_ReduceByKeyAndWindow_KeyRemovedFromWindow()
    {
        using var test = Pairs([[("a", 1)], [("a", 1)], [], []], batches: 4);
        WindowAssert.BatchesAsSets(1000, [[("a", 1)], [("a", 2)], [("a", 1)], []], test.NaiveOut);
    }

    // Spark: testReduceByKeyAndWindow("larger slide time", largerSlideInput, largerSlideReduceOutput, Seconds(4), Seconds(2)).
    [Fact]
    public void Spark_ReduceByKeyAndWindow_LargerSlideTime()
    {
        using var test = Pairs(LargerSlideInput, batches: 4 * 2);
        WindowAssert.BatchesAsSets(2000, LargerSlideReduceOutput, test.NaiveLargerSlideOut);
    }

    // Spark: testReduceByKeyAndWindow("big test", bigInput, bigReduceOutput).
    [Fact]
    public void Spark_ReduceByKeyAndWindow_BigTest()
    {
        using var test = Pairs(BigInput, batches: 12);
        WindowAssert.BatchesAsSets(1000, BigReduceOutput, test.NaiveOut);
    }

    // Spark: testReduceByKeyAndWindowWithInverse("basic reduction", ...).
    [Fact]
    public void Spark_ReduceByKeyAndWindowWithInverse_BasicReduction()
    {
        using var test = Pairs([[("a", 1), ("a", 3)]], batches: 1);
        WindowAssert.BatchesAsSets(1000, [[("a", 4)]], test.InverseOut);
    }

    // Spark: testReduceByKeyAndWindowWithInverse("key already in window and new value added into window", ...).
    [Fact]
    public void Spark_ReduceByKeyAndWindowWithInverse_KeyAlreadyInWindowAndNewValueAddedIntoWindow()
    {
        using var test = Pairs([[("a", 1)], [("a", 1)]], batches: 2);
        WindowAssert.BatchesAsSets(1000, [[("a", 1)], [("a", 2)]], test.InverseOut);
    }

    // Spark: testReduceByKeyAndWindowWithInverse("new key added into window", ...).
    [Fact]
    public void Spark_ReduceByKeyAndWindowWithInverse_NewKeyAddedIntoWindow()
    {
        using var test = Pairs([[("a", 1)], [("a", 1), ("b", 1)]], batches: 2);
        WindowAssert.BatchesAsSets(1000, [[("a", 1)], [("a", 2), ("b", 1)]], test.InverseOut);
    }

    // Spark: testReduceByKeyAndWindowWithInverse("key removed from window", ...): the key stays, at 0.
    [Fact]
    public void Spark_ReduceByKeyAndWindowWithInverse_KeyRemovedFromWindow()
    {
        using var test = Pairs([[("a", 1)], [("a", 1)], [], []], batches: 4);
        WindowAssert.BatchesAsSets(1000, [[("a", 1)], [("a", 2)], [("a", 1)], [("a", 0)]], test.InverseOut);
    }

    // Spark: testReduceByKeyAndWindowWithInverse("larger slide time", largerSlideInput, largerSlideReduceOutput, Seconds(4), Seconds(2)).
    [Fact]
    public void Spark_ReduceByKeyAndWindowWithInverse_LargerSlideTime()
    {
        using var test = Pairs(LargerSlideInput, batches: 4 * 2);
        WindowAssert.BatchesAsSets(2000, LargerSlideReduceOutput, test.InverseLargerSlideOut);
    }

    // Spark: testReduceByKeyAndWindowWithInverse("big test", bigInput, bigReduceInvOutput).
    [Fact]
    public void Spark_ReduceByKeyAndWindowWithInverse_BigTest()
    {
        using var test = Pairs(BigInput, batches: 12);
        WindowAssert.BatchesAsSets(1000, BigReduceInvOutput, test.InverseOut);
    }

    // Spark: testReduceByKeyAndWindowWithFilteredInverse("big test", bigInput, bigReduceOutput), filterFunc p._2 != 0.
    [Fact]
    public void Spark_ReduceByKeyAndWindowWithFilteredInverse_BigTest()
    {
        using var test = Pairs(BigInput, batches: 12);
        WindowAssert.BatchesAsSets(1000, BigReduceOutput, test.FilteredOut);
    }

    private static SparkInts.TestDriver Ints(int[][] input, int batches)
    {
        var test = new SparkInts.TestDriver();
        test.Input.Batches(input);
        test.Run(batches);
        return test;
    }

    // Spark: test("groupByKeyAndWindow"): bigInput, window 2s, slide 1s, each group compared as a set; its
    // bigGroupByOutput is bigReduceOutput with each count n written as n ones.
    [Fact]
    public void Spark_GroupByKeyAndWindow()
    {
        using var test = Pairs(BigInput, batches: 12);

        Assert.Equal(12, test.GroupedOut.Batches.Count);
        for (int b = 0; b < BigReduceOutput.Length; b++)
        {
            OutputBatch<Group<string, int>> batch = test.GroupedOut.Batches[b];
            Assert.Equal(1000L * (b + 1), batch.Time);
            Assert.Equal(
                BigReduceOutput[b].Select(p => (p.Item1, string.Join(",", Enumerable.Repeat(1, p.Item2)))).Order(),
                batch.Records.Select(g => (g.Key, string.Join(",", g.Values))).Order());
        }
    }

    // groupByKeyAndWindow keeps each key's values in arrival order across the window's batches, and a key that
    // leaves the window and comes back gets only its new values.
    [Fact]
    public void GroupByKeyAndWindow_ValuesInArrivalOrder_KeysLeaveAndReturn()
    {
        using var test = Pairs([[("a", 1), ("b", 2)], [("a", 3)], [("b", 4)], [], [("a", 5)]], batches: 6);

        Assert.Equal(
            [
                "1000: a=1 b=2",
                "2000: a=1,3 b=2",
                "3000: a=3 b=4",
                "4000: b=4",
                "5000: a=5",
                "6000: a=5",
            ],
            test.GroupedOut.Batches.Select(b => $"{b.Time}: " + string.Join(" ", b.Records.Select(g => $"{g.Key}={string.Join(",", g.Values)}"))));
    }

    private static SparkPairs.TestDriver Pairs((string, int)[][] input, int batches)
    {
        var test = new SparkPairs.TestDriver();
        foreach ((string, int)[] batch in input)
        {
            test.Input.Batch([.. batch.Select(p => (Key: p.Item1, Value: p.Item2))]);
        }

        test.Run(batches);
        return test;
    }
}
