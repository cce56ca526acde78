using System.Text;
using Compiled.Keys;
using Compiled.Windows;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// <see cref="EventWindowSet{TTable}"/> on its own: a record's tumbling window and every sliding window that holds it
/// (before the epoch too), windows closing in order of end once the watermark reaches it, random runs agreeing with a
/// model that lists each window's records, the whole state copied through its view, and no allocation per record.
/// </summary>
public class EventWindowSetTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 40)];

    [Theory]
    [InlineData(0, 10_000, 4_000)]
    [InlineData(8_000, 10_000, 4_000)]
    [InlineData(-1, 10_000, 4_000)]
    [InlineData(-8_001, 10_000, 5_000)]
    [InlineData(12_345, 60_000, 20_000)]
    [InlineData(7, 3, 1)]
    public void WindowsOf_OpensEveryWindowHoldingTheTime_LatestStartFirst(long time, long size, long slide)
    {
        var set = new EventWindowSet<ByteKeyTable<long>>();
        var opened = new List<EventWindow>();
        foreach (ByteKeyTable<long> table in set.WindowsOf(time, size, slide))
        {
            opened.Add(WindowOf(set, table));
        }

        // The windows that hold t start at k × slide with start <= t < start + size.
        var expected = new List<EventWindow>();
        for (long k = FloorDiv(time, slide); k * slide > time - size; k--)
        {
            expected.Add(new EventWindow(k * slide, (k * slide) + size));
        }

        Assert.Equal(expected, opened);
        Assert.All(opened, w => Assert.True(w.Start <= time && time < w.End));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(9_999, 0)]
    [InlineData(10_000, 10_000)]
    [InlineData(-1, -10_000)]
    public void WindowOf_OpensTheTumblingWindowHoldingTheTime(long time, long start)
    {
        var set = new EventWindowSet<ByteKeyTable<long>>();
        Assert.Equal(new EventWindow(start, start + 10_000), WindowOf(set, set.WindowOf(time, 10_000)));
        Assert.Same(set.WindowOf(time, 10_000), set.Open(start, start + 10_000));
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void TryClose_TakesWindowsInOrderOfEnd_OnceTheWatermarkReachesIt()
    {
        var set = new EventWindowSet<ByteKeyTable<long>>();
        foreach (ByteKeyTable<long> table in set.WindowsOf(5_000, 10_000, 4_000))
        {
            table.GetValueRefOrAddDefault("a"u8, out _) = 1;
        }

        Assert.False(set.TryClose(5_999, out _, out _));   // the first window ends at 6000
        var closed = new List<EventWindow>();
        while (set.TryClose(12_000, out EventWindow window, out _))
        {
            closed.Add(window);
        }

        Assert.Equal([new EventWindow(-4_000, 6_000), new EventWindow(0, 10_000)], closed);
        Assert.Equal(1, set.Count);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomRun_MatchesTheModel(int seed)
    {
        var random = new Random(seed);
        long size = 1000 * (1 + random.Next(5));
        long slide = random.Next(3) == 0 ? size : 500 * (1 + random.Next((int)(size / 500)));
        var set = new EventWindowSet<ByteKeyTable<long>>();
        var model = new List<(long Time, string Key, long Value)>();
        long watermark = long.MinValue;
        long front = -3000;
        for (int batch = 0; batch < 30; batch++)
        {
            for (int i = random.Next(10); i > 0; i--)
            {
                long time = front - random.Next(2000);
                if (time < watermark)
                {
                    continue;
                }

                string key = $"k{random.Next(4)}";
                long value = random.Next(1, 100);
                Add(set, time, size, slide, key, value);
                model.Add((time, key, value));
            }

            front += random.Next(1500);
            long next = batch == 29 ? long.MaxValue : Math.Max(watermark, front - 2500);
            List<(EventWindow, string, long)> closed = Close(set, next);

            // Each window that ends at or before the watermark, and after the previous one, with each key's sum.
            long previous = watermark;
            var expected = model
                .SelectMany(r => Holding(r.Time, size, slide).Select(w => (Window: w, r.Key, r.Value)))
                .Where(r => r.Window.End <= next && !(r.Window.End <= previous))
                .GroupBy(r => (r.Window, r.Key))
                .Select(g => (g.Key.Window, g.Key.Key, g.Sum(r => r.Value)))
                .OrderBy(r => r.Window.End).ThenBy(r => r.Window.Start).ThenBy(r => r.Key, StringComparer.Ordinal)
                .ToList();
            Assert.Equal(expected, closed.OrderBy(r => r.Item1.End).ThenBy(r => r.Item1.Start).ThenBy(r => r.Item2, StringComparer.Ordinal));
            watermark = next;
        }

        Assert.Equal(0, set.Count);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void StateCopiedThroughItsView_GivesTheSameOutputAfterwards(int seed)
    {
        var random = new Random(seed);
        var original = new EventWindowSet<ByteKeyTable<long>>();
        for (int i = 0; i < 50; i++)
        {
            Add(original, random.Next(20_000), 4_000, 1_000, $"k{random.Next(5)}", random.Next(100));
        }

        Close(original, 6_000);
        var copy = new EventWindowSet<ByteKeyTable<long>>();
        foreach ((EventWindow window, ByteKeyTable<long> table) in original.OpenWindows)
        {
            ByteKeyTable<long> into = copy.Open(window.Start, window.End);
            for (int index = 0; index < table.Count; index++)
            {
                into.GetValueRefOrAddDefault(table.KeyAt(index), out _) = table.ValueAt(index);
            }
        }

        Assert.Equal(original.Count, copy.Count);
        for (int i = 0; i < 50; i++)
        {
            long time = 6_000 + random.Next(20_000);
            string key = $"k{random.Next(5)}";
            long value = random.Next(100);
            Add(original, time, 4_000, 1_000, key, value);
            Add(copy, time, 4_000, 1_000, key, value);
        }

        Assert.Equal(Close(original, 15_000), Close(copy, 15_000));
        Assert.Equal(Close(original, long.MaxValue), Close(copy, long.MaxValue));
    }

    [Fact]
    public void SlidingWindows_SteadyState_AllocateNothingPerRecord()
    {
        var set = new EventWindowSet<ByteKeyTable<long>>();
        byte[][] keys = [.. Enumerable.Range(0, 100).Select(k => Encoding.ASCII.GetBytes($"k{k}"))];
        void Batch(int batch)
        {
            for (int record = 0; record < 1000; record++)
            {
                long time = (batch * 1000L) + record;
                foreach (ByteKeyTable<long> table in set.WindowsOf(time, 4_000, 1_000))
                {
                    table.GetValueRefOrAddDefault(keys[record % keys.Length], out _)++;
                }
            }

            while (set.TryClose(batch * 1000L, out _, out ByteKeyTable<long> table))
            {
                table.Clear();
                set.Recycle(table);
            }
        }

        for (int batch = 0; batch < 20; batch++)
        {
            Batch(batch);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int batch = 20; batch < 120; batch++)
        {
            Batch(batch);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void Add(EventWindowSet<ByteKeyTable<long>> set, long time, long size, long slide, string key, long value)
    {
        foreach (ByteKeyTable<long> table in set.WindowsOf(time, size, slide))
        {
            ref long slot = ref table.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes(key), out bool exists);
            slot = exists ? slot + value : value;
        }
    }

    private static List<(EventWindow, string, long)> Close(EventWindowSet<ByteKeyTable<long>> set, long watermark)
    {
        var closed = new List<(EventWindow, string, long)>();
        while (set.TryClose(watermark, out EventWindow window, out ByteKeyTable<long> table))
        {
            for (int index = 0; index < table.Count; index++)
            {
                closed.Add((window, Encoding.ASCII.GetString(table.KeyAt(index)), table.ValueAt(index)));
            }

            table.Clear();
            set.Recycle(table);
        }

        return closed;
    }

    private static EventWindow WindowOf(EventWindowSet<ByteKeyTable<long>> set, ByteKeyTable<long> table)
    {
        foreach ((EventWindow window, ByteKeyTable<long> open) in set.OpenWindows)
        {
            if (ReferenceEquals(open, table))
            {
                return window;
            }
        }

        throw new InvalidOperationException("The table is not one of the set's open windows.");
    }

    private static IEnumerable<EventWindow> Holding(long time, long size, long slide)
    {
        for (long k = FloorDiv(time - size, slide) + 1; k <= FloorDiv(time, slide); k++)
        {
            yield return new EventWindow(k * slide, (k * slide) + size);
        }
    }

    private static long FloorDiv(long a, long b) => (a / b) - (a % b < 0 ? 1 : 0);
}
