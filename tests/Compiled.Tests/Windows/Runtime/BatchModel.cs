namespace Compiled.Tests.Windows.Runtime;

/// <summary>One batch of a model input: its absolute number and its keyed records, in arrival order.</summary>
internal sealed record ModelBatch(long Number, (int Key, long Value)[] Records);

/// <summary>
/// Random inputs for the window types and the brute-force window they are checked against: a list of batches, each
/// window computed again from the batches it covers.
/// </summary>
internal static class BatchModel
{
    /// <summary>
    /// <paramref name="count"/> batches numbered from <paramref name="first"/>, each of 0 to <paramref name="perBatch"/>
    /// records with keys below <paramref name="keys"/> and values from <paramref name="minValue"/> to 9; with
    /// <paramref name="gaps"/>, about one batch number in seven is followed by a run of skipped numbers (empty batches),
    /// some longer than any window.
    /// </summary>
    public static List<ModelBatch> Random(Random random, int count, long first, int keys, int perBatch, int minValue, bool gaps)
    {
        var batches = new List<ModelBatch>(count);
        long number = first;
        for (int i = 0; i < count; i++)
        {
            int records = random.Next(4) == 0 ? 0 : random.Next(perBatch + 1);
            var batch = new (int, long)[records];
            for (int r = 0; r < records; r++)
            {
                batch[r] = (random.Next(keys), random.Next(minValue, 10));
            }

            batches.Add(new ModelBatch(number, batch));
            number += gaps && random.Next(7) == 0 ? 2 + random.Next(12) : 1;
        }

        return batches;
    }

    /// <summary>
    /// Whether a window of <paramref name="length"/> batches and slide <paramref name="slide"/> emits at batch
    /// <paramref name="index"/> of <paramref name="batches"/>: at a multiple of the slide, or, when the batch is the
    /// last of a bounded input, if a batch still in the window held records after the last emission.
    /// <paramref name="lastEmitted"/> is the batch number of the last emission so far, and is moved on.
    /// </summary>
    public static bool Emits(IReadOnlyList<ModelBatch> batches, int index, int length, int slide, bool endOfInput, ref long lastEmitted)
    {
        long n = batches[index].Number;
        bool emits = n % slide == 0;
        if (!emits && endOfInput && index == batches.Count - 1)
        {
            long from = Math.Max(lastEmitted + 1, n - length + 1);
            emits = batches.Any(b => b.Number >= from && b.Number <= n && b.Records.Length > 0);
        }

        if (emits)
        {
            lastEmitted = n;
        }

        return emits;
    }

    /// <summary>The batches a window of <paramref name="length"/> covers at batch number <paramref name="n"/>, oldest first.</summary>
    public static IEnumerable<ModelBatch> InWindow(IReadOnlyList<ModelBatch> batches, long n, int length) =>
        batches.Where(b => b.Number > n - length && b.Number <= n);

    /// <summary>
    /// The merged window: each key of the covered batches with its values reduced in arrival order (oldest batch
    /// first), keys in the order first seen.
    /// </summary>
    public static List<(int Key, T Value)> Merged<T>(IReadOnlyList<ModelBatch> batches, long n, int length, Func<long, T> lift, Func<T, T, T> reduce)
    {
        var order = new List<int>();
        var values = new Dictionary<int, T>();
        foreach (ModelBatch batch in InWindow(batches, n, length))
        {
            foreach ((int key, long value) in batch.Records)
            {
                if (values.TryGetValue(key, out T? sum))
                {
                    values[key] = reduce(sum, lift(value));
                }
                else
                {
                    order.Add(key);
                    values[key] = lift(value);
                }
            }
        }

        return order.Select(k => (k, values[k])).ToList();
    }

    /// <summary>
    /// A value as text: concatenation is an associative reduce that is not commutative, so a window merged in the
    /// wrong order shows, and it is a reference type, which the window types must handle as well as numbers.
    /// </summary>
    public static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Describes a case for a failure message.</summary>
    public static string Describe(int seed, int length, int slide, IReadOnlyList<ModelBatch> batches) =>
        $"seed {seed}, length {length}, slide {slide}, batches: " + string.Join(" ", batches.Select(b => $"{b.Number}:[{string.Join(",", b.Records.Select(r => $"{r.Key}={r.Value}"))}]"));
}
