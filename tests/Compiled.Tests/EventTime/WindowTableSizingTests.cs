using System.Text;
using Compiled.Keys;
using Compiled.Windows;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// The memory of an <see cref="EventWindowSet{TTable}"/>'s tables: a window opened with no spare table gets room for
/// the keys of the oldest open window (or the last closed one) and takes as many without growing; a closed window's
/// table serves the next window; past every window the closed tables are let go; and room made ahead in an empty key
/// table (byte or struct keys) holds that many keys without a resize, while a table that holds keys refuses it.
/// </summary>
public class WindowTableSizingTests
{
    [Fact]
    public void NewWindow_GetsRoomForTheKeysOfTheOldestOpenWindow_AndTakesThemWithoutGrowing()
    {
        var set = new EventWindowSet<StructKeyTable<long, long>>();
        StructKeyTable<long, long> first = set.WindowOf(500, 1_000);
        for (long key = 0; key < 3_000; key++)
        {
            first.GetValueRefOrAddDefault(key, out _)++;
        }

        StructKeyTable<long, long> second = set.WindowOf(1_500, 1_000);
        (int buckets, int entries) = second.Lengths;
        Assert.True(buckets >= 6_000, $"the new window's table has {buckets} slots, too few for 3,000 keys at a load of one half");
        Assert.True(entries >= 3_000, $"the new window's table has room for {entries} entries, fewer than the 3,000 keys expected");
        for (long key = 0; key < 3_000; key++)
        {
            second.GetValueRefOrAddDefault(key, out _)++;
        }

        Assert.Equal((buckets, entries), second.Lengths);
    }

    [Fact]
    public void NewWindow_AfterAllClosed_GetsRoomForTheKeysOfTheLastClosedWindow()
    {
        var set = new EventWindowSet<ByteKeyTable<long>>();
        ByteKeyTable<long> table = set.WindowOf(500, 1_000);
        for (int key = 0; key < 2_000; key++)
        {
            table.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes($"k{key}"), out _)++;
        }

        Assert.True(set.TryClose(1_000, out _, out ByteKeyTable<long> closed));
        Assert.Same(table, closed);

        // Not given back (cleared and recycled): the next window gets a new table, made room in for 2,000 keys.
        ByteKeyTable<long> next = set.WindowOf(1_500, 1_000);
        Assert.NotSame(closed, next);
        Assert.True(next.Lengths.Buckets >= 4_000, $"the new window's table has {next.Lengths.Buckets} slots, too few for 2,000 keys at a load of one half");
    }

    [Fact]
    public void ClosedWindowsTable_ServesTheNextWindow_UntilTheWatermarkPassesEveryWindow()
    {
        var set = new EventWindowSet<StructKeyTable<long, long>>();
        StructKeyTable<long, long> table = set.WindowOf(500, 1_000);
        table.GetValueRefOrAddDefault(1, out _)++;
        Assert.True(set.TryClose(1_000, out _, out StructKeyTable<long, long> closed));
        closed.Clear();
        set.Recycle(closed);
        Assert.Same(table, set.WindowOf(1_500, 1_000));

        // Past every window (the end of the input): the closed table is let go, not kept for a window to come.
        Assert.True(set.TryClose(long.MaxValue, out _, out closed));
        closed.Clear();
        set.Recycle(closed);
        Assert.NotSame(closed, set.WindowOf(2_500, 1_000));
    }

    [Fact]
    public void RoomMadeAhead_HoldsThatManyKeysWithoutAResize_InBothKindsOfTable()
    {
        var structs = new StructKeyTable<long, long>();
        ((IWindowTable)structs).EnsureCapacity(10_000);
        (int Buckets, int Entries) structLengths = structs.Lengths;
        for (long key = 0; key < 10_000; key++)
        {
            structs.GetValueRefOrAddDefault(key * 7919, out _) = key;
        }

        Assert.Equal(structLengths, structs.Lengths);
        Assert.Equal(10_000, structs.Count);
        Assert.Equal(42, structs.GetValueRefOrNullRef(42 * 7919));

        var bytes = new ByteKeyTable<long>();
        ((IWindowTable)bytes).EnsureCapacity(10_000);
        (int Buckets, int Entries, int Arena) byteLengths = bytes.Lengths;
        for (int key = 0; key < 10_000; key++)
        {
            bytes.GetValueRefOrAddDefault(Encoding.ASCII.GetBytes($"key{key}"), out _) = key;
        }

        Assert.Equal((byteLengths.Buckets, byteLengths.Entries), (bytes.Lengths.Buckets, bytes.Lengths.Entries));
        Assert.Equal(10_000, bytes.Count);
    }

    [Fact]
    public void RoomMadeAhead_InATableThatHoldsKeys_IsRefused()
    {
        var table = new StructKeyTable<long, long>();
        table.GetValueRefOrAddDefault(1, out _) = 1;
        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(() => ((IWindowTable)table).EnsureCapacity(100));
        Assert.Contains("Clear it first", refused.Message, StringComparison.Ordinal);
    }
}
