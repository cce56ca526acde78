using Compiled.Testing;

namespace Compiled.Tests.Batches;

/// <summary>
/// Cases of Spark's streaming/src/test/scala/org/apache/spark/streaming/BasicOperationsSuite.scala, ported: the same
/// input batches and expected output batches. Where Spark compares a batch as a set (<c>useSet = true</c>), so do
/// these, and a second assertion pins Compiled's documented order. Spark's two input streams become two branches
/// of one source: a line "L key 1" is a record of the first stream (mapped to (key, 1)), "R key x" of the second
/// (mapped to (key, 'x')).
/// </summary>
public class SparkBasicOperationsTests
{
    private static void AssertSameAsSets<T>(IEnumerable<IEnumerable<T>> expected, IEnumerable<OutputBatch<T>> actual) =>
        Assert.Equal(expected.Select(Reference.AsMultiset), actual.Select(b => Reference.AsMultiset(b.Records)));

    // test("count"): Seq(Seq(), 1 to 1, 1 to 2, 1 to 3, 1 to 4) → Seq(Seq(0L), Seq(1L), Seq(2L), Seq(3L), Seq(4L)).
    [Fact]
    public void Count()
    {
        using var test = new CountAndReduce.TestDriver();
        test.Input.Batch().Batch(1).Batch(1, 2).Batch(1, 2, 3).Batch(1, 2, 3, 4);
        test.Run();

        Assert.Equal([[0L], [1L], [2L], [3L], [4L]], test.Count.Batches.Select(b => b.Records));
    }

    // test("reduce"): Seq(1 to 4, 5 to 8, 9 to 12), s.reduce(_ + _) → Seq(Seq(10), Seq(26), Seq(42)).
    [Fact]
    public void Reduce()
    {
        using var test = new CountAndReduce.TestDriver();
        test.Input.Batch(1, 2, 3, 4).Batch(5, 6, 7, 8).Batch(9, 10, 11, 12);
        test.Run();

        Assert.Equal([[10], [26], [42]], test.Total.Batches.Select(b => b.Records));
    }

    private static ByteKeyed.TestDriver RunWordsAsPairs()
    {
        // Seq(Seq("a", "a", "b"), Seq("", ""), Seq()) mapped by x => (x, 1).
        var test = new ByteKeyed.TestDriver();
        test.Input.Batch("a 1", "a 1", "b 1").Batch(" 1", " 1").Batch();
        test.Run();
        return test;
    }

    // test("groupByKey"): s.map(x => (x, 1)).groupByKey().mapValues(_.toSeq)
    // → Seq(Seq(("a", Seq(1, 1)), ("b", Seq(1))), Seq(("", Seq(1, 1))), Seq()), as sets.
    [Fact]
    public void GroupByKey()
    {
        using var test = RunWordsAsPairs();

        Group<string, int>[][] expected = [[new("a", [1, 1]), new("b", [1])], [new("", [1, 1])], []];
        AssertSameAsSets(expected, test.Groupings.Batches);
        Assert.Equal(expected, test.Groupings.Batches.Select(b => b.Records.ToArray())); // keys in the order first seen
    }

    // test("mapValues"): s.map(x => (x, 1)).reduceByKey(_ + _).mapValues(_ + 10)
    // → Seq(Seq(("a", 12), ("b", 11)), Seq(("", 12)), Seq()), as sets.
    [Fact]
    public void MapValues()
    {
        using var test = RunWordsAsPairs();

        (string, int)[][] expected = [[("a", 12), ("b", 11)], [("", 12)], []];
        AssertSameAsSets(expected, test.SumsPlus10.Batches);
        Assert.Equal(expected, test.SumsPlus10.Batches.Select(b => b.Records.ToArray()));
    }

    // test("flatMapValues"): s.map(x => (x, 1)).reduceByKey(_ + _).flatMapValues(x => Seq(x, x + 10))
    // → Seq(Seq(("a", 2), ("a", 12), ("b", 1), ("b", 11)), Seq(("", 2), ("", 12)), Seq()), as sets.
    [Fact]
    public void FlatMapValues()
    {
        using var test = RunWordsAsPairs();

        (string, int)[][] expected = [[("a", 2), ("a", 12), ("b", 1), ("b", 11)], [("", 2), ("", 12)], []];
        AssertSameAsSets(expected, test.SumsAndPlus10.Batches);
        Assert.Equal(expected, test.SumsAndPlus10.Batches.Select(b => b.Records.ToArray()));
    }

    // test("union"): Seq(1 to 4, 101 to 104, 201 to 204), s.union(s.map(_ + 4)) → Seq(1 to 8, 101 to 108, 201 to 208).
    // Spark compares in order there: the union's RDD lists the first stream's partitions, then the second's.
    [Fact]
    public void Union()
    {
        using var test = new UnionNumbers.TestDriver();
        test.Input.Batch(1, 2, 3, 4).Batch(101, 102, 103, 104).Batch(201, 202, 203, 204);
        test.Run();

        int[][] expected = [[.. Enumerable.Range(1, 8)], [.. Enumerable.Range(101, 8)], [.. Enumerable.Range(201, 8)]];
        Assert.Equal(expected, test.Unioned.Batches.Select(b => b.Records.ToArray()));
    }

    // test("transform"): Seq(1 to 4, 5 to 8, 9 to 12), r.transform(rdd => rdd.map(_.toString)) → input.map(_.map(_.toString)).
    [Fact]
    public void Transform()
    {
        Transforms.Observed = [];
        Transforms.ObservedReversed = [];
        using var test = new Transforms.TestDriver();
        test.Input.Batch(1, 2, 3, 4).Batch(5, 6, 7, 8).Batch(9, 10, 11, 12);
        test.Run();

        Assert.Equal([["1", "2", "3", "4"], ["5", "6", "7", "8"], ["9", "10", "11", "12"]], test.Texts.Batches.Select(b => b.Records));
    }

    // The two-stream cases' inputs: batch i of the first stream, then batch i of the second, as one source's lines.
    private static TwoByteStreams.TestDriver RunTwoStreams(string[][] first, string[][] second, bool secondFirst)
    {
        var test = new TwoByteStreams.TestDriver();
        for (int i = 0; i < first.Length; i++)
        {
            string[] left = [.. first[i].Select(x => $"L {x} 1")];
            string[] right = [.. second[i].Select(x => $"R {x} x")];
            test.Input.Batch(secondFirst ? [.. right, .. left] : [.. left, .. right]);
        }

        test.Run();
        return test;
    }

    private static readonly string[][] JoinInput1 = [["a", "b"], ["a", ""], [""], []];
    private static readonly string[][] JoinInput2 = [["a", "b"], ["b", ""], [], [""]];

    // test("join"): s1.map(x => (x, 1)).join(s2.map(x => (x, "x")))
    // → Seq(Seq(("a", (1, "x")), ("b", (1, "x"))), Seq(("", (1, "x"))), Seq(), Seq()), as sets.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join(bool secondStreamArrivesFirst)
    {
        using var test = RunTwoStreams(JoinInput1, JoinInput2, secondStreamArrivesFirst);

        (string, (int, char))[][] expected = [[("a", (1, 'x')), ("b", (1, 'x'))], [("", (1, 'x'))], [], []];
        AssertSameAsSets(expected, test.Joins.Batches);
        Assert.Equal(expected, test.Joins.Batches.Select(b => b.Records.ToArray()));
    }

    // test("leftOuterJoin"): s1.map(x => (x, 1)).leftOuterJoin(s2.map(x => (x, "x")))
    // → Seq(Seq(("a", (1, Some("x"))), ("b", (1, Some("x")))), Seq(("", (1, Some("x"))), ("a", (1, None))),
    //       Seq(("", (1, None))), Seq()), as sets.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LeftOuterJoin(bool secondStreamArrivesFirst)
    {
        using var test = RunTwoStreams(JoinInput1, JoinInput2, secondStreamArrivesFirst);

        AssertSameAsSets<(string, (int, char?))>(
            [[("a", (1, 'x')), ("b", (1, 'x'))], [("", (1, 'x')), ("a", (1, null))], [("", (1, null))], []],
            test.LeftJoins.Batches);
        // Compiled: the left side's keys in the order first seen ("a" before "" in batch 2).
        Assert.Equal<(string, (int, char?))[]>(
            [[("a", (1, 'x')), ("b", (1, 'x'))], [("a", (1, null)), ("", (1, 'x'))], [("", (1, null))], []],
            test.LeftJoins.Batches.Select(b => b.Records.ToArray()));
    }

    // test("rightOuterJoin"): s1.map(x => (x, 1)).rightOuterJoin(s2.map(x => (x, "x")))
    // → Seq(Seq(("a", (Some(1), "x")), ("b", (Some(1), "x"))), Seq(("", (Some(1), "x")), ("b", (None, "x"))),
    //       Seq(), Seq(("", (None, "x")))), as sets.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RightOuterJoin(bool secondStreamArrivesFirst)
    {
        using var test = RunTwoStreams(JoinInput1, JoinInput2, secondStreamArrivesFirst);

        (string, (int?, char))[][] expected = [[("a", (1, 'x')), ("b", (1, 'x'))], [("", (1, 'x')), ("b", (null, 'x'))], [], [("", (null, 'x'))]];
        AssertSameAsSets(expected, test.RightJoins.Batches);
        // Compiled: the keys the left side has first, then the right side's others ("" before "b" in batch 2).
        Assert.Equal(expected, test.RightJoins.Batches.Select(b => b.Records.ToArray()));
    }

    // test("fullOuterJoin"): s1.map(x => (x, 1)).fullOuterJoin(s2.map(x => (x, "x")))
    // → Seq(Seq(("a", (Some(1), Some("x"))), ("b", (Some(1), Some("x")))),
    //       Seq(("", (Some(1), Some("x"))), ("a", (Some(1), None)), ("b", (None, Some("x")))),
    //       Seq(("", (Some(1), None))), Seq(("", (None, Some("x"))))), as sets.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FullOuterJoin(bool secondStreamArrivesFirst)
    {
        using var test = RunTwoStreams(JoinInput1, JoinInput2, secondStreamArrivesFirst);

        AssertSameAsSets<(string, (int?, char?))>(
            [
                [("a", (1, 'x')), ("b", (1, 'x'))],
                [("", (1, 'x')), ("a", (1, null)), ("b", (null, 'x'))],
                [("", (1, null))],
                [("", (null, 'x'))],
            ],
            test.FullJoins.Batches);
        Assert.Equal<(string, (int?, char?))[]>(
            [
                [("a", (1, 'x')), ("b", (1, 'x'))],
                [("a", (1, null)), ("", (1, 'x')), ("b", (null, 'x'))],
                [("", (1, null))],
                [("", (null, 'x'))],
            ],
            test.FullJoins.Batches.Select(b => b.Records.ToArray()));
    }

    // test("cogroup"): inputs Seq(Seq("a", "a", "b"), Seq("a", ""), Seq(""), Seq()) and
    // Seq(Seq("a", "a", "b"), Seq("b", ""), Seq(), Seq()); s1.map(x => (x, 1)).cogroup(s2.map(x => (x, "x")))
    // → Seq(Seq(("a", (Seq(1, 1), Seq("x", "x"))), ("b", (Seq(1), Seq("x")))),
    //       Seq(("a", (Seq(1), Seq())), ("b", (Seq(), Seq("x"))), ("", (Seq(1), Seq("x")))),
    //       Seq(("", (Seq(1), Seq()))), Seq()), as sets.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cogroup(bool secondStreamArrivesFirst)
    {
        using var test = RunTwoStreams([["a", "a", "b"], ["a", ""], [""], []], [["a", "a", "b"], ["b", ""], [], []], secondStreamArrivesFirst);

        // Each cogroup as (key, (the left values joined by ",", the right values as a string)).
        (string, (string, string))[][] expected =
        [
            [("a", ("1,1", "xx")), ("b", ("1", "x"))],
            [("a", ("1", "")), ("b", ("", "x")), ("", ("1", "x"))],
            [("", ("1", ""))],
            [],
        ];
        AssertSameAsSets(expected, test.Cogroups.Batches);
        // Compiled: the left side's keys first (a, ""), then the right side's others (b).
        Assert.Equal(
            [
                [("a", ("1,1", "xx")), ("b", ("1", "x"))],
                [("a", ("1", "")), ("", ("1", "x")), ("b", ("", "x"))],
                [("", ("1", ""))],
                [],
            ],
            test.Cogroups.Batches.Select(b => b.Records.ToArray()));
    }

    // test("transformWith"): t1 = s1.map(x => (x, 1)), t2 = s2.map(x => (x, "x")),
    // t1.transformWith(t2, (rdd1, rdd2) => rdd1.join(rdd2))
    // → Seq(Seq(("a", (1, "x")), ("b", (1, "x"))), Seq(("", (1, "x"))), Seq(), Seq()), as sets.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TransformWith(bool secondStreamArrivesFirst)
    {
        using var test = RunTwoStreams(JoinInput1, JoinInput2, secondStreamArrivesFirst);

        (string, (int, char))[][] expected = [[("a", (1, 'x')), ("b", (1, 'x'))], [("", (1, 'x'))], [], []];
        AssertSameAsSets(expected, test.JoinedInside.Batches);
        Assert.Equal(expected, test.JoinedInside.Batches.Select(b => b.Records.ToArray()));
        Assert.Equal([1000L, 2000, 3000, 4000], test.JoinedInside.Batches.Select(b => b.Time));
    }
}
