using System.Text;
using Compiled.Checkpoints;
using Compiled.Keys;
using Compiled.Windows;

namespace Compiled.Tests.Checkpoints;

/// <summary>
/// The event-time runtime types written into a checkpoint section part-way through a random run and read into new
/// instances: session windows (byte and struct keys), event-time window sets (sliding windows over byte and struct
/// key tables) and watermarks (one and several inputs, with an idle timeout) then close, emit and move on exactly as
/// the written ones; a cut section, other settings or a used instance are refused, and a refused read leaves the
/// instance new.
/// </summary>
public class EventTimeCheckpointTests
{
    private const long Gap = 300;

    public static TheoryData<int> Seeds => [1, 2, 3, 4, 5, 6, 7, 8];

    private readonly struct Sum : IReducer<long>
    {
        public long Reduce(long a, long b) => a + b;
    }

    // Records on a 100 ms grid, out of order but never behind the watermark, over few keys; the last batch closes all.
    private static List<(List<(int Key, long Time, long Value)> Records, long Watermark)> Run(int seed)
    {
        var random = new Random(seed);
        var batches = new List<(List<(int, long, long)>, long)>();
        int keys = 2 + (seed % 6);
        long watermark = long.MinValue;
        long latest = long.MinValue;
        long front = -5000 + (seed * 100);
        int count = 14 + random.Next(20);
        for (int batch = 0; batch < count; batch++)
        {
            var records = new List<(int, long, long)>();
            int size = random.Next(10);
            for (int i = 0; i < size; i++)
            {
                long time = front - (random.Next(8) * 100);
                if (time >= watermark)
                {
                    records.Add((random.Next(keys), time, random.Next(1, 100)));
                    latest = Math.Max(latest, time);
                }
            }

            front += random.Next(6) * 100;
            if (batch == count - 1)
            {
                watermark = long.MaxValue;
            }
            else if (latest != long.MinValue)
            {
                watermark = Math.Max(watermark, latest - (random.Next(4) * 100));
            }

            batches.Add((records, watermark));
        }

        return batches;
    }

    private static byte[] Key(int key) => Encoding.ASCII.GetBytes($"k{key}");

    private static List<string> Closed(SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>> windows, long watermark)
    {
        var closed = new List<string>();
        foreach (Windowed<long> session in windows.Close(watermark))
        {
            closed.Add(session.ToString());
        }

        return closed;
    }

    private static List<string> Open(SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>> windows)
    {
        var open = new List<string>();
        foreach (Windowed<long> session in windows.OpenSessions())
        {
            open.Add(session.ToString());
        }

        return open;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void SessionWindows_ByteKeys_ThroughACheckpoint_CloseAsTheWritten(int seed)
    {
        var runs = Run(seed);
        int split = new Random(seed + 100).Next(1, runs.Count - 1);
        var original = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        for (int batch = 0; batch < split; batch++)
        {
            foreach ((int key, long time, long value) in runs[batch].Records)
            {
                original.Add<Sum>(Key(key), time, Gap, value);
            }

            Closed(original, runs[batch].Watermark);
        }

        byte[] file = StateSections.Write(original.WriteCheckpoint);
        var restored = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        StateSections.Read(file, restored.ReadCheckpoint);
        Assert.Equal(Open(original), Open(restored));
        int closedAfter = 0;
        for (int batch = split; batch < runs.Count; batch++)
        {
            foreach ((int key, long time, long value) in runs[batch].Records)
            {
                original.Add<Sum>(Key(key), time, Gap, value);
                restored.Add<Sum>(Key(key), time, Gap, value);
            }

            List<string> expected = Closed(original, runs[batch].Watermark);
            closedAfter += expected.Count;
            Assert.Equal(expected, Closed(restored, runs[batch].Watermark));
            Assert.Equal(Open(original), Open(restored));
        }

        Assert.True(closedAfter > 0, $"seed {seed}: no session closed after the checkpoint");
    }

    [Fact]
    public void SessionWindows_StructKeys_ThroughACheckpoint_KeepTheOrderOfSessionsThatCloseTogether()
    {
        var original = new SessionWindows<int, long, StructKeys<int, SessionList>, Windowed<int, long>>();
        for (int key = 40; key > 0; key--)
        {
            original.Add<Sum>(key, 1000, 100, key);
        }

        original.Add<Sum>(1, 3000, 100, 4);
        var restored = new SessionWindows<int, long, StructKeys<int, SessionList>, Windowed<int, long>>();
        StateSections.Read(StateSections.Write(original.WriteCheckpoint), restored.ReadCheckpoint);
        var outputs = new List<List<Windowed<int, long>>>();
        foreach (SessionWindows<int, long, StructKeys<int, SessionList>, Windowed<int, long>> windows in new[] { original, restored })
        {
            windows.Add<Sum>(1, 3050, 100, 8);
            windows.Add<Sum>(77, 1000, 100, 1);
            var closed = new List<Windowed<int, long>>();
            foreach (Windowed<int, long> session in windows.Close(long.MaxValue))
            {
                closed.Add(session);
            }

            outputs.Add(closed);
        }

        Assert.Equal(42, outputs[0].Count);
        Assert.Equal(40, outputs[0][0].Key);
        Assert.Equal(77, outputs[0][40].Key);
        Assert.Equal(outputs[0], outputs[1]);
    }

    [Fact]
    public void SessionWindows_ACutSection_IsRefused_AndLeavesThemEmpty()
    {
        var original = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        original.Add<Sum>("a"u8, 1000, 100, 1);
        original.Add<Sum>("a"u8, 5000, 100, 2);
        original.Add<Sum>("b"u8, 1000, 100, 3);
        StateSections.EveryTruncationFails(
            StateSections.Write(original.WriteCheckpoint),
            static () => new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>(),
            static (fresh, reader) =>
            {
                var section = reader.GetSection(StateSections.Name);
                fresh.ReadCheckpoint(ref section);
                section.End();
            },
            static fresh => fresh.KeyCount == 0);

        var used = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        used.Add<Sum>("x"u8, 1, 1, 1);
        byte[] file = StateSections.Write(original.WriteCheckpoint);
        Assert.Throws<InvalidOperationException>(() => StateSections.Read(file, used.ReadCheckpoint));
    }

    private static void Add<TTable>(EventWindowSet<TTable> set, long time, int key, long value, Func<TTable, int, long, long> add)
        where TTable : class, new()
    {
        foreach (TTable table in set.WindowsOf(time, 4_000, 1_000))
        {
            add(table, key, value);
        }
    }

    private static List<string> Close<TTable>(EventWindowSet<TTable> set, long watermark, Func<TTable, string> show, Action<TTable> clear)
        where TTable : class, new()
    {
        var closed = new List<string>();
        while (set.TryClose(watermark, out EventWindow window, out TTable table))
        {
            closed.Add($"{window} {show(table)}");
            clear(table);
            set.Recycle(table);
        }

        return closed;
    }

    private static long AddBytes(ByteKeyTable<long> table, int key, long value) => table.GetValueRefOrAddDefault(Key(key), out _) += value;

    private static string ShowBytes(ByteKeyTable<long> table) =>
        string.Join(",", Enumerable.Range(0, table.Count).Select(i => $"{Encoding.ASCII.GetString(table.KeyAt(i))}={table.ValueAt(i)}"));

    private static long AddStructs(StructKeyTable<int, long> table, int key, long value) => table.GetValueRefOrAddDefault(key, out _) += value;

    private static string ShowStructs(StructKeyTable<int, long> table) =>
        string.Join(",", Enumerable.Range(0, table.Count).Select(i => $"{table.KeyAt(i)}={table.ValueAt(i)}"));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EventWindowSet_OfEitherTable_ThroughACheckpoint_ClosesAsTheWritten(int seed)
    {
        var random = new Random(seed);
        var bytes = new EventWindowSet<ByteKeyTable<long>>();
        var structs = new EventWindowSet<StructKeyTable<int, long>>();
        for (int i = 0; i < 80; i++)
        {
            long time = random.Next(20_000);
            int key = random.Next(25);
            long value = random.Next(100);
            Add(bytes, time, key, value, AddBytes);
            Add(structs, time, key, value, AddStructs);
        }

        Close(bytes, 6_000, ShowBytes, t => t.Clear());
        Close(structs, 6_000, ShowStructs, t => t.Clear());
        var restoredBytes = new EventWindowSet<ByteKeyTable<long>>();
        var restoredStructs = new EventWindowSet<StructKeyTable<int, long>>();
        StateSections.Read(StateSections.Write(bytes.WriteCheckpoint), restoredBytes.ReadCheckpoint);
        StateSections.Read(StateSections.Write(structs.WriteCheckpoint), restoredStructs.ReadCheckpoint);
        Assert.True(bytes.Count > 5, $"seed {seed}: only {bytes.Count} windows open at the checkpoint");
        Assert.Equal(bytes.Count, restoredBytes.Count);
        Assert.Equal(structs.Count, restoredStructs.Count);
        for (int i = 0; i < 60; i++)
        {
            long time = 6_000 + random.Next(20_000);
            int key = random.Next(25);
            long value = random.Next(100);
            Add(bytes, time, key, value, AddBytes);
            Add(restoredBytes, time, key, value, AddBytes);
            Add(structs, time, key, value, AddStructs);
            Add(restoredStructs, time, key, value, AddStructs);
        }

        foreach (long watermark in new[] { 12_000L, 18_000L, long.MaxValue })
        {
            List<string> expected = Close(bytes, watermark, ShowBytes, t => t.Clear());
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Close(restoredBytes, watermark, ShowBytes, t => t.Clear()));
            Assert.Equal(Close(structs, watermark, ShowStructs, t => t.Clear()), Close(restoredStructs, watermark, ShowStructs, t => t.Clear()));
        }
    }

    [Fact]
    public void EventWindowSet_ACutSection_IsRefused_AndLeavesItEmpty()
    {
        var set = new EventWindowSet<ByteKeyTable<long>>();
        Add(set, 1_500, 1, 5, AddBytes);
        Add(set, 2_500, 2, 6, AddBytes);
        StateSections.EveryTruncationFails(
            StateSections.Write(set.WriteCheckpoint),
            static () => new EventWindowSet<ByteKeyTable<long>>(),
            static (fresh, reader) =>
            {
                var section = reader.GetSection(StateSections.Name);
                fresh.ReadCheckpoint(ref section);
                section.End();
            },
            static fresh => fresh.Count == 0);
    }

    [Fact]
    public void EventWindowSet_OfATableThatCannotBeWritten_IsRefusedSayingWhichTablesCan()
    {
        var set = new EventWindowSet<List<long>>();
        set.Open(0, 1000).Add(1);
        var error = Assert.Throws<NotSupportedException>(() => StateSections.Write(set.WriteCheckpoint));
        Assert.Contains("ByteKeyTable", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0L)]
    [InlineData(3, 0L)]
    [InlineData(3, 2_000L)]
    [InlineData(1, 3_000L)]
    public void Watermark_ThroughACheckpoint_MovesOnAsTheWritten(int inputs, long idleTimeout)
    {
        var random = new Random(inputs * 7 + (int)idleTimeout);
        var original = new Watermark(500, inputs, idleTimeout);
        for (int batch = 0; batch < 6; batch++)
        {
            for (int i = 0; i < 4; i++)
            {
                Observe(original, random.Next(inputs), random.Next(10_000));
            }

            original.Advance((batch + 1) * 1000, isLast: false);
        }

        // A record observed after the last boundary, as it would be if the checkpoint came mid-way: it still counts.
        Observe(original, 0, 11_000);
        var restored = new Watermark(500, inputs, idleTimeout);
        StateSections.Read(StateSections.Write(original.WriteCheckpoint), restored.ReadCheckpoint);
        Assert.Equal(original.Value, restored.Value);
        for (int batch = 6; batch < 20; batch++)
        {
            // Only input 0 gives records later on, so the other inputs go idle when there is an idle timeout.
            if (batch % 3 != 0)
            {
                long time = 8_000 + random.Next(20_000);
                Observe(original, 0, time);
                Observe(restored, 0, time);
            }

            original.Advance((batch + 1) * 1000, isLast: false);
            restored.Advance((batch + 1) * 1000, isLast: false);
            Assert.Equal(original.Value, restored.Value);
            for (int input = 0; input < inputs; input++)
            {
                Assert.Equal(original.LatestOf(input), restored.LatestOf(input));
                Assert.Equal(original.LastActiveAt(input), restored.LastActiveAt(input));
            }
        }
    }

    [Fact]
    public void Watermark_OfOtherSettings_OrUsed_OrCut_IsRefused()
    {
        var original = new Watermark(500, 2, 1_000);
        original.Observe(0, 5_000);
        original.Observe(1, 4_000);
        original.Advance(1_000, isLast: false);
        byte[] file = StateSections.Write(original.WriteCheckpoint);

        var other = new Watermark(600, 2, 1_000);
        var error = Assert.Throws<CheckpointCorruptException>(() => StateSections.Read(file, other.ReadCheckpoint));
        Assert.Contains("a lateness of 500 ms", error.Message, StringComparison.Ordinal);
        Assert.Equal(long.MinValue, other.Value);
        Assert.Throws<CheckpointCorruptException>(() => StateSections.Read(file, new Watermark(500, 3, 1_000).ReadCheckpoint));
        Assert.Throws<InvalidOperationException>(() => StateSections.Read(file, original.ReadCheckpoint));

        StateSections.EveryTruncationFails(
            file,
            static () => new Watermark(500, 2, 1_000),
            static (fresh, reader) =>
            {
                var section = reader.GetSection(StateSections.Name);
                fresh.ReadCheckpoint(ref section);
                section.End();
            },
            static fresh => fresh.Value == long.MinValue && fresh.LatestOf(0) == long.MinValue && fresh.LatestOf(1) == long.MinValue);
    }

    private static void Observe(Watermark watermark, int input, long time)
    {
        if (watermark.Inputs == 1)
        {
            watermark.Observe(time);
        }
        else
        {
            watermark.Observe(input, time);
        }
    }
}
