using Compiled.Testing;

namespace Compiled.Tests.Batches;

/// <summary>
/// Batch stages that read batch stages: what one emits at the batch boundary must reach the next in the same
/// batch, and nothing may reach a later one.
/// </summary>
public class ComposedTests
{
    private static readonly (string Side, int Key, int Value)[][] Batches =
    [
        [("L", 1, 2), ("R", 1, 10), ("L", 1, 3), ("L", 2, 4), ("R", 3, 30), ("R", 1, 11)],
        [],
        [("R", 2, 7)],
        [("L", 2, 1), ("L", 3, 5), ("R", 3, 2), ("R", 3, 3), ("L", 3, 6)],
    ];

    private static (int Key, int Value)[] Side((string Side, int Key, int Value)[] batch, string side) =>
        [.. batch.Where(r => r.Side == side).Select(r => (r.Key, r.Value))];

    private static List<(int Key, int Sum)> Sums((string Side, int Key, int Value)[] batch) =>
        [.. Reference.GroupByKey(Side(batch, "L")).Select(g => (g.Key, g.Values.Sum()))];

    private static Composed.TestDriver Run()
    {
        var test = new Composed.TestDriver();
        test.Input.Batches(Batches);
        test.Run();
        return test;
    }

    [Fact]
    public void Join_OfReduceByKeyOutput_WithAPerRecordStream_SameBatch()
    {
        using var test = Run();

        var expected = Batches.Select(batch => Reference.Join(Sums(batch), Side(batch, "R")).Select(r => (r.Key, r.Left * r.Right)).ToList()).ToList();
        Assert.Equal(expected, test.Products.Batches.Select(b => b.Records));
        Assert.Equal([(1, 50), (1, 55)], test.Products.Batches[0].Records);
        Assert.Empty(test.Products.Batches[2].Records);
        Assert.Equal([(3, 22), (3, 33)], test.Products.Batches[3].Records);
    }

    [Fact]
    public void GroupByKey_OfAJoin_GroupsTheJoinsOutputOfTheSameBatch()
    {
        using var test = Run();

        Assert.Equal(
            Batches.Select(batch => Reference.GroupByKey(Reference.Join(Sums(batch), Side(batch, "R")).Select(r => (r.Key, r.Left * r.Right)).ToList())
                .Select(g => new Group<int, int>(g.Key, g.Values)).ToList()),
            test.ProductsPerKey.Batches.Select(b => b.Records));
        Assert.Equal([new Group<int, int>(1, [50, 55])], test.ProductsPerKey.Batches[0].Records);
    }

    [Fact]
    public void Union_OfABatchStageAndAPerRecordStream_HasBothInTheSameBatch()
    {
        using var test = Run();

        // As sets (the per-record stream's records reach the union during the batch, the sums at its end).
        var expected = Batches.Select(batch => Sums(batch).Concat(Side(batch, "R")).ToList()).ToList();
        Assert.Equal(expected.Select(b => Reference.AsMultiset(b)), test.SumsThenRights.Batches.Select(b => Reference.AsMultiset(b.Records)));
        // Each stream's records keep their own order within the union.
        for (int i = 0; i < Batches.Length; i++)
        {
            var records = test.SumsThenRights.Batches[i].Records;
            Assert.Equal(Side(Batches[i], "R"), records.Where(r => Side(Batches[i], "R").Contains(r)));
            Assert.Equal(Sums(Batches[i]), records.Where(r => Sums(Batches[i]).Contains(r)));
        }

        Assert.Equal(
            expected.Select(batch => Reference.AsMultiset(batch.GroupBy(r => r.Key).Select(g => (g.Key, g.Count())))),
            test.RecordsPerKey.Batches.Select(b => Reference.AsMultiset(b.Records)));
    }

    [Fact]
    public void Transform_OfACogroup_SeesTheCogroupsOfTheBatch()
    {
        using var test = Run();

        Assert.Equal(
            Batches.Select(batch => Reference.Cogroup(Side(batch, "L"), Side(batch, "R"))
                .Select(g => (g.Key, (g.Left.Length * 100) + g.Right.Length)).OrderBy(g => g.Key).ToList()),
            test.SizesByKey.Batches.Select(b => b.Records));
        Assert.Equal([(1, 202), (2, 100), (3, 1)], test.SizesByKey.Batches[0].Records);
        Assert.Equal([(2, 1)], test.SizesByKey.Batches[2].Records);
    }
}
