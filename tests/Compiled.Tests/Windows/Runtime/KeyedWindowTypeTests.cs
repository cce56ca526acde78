using System.Globalization;
using System.Text;
using Compiled.Keys;
using Compiled.Windows;
using static Compiled.Tests.Windows.Runtime.BatchModel;

namespace Compiled.Tests.Windows.Runtime;

/// <summary>
/// The keyed window types on their own, against a brute-force window over the list of batches: 300 random inputs per
/// shape (fixed seeds), windows of 1 to 5 batches with slides of 1 to 3 (a slide longer than the window included),
/// first batch numbers around 1,764,000,000 that are not multiples of the slide, skipped batch numbers (some gaps
/// longer than the window), and half the inputs ending as a bounded input does. A failure names the seed, the shape
/// and the batches.
/// </summary>
public class KeyedWindowTypeTests
{
    private const int Cases = 300;

    [Fact]
    public void KeyedWindow_ByteKeys_MatchesMergedModel_InOrder()
    {
        ForEachCase(keys: 6, minValue: 0, (seed, length, slide, batches, endOfInput) =>
        {
            var window = new KeyedWindow<ReadOnlySpan<byte>, string, ByteKeys<string>, Concatenate>(length, slide);
            CheckMerged(seed, length, slide, batches, endOfInput, records => FillText(window.Current.Table, records), Predicted(window.EmitsAt, window.Advance),
                () => Enumerable.Range(0, window.Count).Select(i => (Key(window.KeyAt(i)), window.ValueAt(i))).ToList());
        });
    }

    [Fact]
    public void KeyedWindow_StructKeys_MatchesMergedModel_InOrder()
    {
        ForEachCase(keys: 6, minValue: 0, (seed, length, slide, batches, endOfInput) =>
        {
            var window = new KeyedWindow<int, string, StructKeys<int, string>, Concatenate>(length, slide);
            CheckMerged(seed, length, slide, batches, endOfInput, records => FillText(window.Current.Table, records), Predicted(window.EmitsAt, window.Advance),
                () => Enumerable.Range(0, window.Count).Select(i => (window.KeyAt(i), window.ValueAt(i))).ToList());
        });
    }

    [Fact]
    public void IncrementalKeyedWindow_ByteKeys_WithInverseAndFilter_MatchesModel()
    {
        // Many keys that come and go, values from -3: keys fall to zero or below and are forgotten, and cleared out.
        ForEachCase(keys: 40, minValue: -3, (seed, length, slide, batches, endOfInput) =>
        {
            var window = new IncrementalKeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, ByteKeys<WindowEntry<long>>, AddCounts, SubtractCounts, Positive>(length, slide);
            CheckIncremental(seed, length, slide, batches, endOfInput, static v => v > 0, records => FillBytes(window.Current.Table, records, Add), Predicted(window.EmitsAt, window.Advance),
                () => Enumerable.Range(0, window.Count).Select(i => (Key(window.KeyAt(i)), window.ValueAt(i))).ToList());
        });
    }

    [Fact]
    public void IncrementalKeyedWindow_ByteKeys_WithoutFilter_KeepsEveryKey()
    {
        ForEachCase(keys: 8, minValue: -3, (seed, length, slide, batches, endOfInput) =>
        {
            var window = new IncrementalKeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, ByteKeys<WindowEntry<long>>, AddCounts, SubtractCounts, KeepAll<ReadOnlySpan<byte>, long>>(length, slide);
            CheckIncremental(seed, length, slide, batches, endOfInput, static _ => true, records => FillBytes(window.Current.Table, records, Add), Predicted(window.EmitsAt, window.Advance),
                () => Enumerable.Range(0, window.Count).Select(i => (Key(window.KeyAt(i)), window.ValueAt(i))).ToList());
        });
    }

    [Fact]
    public void IncrementalKeyedWindow_StructKeys_WithInverseAndFilter_MatchesModel()
    {
        ForEachCase(keys: 40, minValue: -3, (seed, length, slide, batches, endOfInput) =>
        {
            var window = new IncrementalKeyedWindow<int, long, StructKeys<int, long>, StructKeys<int, WindowEntry<long>>, AddCounts, SubtractCounts, Positive>(length, slide);
            CheckIncremental(seed, length, slide, batches, endOfInput, static v => v > 0, records => FillStructs(window.Current.Table, records, Add), Predicted(window.EmitsAt, window.Advance),
                () => Enumerable.Range(0, window.Count).Select(i => (window.KeyAt(i), window.ValueAt(i))).ToList());
        });
    }

    [Fact]
    public void IncrementalKeyedWindow_StructKeys_CountByValue_DropsZeroCounts()
    {
        // [CountByValueAndWindow]: every record counts 1, and values whose count fell to zero are dropped.
        ForEachCase(keys: 30, minValue: 1, (seed, length, slide, batches, endOfInput) =>
        {
            List<ModelBatch> ones = batches.Select(b => b with { Records = b.Records.Select(r => (r.Key, 1L)).ToArray() }).ToList();
            var window = new IncrementalKeyedWindow<int, long, StructKeys<int, long>, StructKeys<int, WindowEntry<long>>, AddCounts, SubtractCounts, NonZeroCount<int>>(length, slide);
            CheckIncremental(seed, length, slide, ones, endOfInput, static v => v != 0, records => FillStructs(window.Current.Table, records, Add), Predicted(window.EmitsAt, window.Advance),
                () => Enumerable.Range(0, window.Count).Select(i => (window.KeyAt(i), window.ValueAt(i))).ToList());
        });
    }

    [Fact]
    public void IncrementalWindow_ForgottenKeys_AreClearedOutOnlyOnceMoreThanAQuarterOfTheTable()
    {
        // A window of 2 batches, emitting every batch: 50 keys, then key 100, then keys 200-209, then keys 300-309.
        var window = new IncrementalKeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, ByteKeys<WindowEntry<long>>, AddCounts, SubtractCounts, Positive>(2, 1);
        long n = 1_764_000_001;
        Step(window, n, Enumerable.Range(0, 50));
        Step(window, n + 1, [100]);
        Assert.Equal(51, window.Entries.Count);

        // The 50 keys leave the window and are forgotten: 50 of 61 entries, so they are cleared out at once.
        Step(window, n + 2, Enumerable.Range(200, 10));
        Assert.Equal(11, window.Entries.Count);
        Assert.Equal([100, .. Enumerable.Range(200, 10)], Emitted(window));

        // Key 100 leaves and is forgotten: 1 of 21 entries, so it stays in the table, marked, and is not emitted.
        Step(window, n + 3, Enumerable.Range(300, 10));
        Assert.Equal(21, window.Entries.Count);
        Assert.Equal(100, Key(window.Entries.KeyAt(0)));
        Assert.Equal(-1, window.Entries.ValueAt(0).Batches);
        Assert.Equal(Enumerable.Range(200, 10).Concat(Enumerable.Range(300, 10)), Emitted(window));

        // Key 100 comes back: it takes its old place in the order and starts afresh.
        Step(window, n + 4, [100]);
        Assert.Equal([100, .. Enumerable.Range(300, 10)], Emitted(window));
        Assert.Equal(1, window.ValueAt(0));

        static void Step(IncrementalKeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, ByteKeys<WindowEntry<long>>, AddCounts, SubtractCounts, Positive> window, long batch, IEnumerable<int> keys)
        {
            FillBytes(window.Current.Table, keys.Select(k => (k, 1L)).ToArray(), Add);
            Assert.True(window.Advance(batch));
        }

        static int[] Emitted(IncrementalKeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, ByteKeys<WindowEntry<long>>, AddCounts, SubtractCounts, Positive> window) =>
            Enumerable.Range(0, window.Count).Select(i => Key(window.KeyAt(i))).ToArray();
    }

    [Fact]
    public void Advance_BatchNotAfterTheLast_ThrowsSayingBatchesComeInOrder()
    {
        var window = new KeyedWindow<ReadOnlySpan<byte>, string, ByteKeys<string>, Concatenate>(3, 1);
        window.Advance(1_764_000_005);
        var error = Assert.Throws<InvalidOperationException>(() => window.Advance(1_764_000_005));
        Assert.Contains("batch 1764000005 after batch 1764000005", error.Message, StringComparison.Ordinal);
        Assert.Contains("increasing order", error.Message, StringComparison.Ordinal);
    }

    // Runs each case with the shapes and seeds described in the class summary.
    private static void ForEachCase(int keys, int minValue, Action<int, int, int, List<ModelBatch>, bool> check)
    {
        for (int seed = 0; seed < Cases; seed++)
        {
            var random = new Random(seed);
            int length = 1 + random.Next(5);
            int slide = 1 + random.Next(3);
            long first = 1_764_000_000 + random.Next(10);
            List<ModelBatch> batches = BatchModel.Random(random, 5 + random.Next(30), first, keys, perBatch: 8, minValue, gaps: seed % 3 != 0);
            check(seed, length, slide, batches, seed % 2 == 0);
        }
    }

    private static void CheckMerged(
        int seed, int length, int slide, List<ModelBatch> batches, bool endOfInput,
        Action<(int Key, long Value)[]> fill, Func<long, bool, bool> advance, Func<List<(int Key, string Value)>> result)
    {
        long lastEmitted = long.MinValue;
        for (int i = 0; i < batches.Count; i++)
        {
            fill(batches[i].Records);
            bool emits = advance(batches[i].Number, endOfInput && i == batches.Count - 1);
            bool expected = Emits(batches, i, length, slide, endOfInput, ref lastEmitted);
            Assert.True(expected == emits, $"At batch {batches[i].Number} the window {(emits ? "emitted" : "did not emit")}; {Describe(seed, length, slide, batches)}");
            if (emits)
            {
                List<(int Key, string Value)> want = Merged(batches, batches[i].Number, length, Text, string.Concat);
                List<(int Key, string Value)> got = result();
                Assert.True(want.SequenceEqual(got), $"At batch {batches[i].Number}: expected {Show(want)}, got {Show(got)}; {Describe(seed, length, slide, batches)}");
            }
        }
    }

    // The incremental window against the model: a key is alive from when it comes until an emission finds none of its
    // values in the window and the filter failing; each emission is the alive keys that pass, with their window sums.
    private static void CheckIncremental(
        int seed, int length, int slide, List<ModelBatch> batches, bool endOfInput, Func<long, bool> filter,
        Action<(int Key, long Value)[]> fill, Func<long, bool, bool> advance, Func<List<(int Key, long Value)>> result)
    {
        long lastEmitted = long.MinValue;
        var alive = new HashSet<int>();
        for (int i = 0; i < batches.Count; i++)
        {
            long n = batches[i].Number;
            fill(batches[i].Records);
            alive.UnionWith(batches[i].Records.Select(r => r.Key));
            bool emits = advance(n, endOfInput && i == batches.Count - 1);
            bool expected = Emits(batches, i, length, slide, endOfInput, ref lastEmitted);
            Assert.True(expected == emits, $"At batch {n} the window {(emits ? "emitted" : "did not emit")}; {Describe(seed, length, slide, batches)}");
            if (!emits)
            {
                continue;
            }

            var window = InWindow(batches, n, length).ToList();
            var want = new List<(int Key, long Value)>();
            foreach (int key in alive.ToList())
            {
                long sum = window.SelectMany(b => b.Records).Where(r => r.Key == key).Sum(r => r.Value);
                if (filter(sum))
                {
                    want.Add((key, sum));
                }
                else if (!window.Any(b => b.Records.Any(r => r.Key == key)))
                {
                    alive.Remove(key);
                }
            }

            List<(int Key, long Value)> got = result();
            Assert.True(
                want.OrderBy(p => p.Key).SequenceEqual(got.OrderBy(p => p.Key)),
                $"At batch {n}: expected {Show(want.OrderBy(p => p.Key))}, got {Show(got.OrderBy(p => p.Key))}; {Describe(seed, length, slide, batches)}");
        }
    }

    // Advance, checking that EmitsAt said beforehand whether it would emit (what the sinks below a window go by).
    internal static Func<long, bool, bool> Predicted(Func<long, bool, bool> emitsAt, Func<long, bool, bool> advance) => (n, last) =>
    {
        bool predicted = emitsAt(n, last);
        bool emitted = advance(n, last);
        Assert.True(predicted == emitted, $"At batch {n} (end of input: {last}) EmitsAt said {predicted}, Advance {(emitted ? "emitted" : "did not emit")}.");
        return emitted;
    };

    private static void FillBytes(ByteKeyTable<long> table, (int Key, long Value)[] records, Func<long, long, long> reduce)
    {
        foreach ((int key, long value) in records)
        {
            ref long slot = ref table.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes(key.ToString(CultureInfo.InvariantCulture)), out bool exists);
            slot = exists ? reduce(slot, value) : value;
        }
    }

    private static void FillText(ByteKeyTable<string> table, (int Key, long Value)[] records)
    {
        foreach ((int key, long value) in records)
        {
            ref string slot = ref table.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes(key.ToString(CultureInfo.InvariantCulture)), out bool exists);
            slot = exists ? slot + Text(value) : Text(value);
        }
    }

    private static void FillText(StructKeyTable<int, string> table, (int Key, long Value)[] records)
    {
        foreach ((int key, long value) in records)
        {
            ref string slot = ref table.GetValueRefOrAddDefault(key, out bool exists);
            slot = exists ? slot + Text(value) : Text(value);
        }
    }

    private static void FillStructs(StructKeyTable<int, long> table, (int Key, long Value)[] records, Func<long, long, long> reduce)
    {
        foreach ((int key, long value) in records)
        {
            ref long slot = ref table.GetValueRefOrAddDefault(key, out bool exists);
            slot = exists ? reduce(slot, value) : value;
        }
    }

    private static long Add(long a, long b) => a + b;

    private static int Key(ReadOnlySpan<byte> key) => int.Parse(key, CultureInfo.InvariantCulture);

    private static string Show<T>(IEnumerable<(int Key, T Value)> pairs) => "[" + string.Join(",", pairs.Select(p => $"{p.Key}={p.Value}")) + "]";

    private readonly struct Concatenate : IReducer<string>
    {
        public string Reduce(string a, string b) => a + b;
    }

    private readonly struct Positive : IKeyFilter<ReadOnlySpan<byte>, long>, IKeyFilter<int, long>
    {
        public bool Keep(ReadOnlySpan<byte> key, long value) => value > 0;

        public bool Keep(int key, long value) => value > 0;
    }
}
