namespace Compiled.Tests.Batches;

/// <summary>
/// A straightforward model of Spark's per-batch operations over one batch, with Compiled's documented order:
/// keys in the order first seen (the left side's keys, then the right side's keys the left lacks), values in
/// arrival order, pairs of a key with the left value varying slowest. Written with LINQ over lists, never with
/// the code under test.
/// </summary>
internal static class Reference
{
    /// <summary>The distinct keys, in the order they are first seen.</summary>
    public static List<TKey> KeysInFirstSeenOrder<TKey>(IEnumerable<TKey> keys)
        where TKey : notnull
    {
        var seen = new HashSet<TKey>();
        return keys.Where(seen.Add).ToList();
    }

    /// <summary>groupByKey: each key with its values.</summary>
    public static List<(TKey Key, TValue[] Values)> GroupByKey<TKey, TValue>(IReadOnlyList<(TKey Key, TValue Value)> batch)
        where TKey : notnull =>
        KeysInFirstSeenOrder(batch.Select(p => p.Key))
            .Select(key => (key, batch.Where(p => EqualityComparer<TKey>.Default.Equals(p.Key, key)).Select(p => p.Value).ToArray()))
            .ToList();

    /// <summary>cogroup: each key of either side with its values from each side.</summary>
    public static List<(TKey Key, TLeft[] Left, TRight[] Right)> Cogroup<TKey, TLeft, TRight>(
        IReadOnlyList<(TKey Key, TLeft Value)> left, IReadOnlyList<(TKey Key, TRight Value)> right)
        where TKey : notnull
    {
        List<TKey> leftKeys = KeysInFirstSeenOrder(left.Select(p => p.Key));
        IEnumerable<TKey> rightOnly = KeysInFirstSeenOrder(right.Select(p => p.Key)).Where(key => !leftKeys.Contains(key));
        return leftKeys.Concat(rightOnly)
            .Select(key => (
                key,
                left.Where(p => EqualityComparer<TKey>.Default.Equals(p.Key, key)).Select(p => p.Value).ToArray(),
                right.Where(p => EqualityComparer<TKey>.Default.Equals(p.Key, key)).Select(p => p.Value).ToArray()))
            .ToList();
    }

    /// <summary>join: for each key on both sides, every pair of a left and a right value.</summary>
    public static List<(TKey Key, TLeft Left, TRight Right)> Join<TKey, TLeft, TRight>(
        IReadOnlyList<(TKey Key, TLeft Value)> left, IReadOnlyList<(TKey Key, TRight Value)> right)
        where TKey : notnull =>
        [.. from g in Cogroup(left, right) from l in g.Left from r in g.Right select (g.Key, l, r)];

    /// <summary>leftOuterJoin: every left value, with each right value of its key or with none.</summary>
    public static List<(TKey Key, TLeft Left, TRight? Right)> LeftOuterJoin<TKey, TLeft, TRight>(
        IReadOnlyList<(TKey Key, TLeft Value)> left, IReadOnlyList<(TKey Key, TRight Value)> right)
        where TKey : notnull
        where TRight : struct =>
        [.. from g in Cogroup(left, right)
            from l in g.Left
            from r in g.Right.Length == 0 ? [(TRight?)null] : g.Right.Select(r => (TRight?)r)
            select (g.Key, l, r)];

    /// <summary>rightOuterJoin: every right value, with each left value of its key or with none.</summary>
    public static List<(TKey Key, TLeft? Left, TRight Right)> RightOuterJoin<TKey, TLeft, TRight>(
        IReadOnlyList<(TKey Key, TLeft Value)> left, IReadOnlyList<(TKey Key, TRight Value)> right)
        where TKey : notnull
        where TLeft : struct =>
        [.. from g in Cogroup(left, right)
            from l in g.Left.Length == 0 ? [(TLeft?)null] : g.Left.Select(l => (TLeft?)l)
            from r in g.Right
            select (g.Key, l, r)];

    /// <summary>fullOuterJoin: every value of either side, with each value of its key on the other side or with none.</summary>
    public static List<(TKey Key, TLeft? Left, TRight? Right)> FullOuterJoin<TKey, TLeft, TRight>(
        IReadOnlyList<(TKey Key, TLeft Value)> left, IReadOnlyList<(TKey Key, TRight Value)> right)
        where TKey : notnull
        where TLeft : struct
        where TRight : struct =>
        [.. from g in Cogroup(left, right)
            from l in g.Left.Length == 0 ? [(TLeft?)null] : g.Left.Select(l => (TLeft?)l)
            from r in g.Right.Length == 0 ? [(TRight?)null] : g.Right.Select(r => (TRight?)r)
            select (g.Key, l, r)];

    /// <summary>The records of a list in a canonical order, to compare two batches as multisets (as Spark's tests do).</summary>
    public static List<string> AsMultiset<T>(IEnumerable<T> records) =>
        [.. records.Select(r => r?.ToString() ?? "null").Order(StringComparer.Ordinal)];
}
