using System.Globalization;
using Compiled.Testing;

namespace Compiled.Tests.Batches;

/// <summary>
/// [MapValues], [FlatMapValues], [GroupByKey] and [CombineByKey] (Spark's PairDStreamFunctions.mapValues,
/// flatMapValues, groupByKey, combineByKey), per batch, over byte-span keys and struct keys, against the model:
/// keys in the order first seen in the batch, values in arrival order, nothing carried from one batch to the next.
/// </summary>
public class KeyedValueTests
{
    // Keys that vanish and return (a, b, c), an empty key, a non-ASCII key, a key with a space, empty batches.
    private static readonly string[][] ByteBatches =
    [
        ["a 1", "b 2", "a 4", "naïve 5", " 7", "a 10"],
        [],
        ["b 8", "c 3", "b 1", "two words 2"],
        ["a 2", "a 2", "a 9"],
        [],
        ["c 0", " 4", "b 5", "c 6"],
    ];

    private static readonly (int Key, int Value)[][] StructBatches =
    [
        [(1, 1), (2, 2), (1, 4), (-7, 5), (0, 7), (1, 10)],
        [],
        [(2, 8), (3, 3), (2, 1), (int.MaxValue, 2)],
        [(1, 2), (1, 2), (1, 9)],
        [],
        [(3, 0), (0, 4), (2, 5), (3, 6)],
    ];

    private static (string Key, int Value)[] Parse(string[] batch) =>
        [.. batch.Select(line => (line[..line.LastIndexOf(' ')], int.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))];

    private static IEnumerable<int> Expand(int value) => Enumerable.Range(0, Math.Max(0, value % 3)).Select(i => value + (100 * i));

    private static (int First, int Last, int Count, long Sum) Stats(int[] values) => (values[0], values[^1], values.Length, values.Sum(v => (long)v));

    [Fact]
    public void MapValues_ByteKeys_MapsEachValueInArrivalOrder_AndKeepsItsKey()
    {
        using var test = new ByteKeyed.TestDriver();
        test.Input.Batches(ByteBatches);
        test.Run();

        Assert.Equal(
            ByteBatches.Select(batch => Parse(batch).Select(p => (p.Key, p.Value * 3L)).ToList()),
            test.Tripled.Batches.Select(b => b.Records));
    }

    [Fact]
    public void MapValues_StructKeys_MapsEachValueInArrivalOrder_AndKeepsItsKey()
    {
        using var test = new StructKeyed.TestDriver();
        test.Input.Batches(StructBatches);
        test.Run();

        Assert.Equal(
            StructBatches.Select(batch => batch.Select(p => (p.Key, p.Value * 3L)).ToList()),
            test.Tripled.Batches.Select(b => b.Records));
    }

    [Fact]
    public void FlatMapValues_ByteKeys_GivesEachValueItsKey_NoneForAnEmptyExpansion()
    {
        using var test = new ByteKeyed.TestDriver();
        test.Input.Batches(ByteBatches);
        test.Run();

        Assert.Equal(
            ByteBatches.Select(batch => Parse(batch).SelectMany(p => Expand(p.Value).Select(v => (p.Key, v))).ToList()),
            test.Expanded.Batches.Select(b => b.Records));
        // Batch 1 spelt out: 1 → one value, 2 → two, 4 → one, 5 → two, 7 → one, 10 → one.
        Assert.Equal(
            [("a", 1), ("b", 2), ("b", 102), ("a", 4), ("naïve", 5), ("naïve", 105), ("", 7), ("a", 10)],
            test.Expanded.Batches[0].Records);
    }

    [Fact]
    public void FlatMapValues_StructKeys_GivesEachValueItsKey_NoneForAnEmptyExpansion()
    {
        using var test = new StructKeyed.TestDriver();
        test.Input.Batches(StructBatches);
        test.Run();

        Assert.Equal(
            StructBatches.Select(batch => batch.SelectMany(p => Expand(p.Value).Select(v => (p.Key, v))).ToList()),
            test.Expanded.Batches.Select(b => b.Records));
        // Batch 6: 0 and 6 are multiples of 3, so key 3 has no value; 4 → one value, 5 → two.
        Assert.Equal([(0, 4), (2, 5), (2, 105)], test.Expanded.Batches[5].Records);
    }

    [Fact]
    public void GroupByKey_ByteKeys_KeysInFirstSeenOrder_ValuesInArrivalOrder_PerBatch()
    {
        using var test = new ByteKeyed.TestDriver();
        test.Input.Batches(ByteBatches);
        test.Run();

        Assert.Equal(
            ByteBatches.Select((batch, i) => new OutputBatch<Group<string, int>>(
                (i + 1) * 1000L,
                [.. Reference.GroupByKey(Parse(batch)).Select(g => new Group<string, int>(g.Key, g.Values))])),
            test.Groupings.Batches);
        Assert.Equal(
            [new("a", [1, 4, 10]), new("b", [2]), new("naïve", [5]), new("", [7])],
            test.Groupings.Batches[0].Records);
        Assert.Empty(test.Groupings.Batches[1].Records);
        Assert.Equal([new("a", [2, 2, 9])], test.Groupings.Batches[3].Records); // a is back, with only this batch's values
    }

    [Fact]
    public void GroupByKey_StructKeys_KeysInFirstSeenOrder_ValuesInArrivalOrder_PerBatch()
    {
        using var test = new StructKeyed.TestDriver();
        test.Input.Batches(StructBatches);
        test.Run();

        Assert.Equal(
            StructBatches.Select(batch => Reference.GroupByKey(batch).Select(g => new Group<int, int>(g.Key, g.Values)).ToList()),
            test.Groupings.Batches.Select(b => b.Records));
        Assert.Equal(
            [new(3, [0, 6]), new(0, [4]), new(2, [5])],
            test.Groupings.Batches[5].Records);
    }

    [Fact]
    public void GroupByKey_StructKeyOfOnesOwn_GroupsByValueEquality()
    {
        using var test = new SkuKeyed.TestDriver();
        test.Input
            .Batch(("L", 1, 'A', 10), ("R", 1, 'B', 20), ("L", 1, 'A', 11), ("R", 2, 'A', 30), ("L", 1, 'B', 21))
            .Batch()
            .Batch(("R", 1, 'B', 7));
        test.Run();

        Assert.Equal(
            [
                [new(new Sku(1, 'A'), [10, 11]), new(new Sku(1, 'B'), [20, 21]), new(new Sku(2, 'A'), [30])],
                [],
                [new Group<Sku, int>(new Sku(1, 'B'), [7])],
            ],
            test.Groupings.Batches.Select(b => b.Records));
    }

    [Fact]
    public void CombineByKey_ByteKeys_CreatesFromTheFirstValue_MergesTheRestInArrivalOrder()
    {
        using var test = new ByteKeyed.TestDriver();
        test.Input.Batches(ByteBatches);
        test.Run();

        Assert.Equal(
            ByteBatches.Select(batch => Reference.GroupByKey(Parse(batch)).Select(g => (g.Key, Stats(g.Values))).ToList()),
            test.Combined.Batches.Select(b => b.Records));
        Assert.Equal([("a", (2, 9, 3, 13L))], test.Combined.Batches[3].Records);
    }

    [Fact]
    public void CombineByKey_StructKeys_CreatesFromTheFirstValue_MergesTheRestInArrivalOrder()
    {
        using var test = new StructKeyed.TestDriver();
        test.Input.Batches(StructBatches);
        test.Run();

        Assert.Equal(
            StructBatches.Select(batch => Reference.GroupByKey(batch).Select(g => (g.Key, Stats(g.Values))).ToList()),
            test.Combined.Batches.Select(b => b.Records));
        Assert.Equal([(1, (1, 10, 3, 15L)), (2, (2, 2, 1, 2L)), (-7, (5, 5, 1, 5L)), (0, (7, 7, 1, 7L))], test.Combined.Batches[0].Records);
    }

    [Fact]
    public void MapValuesAndFlatMapValues_AfterReduceByKey_RunOncePerKey()
    {
        using var test = new ByteKeyed.TestDriver();
        test.Input.Batches(ByteBatches);
        test.Run();

        var sums = ByteBatches.Select(batch => Reference.GroupByKey(Parse(batch)).Select(g => (g.Key, Sum: g.Values.Sum())).ToList()).ToList();
        Assert.Equal(sums.Select(batch => batch.Select(s => (s.Key, s.Sum + 10)).ToList()), test.SumsPlus10.Batches.Select(b => b.Records));
        Assert.Equal(
            sums.Select(batch => batch.SelectMany(s => new[] { (s.Key, s.Sum), (s.Key, s.Sum + 10) }).ToList()),
            test.SumsAndPlus10.Batches.Select(b => b.Records));
    }

    [Fact]
    public void GroupByKey_ManyKeysThenFewThenManyAgain_EachBatchHasOnlyItsOwnGroups()
    {
        // A batch large enough to grow the key tables, then small batches (the tables clear sparsely, and after
        // eight small batches shrink), then the large batch again: no group may lose or keep a value across batches.
        var random = new Random(17);
        (int Key, int Value)[] Large() => [.. Enumerable.Range(0, 6000).Select(i => (random.Next(4000), i))];
        (int Key, int Value)[] Small() => [.. Enumerable.Range(0, random.Next(0, 5)).Select(i => (random.Next(4000), i))];
        (int Key, int Value)[][] batches = [Large(), .. Enumerable.Range(0, 10).Select(_ => Small()), Large(), Small(), Large()];

        using var test = new StructKeyed.TestDriver();
        test.Input.Batches(batches);
        using var bytes = new ByteKeyed.TestDriver();
        bytes.Input.Batches(batches.Select(batch => batch.Select(p => $"k{p.Key} {p.Value}")));
        test.Run();
        bytes.Run();

        Assert.Equal(
            batches.Select(batch => Reference.GroupByKey(batch).Select(g => new Group<int, int>(g.Key, g.Values)).ToList()),
            test.Groupings.Batches.Select(b => b.Records));
        Assert.Equal(
            batches.Select(batch => Reference.GroupByKey(batch).Select(g => new Group<string, int>($"k{g.Key}", g.Values)).ToList()),
            bytes.Groupings.Batches.Select(b => b.Records));
    }

    [Fact]
    public void Count_OfAGroupByKey_IsTheNumberOfDistinctKeys()
    {
        using var test = new ByteKeyed.TestDriver();
        test.Input.Batches(ByteBatches);
        test.Run();

        Assert.Equal(ByteBatches.Select(batch => (long)Parse(batch).Select(p => p.Key).Distinct().Count()), test.KeyCount.Records);
        Assert.Equal([4L, 0, 3, 1, 0, 3], test.KeyCount.Records);
    }

    [Fact]
    public void GroupByKeyAndJoin_ReferenceTypeValues_PerBatch()
    {
        using var test = new ByteCounts.TestDriver();
        test.Input.Batch("1 ann", "2 bob", "1 cy").Batch().Batch("2 dee", "1 ann");
        test.Run();

        Assert.Equal(
            [[new(1, ["ann", "cy"]), new(2, ["bob"])], [], [new Group<int, string>(2, ["dee"]), new Group<int, string>(1, ["ann"])]],
            test.NameGroups.Batches.Select(b => b.Records));
        Assert.Equal(
            [[(1, "ann", "ann"), (1, "ann", "cy"), (1, "cy", "ann"), (1, "cy", "cy"), (2, "bob", "bob")], [], [(2, "dee", "dee"), (1, "ann", "ann")]],
            test.PairsOfNames.Batches.Select(b => b.Records));
    }
}
