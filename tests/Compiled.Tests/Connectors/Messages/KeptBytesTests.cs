using System.Text;
using Compiled.Connectors.Messages;

namespace Compiled.Tests.Connectors.Messages;

/// <summary>The buffer connectors keep message bytes in: what is kept is found again whole, growth keeps it, clearing reuses or shrinks it.</summary>
public class KeptBytesTests
{
    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void Keep_ManyPiecesPastTheFirstCapacity_EachFoundWholeAtItsStart()
    {
        var kept = new KeptBytes(8, "too large");
        var places = new List<(int Start, string Text)>();
        for (int i = 0; i < 200; i++)
        {
            string text = "piece-" + new string((char)('a' + (i % 26)), i % 17);
            places.Add((kept.Keep(Encoding.UTF8.GetBytes(text)), text));
        }

        foreach ((int start, string text) in places)
        {
            Assert.Equal(text, Text(kept.Slice(start, Encoding.UTF8.GetByteCount(text))));
            Assert.Equal(text, Text(kept.Memory(start, Encoding.UTF8.GetByteCount(text)).Span));
        }

        Assert.Equal(places.Sum(p => p.Text.Length), kept.Used);
        Assert.Equal(string.Concat(places.Select(p => p.Text)), Text(kept.Span));
    }

    [Fact]
    public void ReserveThenCommit_KeepsOnlyWhatWasWritten_AndTheNextPieceFollowsIt()
    {
        var kept = new KeptBytes(4, "too large");
        int key = kept.Keep("key"u8);
        Span<byte> free = kept.Reserve(20);
        "12345"u8.CopyTo(free);
        int value = kept.Commit(5);
        int next = kept.Keep("after"u8);

        Assert.Equal("key", Text(kept.Slice(key, 3)));
        Assert.Equal("12345", Text(kept.Slice(value, 5)));
        Assert.Equal(value + 5, next);
        Assert.Equal("key12345after", Text(kept.Span));
        Assert.Throws<ArgumentOutOfRangeException>(() => kept.Commit(1_000));
    }

    [Fact]
    public void Clear_EmptiesIt_AndStartsSmallAgainOnlyPastTheGivenSize()
    {
        var kept = new KeptBytes(16, "too large");
        kept.Keep(new byte[1_000]);
        kept.Clear();
        Assert.Equal(0, kept.Used);
        Assert.True(kept.Reserve(1_000).Length == 1_000);

        // Grown past what it may keep: it starts again at its first capacity, and still keeps what comes next.
        kept.Keep(new byte[5_000]);
        kept.Clear(keepAtMost: 4_096);
        Assert.Equal(0, kept.Used);
        int start = kept.Keep("small"u8);
        Assert.Equal(0, start);
        Assert.Equal("small", Text(kept.Span));
    }
}
