using System.Globalization;
using System.Text;
using Compiled.Keys;
using Compiled.Windows;
using static Compiled.Tests.Windows.Runtime.BatchModel;

namespace Compiled.Tests.Windows.Runtime;

/// <summary>
/// Each window type captured through its state view after a random batch k and restored into a new instance
/// continues exactly as the captured one: 200 random inputs per type (fixed seeds), windows of 1 to 6 batches with
/// slides of 1 to 3, first batch numbers around 1,764,000,000 or around 4·10¹⁸, skipped batch numbers, half the inputs
/// ending as a bounded input does, and k from "before the first batch" (an empty window) to the last batch. The capture
/// is copied out (byte keys as arrays) as a checkpoint writer would, so the restored window shares nothing with the
/// captured one. Right after the restore both list the same state; then both take the same remaining batches and must
/// emit at the same batches the same results, and list the same state after each. A failure names the seed, k and
/// the batches.
/// </summary>
public class WindowRestoreTests
{
    private const int Cases = 200;

    [Fact]
    public void KeyedWindow_ByteKeys_RestoredAfterAnyBatch_ContinuesAsTheCaptured()
    {
        CheckResumes(
            keys: 6, minValue: 0,
            static (length, slide) => new KeyedWindow<ReadOnlySpan<byte>, string, ByteKeys<string>, Concatenate>(length, slide),
            static (w, records) => FillBytes(w.Current.Table, records, Text, string.Concat),
            static (w, n, last) => w.Advance(n, last),
            static w => Show(Enumerable.Range(0, w.Count).Select(i => $"{Key(w.KeyAt(i))}={w.ValueAt(i)}")),
            static w =>
            {
                var text = new StringBuilder(Show(w.Clock));
                foreach (BatchEntry<ReadOnlySpan<byte>, string> entry in w.PartEntries)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {entry.Batch}:{Key(entry.Key)}={entry.Value}");
                }

                return text.ToString();
            },
            static w =>
            {
                (int, int, long, long, long) clock = Capture(w.Clock);
                var entries = new List<(long Batch, byte[] Key, string Value)>();
                foreach (BatchEntry<ReadOnlySpan<byte>, string> entry in w.PartEntries)
                {
                    entries.Add((entry.Batch, entry.Key.ToArray(), entry.Value));
                }

                return fresh =>
                {
                    fresh.Restore(Restore(clock));
                    foreach ((long batch, byte[] key, string value) in entries)
                    {
                        fresh.Put(batch, key, value);
                    }

                    return fresh;
                };
            });
    }

    [Fact]
    public void KeyedWindow_StructKeys_RestoredAfterAnyBatch_ContinuesAsTheCaptured()
    {
        CheckResumes(
            keys: 6, minValue: 0,
            static (length, slide) => new KeyedWindow<int, string, StructKeys<int, string>, Concatenate>(length, slide),
            static (w, records) => FillStructs(w.Current.Table, records, Text, string.Concat),
            static (w, n, last) => w.Advance(n, last),
            static w => Show(Enumerable.Range(0, w.Count).Select(i => $"{w.KeyAt(i)}={w.ValueAt(i)}")),
            static w =>
            {
                var text = new StringBuilder(Show(w.Clock));
                foreach (BatchEntry<int, string> entry in w.PartEntries)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {entry.Batch}:{entry.Key}={entry.Value}");
                }

                return text.ToString();
            },
            static w =>
            {
                (int, int, long, long, long) clock = Capture(w.Clock);
                var entries = new List<(long Batch, int Key, string Value)>();
                foreach (BatchEntry<int, string> entry in w.PartEntries)
                {
                    entries.Add((entry.Batch, entry.Key, entry.Value));
                }

                return fresh =>
                {
                    fresh.Restore(Restore(clock));
                    foreach ((long batch, int key, string value) in entries)
                    {
                        fresh.Put(batch, key, value);
                    }

                    return fresh;
                };
            });
    }

    [Fact]
    public void IncrementalKeyedWindow_ByteKeys_WithFilter_RestoredAfterAnyBatch_ContinuesAsTheCaptured_ForgottenKeysIncluded()
    {
        // Many keys that come and go, values from -3: keys fall to zero or below, are forgotten and cleared out.
        CheckResumes(
            keys: 40, minValue: -3,
            static (length, slide) => new IncrementalKeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, ByteKeys<WindowEntry<long>>, AddCounts, SubtractCounts, Positive>(length, slide),
            static (w, records) => FillBytes(w.Current.Table, records, static v => v, static (a, b) => a + b),
            static (w, n, last) => w.Advance(n, last),
            static w => Show(Enumerable.Range(0, w.Count).Select(i => $"{Key(w.KeyAt(i))}={w.ValueAt(i)}")),
            static w =>
            {
                var text = new StringBuilder(Show(w.Clock));
                foreach (BatchEntry<ReadOnlySpan<byte>, long> entry in w.PartEntries)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {entry.Batch}:{Key(entry.Key)}={entry.Value}");
                }

                text.Append(" |");
                for (int i = 0; i < w.Entries.Count; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {Key(w.Entries.KeyAt(i))}={w.Entries.ValueAt(i).Value}/{w.Entries.ValueAt(i).Batches}");
                }

                return text.ToString();
            },
            static w =>
            {
                (int, int, long, long, long) clock = Capture(w.Clock);
                var parts = new List<(long Batch, byte[] Key, long Value)>();
                foreach (BatchEntry<ReadOnlySpan<byte>, long> entry in w.PartEntries)
                {
                    parts.Add((entry.Batch, entry.Key.ToArray(), entry.Value));
                }

                var table = Enumerable.Range(0, w.Entries.Count).Select(i => (Key: w.Entries.KeyAt(i).ToArray(), Entry: w.Entries.ValueAt(i))).ToList();
                return fresh =>
                {
                    fresh.Restore(Restore(clock));
                    foreach ((long batch, byte[] key, long value) in parts)
                    {
                        fresh.Put(batch, key, value);
                    }

                    foreach ((byte[] key, WindowEntry<long> entry) in table)
                    {
                        fresh.PutEntry(key, entry);
                    }

                    return fresh;
                };
            });
    }

    [Fact]
    public void IncrementalKeyedWindow_StructKeys_WithoutFilter_RestoredAfterAnyBatch_ContinuesAsTheCaptured_KeysAtZeroIncluded()
    {
        CheckResumes(
            keys: 8, minValue: -3,
            static (length, slide) => new IncrementalKeyedWindow<int, long, StructKeys<int, long>, StructKeys<int, WindowEntry<long>>, AddCounts, SubtractCounts, KeepAll<int, long>>(length, slide),
            static (w, records) => FillStructs(w.Current.Table, records, static v => v, static (a, b) => a + b),
            static (w, n, last) => w.Advance(n, last),
            static w => Show(Enumerable.Range(0, w.Count).Select(i => $"{w.KeyAt(i)}={w.ValueAt(i)}")),
            static w =>
            {
                var text = new StringBuilder(Show(w.Clock));
                foreach (BatchEntry<int, long> entry in w.PartEntries)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {entry.Batch}:{entry.Key}={entry.Value}");
                }

                text.Append(" |");
                for (int i = 0; i < w.Entries.Count; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {w.Entries.KeyAt(i)}={w.Entries.ValueAt(i).Value}/{w.Entries.ValueAt(i).Batches}");
                }

                return text.ToString();
            },
            static w =>
            {
                (int, int, long, long, long) clock = Capture(w.Clock);
                var parts = new List<(long Batch, int Key, long Value)>();
                foreach (BatchEntry<int, long> entry in w.PartEntries)
                {
                    parts.Add((entry.Batch, entry.Key, entry.Value));
                }

                var table = Enumerable.Range(0, w.Entries.Count).Select(i => (Key: w.Entries.KeyAt(i), Entry: w.Entries.ValueAt(i))).ToList();
                return fresh =>
                {
                    fresh.Restore(Restore(clock));
                    foreach ((long batch, int key, long value) in parts)
                    {
                        fresh.Put(batch, key, value);
                    }

                    foreach ((int key, WindowEntry<long> entry) in table)
                    {
                        fresh.PutEntry(key, entry);
                    }

                    return fresh;
                };
            });
    }

    [Fact]
    public void PartialWindow_RestoredAfterAnyBatch_ContinuesAsTheCaptured()
    {
        CheckResumes(
            keys: 3, minValue: 0,
            static (length, slide) => new PartialWindow<string, Concatenate>(length, slide),
            static (w, records) => FillPartial(w.Current, records, Text, string.Concat),
            static (w, n, last) => w.Advance(n, last),
            static w => w.Value,
            static w => Show(w.Clock) + PartialParts(w.Parts, static v => v),
            static w =>
            {
                (int, int, long, long, long) clock = Capture(w.Clock);
                List<(long Batch, string Value)> parts = CapturePartials(w.Parts);
                return fresh =>
                {
                    fresh.Restore(Restore(clock));
                    foreach ((long batch, string value) in parts)
                    {
                        fresh.Put(batch, value);
                    }

                    return fresh;
                };
            });
    }

    [Fact]
    public void IncrementalPartialWindow_RestoredAfterAnyBatch_ContinuesAsTheCaptured()
    {
        CheckResumes(
            keys: 3, minValue: -3,
            static (length, slide) => new IncrementalPartialWindow<long, AddCounts, SubtractCounts>(length, slide),
            static (w, records) => FillPartial(w.Current, records, static v => v, static (a, b) => a + b),
            static (w, n, last) => w.Advance(n, last),
            static w => w.Value.ToString(CultureInfo.InvariantCulture),
            static w => Show(w.Clock) + PartialParts(w.Parts, static v => v.ToString(CultureInfo.InvariantCulture)) + $" | {w.Window.HasValue}:{w.Window.Value}",
            static w =>
            {
                (int, int, long, long, long) clock = Capture(w.Clock);
                List<(long Batch, long Value)> parts = CapturePartials(w.Parts);
                (bool hasWindow, long window) = (w.Window.HasValue, w.Window.Value);
                return fresh =>
                {
                    fresh.Restore(Restore(clock));
                    foreach ((long batch, long value) in parts)
                    {
                        fresh.Put(batch, value);
                    }

                    if (hasWindow)
                    {
                        fresh.PutWindow(window);
                    }

                    return fresh;
                };
            });
    }

    [Fact]
    public void RecordWindow_ByteRecords_RestoredAfterAnyBatch_ContinuesAsTheCaptured()
    {
        CheckResumes(
            keys: 6, minValue: 0,
            static (length, slide) => new RecordWindow<ByteRecords>(length, slide),
            static (w, records) =>
            {
                foreach ((int key, long value) in records)
                {
                    w.Current.Add(Encoding.ASCII.GetBytes($"{key}:{value}"));
                }
            },
            static (w, n, last) => w.Advance(n, last),
            static w => RecordText(w.Parts, static (part, i) => Encoding.ASCII.GetString(part[i])),
            static w => Show(w.Clock) + RecordText(w.Parts, static (part, i) => Encoding.ASCII.GetString(part[i])),
            static w =>
            {
                (int, int, long, long, long) clock = Capture(w.Clock);
                var parts = new List<(long Batch, byte[] Record)>();
                WindowParts<ByteRecords> view = w.Parts;
                for (int p = 0; p < view.Count; p++)
                {
                    for (int i = 0; i < view[p].Count; i++)
                    {
                        parts.Add((view.BatchAt(p), view[p][i].ToArray()));
                    }
                }

                return fresh =>
                {
                    fresh.Restore(Restore(clock));
                    foreach ((long batch, byte[] record) in parts)
                    {
                        fresh.PartToRestore(batch).Add(record);
                    }

                    return fresh;
                };
            });
    }

    [Fact]
    public void RecordWindow_KeyValueRecords_RestoredAfterAnyBatch_ContinuesAsTheCaptured()
    {
        CheckResumes(
            keys: 6, minValue: 0,
            static (length, slide) => new RecordWindow<KeyValueRecords<long>>(length, slide),
            static (w, records) =>
            {
                foreach ((int key, long value) in records)
                {
                    w.Current.Add(Encoding.ASCII.GetBytes(key.ToString(CultureInfo.InvariantCulture)), value);
                }
            },
            static (w, n, last) => w.Advance(n, last),
            static w => RecordText(w.Parts, static (part, i) => $"{Key(part[i].Key)}={part[i].Value}"),
            static w => Show(w.Clock) + RecordText(w.Parts, static (part, i) => $"{Key(part[i].Key)}={part[i].Value}"),
            static w =>
            {
                (int, int, long, long, long) clock = Capture(w.Clock);
                var parts = new List<(long Batch, byte[] Key, long Value)>();
                WindowParts<KeyValueRecords<long>> view = w.Parts;
                for (int p = 0; p < view.Count; p++)
                {
                    for (int i = 0; i < view[p].Count; i++)
                    {
                        parts.Add((view.BatchAt(p), view[p][i].Key.ToArray(), view[p][i].Value));
                    }
                }

                return fresh =>
                {
                    fresh.Restore(Restore(clock));
                    foreach ((long batch, byte[] key, long value) in parts)
                    {
                        fresh.PartToRestore(batch).Add(key, value);
                    }

                    return fresh;
                };
            });
    }

    [Fact]
    public void RecordWindow_ValueRecords_RestoredAfterAnyBatch_ContinuesAsTheCaptured()
    {
        CheckResumes(
            keys: 6, minValue: 0,
            static (length, slide) => new RecordWindow<ValueRecords<(int, long)>>(length, slide),
            static (w, records) =>
            {
                foreach ((int, long) record in records)
                {
                    w.Current.Add(record);
                }
            },
            static (w, n, last) => w.Advance(n, last),
            static w => RecordText(w.Parts, static (part, i) => part[i].ToString()),
            static w => Show(w.Clock) + RecordText(w.Parts, static (part, i) => part[i].ToString()),
            static w =>
            {
                (int, int, long, long, long) clock = Capture(w.Clock);
                var parts = new List<(long Batch, (int, long)[] Records)>();
                WindowParts<ValueRecords<(int, long)>> view = w.Parts;
                for (int p = 0; p < view.Count; p++)
                {
                    parts.Add((view.BatchAt(p), view[p].AsSpan().ToArray()));
                }

                return fresh =>
                {
                    fresh.Restore(Restore(clock));
                    foreach ((long batch, (int, long)[] records) in parts)
                    {
                        foreach ((int, long) record in records)
                        {
                            fresh.PartToRestore(batch).Add(record);
                        }
                    }

                    return fresh;
                };
            });
    }

    [Fact]
    public void EmptyWindow_CapturedAndRestored_ListsNothing_AndBehavesAsANewOne()
    {
        var captured = new KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts>(3, 2);
        var entries = 0;
        foreach (BatchEntry<ReadOnlySpan<byte>, long> entry in captured.PartEntries)
        {
            entries++;
        }

        Assert.Equal(0, entries);
        Assert.Equal(0, captured.Parts.Count);
        var restored = new KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts>(3, 2);
        restored.Restore(Restore(Capture(captured.Clock)));
        Assert.Equal(WindowClock.None, restored.Clock.LastBatch);

        // The first batch of the restored window may be any number, as for a new window.
        var fresh = new KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts>(3, 2);
        foreach (long n in new long[] { 4_000_000_000_000_000_001, 4_000_000_000_000_000_002, 4_000_000_000_000_000_004 })
        {
            restored.Current.Table.GetValueRefOrAddDefault("a"u8, out _) += n % 10;
            fresh.Current.Table.GetValueRefOrAddDefault("a"u8, out _) += n % 10;
            Assert.Equal(fresh.Advance(n), restored.Advance(n));
            Assert.Equal(fresh.Count, restored.Count);
        }

        Assert.Equal(1, restored.Count);
        Assert.Equal(6, restored.ValueAt(0));
    }

    [Fact]
    public void PartlyFilledRing_ListsOnlyTheBatchesThatHeldKeys_AndRestoresThem()
    {
        // A window of 5 batches that has taken in two: three of its five parts are of batches before its first.
        var captured = new IncrementalKeyedWindow<int, long, StructKeys<int, long>, StructKeys<int, WindowEntry<long>>, AddCounts, SubtractCounts, KeepAll<int, long>>(5, 2);
        captured.Current.Table.GetValueRefOrAddDefault(7, out _) = 3;
        captured.Advance(1_764_000_001);
        captured.Current.Table.GetValueRefOrAddDefault(8, out _) = 4;
        captured.Current.Table.GetValueRefOrAddDefault(7, out _) = 1;
        Assert.True(captured.Advance(1_764_000_002));

        Assert.Equal(5, captured.Parts.Count);
        Assert.Equal(1_763_999_998, captured.Parts.BatchAt(0));
        var listed = new List<(long, int, long)>();
        foreach (BatchEntry<int, long> entry in captured.PartEntries)
        {
            listed.Add((entry.Batch, entry.Key, entry.Value));
        }

        Assert.Equal([(1_764_000_001, 7, 3), (1_764_000_002, 8, 4), (1_764_000_002, 7, 1)], listed);

        var restored = new IncrementalKeyedWindow<int, long, StructKeys<int, long>, StructKeys<int, WindowEntry<long>>, AddCounts, SubtractCounts, KeepAll<int, long>>(5, 2);
        restored.Restore(Restore(Capture(captured.Clock)));
        foreach ((long batch, int key, long value) in listed)
        {
            restored.Put(batch, key, value);
        }

        for (int i = 0; i < captured.Entries.Count; i++)
        {
            restored.PutEntry(captured.Entries.KeyAt(i), captured.Entries.ValueAt(i));
        }

        // Batch 1,764,000,001 leaves at 1,764,000,006: key 7 keeps only the 1 of the second batch.
        for (long n = 1_764_000_003; n <= 1_764_000_008; n++)
        {
            Assert.Equal(captured.Advance(n), restored.Advance(n));
            Assert.Equal(
                Enumerable.Range(0, captured.Count).Select(i => (captured.KeyAt(i), captured.ValueAt(i))),
                Enumerable.Range(0, restored.Count).Select(i => (restored.KeyAt(i), restored.ValueAt(i))));
            if (n == 1_764_000_006)
            {
                Assert.Equal([(7, 1L), (8, 4L)], Enumerable.Range(0, restored.Count).Select(i => (restored.KeyAt(i), restored.ValueAt(i))));
            }
        }
    }

    [Fact]
    public void Restore_IntoAUsedWindow_OrOfAnotherShape_OrOutsideTheWindow_ThrowsSayingWhatToDo()
    {
        var used = new KeyedWindow<int, long, StructKeys<int, long>, AddCounts>(3, 1);
        used.Advance(10);
        WindowClock clock = WindowClock.Restore(3, 1, 10, 10, WindowClock.None);
        Assert.Contains("Restore into a newly created window", Assert.Throws<InvalidOperationException>(() => used.Restore(clock)).Message, StringComparison.Ordinal);

        var other = new KeyedWindow<int, long, StructKeys<int, long>, AddCounts>(4, 1);
        var shape = Assert.Throws<ArgumentException>(() => other.Restore(clock));
        Assert.Contains("3 batches long with a slide of 1, this one 4 with a slide of 1", shape.Message, StringComparison.Ordinal);

        var fresh = new KeyedWindow<int, long, StructKeys<int, long>, AddCounts>(3, 1);
        Assert.Contains("call Restore with the captured clock first", Assert.Throws<InvalidOperationException>(() => fresh.Put(10, 1, 1)).Message, StringComparison.Ordinal);
        fresh.Restore(clock);
        Assert.Throws<InvalidOperationException>(() => fresh.Restore(clock));
        Assert.Contains("holds the batches 8 to 10", Assert.Throws<ArgumentOutOfRangeException>(() => fresh.Put(7, 1, 1)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => fresh.Put(11, 1, 1));
        fresh.Put(8, 1, 1);
        fresh.Advance(11);
        Assert.False(fresh.IsRestoring);
        Assert.Throws<InvalidOperationException>(() => fresh.Put(11, 1, 1));

        var empty = new RecordWindow<ByteRecords>(3, 1);
        empty.Restore(WindowClock.Restore(3, 1, WindowClock.None, WindowClock.None, WindowClock.None));
        Assert.Contains("has taken in no batch", Assert.Throws<ArgumentOutOfRangeException>(() => empty.PartToRestore(0)).Message, StringComparison.Ordinal);

        var incremental = new IncrementalKeyedWindow<int, long, StructKeys<int, long>, StructKeys<int, WindowEntry<long>>, AddCounts, SubtractCounts, KeepAll<int, long>>(3, 1);
        Assert.Throws<InvalidOperationException>(() => incremental.PutEntry(1, new WindowEntry<long> { Value = 1, Batches = 1 }));
        incremental.Restore(clock);
        Assert.Contains("-1 (forgotten) to 3", Assert.Throws<ArgumentOutOfRangeException>(() => incremental.PutEntry(1, new WindowEntry<long> { Value = 1, Batches = 4 })).Message, StringComparison.Ordinal);

        var partial = new IncrementalPartialWindow<long, AddCounts, SubtractCounts>(3, 1);
        Assert.Throws<InvalidOperationException>(() => partial.PutWindow(1));
    }

    [Fact]
    public void WindowClockRestore_WithBatchNumbersThatDoNotFit_Throws()
    {
        Assert.Contains("an emission or a batch with records can only be at or before the last batch", Assert.Throws<ArgumentException>(() => WindowClock.Restore(3, 1, WindowClock.None, 5, WindowClock.None)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => WindowClock.Restore(3, 1, 10, 11, WindowClock.None));
        Assert.Throws<ArgumentException>(() => WindowClock.Restore(3, 1, 10, WindowClock.None, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowClock.Restore(0, 1, 10, 10, 10));
        WindowClock clock = WindowClock.Restore(3, 2, 10, 10, 9);
        Assert.Equal((3, 2, 10L, 10L, 9L), (clock.Length, clock.Slide, clock.LastBatch, clock.LastEmitted, clock.LastWithRecords));
    }

    [Fact]
    public void PartEntries_ListsTheWindowWithoutAllocating()
    {
        var window = new KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts>(4, 2);
        byte[][] keys = Enumerable.Range(0, 100).Select(k => Encoding.ASCII.GetBytes(k.ToString(CultureInfo.InvariantCulture))).ToArray();
        for (long n = 1_764_000_001; n < 1_764_000_005; n++)
        {
            foreach (byte[] key in keys)
            {
                window.Current.Table.GetValueRefOrAddDefault(key, out _)++;
            }

            window.Advance(n);
        }

        long Sum()
        {
            long sum = 0;
            foreach (BatchEntry<ReadOnlySpan<byte>, long> entry in window.PartEntries)
            {
                sum += entry.Value + entry.Key.Length;
            }

            return sum;
        }

        Sum();
        long before = GC.GetAllocatedBytesForCurrentThread();
        long listed = Sum();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(4 * (100 + 190), listed);
        Assert.Equal(0, allocated);
    }

    // Runs each case as the class summary says: the captured window and the restored one take the same remaining
    // batches and must agree at every one.
    internal static void CheckResumes<TWindow>(
        int keys, int minValue,
        Func<int, int, TWindow> create,
        Action<TWindow, (int Key, long Value)[]> fill,
        Func<TWindow, long, bool, bool> advance,
        Func<TWindow, string> emitted,
        Func<TWindow, string> state,
        Func<TWindow, Func<TWindow, TWindow>> capture)
    {
        int restoredEmissions = 0;
        for (int seed = 0; seed < Cases; seed++)
        {
            var random = new Random(seed);
            int length = 1 + random.Next(6);
            int slide = 1 + random.Next(3);
            long first = (seed % 4 == 0 ? 4_000_000_000_000_000_000 : 1_764_000_000) + random.Next(10);
            List<ModelBatch> batches = BatchModel.Random(random, 5 + random.Next(30), first, keys, perBatch: 8, minValue, gaps: seed % 3 != 0);
            bool endOfInput = seed % 2 == 0;
            int k = random.Next(-1, batches.Count);
            string where = $"captured after batch index {k}; {Describe(seed, length, slide, batches)}";

            TWindow original = create(length, slide);
            for (int i = 0; i <= k; i++)
            {
                fill(original, batches[i].Records);
                advance(original, batches[i].Number, endOfInput && i == batches.Count - 1);
            }

            TWindow restored = capture(original)(create(length, slide));
            Assert.True(state(original) == state(restored), $"Right after the restore: captured {state(original)}, restored {state(restored)}; {where}");
            for (int i = k + 1; i < batches.Count; i++)
            {
                long n = batches[i].Number;
                bool last = endOfInput && i == batches.Count - 1;
                fill(original, batches[i].Records);
                fill(restored, batches[i].Records);
                bool want = advance(original, n, last);
                bool got = advance(restored, n, last);
                Assert.True(want == got, $"At batch {n} the captured window {(want ? "emitted" : "did not emit")}, the restored one {(got ? "did" : "did not")}; {where}");
                if (want)
                {
                    restoredEmissions++;
                    Assert.True(emitted(original) == emitted(restored), $"At batch {n}: the captured window emitted {emitted(original)}, the restored one {emitted(restored)}; {where}");
                }

                Assert.True(state(original) == state(restored), $"After batch {n}: captured {state(original)}, restored {state(restored)}; {where}");
            }
        }

        // The cases are only worth something if restored windows went on to emit.
        Assert.True(restoredEmissions > Cases, $"Only {restoredEmissions} emissions after a restore in {Cases} cases.");
    }

    private static (int Length, int Slide, long LastBatch, long LastEmitted, long LastWithRecords) Capture(WindowClock clock) =>
        (clock.Length, clock.Slide, clock.LastBatch, clock.LastEmitted, clock.LastWithRecords);

    private static WindowClock Restore((int Length, int Slide, long LastBatch, long LastEmitted, long LastWithRecords) c) =>
        WindowClock.Restore(c.Length, c.Slide, c.LastBatch, c.LastEmitted, c.LastWithRecords);

    internal static string Show(WindowClock clock) =>
        $"clock {clock.Length}/{clock.Slide} last {clock.LastBatch} emitted {clock.LastEmitted} records {clock.LastWithRecords}:";

    internal static string Show(IEnumerable<string> entries) => "[" + string.Join(",", entries) + "]";

    internal static int Key(ReadOnlySpan<byte> key) => int.Parse(key, CultureInfo.InvariantCulture);

    internal static void FillBytes<T>(ByteKeyTable<T> table, (int Key, long Value)[] records, Func<long, T> lift, Func<T, T, T> reduce)
    {
        foreach ((int key, long value) in records)
        {
            ref T slot = ref table.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes(key.ToString(CultureInfo.InvariantCulture)), out bool exists);
            slot = exists ? reduce(slot, lift(value)) : lift(value);
        }
    }

    internal static void FillStructs<T>(StructKeyTable<int, T> table, (int Key, long Value)[] records, Func<long, T> lift, Func<T, T, T> reduce)
    {
        foreach ((int key, long value) in records)
        {
            ref T slot = ref table.GetValueRefOrAddDefault(key, out bool exists);
            slot = exists ? reduce(slot, lift(value)) : lift(value);
        }
    }

    internal static void FillPartial<T>(Partial<T> partial, (int Key, long Value)[] records, Func<long, T> lift, Func<T, T, T> reduce)
    {
        foreach ((_, long value) in records)
        {
            partial.Value = partial.HasValue ? reduce(partial.Value, lift(value)) : lift(value);
            partial.HasValue = true;
        }
    }

    internal static string PartialParts<T>(WindowParts<Partial<T>> parts, Func<T, string> show)
    {
        var text = new StringBuilder();
        for (int p = 0; p < parts.Count; p++)
        {
            text.Append(CultureInfo.InvariantCulture, $" {parts.BatchAt(p)}:{(parts[p].HasValue ? show(parts[p].Value) : "-")}");
        }

        return text.ToString();
    }

    private static List<(long Batch, T Value)> CapturePartials<T>(WindowParts<Partial<T>> parts)
    {
        var captured = new List<(long, T)>();
        for (int p = 0; p < parts.Count; p++)
        {
            if (parts[p].HasValue)
            {
                captured.Add((parts.BatchAt(p), parts[p].Value));
            }
        }

        return captured;
    }

    internal static string RecordText<TRecords>(WindowParts<TRecords> parts, Func<TRecords, int, string> show)
        where TRecords : IBatchRecords
    {
        var text = new StringBuilder();
        for (int p = 0; p < parts.Count; p++)
        {
            text.Append(CultureInfo.InvariantCulture, $" {parts.BatchAt(p)}:[");
            for (int i = 0; i < parts[p].Count; i++)
            {
                text.Append(show(parts[p], i)).Append(',');
            }

            text.Append(']');
        }

        return text.ToString();
    }

    private readonly struct Concatenate : IReducer<string>
    {
        public string Reduce(string a, string b) => a + b;
    }

    private readonly struct Positive : IKeyFilter<ReadOnlySpan<byte>, long>
    {
        public bool Keep(ReadOnlySpan<byte> key, long value) => value > 0;
    }
}
