using System.Text;

namespace Compiled.PostgreSQL.Tests;

/// <summary>The batch buffer of the <c>postgres</c> sink: how it splits records and which record of a key it keeps.</summary>
public sealed class KeyedRecordBufferTests
{
    [Fact]
    public void TryAdd_SplitsAtTheLastComma_RefusesWhatIsNotAPair()
    {
        var buffer = new KeyedRecordBuffer();

        Assert.True(buffer.TryAdd("(a,b,2)"u8));
        Assert.False(buffer.TryAdd("plain"u8));
        Assert.False(buffer.TryAdd("(nocomma)"u8));

        Assert.Equal(1, buffer.Count);
        Assert.Equal("a,b", Encoding.UTF8.GetString(buffer.KeyAt(0).Span));
        Assert.Equal("2", Encoding.UTF8.GetString(buffer.ValueAt(0).Span));
    }

    [Fact]
    public void Add_RepeatedKeys_OnlyTheLastOfEachKeyIsKept_LaterOnesMarkedRepeats()
    {
        var buffer = new KeyedRecordBuffer();
        buffer.Add("x"u8, 1);
        buffer.Add("y"u8, 2);
        buffer.Add("x"u8, 3);
        buffer.Add("xx"u8, 4);
        buffer.Add(""u8, 5);
        buffer.Add("x"u8, 6);
        buffer.Add(""u8, 7);

        Assert.Equal(["y=2", "xx=4", "x=6", "=7"], Kept(buffer));
        Assert.Equal([false, false, true, false, false, true, true], Enumerable.Range(0, buffer.Count).Select(buffer.IsRepeat));
        Assert.Equal(3, buffer.Repeats);
    }

    [Fact]
    public void Add_KeyAgainAfterItWasRead_ReplacesIt_ClearForgetsTheBatchsKeys()
    {
        var buffer = new KeyedRecordBuffer();
        buffer.Add("k"u8, 1);
        Assert.Equal(["k=1"], Kept(buffer));

        buffer.Add("k"u8, 2);
        Assert.Equal(["k=2"], Kept(buffer));

        // The next batch: its first record of a key is not a repeat of the last batch's.
        buffer.Clear();
        buffer.Add("k"u8, 3);
        Assert.Equal(["k=3"], Kept(buffer));
        Assert.False(buffer.IsRepeat(0));
        Assert.Equal(0, buffer.Repeats);
    }

    [Fact]
    public void NotIndexedAsAdded_MarkReplacedRecords_LooksUpOnlyWhenAskedAndOnlyTheRecordsNotLookedUpYet()
    {
        var buffer = new KeyedRecordBuffer { IndexAsAdded = false };
        buffer.Add("x"u8, 1);
        buffer.Add("x"u8, 2);
        Assert.False(buffer.IsReplaced(0));
        Assert.Equal(0, buffer.Repeats);

        buffer.MarkReplacedRecords();
        Assert.Equal(["x=2"], Kept(buffer));
        Assert.Equal(1, buffer.Repeats);

        buffer.Add("x"u8, 3);
        buffer.Add("y"u8, 4);
        buffer.MarkReplacedRecords();
        Assert.Equal(["x=3", "y=4"], Kept(buffer));
        Assert.Equal(2, buffer.Repeats);
    }

    [Fact]
    public void Add_ManyKeysAcrossBatches_KeepsOnePerKey()
    {
        var buffer = new KeyedRecordBuffer();
        foreach (int keys in new[] { 5000, 30, 70_000 })
        {
            buffer.Clear();
            for (int i = 0; i < keys * 3; i++)
            {
                buffer.Add(Encoding.UTF8.GetBytes($"key{i % keys}"), i);
            }

            string[] kept = Kept(buffer);
            Assert.Equal(keys, kept.Length);
            Assert.Equal(keys * 2, buffer.Repeats);
            Assert.All(kept, pair => Assert.True(long.Parse(pair[(pair.IndexOf('=') + 1)..]) >= keys * 2, pair));
        }
    }

    private static string[] Kept(KeyedRecordBuffer buffer) =>
        [.. Enumerable.Range(0, buffer.Count).Where(i => !buffer.IsReplaced(i))
            .Select(i => Encoding.UTF8.GetString(buffer.KeyAt(i).Span) + "=" + Encoding.UTF8.GetString(buffer.ValueAt(i).Span))];
}
