using System.Globalization;
using Compiled.Testing;

namespace Compiled.Tests.Batches;

/// <summary>
/// The stages that read two streams ([Join], the outer joins, [Cogroup], [Union], [TransformWith]), both streams
/// branches of one source (filters on the side of "side,key,value" lines), against the model: per batch, the left
/// side's keys in the order first seen, then the right side's keys the left lacks; a key's pairs with the left
/// value varying slowest; values in arrival order; a one-sided key dropped by an inner join and paired with null by
/// an outer one.
/// </summary>
public class TwoStreamTests
{
    private static readonly (string Side, int Key, int Value)[][] Batches =
    [
        // Key 1 has three values on the left and two on the right; 3 only left; 2 only right; X lines are neither.
        [("L", 1, 10), ("R", 1, 100), ("L", 1, 11), ("R", 2, 200), ("X", 1, -1), ("L", 3, 30), ("R", 1, 101), ("L", 1, 12)],
        [],
        [("R", 5, 500), ("R", 5, 501)],
        [("L", 5, 50)],
        [("X", 9, 9)],
        [("L", 1, 13), ("R", 1, 102), ("L", 2, 20), ("L", 2, 21), ("R", 2, 201), ("R", 2, 202), ("R", 4, 400), ("L", 6, 60), ("R", 3, 300)],
    ];

    private static (int Key, int Value)[] Side((string Side, int Key, int Value)[] batch, string side) =>
        [.. batch.Where(r => r.Side == side).Select(r => (r.Key, r.Value))];

    private static (int Key, int Value)[] Left((string Side, int Key, int Value)[] batch) => Side(batch, "L");

    private static (int Key, int Value)[] Right((string Side, int Key, int Value)[] batch) => Side(batch, "R");

    private static TwoStreams.TestDriver Run((string Side, int Key, int Value)[][] batches)
    {
        var test = new TwoStreams.TestDriver();
        test.Input.Batches(batches);
        test.Run();
        return test;
    }

    [Fact]
    public void Join_EveryPairOfValuesPerKey_OneSidedKeysDropped()
    {
        using var test = Run(Batches);

        Assert.Equal(
            Batches.Select((batch, i) => new OutputBatch<(int, int, int)>((i + 1) * 1000L, Reference.Join(Left(batch), Right(batch)))),
            test.Joins.Batches);
        Assert.Equal([(1, 10, 100), (1, 10, 101), (1, 11, 100), (1, 11, 101), (1, 12, 100), (1, 12, 101)], test.Joins.Batches[0].Records);
        Assert.Empty(test.Joins.Batches[2].Records); // key 5 only on the right
        Assert.Empty(test.Joins.Batches[3].Records); // key 5 only on the left, a batch later: batches do not join across
        Assert.Equal([(1, 13, 102), (2, 20, 201), (2, 20, 202), (2, 21, 201), (2, 21, 202)], test.Joins.Batches[5].Records);
    }

    [Fact]
    public void LeftOuterJoin_EveryLeftValue_WithEachRightValueOrNull()
    {
        using var test = Run(Batches);

        Assert.Equal(
            Batches.Select(batch => Reference.LeftOuterJoin(Left(batch), Right(batch))),
            test.LeftJoins.Batches.Select(b => b.Records));
        Assert.Equal([(1, 10, (int?)100), (1, 10, 101), (1, 11, 100), (1, 11, 101), (1, 12, 100), (1, 12, 101), (3, 30, null)], test.LeftJoins.Batches[0].Records);
        Assert.Empty(test.LeftJoins.Batches[2].Records);
        Assert.Equal([(5, 50, (int?)null)], test.LeftJoins.Batches[3].Records);
    }

    [Fact]
    public void RightOuterJoin_EveryRightValue_WithEachLeftValueOrNull_RightOnlyKeysLast()
    {
        using var test = Run(Batches);

        Assert.Equal(
            Batches.Select(batch => Reference.RightOuterJoin(Left(batch), Right(batch))),
            test.RightJoins.Batches.Select(b => b.Records));
        Assert.Equal(
            [(1, (int?)10, 100), (1, 10, 101), (1, 11, 100), (1, 11, 101), (1, 12, 100), (1, 12, 101), (2, null, 200)],
            test.RightJoins.Batches[0].Records);
        Assert.Equal([(5, (int?)null, 500), (5, null, 501)], test.RightJoins.Batches[2].Records);
        Assert.Empty(test.RightJoins.Batches[3].Records);
        // Batch 6: the left's keys first (1, 2; 6 has no right value), then the right's others in first-seen order (4, 3).
        Assert.Equal(
            [(1, (int?)13, 102), (2, 20, 201), (2, 20, 202), (2, 21, 201), (2, 21, 202), (4, null, 400), (3, null, 300)],
            test.RightJoins.Batches[5].Records);
    }

    [Fact]
    public void FullOuterJoin_EveryValueOfEitherSide_WithEachValueOfTheOtherOrNull()
    {
        using var test = Run(Batches);

        Assert.Equal(
            Batches.Select(batch => Reference.FullOuterJoin(Left(batch), Right(batch))),
            test.FullJoins.Batches.Select(b => b.Records));
        Assert.Equal(
            [(1, (int?)10, (int?)100), (1, 10, 101), (1, 11, 100), (1, 11, 101), (1, 12, 100), (1, 12, 101), (3, 30, null), (2, null, 200)],
            test.FullJoins.Batches[0].Records);
        Assert.Equal([(5, (int?)null, (int?)500), (5, null, 501)], test.FullJoins.Batches[2].Records);
        Assert.Equal([(5, (int?)50, (int?)null)], test.FullJoins.Batches[3].Records);
        Assert.Empty(test.FullJoins.Batches[4].Records);
    }

    [Fact]
    public void Cogroup_EachKeyOfEitherSide_WithAllItsValuesFromEach_EmptySidesEmpty()
    {
        using var test = Run(Batches);

        Assert.Equal(
            Batches.Select(batch => Reference.Cogroup(Left(batch), Right(batch)).Select(g => (g.Key, string.Join(",", g.Left), string.Join(",", g.Right))).ToList()),
            test.Cogroups.Batches.Select(b => b.Records));
        Assert.Equal([(1, "10,11,12", "100,101"), (3, "30", ""), (2, "", "200")], test.Cogroups.Batches[0].Records);
        Assert.Empty(test.Cogroups.Batches[1].Records);
        Assert.Equal([(5, "", "500,501")], test.Cogroups.Batches[2].Records);
        Assert.Equal([(5, "50", "")], test.Cogroups.Batches[3].Records);
        Assert.Empty(test.Cogroups.Batches[4].Records);
        Assert.Equal([(1, "13", "102"), (2, "20,21", "201,202"), (6, "60", ""), (4, "", "400"), (3, "", "300")], test.Cogroups.Batches[5].Records);
    }

    [Fact]
    public void Count_OfAJoin_IsItsNumberOfPairs_ZeroWhenNoKeyMatches()
    {
        using var test = Run(Batches);

        Assert.Equal(Batches.Select(batch => (long)Reference.Join(Left(batch), Right(batch)).Count), test.JoinCount.Records);
        Assert.Equal([6L, 0, 0, 0, 0, 5], test.JoinCount.Records);
    }

    [Fact]
    public void Reduce_OfAJoin_OneRecordWhenThereArePairs_NoneOtherwise()
    {
        using var test = Run(Batches);

        Assert.Equal(
            Batches.Select(batch => Reference.Join(Left(batch), Right(batch)).Select(r => (long)r.Left * r.Right).ToList())
                .Select(products => (IReadOnlyList<long>)(products.Count == 0 ? [] : [products.Sum()])),
            test.JoinProductSum.Batches.Select(b => b.Records));
        Assert.Equal([(10 + 11 + 12) * 201L], test.JoinProductSum.Batches[0].Records);
        Assert.Empty(test.JoinProductSum.Batches[3].Records);
    }

    [Fact]
    public void Union_OfTwoBranchesOfOneSource_IsTheFirstStreamsRecordsThenTheSeconds()
    {
        using var test = Run(Batches);

        // Spark's order: a union's batch lists the first stream's records, then the second's, each in arrival order.
        Assert.Equal(
            Batches.Select(batch => Left(batch).Concat(Right(batch)).ToList()),
            test.Unioned.Batches.Select(b => b.Records));
    }

    [Fact]
    public void Union_OfTwoFiltersOfOneSource_HasARecordThatPassesBothTwice()
    {
        using var test = new UnionNumbers.TestDriver();
        test.Input.Batch(1, 2, 11, 12, 3).Batch().Batch(20, 21);
        test.Run();

        // IsSmall: n < 10; IsOdd: n odd. 1 and 3 pass both, so are there twice.
        int[][] expected = [[1, 1, 2, 11, 3, 3], [], [21]];
        Assert.Equal(expected.Select(b => Reference.AsMultiset(b)), test.SmallOrOddNumbers.Batches.Select(b => Reference.AsMultiset(b.Records)));
        Assert.Equal(expected.Select(b => (long)b.Length), test.SmallOrOddCount.Records);
        // Spark's order: the first stream's records of the batch (IsSmall: 1, 2, 3), then the second's (IsOdd: 1, 11, 3).
        Assert.Equal([[1, 2, 3, 1, 11, 3], [], [21]], test.SmallOrOddNumbers.Batches.Select(b => b.Records.ToArray()));
    }

    [Fact]
    public void TransformWith_SeesExactlyEachSidesRecordsOfTheBatch_InArrivalOrder_AndItsOutputFlowsOn()
    {
        using var test = Run(Batches);

        var expected = Batches.Select(batch =>
            Left(batch).Select(r => ('L', r.Key, r.Value)).Concat(Right(batch).Select(r => ('R', r.Key, r.Value))).ToList()).ToList();
        Assert.Equal(
            expected.Select(batch => batch.Select(r => $"{r.Item1}{r.Key}={r.Value}").ToList()),
            test.TaggedRecords.Batches.Select(b => b.Records));
        // Into a map and a reduceByKey below it, which emit at the same batch.
        Assert.Equal(
            expected.Select(batch => batch.GroupBy(r => r.Item1).Select(g => (g.Key, g.Count())).ToList()),
            test.PerSide.Batches.Select(b => b.Records));
        Assert.Equal(
            ["L1=10", "L1=11", "L3=30", "L1=12", "R1=100", "R2=200", "R1=101"],
            test.TaggedRecords.Batches[0].Records);
        Assert.Empty(test.TaggedRecords.Batches[1].Records);
        Assert.Equal([], test.TaggedRecords.Batches[4].Records); // only an X line: both sides empty
    }

    [Fact]
    public void Joins_OwnStructKey_MatchByValueEquality()
    {
        using var test = new SkuKeyed.TestDriver();
        test.Input
            .Batch(("L", 1, 'A', 10), ("R", 1, 'B', 20), ("L", 1, 'A', 11), ("R", 1, 'A', 30), ("L", 1, 'B', 21), ("R", 2, 'A', 40))
            .Batch(("R", 1, 'A', 31));
        test.Run();

        Assert.Equal(
            [
                [(new Sku(1, 'A'), 10, 30), (new Sku(1, 'A'), 11, 30), (new Sku(1, 'B'), 21, 20)],
                [],
            ],
            test.Joins.Batches.Select(b => b.Records));
    }

    // Byte-span keys: "L key n" and "R key c"; the key may be empty or not ASCII.
    private static readonly string[][] ByteBatches =
    [
        ["L a 1", "R a x", "L a 2", "R  y", "L  3", "R a z", "L ü 4", "R é w"],
        [],
        ["R b q", "R b r"],
        ["L b 5", "L two words 6", "R two words s"],
    ];

    private static (string Key, int Value)[] ByteLeft(string[] batch) =>
        [.. batch.Where(l => l[0] == 'L').Select(l => (l[2..l.LastIndexOf(' ')], int.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))];

    private static (string Key, char Value)[] ByteRight(string[] batch) =>
        [.. batch.Where(l => l[0] == 'R').Select(l => (l[2..l.LastIndexOf(' ')], l[^1]))];

    [Fact]
    public void Joins_ByteKeys_MatchTheModel_EmptyAndNonAsciiKeysIncluded()
    {
        using var test = new TwoByteStreams.TestDriver();
        test.Input.Batches(ByteBatches);
        test.Run();

        Assert.Equal(
            ByteBatches.Select(b => Reference.Join(ByteLeft(b), ByteRight(b)).Select(r => (r.Key, (r.Left, r.Right))).ToList()),
            test.Joins.Batches.Select(b => b.Records));
        Assert.Equal(
            ByteBatches.Select(b => Reference.LeftOuterJoin(ByteLeft(b), ByteRight(b)).Select(r => (r.Key, (r.Left, r.Right))).ToList()),
            test.LeftJoins.Batches.Select(b => b.Records));
        Assert.Equal(
            ByteBatches.Select(b => Reference.RightOuterJoin(ByteLeft(b), ByteRight(b)).Select(r => (r.Key, (r.Left, r.Right))).ToList()),
            test.RightJoins.Batches.Select(b => b.Records));
        Assert.Equal(
            ByteBatches.Select(b => Reference.FullOuterJoin(ByteLeft(b), ByteRight(b)).Select(r => (r.Key, (r.Left, r.Right))).ToList()),
            test.FullJoins.Batches.Select(b => b.Records));
        Assert.Equal(
            ByteBatches.Select(b => Reference.Cogroup(ByteLeft(b), ByteRight(b)).Select(g => (g.Key, (string.Join(",", g.Left), new string(g.Right)))).ToList()),
            test.Cogroups.Batches.Select(b => b.Records));

        // Batch 1 spelt out.
        Assert.Equal([("a", (1, 'x')), ("a", (1, 'z')), ("a", (2, 'x')), ("a", (2, 'z')), ("", (3, 'y'))], test.Joins.Batches[0].Records);
        Assert.Equal(
            [("a", ((int?)1, (char?)'x')), ("a", (1, 'z')), ("a", (2, 'x')), ("a", (2, 'z')), ("", (3, 'y')), ("ü", (4, null)), ("é", (null, 'w'))],
            test.FullJoins.Batches[0].Records);
        Assert.Equal([("a", ("1,2", "xz")), ("", ("3", "y")), ("ü", ("4", "")), ("é", ("", "w"))], test.Cogroups.Batches[0].Records);
        Assert.Equal([("b", ("", "qr"))], test.Cogroups.Batches[2].Records);
        Assert.Equal([("b", ("5", "")), ("two words", ("6", "s"))], test.Cogroups.Batches[3].Records);
    }

    [Fact]
    public void Union_OfAStreamWithItself_IsTheBatchTwice()
    {
        using var test = new SelfStreams.TestDriver();
        test.Input.Batch((1, 10), (2, 20), (1, 11)).Batch().Batch((3, 30));
        test.Run();

        // Spark: rdd.union(rdd) lists the batch's records, then the same records again.
        Assert.Equal(
            [
                [(1, 10), (2, 20), (1, 11), (1, 10), (2, 20), (1, 11)],
                [],
                [(3, 30), (3, 30)],
            ],
            test.Doubled.Batches.Select(b => b.Records));
    }

    [Fact]
    public void Join_OfAStreamWithItself_PairsEveryValueOfAKeyWithEveryOther()
    {
        using var test = new SelfStreams.TestDriver();
        test.Input.Batch((1, 10), (2, 20), (1, 11)).Batch().Batch((3, 30));
        test.Run();

        // Spark: rdd.join(rdd), every (v, w) of the key, v == w included.
        Assert.Equal(
            [
                [(1, 10, 10), (1, 10, 11), (1, 11, 10), (1, 11, 11), (2, 20, 20)],
                [],
                [(3, 30, 30)],
            ],
            test.SelfJoins.Batches.Select(b => b.Records));
        Assert.Equal(
            [[(1, "10,11", "10,11"), (2, "20", "20")], [], [(3, "30", "30")]],
            test.SelfCogroups.Batches.Select(b => b.Records));
    }
}
