using System.Text;
using Compiled.Keys;
using Compiled.Tests.Checkpoints;
using Compiled.Windows;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// <see cref="EventWindowPanes{TKey, TValue, TKeys, TReducer}"/> against <see cref="EventWindowSet{TTable}"/> (a table
/// per window, every record reduced into each window that holds it) over the same random streams: out of order, with
/// records later than the watermark dropped by both, times before the epoch and on pane boundaries, several sizes and
/// slides (a slide that divides the size, one that does not, a tumbling window of one pane each), byte and struct keys,
/// a sum and a max; the windows each batch closes, their keys in order and their values must be the same, also when the
/// panes go through a checkpoint in the middle of a run.
/// </summary>
public class EventWindowPanesTests
{
    public static TheoryData<int, long, long> Streams()
    {
        var data = new TheoryData<int, long, long>();
        (long Size, long Slide)[] shapes = [(10_000, 2_000), (10_000, 4_000), (10_000, 5_000), (6_000, 6_000), (3, 1), (60_000, 20_000), (9_000, 6_000)];
        foreach ((long size, long slide) in shapes)
        {
            for (int seed = 1; seed <= 12; seed++)
            {
                data.Add(seed, size, slide);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void ByteKeys_Sum_CloseTheWindowsOfATablePerWindow(int seed, long size, long slide)
    {
        List<Event> events = Generate(seed, size);
        var panes = new EventWindowPanes<ReadOnlySpan<byte>, long, ByteKeys<long>, Sum>();
        var reference = new EventWindowSet<ByteKeyTable<long>>();
        (List<string> expected, long late) = RunReference(events, reference, size, slide, AddSum, ShowBytes);
        (List<string> actual, long lateToo) = RunPanes(events, panes, size, slide, checkpointAt: -1, Add, ShowBytes);
        Assert.True(late > 0 || size < 1000, $"seed {seed}: the stream must hold late records for the test to mean anything.");
        Assert.Equal(late, lateToo);
        Assert.True(expected.Count > 10, $"seed {seed}: only {expected.Count} windows closed");
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void StructKeys_Max_CloseTheWindowsOfATablePerWindow(int seed, long size, long slide)
    {
        List<Event> events = Generate(seed + 100, size);
        var panes = new EventWindowPanes<int, long, StructKeys<int, long>, Max>();
        var reference = new EventWindowSet<StructKeyTable<int, long>>();
        (List<string> expected, _) = RunReference(events, reference, size, slide, AddMax, ShowStructs);
        (List<string> actual, _) = RunPanes(events, panes, size, slide, checkpointAt: -1, AddMax, ShowStructs);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void ThroughACheckpointMidWindow_CloseAsWithout(int seed, long size, long slide)
    {
        List<Event> events = Generate(seed + 200, size);
        var reference = new EventWindowSet<ByteKeyTable<long>>();
        (List<string> expected, _) = RunReference(events, reference, size, slide, AddSum, ShowBytes);

        // The run stops at a batch boundary in the middle of the stream, with windows and panes open, and goes on in a
        // new set restored from the checkpoint written there.
        var panes = new EventWindowPanes<ReadOnlySpan<byte>, long, ByteKeys<long>, Sum>();
        (List<string> actual, _) = RunPanes(events, panes, size, slide, checkpointAt: events.Count / 2, Add, ShowBytes);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ACutSection_IsRefused_AndLeavesItEmpty()
    {
        var panes = new EventWindowPanes<int, long, StructKeys<int, long>, Sum>();
        for (int i = 0; i < 20; i++)
        {
            panes.ValueOf(i * 300, 2_000, i % 7, out _) += 1;
        }

        StateSections.EveryTruncationFails(
            StateSections.Write(panes.WriteCheckpoint),
            static () => new EventWindowPanes<int, long, StructKeys<int, long>, Sum>(),
            static (fresh, reader) =>
            {
                var section = reader.GetSection(StateSections.Name);
                fresh.ReadCheckpoint(ref section);
                section.End();
            },
            static fresh => fresh.Count == 0);
    }

    [Fact]
    public void ARecord_UpdatesOnlyItsPane()
    {
        var panes = new EventWindowPanes<int, long, StructKeys<int, long>, Sum>();
        panes.ValueOf(4_999, 2_000, 1, out bool existed) += 1;
        Assert.False(existed);
        panes.ValueOf(4_000, 2_000, 1, out existed) += 1;
        Assert.True(existed);
        panes.ValueOf(-1, 2_000, 1, out existed) += 1;
        Assert.False(existed);

        // Two panes: [4000,6000) with 2 and [-2000,0) with 1. The windows of 10s every 2s that hold them close in order.
        Assert.Equal(2, panes.Count);
        var closed = new List<string>();
        while (panes.TryClose(long.MaxValue, 10_000, 2_000, out EventWindow window, out StructKeys<int, long> table))
        {
            closed.Add($"{window} {ShowStructs(table)}");
            table.Clear();
            panes.Recycle(table);
        }

        Assert.Equal(
            [
                "[-10000,0) 1=1", "[-8000,2000) 1=1", "[-6000,4000) 1=1", "[-4000,6000) 1=3", "[-2000,8000) 1=3",
                "[0,10000) 1=2", "[2000,12000) 1=2", "[4000,14000) 1=2",
            ],
            closed);
        Assert.Equal(0, panes.Count);
    }

    [Fact]
    public void SteadyState_AllocatesNothing_PerRecordOrPerWindow()
    {
        var panes = new EventWindowPanes<int, long, StructKeys<int, long>, Sum>();
        long time = 0;
        long watermark = long.MinValue;

        void Batch()
        {
            // The same pattern each batch, out of order by up to 958 ms, so the panes open and close alike.
            for (int i = 0; i < 2_000; i++)
            {
                time += 5;
                long at = time - ((i % 7) * 137);
                if (at >= watermark)
                {
                    panes.ValueOf(at, 2_000, (i * 37) % 300, out _) += 1;
                }
            }

            watermark = time - 1_000;
            while (panes.TryClose(watermark, 10_000, 2_000, out _, out StructKeys<int, long> table))
            {
                table.Clear();
                panes.Recycle(table);
            }
        }

        for (int b = 0; b < 30; b++)
        {
            Batch();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int b = 0; b < 30; b++)
        {
            Batch();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private readonly struct Sum : IReducer<long>
    {
        public long Reduce(long a, long b) => a + b;
    }

    private readonly struct Max : IReducer<long>
    {
        public long Reduce(long a, long b) => Math.Max(a, b);
    }

    private readonly record struct Event(long Time, int Key, long Value, bool EndsBatch);

    // Batches of records out of order by up to 1.5 windows behind the front of event time (so some fall behind the
    // watermark, which trails the front by half a window), starting before the epoch, with times on pane boundaries.
    private static List<Event> Generate(int seed, long size)
    {
        var random = new Random(seed);
        var events = new List<Event>();
        long front = -3 * size;
        int batches = 40;
        for (int b = 0; b < batches; b++)
        {
            int records = random.Next(0, 25);
            for (int r = 0; r < records; r++)
            {
                front += random.Next(0, (int)Math.Max(2, size / 8));
                long time = random.Next(4) == 0 ? front - random.Next((int)Math.Max(2, (size * 3) / 2)) : front;
                if (random.Next(6) == 0)
                {
                    time -= time % Math.Max(1, size / 5);
                }

                events.Add(new Event(time, random.Next(1 + (seed % 9)), random.Next(1, 50), r == records - 1));
            }

            if (records == 0 && events.Count > 0)
            {
                events[^1] = events[^1] with { EndsBatch = true };
            }
        }

        return events;
    }

    // Runs the stream through a table per window: each batch ends with the watermark at the latest time minus half a
    // window; a record behind the watermark is dropped and counted.
    private static (List<string> Closed, long Late) RunReference<TTable>(List<Event> events, EventWindowSet<TTable> set, long size, long slide, Action<TTable, int, long> add, Func<TTable, string> show)
        where TTable : class, new()
    {
        var closed = new List<string>();
        long late = 0;
        long latest = long.MinValue;
        long watermark = long.MinValue;
        foreach (Event e in events)
        {
            if (e.Time < watermark)
            {
                late++;
            }
            else
            {
                latest = Math.Max(latest, e.Time);
                if (size == slide)
                {
                    add(set.WindowOf(e.Time, size), e.Key, e.Value);
                }
                else
                {
                    foreach (TTable table in set.WindowsOf(e.Time, size, slide))
                    {
                        add(table, e.Key, e.Value);
                    }
                }
            }

            if (e.EndsBatch)
            {
                watermark = Math.Max(watermark, latest - (size / 2));
                CloseReference(set, watermark, show, closed);
            }
        }

        CloseReference(set, long.MaxValue, show, closed);
        return (closed, late);
    }

    private static void CloseReference<TTable>(EventWindowSet<TTable> set, long watermark, Func<TTable, string> show, List<string> closed)
        where TTable : class, new()
    {
        closed.Add($"batch {watermark}");
        while (set.TryClose(watermark, out EventWindow window, out TTable table))
        {
            closed.Add($"{window} {show(table)}");
            if (table is ByteKeyTable<long> bytes)
            {
                bytes.Clear();
            }
            else if (table is StructKeyTable<int, long> structs)
            {
                structs.Clear();
            }

            set.Recycle(table);
        }
    }

    private delegate void PaneAdd<TKey, TKeys, TReducer>(EventWindowPanes<TKey, long, TKeys, TReducer> panes, long time, long paneSize, int key, long value)
        where TKey : allows ref struct
        where TKeys : struct, IKeyTable<TKeys, TKey, long>
        where TReducer : struct, IReducer<long>;

    // The same stream through panes; at the boundary after record `checkpointAt` the panes are written to a checkpoint
    // and the run goes on in a new set restored from it.
    private static (List<string> Closed, long Late) RunPanes<TKey, TKeys, TReducer>(List<Event> events, EventWindowPanes<TKey, long, TKeys, TReducer> panes, long size, long slide, int checkpointAt, PaneAdd<TKey, TKeys, TReducer> add, Func<TKeys, string> show)
        where TKey : allows ref struct
        where TKeys : struct, IKeyTable<TKeys, TKey, long>
        where TReducer : struct, IReducer<long>
    {
        long paneSize = GreatestCommonDivisor(size, slide);
        var closed = new List<string>();
        long late = 0;
        long latest = long.MinValue;
        long watermark = long.MinValue;
        bool restored = false;
        for (int i = 0; i < events.Count; i++)
        {
            Event e = events[i];
            if (e.Time < watermark)
            {
                late++;
            }
            else
            {
                latest = Math.Max(latest, e.Time);
                add(panes, e.Time, paneSize, e.Key, e.Value);
            }

            if (e.EndsBatch)
            {
                watermark = Math.Max(watermark, latest - (size / 2));
                ClosePanes(panes, watermark, size, slide, show, closed);
                if (checkpointAt >= 0 && i >= checkpointAt && !restored)
                {
                    Assert.True(panes.Count > 0, "The checkpoint must be taken with panes open.");
                    var fresh = new EventWindowPanes<TKey, long, TKeys, TReducer>();
                    StateSections.Read(StateSections.Write(panes.WriteCheckpoint), fresh.ReadCheckpoint);
                    Assert.Equal(panes.Count, fresh.Count);
                    panes = fresh;
                    restored = true;
                }
            }
        }

        Assert.True(checkpointAt < 0 || restored, "The run must go through the checkpoint.");
        ClosePanes(panes, long.MaxValue, size, slide, show, closed);
        return (closed, late);
    }

    private static void ClosePanes<TKey, TKeys, TReducer>(EventWindowPanes<TKey, long, TKeys, TReducer> panes, long watermark, long size, long slide, Func<TKeys, string> show, List<string> closed)
        where TKey : allows ref struct
        where TKeys : struct, IKeyTable<TKeys, TKey, long>
        where TReducer : struct, IReducer<long>
    {
        closed.Add($"batch {watermark}");
        while (panes.TryClose(watermark, size, slide, out EventWindow window, out TKeys table))
        {
            closed.Add($"{window} {show(table)}");
            table.Clear();
            panes.Recycle(table);
        }
    }

    private static void Add(EventWindowPanes<ReadOnlySpan<byte>, long, ByteKeys<long>, Sum> panes, long time, long paneSize, int key, long value)
    {
        ref long slot = ref panes.ValueOf(time, paneSize, Key(key), out bool exists);
        slot = exists ? slot + value : value;
    }

    private static void AddMax(EventWindowPanes<int, long, StructKeys<int, long>, Max> panes, long time, long paneSize, int key, long value)
    {
        ref long slot = ref panes.ValueOf(time, paneSize, key, out bool exists);
        slot = exists ? Math.Max(slot, value) : value;
    }

    private static void AddMax(StructKeyTable<int, long> table, int key, long value)
    {
        ref long slot = ref table.GetValueRefOrAddDefault(key, out bool exists);
        slot = exists ? Math.Max(slot, value) : value;
    }

    private static void AddSum(ByteKeyTable<long> table, int key, long value)
    {
        ref long slot = ref table.GetValueRefOrAddDefault(Key(key), out bool exists);
        slot = exists ? slot + value : value;
    }

    private static byte[] Key(int key) => Encoding.ASCII.GetBytes($"k{key}");

    private static string ShowBytes(ByteKeyTable<long> table) =>
        string.Join(",", Enumerable.Range(0, table.Count).Select(i => $"{Encoding.ASCII.GetString(table.KeyAt(i))}={table.ValueAt(i)}"));

    private static string ShowBytes(ByteKeys<long> table) =>
        string.Join(",", Enumerable.Range(0, table.Count).Select(i => $"{Encoding.ASCII.GetString(table.KeyAt(i))}={table.ValueAt(i)}"));

    private static string ShowStructs(StructKeyTable<int, long> table) =>
        string.Join(",", Enumerable.Range(0, table.Count).Select(i => $"{table.KeyAt(i)}={table.ValueAt(i)}"));

    private static string ShowStructs(StructKeys<int, long> table) =>
        string.Join(",", Enumerable.Range(0, table.Count).Select(i => $"{table.KeyAt(i)}={table.ValueAt(i)}"));

    private static long GreatestCommonDivisor(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
