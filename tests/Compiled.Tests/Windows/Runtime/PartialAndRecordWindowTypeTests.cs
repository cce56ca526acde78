using Compiled.Windows;
using static Compiled.Tests.Windows.Runtime.BatchModel;

namespace Compiled.Tests.Windows.Runtime;

/// <summary>
/// The windows of a stream that is not keyed (<see cref="PartialWindow{T, TReduce}"/>,
/// <see cref="IncrementalPartialWindow{T, TReduce, TInverse}"/>) and the window of records
/// (<see cref="RecordWindow{TRecords}"/>) on their own, against a brute-force window over the list of batches, with the
/// random inputs of <see cref="KeyedWindowTypeTests"/>: large first batch numbers that are not multiples of the slide,
/// skipped batch numbers, and bounded inputs that end between two slides.
/// </summary>
public class PartialAndRecordWindowTypeTests
{
    private const int Cases = 300;

    [Fact]
    public void PartialWindow_MatchesMergedModel_InOrder()
    {
        ForEachCase((seed, length, slide, batches, endOfInput) =>
        {
            var window = new PartialWindow<string, Concatenate>(length, slide);
            long lastEmitted = long.MinValue;
            for (int i = 0; i < batches.Count; i++)
            {
                foreach ((int key, _) in batches[i].Records)
                {
                    Partial<string> current = window.Current;
                    current.Value = current.HasValue ? current.Value + Text(key) : Text(key);
                    current.HasValue = true;
                }

                long n = batches[i].Number;
                bool predicted = window.EmitsAt(n, endOfInput && i == batches.Count - 1);
                bool emits = window.Advance(n, endOfInput && i == batches.Count - 1);
                Assert.True(predicted == (window.Clock.LastEmitted == n), $"At batch {n} EmitsAt said {predicted}; {Describe(seed, length, slide, batches)}");

                // An emission of an empty window emits no value.
                string expected = string.Concat(InWindow(batches, n, length).SelectMany(b => b.Records).Select(r => Text(r.Key)));
                bool expectEmits = Emits(batches, i, length, slide, endOfInput, ref lastEmitted) && expected.Length > 0;
                Assert.True(expectEmits == emits, $"At batch {n} the window {(emits ? "emitted" : "did not emit")}; {Describe(seed, length, slide, batches)}");
                if (emits)
                {
                    Assert.True(expected == window.Value, $"At batch {n}: expected {expected}, got {window.Value}; {Describe(seed, length, slide, batches)}");
                }
            }
        });
    }

    [Fact]
    public void IncrementalPartialWindow_CountsRecords_EmitsAtEverySlideOnceARecordCame()
    {
        ForEachCase((seed, length, slide, batches, endOfInput) =>
        {
            var window = new IncrementalPartialWindow<long, AddCounts, SubtractCounts>(length, slide);
            long lastEmitted = long.MinValue;
            bool anyRecord = false;
            for (int i = 0; i < batches.Count; i++)
            {
                foreach (var _ in batches[i].Records)
                {
                    window.Current.Value++;
                    window.Current.HasValue = true;
                }

                long n = batches[i].Number;
                anyRecord |= batches[i].Records.Length > 0;
                bool predicted = window.EmitsAt(n, endOfInput && i == batches.Count - 1);
                bool emits = window.Advance(n, endOfInput && i == batches.Count - 1);
                Assert.True(predicted == (window.Clock.LastEmitted == n), $"At batch {n} EmitsAt said {predicted}; {Describe(seed, length, slide, batches)}");
                bool expectEmits = Emits(batches, i, length, slide, endOfInput, ref lastEmitted) && anyRecord;
                Assert.True(expectEmits == emits, $"At batch {n} the window {(emits ? "emitted" : "did not emit")}; {Describe(seed, length, slide, batches)}");
                if (emits)
                {
                    long expected = InWindow(batches, n, length).Sum(b => b.Records.Length);
                    Assert.True(expected == window.Value, $"At batch {n}: expected {expected} records, got {window.Value}; {Describe(seed, length, slide, batches)}");
                }
            }
        });
    }

    [Fact]
    public void RecordWindow_EmitsTheWindowsRecords_OldestBatchFirst()
    {
        ForEachCase((seed, length, slide, batches, endOfInput) =>
        {
            var window = new RecordWindow<ValueRecords<(int, long)>>(length, slide);
            long lastEmitted = long.MinValue;
            for (int i = 0; i < batches.Count; i++)
            {
                foreach ((int Key, long Value) record in batches[i].Records)
                {
                    window.Current.Add(record);
                }

                long n = batches[i].Number;
                bool emits = KeyedWindowTypeTests.Predicted(window.EmitsAt, window.Advance)(n, endOfInput && i == batches.Count - 1);
                bool expectEmits = Emits(batches, i, length, slide, endOfInput, ref lastEmitted);
                Assert.True(expectEmits == emits, $"At batch {n} the window {(emits ? "emitted" : "did not emit")}; {Describe(seed, length, slide, batches)}");
                if (emits)
                {
                    var got = new List<(int, long)>();
                    foreach (ValueRecords<(int, long)> part in window.Parts)
                    {
                        got.AddRange(part.AsSpan().ToArray());
                    }

                    var expected = InWindow(batches, n, length).SelectMany(b => b.Records).ToList();
                    Assert.True(expected.SequenceEqual(got), $"At batch {n}: expected {expected.Count} records in order, got {got.Count}; {Describe(seed, length, slide, batches)}");
                }
            }
        });
    }

    [Fact]
    public void RecordWindow_Parts_NameTheirBatches_OldestFirst()
    {
        var window = new RecordWindow<ByteRecords>(3, 2);
        Assert.Equal(0, window.Parts.Count);
        window.Current.Add("a"u8);
        Assert.False(window.Advance(1_764_000_001));
        window.Current.Add("b"u8);
        Assert.True(window.Advance(1_764_000_002));
        WindowParts<ByteRecords> parts = window.Parts;
        Assert.Equal(3, parts.Count);
        Assert.Equal([1_764_000_000, 1_764_000_001, 1_764_000_002], new[] { parts.BatchAt(0), parts.BatchAt(1), parts.BatchAt(2) });
        Assert.Equal(0, parts[0].Count);
        Assert.Equal("a"u8.ToArray(), parts[1][0].ToArray());
        Assert.Equal("b"u8.ToArray(), parts[2][0].ToArray());
    }

    [Fact]
    public void WindowClock_EndOfInput_EmitsOnlyWithRecordsNotReported()
    {
        // A window of 4 batches sliding every 3: batch 9 emits; 10 holds records; the input ends at 11.
        var clock = new WindowClock(4, 3);
        Assert.Equal(0, clock.Begin(9));
        Assert.True(clock.End(hadRecords: true, endOfInput: false));
        Assert.False(clock.HasUnreported);
        clock.Begin(10);
        Assert.False(clock.End(hadRecords: true, endOfInput: false));
        Assert.True(clock.HasUnreported);
        clock.Begin(11);
        Assert.True(clock.End(hadRecords: false, endOfInput: true));
        Assert.Equal(11, clock.LastEmitted);

        // Records that have left the window since the last emission are not the window's to report.
        var sampled = new WindowClock(1, 3);
        sampled.Begin(7);
        sampled.End(hadRecords: true, endOfInput: false);
        sampled.Begin(8);
        Assert.False(sampled.End(hadRecords: false, endOfInput: true));
    }

    [Fact]
    public void WindowClock_SkippedBatches_AreSteppedAtMostAWindowLong()
    {
        var clock = new WindowClock(3, 1);
        Assert.Equal(0, clock.Begin(1_764_000_007));
        Assert.Equal(0, clock.Begin(1_764_000_008));
        Assert.Equal(2, clock.Begin(1_764_000_011));
        Assert.Equal(3, clock.Begin(1_764_009_000));
        Assert.Equal(0, clock.Slot(1_764_009_000));
        Assert.Equal(2, clock.Slot(-1));
    }

    private static void ForEachCase(Action<int, int, int, List<ModelBatch>, bool> check)
    {
        for (int seed = 0; seed < Cases; seed++)
        {
            var random = new Random(seed);
            int length = 1 + random.Next(5);
            int slide = 1 + random.Next(3);
            long first = 1_764_000_000 + random.Next(10);
            List<ModelBatch> batches = BatchModel.Random(random, 5 + random.Next(30), first, keys: 10, perBatch: 6, minValue: 0, gaps: seed % 3 != 0);
            check(seed, length, slide, batches, seed % 2 == 0);
        }
    }

    private readonly struct Concatenate : IReducer<string>
    {
        public string Reduce(string a, string b) => a + b;
    }
}
