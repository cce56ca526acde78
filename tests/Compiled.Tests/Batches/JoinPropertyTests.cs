using System.Globalization;
using Compiled.Testing;

namespace Compiled.Tests.Batches;

/// <summary>
/// Random batches (fixed seeds) through the joins and cogroup, over struct and byte keys, against the model. Few
/// keys, so keys repeat on both sides (cross products), appear on one side only, vanish and return; some batches
/// are empty, some have one side only. A failing seed is in the test's name.
/// </summary>
public class JoinPropertyTests
{
    private const int BatchesPerSeed = 40;

    private static (string Side, int Key, int Value)[][] RandomBatches(Random random) =>
    [
        .. Enumerable.Range(0, BatchesPerSeed).Select(_ =>
        {
            int size = random.Next(5) == 0 ? 0 : random.Next(1, 40);
            int keys = random.Next(1, 9);
            // Now and then a batch with one side only.
            string[] sides = random.Next(6) switch { 0 => ["L"], 1 => ["R"], _ => ["L", "R", "L", "R", "X"] };
            return Enumerable.Range(0, size)
                .Select(_ => (sides[random.Next(sides.Length)], random.Next(-2, keys), random.Next(-1000, 1000)))
                .ToArray();
        }),
    ];

    private static (int Key, int Value)[] Side((string Side, int Key, int Value)[] batch, string side) =>
        [.. batch.Where(r => r.Side == side).Select(r => (r.Key, r.Value))];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void StructKeys_JoinsAndCogroup_MatchTheModel(int seed)
    {
        var batches = RandomBatches(new Random(seed));
        using var test = new TwoStreams.TestDriver();
        test.Input.Batches(batches);
        test.Run();

        var lefts = batches.Select(b => Side(b, "L")).ToList();
        var rights = batches.Select(b => Side(b, "R")).ToList();
        Assert.Equal(BatchesPerSeed, test.Joins.Batches.Count);
        Assert.Equal(lefts.Zip(rights, Reference.Join), test.Joins.Batches.Select(b => b.Records));
        Assert.Equal(lefts.Zip(rights, Reference.LeftOuterJoin<int, int, int>), test.LeftJoins.Batches.Select(b => b.Records));
        Assert.Equal(lefts.Zip(rights, Reference.RightOuterJoin<int, int, int>), test.RightJoins.Batches.Select(b => b.Records));
        Assert.Equal(lefts.Zip(rights, Reference.FullOuterJoin<int, int, int>), test.FullJoins.Batches.Select(b => b.Records));
        Assert.Equal(
            lefts.Zip(rights, (l, r) => Reference.Cogroup(l, r).Select(g => (g.Key, string.Join(",", g.Left), string.Join(",", g.Right))).ToList()),
            test.Cogroups.Batches.Select(b => b.Records));
        Assert.Equal(lefts.Zip(rights, (l, r) => (long)Reference.Join(l, r).Count), test.JoinCount.Records);
        Assert.Equal(
            lefts.Zip(rights, (l, r) => l.Concat(r).ToList()),
            test.Unioned.Batches.Select(b => b.Records));
        Assert.Equal(
            lefts.Zip(rights, (l, r) => l.Select(x => $"L{x.Key}={x.Value}").Concat(r.Select(x => $"R{x.Key}={x.Value}")).ToList()),
            test.TaggedRecords.Batches.Select(b => b.Records));
    }

    private static readonly string[] Vocabulary = ["", "a", "b", "ab", "a b", "ü", "üü", "é", "x", "\t"];

    private static string[][] RandomByteBatches(Random random) =>
    [
        .. Enumerable.Range(0, BatchesPerSeed).Select(_ =>
        {
            int size = random.Next(5) == 0 ? 0 : random.Next(1, 40);
            int keys = random.Next(1, Vocabulary.Length + 1);
            return Enumerable.Range(0, size)
                .Select(_ => random.Next(2) == 0
                    ? $"L {Vocabulary[random.Next(keys)]} {random.Next(-50, 50)}"
                    : $"R {Vocabulary[random.Next(keys)]} {(char)('a' + random.Next(26))}")
                .ToArray();
        }),
    ];

    private static (string Key, int Value)[] ByteLeft(string[] batch) =>
        [.. batch.Where(l => l[0] == 'L').Select(l => (l[2..l.LastIndexOf(' ')], int.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))];

    private static (string Key, char Value)[] ByteRight(string[] batch) =>
        [.. batch.Where(l => l[0] == 'R').Select(l => (l[2..l.LastIndexOf(' ')], l[^1]))];

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    public void ByteKeys_JoinsAndCogroup_MatchTheModel(int seed)
    {
        var batches = RandomByteBatches(new Random(seed));
        using var test = new TwoByteStreams.TestDriver();
        test.Input.Batches(batches);
        test.Run();

        var lefts = batches.Select(ByteLeft).ToList();
        var rights = batches.Select(ByteRight).ToList();
        Assert.Equal(BatchesPerSeed, test.Joins.Batches.Count);
        Assert.Equal(
            lefts.Zip(rights, (l, r) => Reference.Join(l, r).Select(x => (x.Key, (x.Left, x.Right))).ToList()),
            test.Joins.Batches.Select(b => b.Records));
        Assert.Equal(
            lefts.Zip(rights, (l, r) => Reference.LeftOuterJoin(l, r).Select(x => (x.Key, (x.Left, x.Right))).ToList()),
            test.LeftJoins.Batches.Select(b => b.Records));
        Assert.Equal(
            lefts.Zip(rights, (l, r) => Reference.RightOuterJoin(l, r).Select(x => (x.Key, (x.Left, x.Right))).ToList()),
            test.RightJoins.Batches.Select(b => b.Records));
        Assert.Equal(
            lefts.Zip(rights, (l, r) => Reference.FullOuterJoin(l, r).Select(x => (x.Key, (x.Left, x.Right))).ToList()),
            test.FullJoins.Batches.Select(b => b.Records));
        Assert.Equal(
            lefts.Zip(rights, (l, r) => Reference.Cogroup(l, r).Select(g => (g.Key, (string.Join(",", g.Left), new string(g.Right)))).ToList()),
            test.Cogroups.Batches.Select(b => b.Records));
        // transformWith, joining inside the function as Spark's case does: pairs in the order of the left records.
        Assert.Equal(
            lefts.Zip(rights, (l, r) => (from x in l from y in r where x.Key == y.Key select (x.Key, (x.Value, y.Value))).ToList()),
            test.JoinedInside.Batches.Select(b => b.Records));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void GroupByKey_RandomBatches_MatchTheModel(int seed)
    {
        var random = new Random(seed);
        (int Key, int Value)[][] batches =
        [
            .. Enumerable.Range(0, BatchesPerSeed).Select(_ =>
                Enumerable.Range(0, random.Next(4) == 0 ? 0 : random.Next(1, 60)).Select(_ => (random.Next(-3, 12), random.Next(100))).ToArray()),
        ];
        using var test = new StructKeyed.TestDriver();
        test.Input.Batches(batches);
        using var bytes = new ByteKeyed.TestDriver();
        string Word(int key) => $"{Vocabulary[(key + 3) % Vocabulary.Length]}{key}";
        bytes.Input.Batches(batches.Select(b => b.Select(p => $"{Word(p.Key)} {p.Value}")));
        test.Run();
        bytes.Run();

        Assert.Equal(
            batches.Select(b => Reference.GroupByKey(b).Select(g => new Group<int, int>(g.Key, g.Values)).ToList()),
            test.Groupings.Batches.Select(b => b.Records));
        Assert.Equal(
            batches.Select(b => Reference.GroupByKey(b.Select(p => (Word(p.Key), p.Value)).ToList())
                .Select(g => new Group<string, int>(g.Key, g.Values)).ToList()),
            bytes.Groupings.Batches.Select(b => b.Records));
    }
}
