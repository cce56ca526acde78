using System.Text;
using Compiled.Testing;
using static Compiled.Tests.Windows.WindowReference;

namespace Compiled.Tests.Windows;

/// <summary>
/// Every windowed stage of <see cref="RandomWindows"/> against <see cref="WindowReference"/> on 250 random inputs
/// (fixed seeds): up to six keys (the empty one and a multi-byte one among them) that come and go, values 0 to 9,
/// empty batches, input fed in two parts, runs of up to 40 batches past the end of the input, and batch intervals of
/// 1s, 500ms and 250ms given at run time (so the same stage is a window of 3, 6 or 12 batches). A failure names the
/// seed, the interval and the input.
/// </summary>
public class WindowPropertyTests
{
    private const int Cases = 250;

    private static readonly string[] KeyAlphabet = ["a", "b", "c", "dd", "ü", ""];

    [Fact]
    public void Window_MatchesTheReference()
    {
        ForEachCase(run =>
        {
            run.Check("RecentL3S1", 3000, 1000, sorted: false, (k, l) => Window(run.Pairs, k, l));
            run.Check("RecentL4S2", 4000, 2000, sorted: false, (k, l) => Window(run.Pairs, k, l));
            run.Check("RecentL2S3", 2000, 3000, sorted: false, (k, l) => Window(run.Pairs, k, l));
            run.Check("LinesL5S3", 5000, 3000, sorted: false, (k, l) => Window(run.Lines, k, l));
            run.Check("StructRecentL4S2", 4000, 2000, sorted: false, (k, l) => Window(run.Numbered, k, l));
        });
    }

    [Fact]
    public void ReduceByKeyAndWindow_Merged_MatchesTheReference()
    {
        ForEachCase(run =>
        {
            run.Check("MergedL3S1", 3000, 1000, sorted: true, (k, l) => ReduceByKey(run.Pairs, k, l));
            run.Check("MergedL4S2", 4000, 2000, sorted: true, (k, l) => ReduceByKey(run.Pairs, k, l));
            run.Check("MergedL6S3", 6000, 3000, sorted: true, (k, l) => ReduceByKey(run.Pairs, k, l));
            run.Check("MergedL2S3", 2000, 3000, sorted: true, (k, l) => ReduceByKey(run.Pairs, k, l));
            run.Check("MergedL3S2", 3000, 2000, sorted: true, (k, l) => ReduceByKey(run.Pairs, k, l));
            run.Check("StructMergedL4S2", 4000, 2000, sorted: true, (k, l) => ReduceByKey(run.Numbered, k, l));
        });
    }

    [Fact]
    public void ReduceByKeyAndWindow_WithInverse_MatchesTheReference_KeysStayAtZero()
    {
        ForEachCase(run =>
        {
            run.Check("InverseL3S1", 3000, 1000, sorted: true, (k, l) => ReduceByKeyWithInverse(run.Pairs, k, l));
            run.Check("InverseL4S2", 4000, 2000, sorted: true, (k, l) => ReduceByKeyWithInverse(run.Pairs, k, l));
            run.Check("InverseL6S3", 6000, 3000, sorted: true, (k, l) => ReduceByKeyWithInverse(run.Pairs, k, l));
            run.Check("InverseL5S2", 5000, 2000, sorted: true, (k, l) => ReduceByKeyWithInverse(run.Pairs, k, l));
            run.Check("StructInverseL3S1", 3000, 1000, sorted: true, (k, l) => ReduceByKeyWithInverse(run.Numbered, k, l));
        });
    }

    [Fact]
    public void ReduceByKeyAndWindow_WithInverseAndFilter_MatchesTheReference()
    {
        ForEachCase(run =>
        {
            run.Check("FilteredL3S1", 3000, 1000, sorted: true, (k, l) => NonZero(ReduceByKey(run.Pairs, k, l)));
            run.Check("FilteredL4S2", 4000, 2000, sorted: true, (k, l) => NonZero(ReduceByKey(run.Pairs, k, l)));
            run.Check("FilteredL6S3", 6000, 3000, sorted: true, (k, l) => NonZero(ReduceByKey(run.Pairs, k, l)));
            run.Check("FilteredL2S3", 2000, 3000, sorted: true, (k, l) => NonZero(ReduceByKey(run.Pairs, k, l)));
            run.Check("FilteredL5S3", 5000, 3000, sorted: true, (k, l) => NonZero(ReduceByKey(run.Pairs, k, l)));
            run.Check("StructFilteredL5S2", 5000, 2000, sorted: true, (k, l) => NonZero(ReduceByKey(run.Numbered, k, l)));
        });
    }

    // Not against the model: the pipeline's two paths against each other. With the keys whose value is 0 taken
    // out, the incremental window (inverse, with or without the filter) says what the merged one says.
    [Fact]
    public void ReduceByKeyAndWindow_InversePathAgreesWithMergedPath_OnceZeroValuesAreFiltered()
    {
        ForEachCase(run =>
        {
            run.Agree("InverseL3S1", "MergedL3S1");
            run.Agree("InverseL4S2", "MergedL4S2");
            run.Agree("InverseL6S3", "MergedL6S3");
            run.Agree("FilteredL3S1", "MergedL3S1");
            run.Agree("FilteredL4S2", "MergedL4S2");
            run.Agree("FilteredL6S3", "MergedL6S3");
            run.Agree("FilteredL2S3", "MergedL2S3");
        });
    }

    [Fact]
    public void CountByValueAndWindow_MatchesTheReference()
    {
        ForEachCase(run =>
        {
            run.Check("KeysL3S1", 3000, 1000, sorted: true, (k, l) => CountByValue(run.Keys, k, l));
            run.Check("KeysL4S2", 4000, 2000, sorted: true, (k, l) => CountByValue(run.Keys, k, l));
            run.Check("KeysL2S3", 2000, 3000, sorted: true, (k, l) => CountByValue(run.Keys, k, l));
            run.Check("KeysL5S2", 5000, 2000, sorted: true, (k, l) => CountByValue(run.Keys, k, l));
            run.Check("StructKeysL3S2", 3000, 2000, sorted: true, (k, l) => CountByValue<int>(b => [.. run.Numbered(b).Select(p => p.Key)], k, l));
        });
    }

    [Fact]
    public void ReduceByWindow_MatchesTheReference()
    {
        ForEachCase(run =>
        {
            run.Check("SumL3S1", 3000, 1000, sorted: false, (k, l) => Reduce(run.Values, k, l));
            run.Check("SumL4S2", 4000, 2000, sorted: false, (k, l) => Reduce(run.Values, k, l));
            run.Check("SumL2S3", 2000, 3000, sorted: false, (k, l) => Reduce(run.Values, k, l));
            run.Check("SumL5S2", 5000, 2000, sorted: false, (k, l) => Reduce(run.Values, k, l));
        });
    }

    [Fact]
    public void ReduceByWindow_WithInverse_MatchesTheReference()
    {
        ForEachCase(run =>
        {
            run.Check("InverseSumL3S1", 3000, 1000, sorted: false, (k, l) => ReduceWithInverse(run.Values, k, l));
            run.Check("InverseSumL4S2", 4000, 2000, sorted: false, (k, l) => ReduceWithInverse(run.Values, k, l));
            run.Check("InverseSumL6S3", 6000, 3000, sorted: false, (k, l) => ReduceWithInverse(run.Values, k, l));
            run.Check("InverseSumL5S3", 5000, 3000, sorted: false, (k, l) => ReduceWithInverse(run.Values, k, l));
        });
    }

    [Fact]
    public void CountByWindow_MatchesTheReference()
    {
        ForEachCase(run =>
        {
            run.Check("CountL3S1", 3000, 1000, sorted: false, (k, l) => ReduceWithInverse(run.Ones, k, l));
            run.Check("CountL4S2", 4000, 2000, sorted: false, (k, l) => ReduceWithInverse(run.Ones, k, l));
            run.Check("CountL6S3", 6000, 3000, sorted: false, (k, l) => ReduceWithInverse(run.Ones, k, l));
            run.Check("CountL2S3", 2000, 3000, sorted: false, (k, l) => ReduceWithInverse(run.Ones, k, l));
            run.Check("CountL5S2", 5000, 2000, sorted: false, (k, l) => ReduceWithInverse(run.Ones, k, l));
        });
    }

    // The outer stages read the inner window (length 4s, slide 2s) as their stream: its records at the batches
    // where it emits, nothing at the others.
    [Fact]
    public void WindowOfAWindow_MatchesTheReference()
    {
        ForEachCase(run =>
        {
            Func<int, IReadOnlyList<(string Key, long Value)>> inner = WindowStream(run.Pairs, run.Batches(4000), run.Batches(2000));
            Func<int, IReadOnlyList<long>> innerOnes = k => [.. inner(k).Select(_ => 1L)];
            run.Check("OuterMergedL6S4", 6000, 4000, sorted: true, (k, l) => ReduceByKey(inner, k, l));
            run.Check("OuterFilteredL8S2", 8000, 2000, sorted: true, (k, l) => NonZero(ReduceByKey(inner, k, l)));
            run.Check("OuterInverseL4S4", 4000, 4000, sorted: true, (k, l) => ReduceByKeyWithInverse(inner, k, l));
            run.Check("OuterWindowL4S4", 4000, 4000, sorted: false, (k, l) => Window(inner, k, l));
            run.Check("OuterCountL6S2", 6000, 2000, sorted: false, (k, l) => ReduceWithInverse(innerOnes, k, l));
            run.Check("OuterSumL6S4", 6000, 4000, sorted: false, (k, l) => Reduce(b => [.. inner(b).Select(p => p.Value)], k, l));
            run.Check("OuterInverseSumL4S2", 4000, 2000, sorted: false, (k, l) => ReduceWithInverse(b => [.. inner(b).Select(p => p.Value)], k, l));
            run.Check("OuterKeysL6S2", 6000, 2000, sorted: true, (k, l) => CountByValue<string>(b => [.. inner(b).Select(p => p.Key)], k, l));
        });
    }

    // A filter below a window sees the window's records as it emits, and its sink receives the window's slides.
    [Fact]
    public void StatelessStageBelowAWindow_MatchesTheReference()
    {
        ForEachCase(run =>
            run.Check("AtLeastFive", 4000, 2000, sorted: true, (k, l) => ReduceByKey(run.Pairs, k, l).Where(p => p.Value >= 5).ToList()));
    }

    // Spark's window(...).reduceByKey(...) and window(...).countByValue(): the per-batch stages see a window's records
    // at its slides. And reduceByKey(...).window(...): each batch's sums, keys in the order first seen in the batch.
    [Fact]
    public void PerBatchKeyedStagesAroundAWindow_MatchTheReference()
    {
        ForEachCase(run =>
        {
            run.Check("SumOfRecentL4S2", 4000, 2000, sorted: true, (k, l) => ReduceByKey(run.Pairs, k, l));
            run.Check("KeysOfRecentL4S2", 4000, 2000, sorted: true, (k, l) => CountByValue(run.Keys, k, l));
            Func<int, IReadOnlyList<(string Key, long Value)>> sums = b => ReduceByKey(run.Pairs, b, 1);
            run.Check("SumsL3S2", 3000, 2000, sorted: false, (k, l) => Window(sums, k, l));
        });
    }

    // Over a thousand keys (of 3,000) in runs of four batches and a handful in the runs between, so the windows' key
    // tables grow past their first capacity (1,024 keys) and then hold few keys again. At 1s batches.
    [Fact]
    public void ManyKeys_KeyedWindowsMatchTheReference()
    {
        for (int seed = 1; seed <= 2; seed++)
        {
            var run = new Case(seed, manyKeys: true);
            run.Check("MergedL4S2", 4000, 2000, sorted: true, (k, l) => ReduceByKey(run.Pairs, k, l));
            run.Check("MergedL2S3", 2000, 3000, sorted: true, (k, l) => ReduceByKey(run.Pairs, k, l));
            run.Check("InverseL3S1", 3000, 1000, sorted: true, (k, l) => ReduceByKeyWithInverse(run.Pairs, k, l));
            run.Check("FilteredL4S2", 4000, 2000, sorted: true, (k, l) => NonZero(ReduceByKey(run.Pairs, k, l)));
            run.Check("FilteredL2S3", 2000, 3000, sorted: true, (k, l) => NonZero(ReduceByKey(run.Pairs, k, l)));
            run.Check("KeysL3S1", 3000, 1000, sorted: true, (k, l) => CountByValue(run.Keys, k, l));
            run.Check("StructFilteredL5S2", 5000, 2000, sorted: true, (k, l) => NonZero(ReduceByKey(run.Numbered, k, l)));
            run.Check("OuterFilteredL8S2", 8000, 2000, sorted: true, (k, l) => NonZero(ReduceByKey(WindowStream(run.Pairs, run.Batches(4000), run.Batches(2000)), k, l)));
        }
    }

    private static List<(TKey Key, long Value)> NonZero<TKey>(List<(TKey Key, long Value)> pairs) => pairs.Where(p => p.Value != 0).ToList();

    private static void ForEachCase(Action<Case> check)
    {
        foreach (Case run in AllCases.Value)
        {
            check(run);
        }
    }

    // The cases run once, and every test reads their outputs: a run builds a ring of tables per window.
    private static readonly Lazy<IReadOnlyList<Case>> AllCases = new(() => [.. Enumerable.Range(1, Cases).Select(seed => new Case(seed))]);

    /// <summary>One random input, run through the pipeline's test driver: what each sink received, and the input for the model.</summary>
    private sealed class Case
    {
        private static readonly System.Reflection.MethodInfo SnapshotMethod =
            typeof(Case).GetMethod(nameof(Snapshot), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

        private readonly int _seed;
        private readonly List<(string Key, long Value)[]> _input = [];
        private readonly Dictionary<string, List<(long Time, object[] Records)>> _outputs = [];

        public Case(int seed, bool manyKeys = false)
        {
            _seed = seed;
            var random = new Random(seed);
            IntervalMs = manyKeys ? 1000 : random.Next(4) switch { 0 or 1 => 1000, 2 => 500, _ => 250 };
            string[] keys = manyKeys
                ? [.. Enumerable.Range(0, 3000).Select(i => "k" + i)]
                : KeyAlphabet[..random.Next(1, KeyAlphabet.Length + 1)];
            int inputBatches = manyKeys ? 16 : random.Next(0, 16);
            double emptyShare = random.NextDouble() * 0.5;
            for (int b = 0; b < inputBatches; b++)
            {
                // With many keys: runs of large batches (over a thousand keys, so tables grow) and runs of small ones.
                int records = random.NextDouble() < emptyShare ? 0
                    : manyKeys && b / 4 % 2 == 0 ? random.Next(1100, 1800)
                    : random.Next(1, 6);
                _input.Add([.. Enumerable.Range(0, records).Select(_ => (keys[random.Next(keys.Length)], (long)random.Next(0, 10)))]);
            }

            // The input in two parts, with a run after each, then batches past its end.
            int split = random.Next(0, inputBatches + 1);
            int past = random.Next(0, manyKeys ? 11 : 41);
            // Many keys: the keyed windows alone, whose sinks receive keys rather than whole windows of records.
            using PipelineTestDriver test = manyKeys
                ? new ManyKeyWindows.TestDriver(TimeSpan.FromMilliseconds(IntervalMs))
                : new RandomWindows.TestDriver(TimeSpan.FromMilliseconds(IntervalMs));
            var input = (TestInput<string>)test.GetType().GetProperty("Input")!.GetValue(test)!;
            input.Batches(_input.Take(split).Select(AsLines));
            test.Run();
            input.Batches(_input.Skip(split).Select(AsLines));
            test.Run();
            test.Run(past);
            Total = inputBatches + past;
            Assert.Equal(Total, test.BatchesRun);

            // Every sink's batches, by sink name.
            foreach (System.Reflection.PropertyInfo sink in test.GetType().GetProperties())
            {
                if (sink.PropertyType.IsGenericType && sink.PropertyType.GetGenericTypeDefinition() == typeof(TestOutput<>))
                {
                    _outputs[sink.Name] = (List<(long, object[])>)SnapshotMethod.MakeGenericMethod(sink.PropertyType.GetGenericArguments()).Invoke(null, [sink.GetValue(test)])!;
                }
            }
        }

        public long IntervalMs { get; }

        /// <summary>The number of batches run.</summary>
        public int Total { get; }

        /// <summary>The input's pairs, batch by batch (1-based); none past the input.</summary>
        public IReadOnlyList<(string Key, long Value)> Pairs(int batch) => batch <= _input.Count ? _input[batch - 1] : [];

        public IReadOnlyList<string> Keys(int batch) => [.. Pairs(batch).Select(p => p.Key)];

        /// <summary>The input lines, "key value".</summary>
        public IReadOnlyList<string> Lines(int batch) => [.. Pairs(batch).Select(p => $"{p.Key} {p.Value}")];

        /// <summary>The pairs with their keys as numbers: the key's first UTF-8 byte × 10 + its length in bytes, -1 if empty.</summary>
        public IReadOnlyList<(int Key, long Value)> Numbered(int batch) =>
            [.. Pairs(batch).Select(p => (Encoding.UTF8.GetBytes(p.Key) is { Length: > 0 } bytes ? bytes[0] * 10 + bytes.Length : -1, p.Value))];

        public IReadOnlyList<long> Values(int batch) => [.. Pairs(batch).Select(p => p.Value)];

        public IReadOnlyList<long> Ones(int batch) => [.. Pairs(batch).Select(_ => 1L)];

        /// <summary>How many batches a duration covers at this case's interval.</summary>
        public int Batches(long milliseconds) => checked((int)(milliseconds / IntervalMs));

        /// <summary>
        /// Asserts that the sink of <paramref name="stage"/> received one batch per slide, at k × the interval, with
        /// the records the model gives for the window of <paramref name="lengthMs"/> that emits at k.
        /// </summary>
        public void Check<T>(string stage, long lengthMs, long slideMs, bool sorted, Func<int, int, List<T>> model)
        {
            int length = Batches(lengthMs);
            List<string> expected = Emissions(Batches(slideMs), Total)
                .Select(k => Format(k * IntervalMs, model(k, length).Select(r => r!.ToString()!), sorted))
                .ToList();
            Same(stage, expected, Formatted(stage, sorted, keepZeros: true));
        }

        /// <summary>Asserts that two keyed stages' sinks received the same batches once keys at 0 are taken out.</summary>
        public void Agree(string incremental, string merged) =>
            Same($"{incremental} vs {merged}", Formatted(merged, sorted: true, keepZeros: false), Formatted(incremental, sorted: true, keepZeros: false));

        private static List<(long Time, object[] Records)> Snapshot<T>(TestOutput<T> output) =>
            [.. output.Batches.Select(b => (b.Time, b.Records.Select(r => (object)r!).ToArray()))];

        private static string[] AsLines((string Key, long Value)[] batch) => [.. batch.Select(p => $"{p.Key} {p.Value}")];

        private static string Format(long time, IEnumerable<string> records, bool sorted) =>
            $"{time}: [{string.Join(", ", sorted ? records.Order(StringComparer.Ordinal) : records)}]";

        private List<string> Formatted(string stage, bool sorted, bool keepZeros) =>
            _outputs[stage + "Out"]
                .Select(b => Format(b.Time, b.Records.Where(r => keepZeros || r is not ValueTuple<string, long> { Item2: 0 }).Select(r => r.ToString()!), sorted))
                .ToList();

        private void Same(string what, List<string> expected, List<string> actual)
        {
            if (!expected.SequenceEqual(actual))
            {
                Assert.Fail(
                    $"{what}, seed {_seed}, interval {IntervalMs} ms, {Total} batches, input {Describe()}\n" +
                    $"expected: {string.Join(" | ", expected)}\n" +
                    $"actual:   {string.Join(" | ", actual)}");
            }
        }

        private string Describe()
        {
            var text = new StringBuilder();
            foreach ((string Key, long Value)[] batch in _input)
            {
                text.Append('[').AppendJoin(", ", batch.Select(p => $"\"{p.Key} {p.Value}\"")).Append(']');
            }

            return text.ToString();
        }
    }
}
