using System.Text;
using Compiled.Keys;
using Compiled.Windows;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// <see cref="SessionWindows{TKey, TValue, TKeys, TRecord}"/> on its own, over byte keys and struct keys: sessions merge,
/// close in order of end, then start, then key in the order the key was first seen since it last had no open session;
/// forgotten keys are cleared out without losing the keys of the sessions being emitted; the whole state copies
/// through its view; and random runs agree exactly, batch by batch, with <see cref="SessionModel"/>.
/// </summary>
public class SessionWindowsTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 40)];

    [Fact]
    public void Add_RecordBridgingTwoSessions_MergesThemIntoOne()
    {
        var windows = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        windows.Add<Sum>("a"u8, 1000, 500, 1);
        windows.Add<Sum>("a"u8, 2000, 500, 10);
        windows.Add<Sum>("a"u8, 1500, 500, 100);   // touches [1000,1500) and reaches [2000,2500)

        Assert.Equal([("[1000,2500)", "a", 111L)], Closed(windows, long.MaxValue));
    }

    [Fact]
    public void Close_SessionEndingAtTheWatermark_StaysOpen()
    {
        var windows = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        windows.Add<Sum>("a"u8, 1000, 500, 1);

        Assert.Empty(Closed(windows, 1500));   // a record at 1500 is not late and would still join it
        Assert.Equal([("[1000,1500)", "a", 1L)], Closed(windows, 1501));
    }

    [Fact]
    public void Close_OrdersByEndThenStartThenKeyFirstSeen()
    {
        var windows = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        windows.Add<Sum>("b"u8, 1000, 500, 1);   // [1000,1500)
        windows.Add<Sum>("a"u8, 1000, 500, 2);   // [1000,1500): same span, seen after b
        windows.Add<Sum>("c"u8, 800, 500, 3);    // [800,1300): ends first
        windows.Add<Sum>("d"u8, 900, 600, 4);    // [900,1500): same end as a and b, starts earlier

        Assert.Equal(
            [("[800,1300)", "c", 3L), ("[900,1500)", "d", 4L), ("[1000,1500)", "b", 1L), ("[1000,1500)", "a", 2L)],
            Closed(windows, 2000));
    }

    [Fact]
    public void Close_KeyThatCameBackAfterItsSessionsClosed_ComesAfterKeysStillOpen()
    {
        var windows = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        windows.Add<Sum>("a"u8, 0, 100, 1);
        windows.Add<Sum>("b"u8, 5000, 100, 2);
        windows.Add<Sum>("c"u8, 9000, 100, 0);
        windows.Add<Sum>("d"u8, 9000, 100, 0);
        windows.Add<Sum>("e"u8, 9000, 100, 0);
        Assert.Equal([("[0,100)", "a", 1L)], Closed(windows, 1000));   // a is forgotten (in place: 1 key of 5), b stays open
        Assert.Equal(5, windows.KeyCount);

        // a comes back and ties with b's second session: b was first seen since it last had no session, so b first.
        windows.Add<Sum>("a"u8, 5000, 100, 3);
        Assert.Equal([("[5000,5100)", "b", 2L), ("[5000,5100)", "a", 3L)], Closed(windows, 6000));
        Assert.Equal(3, windows.KeyCount);   // a and b forgotten: 2 keys of 5, over a quarter, so cleared out
    }

    [Fact]
    public void Close_ForgottenKeysOverAQuarter_AreClearedOutAndTheClosedKeysStillRead()
    {
        var windows = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        for (int key = 0; key < 100; key++)
        {
            windows.Add<Sum>(Key(key), key < 10 ? 10_000 : 0, 100, key);
        }

        // 90 of 100 keys close: the table keeps the 10 open ones, and the 90 records still name their keys.
        List<(string Window, string Key, long Value)> closed = Closed(windows, 1000);
        Assert.Equal(Enumerable.Range(10, 90).Select(k => ("[0,100)", $"k{k}", (long)k)), closed);
        Assert.Equal(10, windows.KeyCount);

        Assert.Equal(Enumerable.Range(0, 10).Select(k => ("[10000,10100)", $"k{k}", (long)k)), Closed(windows, 20_000));
        Assert.Equal(0, windows.KeyCount);
    }

    [Fact]
    public void Close_ForgottenKeysUpToAQuarter_StayInTheTable()
    {
        var windows = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        for (int key = 0; key < 100; key++)
        {
            windows.Add<Sum>(Key(key), key < 75 ? 10_000 : 0, 100, key);
        }

        Assert.Equal(25, Closed(windows, 1000).Count);
        Assert.Equal(100, windows.KeyCount);   // 25 forgotten of 100: not copied yet

        // A forgotten key that comes back reuses its entry.
        windows.Add<Sum>(Key(80), 10_000, 100, 1);
        Assert.Equal(100, windows.KeyCount);
        Assert.Contains(("[10000,10100)", "k80", 1L), Closed(windows, 20_000));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ByteKeys_RandomRun_MatchesTheModelExactly(int seed)
    {
        var windows = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        var model = new SessionModel(Gap);
        foreach ((List<(int Key, long Time, long Value)> records, long watermark) in Run(seed))
        {
            foreach ((int key, long time, long value) in records)
            {
                windows.Add<Sum>(Key(key), time, Gap, value);
                model.Add($"k{key}", time, value);
            }

            Assert.Equal(model.Close(watermark), Closed(windows, watermark));
        }

        Assert.Empty(Open(windows));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void StructKeys_RandomRun_MatchesTheModelExactly(int seed)
    {
        var windows = new SessionWindows<int, long, StructKeys<int, SessionList>, Windowed<int, long>>();
        var model = new SessionModel(Gap);
        foreach ((List<(int Key, long Time, long Value)> records, long watermark) in Run(seed))
        {
            foreach ((int key, long time, long value) in records)
            {
                windows.Add<Sum>(key, time, Gap, value);
                model.Add($"k{key}", time, value);
            }

            var closed = new List<(string, string, long)>();
            foreach (Windowed<int, long> session in windows.Close(watermark))
            {
                closed.Add((session.Window.ToString(), $"k{session.Key}", session.Value));
            }

            Assert.Equal(model.Close(watermark), closed);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ByteKeys_StateCopiedThroughItsView_GivesTheSameOutputAfterwards(int seed)
    {
        var original = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>? copy = null;
        var runs = Run(seed);
        int copyAt = runs.Count / 2;
        for (int batch = 0; batch < runs.Count; batch++)
        {
            if (batch == copyAt)
            {
                copy = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
                foreach (Windowed<long> session in original.OpenSessions())
                {
                    copy.Restore(session.Key, session.Window, session.Value);
                }

                Assert.Equal(Open(original), Open(copy));
            }

            foreach ((int key, long time, long value) in runs[batch].Records)
            {
                original.Add<Sum>(Key(key), time, Gap, value);
                copy?.Add<Sum>(Key(key), time, Gap, value);
            }

            List<(string, string, long)> expected = Closed(original, runs[batch].Watermark);
            if (copy is not null)
            {
                Assert.Equal(expected, Closed(copy, runs[batch].Watermark));
            }
        }

        Assert.NotNull(copy);
    }

    [Fact]
    public void StructKeys_StateCopiedThroughItsView_GivesTheSameOutputAfterwards()
    {
        var original = new SessionWindows<int, long, StructKeys<int, SessionList>, Windowed<int, long>>();
        original.Add<Sum>(2, 1000, 100, 1);
        original.Add<Sum>(1, 1000, 100, 2);
        original.Add<Sum>(1, 3000, 100, 4);
        var copy = new SessionWindows<int, long, StructKeys<int, SessionList>, Windowed<int, long>>();
        foreach (Windowed<int, long> session in original.OpenSessions())
        {
            copy.Restore(session.Key, session.Window, session.Value);
        }

        foreach (SessionWindows<int, long, StructKeys<int, SessionList>, Windowed<int, long>> windows in new[] { original, copy })
        {
            windows.Add<Sum>(1, 3050, 100, 8);
            var closed = new List<Windowed<int, long>>();
            foreach (Windowed<int, long> session in windows.Close(long.MaxValue))
            {
                closed.Add(session);
            }

            Assert.Equal([new(new(1000, 1100), 2, 1), new(new(1000, 1100), 1, 2), new(new(3000, 3150), 1, 12)], closed);
        }
    }

    [Fact]
    public void Restore_SessionEndingBeforeItStarts_Throws()
    {
        var windows = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        var error = Assert.Throws<ArgumentException>(() => windows.Restore("a"u8, new EventWindow(200, 100), 1));
        Assert.Contains("ends before it starts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAndClose_SteadyState_AllocateNothing()
    {
        var windows = new SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>>();
        byte[][] keys = [.. Enumerable.Range(0, 200).Select(k => Encoding.ASCII.GetBytes($"k{k}"))];
        void Batch(int batch)
        {
            for (int record = 0; record < 2000; record++)
            {
                windows.Add<Sum>(keys[record % keys.Length], (batch * 1000L) + (record % 997), Gap, 1);
            }

            foreach (Windowed<long> session in windows.Close((batch * 1000L) - 2000))
            {
                _ = session.Value;
            }
        }

        for (int batch = 0; batch < 50; batch++)
        {
            Batch(batch);
        }

        // Runs of 25 batches each, the fewest bytes any run allocated: a runtime event (a method compiled again) can land
        // in one run on a loaded machine, an allocation per record or per session lands in every one.
        int next = 50;
        Assert.Equal(0, AllocationMeter.LeastAllocated(() =>
        {
            for (int end = next + 25; next < end; next++)
            {
                Batch(next);
            }
        }));
    }

    private const long Gap = 300;

    private static byte[] Key(int key) => Encoding.ASCII.GetBytes($"k{key}");

    private static List<(string Window, string Key, long Value)> Closed(SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>> windows, long watermark)
    {
        var closed = new List<(string, string, long)>();
        foreach (Windowed<long> session in windows.Close(watermark))
        {
            closed.Add((session.Window.ToString(), Encoding.ASCII.GetString(session.Key), session.Value));
        }

        return closed;
    }

    private static List<(string Window, string Key, long Value)> Open(SessionWindows<ReadOnlySpan<byte>, long, ByteKeys<SessionList>, Windowed<long>> windows)
    {
        var open = new List<(string, string, long)>();
        foreach (Windowed<long> session in windows.OpenSessions())
        {
            open.Add((session.Window.ToString(), Encoding.ASCII.GetString(session.Key), session.Value));
        }

        return open;
    }

    // Batches of records on a 100 ms grid (so sessions of different keys often share a span), out of order but never
    // behind the watermark, over few keys (so keys close, are forgotten and come back); the last batch closes all.
    private static List<(List<(int Key, long Time, long Value)> Records, long Watermark)> Run(int seed)
    {
        var random = new Random(seed);
        var batches = new List<(List<(int, long, long)>, long)>();
        int keys = 2 + (seed % 6);
        long watermark = long.MinValue;
        long latest = long.MinValue;
        long front = -5000 + (seed * 100);
        int count = 10 + random.Next(20);
        for (int batch = 0; batch < count; batch++)
        {
            var records = new List<(int, long, long)>();
            int size = random.Next(8);
            for (int i = 0; i < size; i++)
            {
                long time = front - (random.Next(8) * 100);
                if (time < watermark)
                {
                    continue;   // late: a pipeline drops it before the stage
                }

                records.Add((random.Next(keys), time, random.Next(1, 100)));
                latest = Math.Max(latest, time);
            }

            front += random.Next(6) * 100;
            bool last = batch == count - 1;
            if (last)
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

    private readonly struct Sum : IReducer<long>
    {
        public long Reduce(long a, long b) => a + b;
    }
}

/// <summary>
/// Session windows as plainly as they can be said: each key's records not yet emitted, in a list of keys in the order
/// they were first seen since they last had none; at a boundary each key's records, sorted by time, split where one is
/// more than the gap after the previous; sessions ending before the watermark come out, in order of end, then start,
/// then key order.
/// </summary>
internal sealed class SessionModel(long gap)
{
    private readonly List<(string Key, List<(long Time, long Value)> Records)> _keys = [];

    public void Add(string key, long time, long value)
    {
        int at = _keys.FindIndex(k => k.Key == key);
        if (at < 0)
        {
            _keys.Add((key, [(time, value)]));
        }
        else
        {
            _keys[at].Records.Add((time, value));
        }
    }

    public List<(string Window, string Key, long Value)> Close(long watermark)
    {
        var output = new List<(EventWindow Window, string Key, long Value)>();
        foreach ((string key, List<(long Time, long Value)> records) in _keys)
        {
            var sorted = records.OrderBy(r => r.Time).ToList();
            int first = 0;
            for (int i = 1; i <= sorted.Count; i++)
            {
                if (i == sorted.Count || sorted[i].Time > sorted[i - 1].Time + gap)
                {
                    var session = new EventWindow(sorted[first].Time, sorted[i - 1].Time + gap);
                    if (session.End < watermark)
                    {
                        output.Add((session, key, sorted.Skip(first).Take(i - first).Sum(r => r.Value)));
                        foreach ((long, long) record in sorted.Skip(first).Take(i - first))
                        {
                            records.Remove(record);
                        }
                    }

                    first = i;
                }
            }
        }

        _keys.RemoveAll(k => k.Records.Count == 0);
        return [.. output.OrderBy(s => s.Window.End).ThenBy(s => s.Window.Start).Select(s => (s.Window.ToString(), s.Key, s.Value))];
    }
}
