using System.Globalization;
using System.Text;
using Compiled.Checkpoints;
using Compiled.Keys;
using Compiled.Tests.Checkpoints;
using Compiled.Windows;
using static Compiled.Tests.Windows.Runtime.WindowRestoreTests;

namespace Compiled.Tests.Windows.Runtime;

/// <summary>
/// Each window type written into a checkpoint section after a random batch k (<c>WriteCheckpoint</c>) and read into a
/// new instance (<c>ReadCheckpoint</c>) continues exactly as the written one: the cases of
/// <see cref="WindowRestoreTests"/> (200 random inputs per type, windows of 1 to 6 batches, slides of 1 to 3, skipped
/// batch numbers, bounded and unbounded inputs, k from before the first batch to the last), with the capture going
/// through the checkpoint's bytes. A cut section, a window of another shape and a used window are refused, and a
/// refused read leaves the window new.
/// </summary>
public class WindowCheckpointTests
{
    [Fact]
    public void KeyedWindow_ByteKeys_ThroughACheckpoint_ContinuesAsTheWritten()
    {
        CheckResumes(
            keys: 30, minValue: 0,
            static (length, slide) => new KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts>(length, slide),
            static (w, records) => FillBytes(w.Current.Table, records, static v => v, static (a, b) => a + b),
            static (w, n, last) => w.Advance(n, last),
            static w => Show(Enumerable.Range(0, w.Count).Select(i => $"{Key(w.KeyAt(i))}={w.ValueAt(i)}")),
            static w => KeyedState(w.Clock, w.PartEntries),
            static w =>
            {
                byte[] file = StateSections.Write(w.WriteCheckpoint);
                return fresh =>
                {
                    StateSections.Read(file, fresh.ReadCheckpoint);
                    return fresh;
                };
            });
    }

    [Fact]
    public void KeyedWindow_StructKeys_ThroughACheckpoint_ContinuesAsTheWritten()
    {
        CheckResumes(
            keys: 30, minValue: 0,
            static (length, slide) => new KeyedWindow<int, long, StructKeys<int, long>, AddCounts>(length, slide),
            static (w, records) => FillStructs(w.Current.Table, records, static v => v, static (a, b) => a + b),
            static (w, n, last) => w.Advance(n, last),
            static w => Show(Enumerable.Range(0, w.Count).Select(i => $"{w.KeyAt(i)}={w.ValueAt(i)}")),
            static w =>
            {
                var text = new StringBuilder(w.Clock.LastBatch.ToString(CultureInfo.InvariantCulture));
                foreach (BatchEntry<int, long> entry in w.PartEntries)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {entry.Batch}:{entry.Key}={entry.Value}");
                }

                return text.ToString();
            },
            static w =>
            {
                byte[] file = StateSections.Write(w.WriteCheckpoint);
                return fresh =>
                {
                    StateSections.Read(file, fresh.ReadCheckpoint);
                    return fresh;
                };
            });
    }

    [Fact]
    public void IncrementalKeyedWindow_ByteKeys_WithFilter_ThroughACheckpoint_ContinuesAsTheWritten_ForgottenKeysIncluded()
    {
        CheckResumes(
            keys: 40, minValue: -3,
            static (length, slide) => new IncrementalKeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, ByteKeys<WindowEntry<long>>, AddCounts, SubtractCounts, AbovePositive>(length, slide),
            static (w, records) => FillBytes(w.Current.Table, records, static v => v, static (a, b) => a + b),
            static (w, n, last) => w.Advance(n, last),
            static w => Show(Enumerable.Range(0, w.Count).Select(i => $"{Key(w.KeyAt(i))}={w.ValueAt(i)}")),
            static w =>
            {
                var text = new StringBuilder(KeyedState(w.Clock, w.PartEntries)).Append(" |");
                for (int i = 0; i < w.Entries.Count; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {Key(w.Entries.KeyAt(i))}={w.Entries.ValueAt(i).Value}/{w.Entries.ValueAt(i).Batches}");
                }

                return text.ToString();
            },
            static w =>
            {
                byte[] file = StateSections.Write(w.WriteCheckpoint);
                return fresh =>
                {
                    StateSections.Read(file, fresh.ReadCheckpoint);
                    return fresh;
                };
            });
    }

    [Fact]
    public void IncrementalKeyedWindow_StructKeys_ThroughACheckpoint_ContinuesAsTheWritten_KeysAtZeroIncluded()
    {
        CheckResumes(
            keys: 30, minValue: -3,
            static (length, slide) => new IncrementalKeyedWindow<int, long, StructKeys<int, long>, StructKeys<int, WindowEntry<long>>, AddCounts, SubtractCounts, KeepAll<int, long>>(length, slide),
            static (w, records) => FillStructs(w.Current.Table, records, static v => v, static (a, b) => a + b),
            static (w, n, last) => w.Advance(n, last),
            static w => Show(Enumerable.Range(0, w.Count).Select(i => $"{w.KeyAt(i)}={w.ValueAt(i)}")),
            static w =>
            {
                var text = new StringBuilder();
                for (int i = 0; i < w.Entries.Count; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {w.Entries.KeyAt(i)}={w.Entries.ValueAt(i).Value}/{w.Entries.ValueAt(i).Batches}");
                }

                return text.ToString();
            },
            static w =>
            {
                byte[] file = StateSections.Write(w.WriteCheckpoint);
                return fresh =>
                {
                    StateSections.Read(file, fresh.ReadCheckpoint);
                    return fresh;
                };
            });
    }

    [Fact]
    public void PartialWindow_ThroughACheckpoint_ContinuesAsTheWritten()
    {
        CheckResumes(
            keys: 3, minValue: 0,
            static (length, slide) => new PartialWindow<long, AddCounts>(length, slide),
            static (w, records) => FillPartial(w.Current, records, static v => v, static (a, b) => a + b),
            static (w, n, last) => w.Advance(n, last),
            static w => w.Value.ToString(CultureInfo.InvariantCulture),
            static w => w.Clock.LastBatch + PartialParts(w.Parts, static v => v.ToString(CultureInfo.InvariantCulture)),
            static w =>
            {
                byte[] file = StateSections.Write(w.WriteCheckpoint);
                return fresh =>
                {
                    StateSections.Read(file, fresh.ReadCheckpoint);
                    return fresh;
                };
            });
    }

    [Fact]
    public void IncrementalPartialWindow_ThroughACheckpoint_ContinuesAsTheWritten()
    {
        CheckResumes(
            keys: 3, minValue: -3,
            static (length, slide) => new IncrementalPartialWindow<long, AddCounts, SubtractCounts>(length, slide),
            static (w, records) => FillPartial(w.Current, records, static v => v, static (a, b) => a + b),
            static (w, n, last) => w.Advance(n, last),
            static w => w.Value.ToString(CultureInfo.InvariantCulture),
            static w => w.Clock.LastBatch + PartialParts(w.Parts, static v => v.ToString(CultureInfo.InvariantCulture)) + $" | {w.Window.HasValue}:{w.Window.Value}",
            static w =>
            {
                byte[] file = StateSections.Write(w.WriteCheckpoint);
                return fresh =>
                {
                    StateSections.Read(file, fresh.ReadCheckpoint);
                    return fresh;
                };
            });
    }

    [Fact]
    public void RecordWindow_OfEachRecordKind_ThroughACheckpoint_ContinuesAsTheWritten()
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
            static w => w.Clock.LastBatch + RecordText(w.Parts, static (part, i) => Encoding.ASCII.GetString(part[i])),
            static w =>
            {
                byte[] file = StateSections.Write(w.WriteCheckpoint);
                return fresh =>
                {
                    StateSections.Read(file, fresh.ReadCheckpoint);
                    return fresh;
                };
            });

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
            static w => w.Clock.LastBatch + RecordText(w.Parts, static (part, i) => $"{Key(part[i].Key)}={part[i].Value}"),
            static w =>
            {
                byte[] file = StateSections.Write(w.WriteCheckpoint);
                return fresh =>
                {
                    StateSections.Read(file, fresh.ReadCheckpoint);
                    return fresh;
                };
            });

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
            static w => w.Clock.LastBatch + RecordText(w.Parts, static (part, i) => part[i].ToString()),
            static w =>
            {
                byte[] file = StateSections.Write(w.WriteCheckpoint);
                return fresh =>
                {
                    StateSections.Read(file, fresh.ReadCheckpoint);
                    return fresh;
                };
            });
    }

    private static KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts> FilledKeyedWindow()
    {
        var window = new KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts>(3, 1);
        for (long batch = 10; batch < 13; batch++)
        {
            window.Current.Table.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes("k" + batch), out _) = batch;
            window.Advance(batch);
        }

        return window;
    }

    [Fact]
    public void ACutSection_IsRefused_AndLeavesTheWindowNew()
    {
        byte[] keyed = StateSections.Write(FilledKeyedWindow().WriteCheckpoint);
        StateSections.EveryTruncationFails(
            keyed,
            static () => new KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts>(3, 1),
            static (fresh, reader) =>
            {
                var section = reader.GetSection(StateSections.Name);
                fresh.ReadCheckpoint(ref section);
                section.End();
            },
            static fresh => !fresh.IsRestoring && fresh.Clock.LastBatch == WindowClock.None);

        var partial = new IncrementalPartialWindow<long, AddCounts, SubtractCounts>(2, 1);
        partial.Current.Value = 5;
        partial.Current.HasValue = true;
        partial.Advance(1);
        StateSections.EveryTruncationFails(
            StateSections.Write(partial.WriteCheckpoint),
            static () => new IncrementalPartialWindow<long, AddCounts, SubtractCounts>(2, 1),
            static (fresh, reader) =>
            {
                var section = reader.GetSection(StateSections.Name);
                fresh.ReadCheckpoint(ref section);
                section.End();
            },
            static fresh => !fresh.IsRestoring && !fresh.Window.HasValue);

        var records = new RecordWindow<KeyValueRecords<long>>(2, 1);
        records.Current.Add("a"u8, 1);
        records.Advance(1);
        StateSections.EveryTruncationFails(
            StateSections.Write(records.WriteCheckpoint),
            static () => new RecordWindow<KeyValueRecords<long>>(2, 1),
            static (fresh, reader) =>
            {
                var section = reader.GetSection(StateSections.Name);
                fresh.ReadCheckpoint(ref section);
                section.End();
            },
            static fresh => !fresh.IsRestoring && fresh.Clock.LastBatch == WindowClock.None);
    }

    [Fact]
    public void AWindowOfAnotherShape_OrAUsedWindow_IsRefused_SayingWhy()
    {
        byte[] file = StateSections.Write(FilledKeyedWindow().WriteCheckpoint);
        var longer = new KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts>(4, 1);
        var shape = Assert.Throws<CheckpointCorruptException>(() => StateSections.Read(file, longer.ReadCheckpoint));
        Assert.Contains("3 batches long with a slide of 1", shape.Message, StringComparison.Ordinal);
        Assert.Contains("4 batches long", shape.Message, StringComparison.Ordinal);
        Assert.Equal(WindowClock.None, longer.Clock.LastBatch);

        KeyedWindow<ReadOnlySpan<byte>, long, ByteKeys<long>, AddCounts> used = FilledKeyedWindow();
        var error = Assert.Throws<InvalidOperationException>(() => StateSections.Read(file, used.ReadCheckpoint));
        Assert.Contains("new window", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIncrementalWindowEntryWithABatchCountBeyondTheWindow_IsRefused()
    {
        var window = new IncrementalKeyedWindow<int, long, StructKeys<int, long>, StructKeys<int, WindowEntry<long>>, AddCounts, SubtractCounts, KeepAll<int, long>>(2, 1);
        window.Current.Table.GetValueRefOrAddDefault(7, out _) = 1;
        window.Advance(1);
        byte[] payload = StateSections.Payload(StateSections.Write(window.WriteCheckpoint));

        // The window's table is last: its one entry is key 7 (4 bytes), place 0, batch count + 1 (here 2), value.
        int countAt = payload.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[7, 0, 0, 0, 0, 2]) + 5;
        Assert.True(countAt > 5, "the window table's entry was not found");
        payload[countAt] = 9;
        var fresh = new IncrementalKeyedWindow<int, long, StructKeys<int, long>, StructKeys<int, WindowEntry<long>>, AddCounts, SubtractCounts, KeepAll<int, long>>(2, 1);
        var error = Assert.Throws<CheckpointCorruptException>(() => StateSections.Read(StateSections.WithPayload(payload), fresh.ReadCheckpoint));
        Assert.Contains("batch count of 8", error.Message, StringComparison.Ordinal);
        Assert.False(fresh.IsRestoring);
    }

    private static string KeyedState(WindowClock clock, KeyedPartEntries<ReadOnlySpan<byte>, long, ByteKeys<long>> entries)
    {
        var text = new StringBuilder(clock.LastBatch.ToString(CultureInfo.InvariantCulture));
        foreach (BatchEntry<ReadOnlySpan<byte>, long> entry in entries)
        {
            text.Append(CultureInfo.InvariantCulture, $" {entry.Batch}:{Key(entry.Key)}={entry.Value}");
        }

        return text.ToString();
    }

    private readonly struct AbovePositive : IKeyFilter<ReadOnlySpan<byte>, long>
    {
        public bool Keep(ReadOnlySpan<byte> key, long value) => value > 0;
    }
}
