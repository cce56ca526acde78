using static Compiled.Tests.EventTimeTests.EventTimeTestKit;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// [SessionWindow]: a session is [first record, last record + gap) per key; a record that bridges two sessions merges
/// them; sessions of different keys are independent; a session is emitted once the watermark is past its end (a record
/// exactly at its end, a gap after its last record, still joins it), sessions closing together in order of end.
/// </summary>
public class SessionWindowTests
{
    [Fact]
    public void Sessions_ARecordBridgingTwoSessions_MergesThem_ValuesCombined_WindowSpanningBoth()
    {
        // DroppedLate: 3s gap, 5s of lateness.
        using var test = new DroppedLate.TestDriver();
        test.Clicks
            .Batch((1000, "a", 1), (5000, "a", 2)) // [1000,4000) and [5000,8000): 4s apart; watermark → 0
            .Batch((3000, "a", 4))                 // [3000,6000) overlaps both: one session [1000,8000)
            .Batch((12999, "b", 8))                // → 7999: short of the session's end
            .Batch((13000, "b", 16))               // → 8000 = 5000 + gap: a record at 8000 would still join it
            .Batch((13001, "b", 32));              // → 8001: past its end, emitted
        test.Run();
        test.RunToEnd();

        Assert.Equal(
            [At(1000), At(2000), At(3000), At(4000), At(5000, W(1000, 8000, "a", 1 + 2 + 4)), At(6000, W(12999, 16001, "b", 8 + 16 + 32))],
            test.SessionsOut.Batches);
    }

    [Fact]
    public void Sessions_ClosingInOneBatch_ComeOutInOrderOfEnd()
    {
        // b's session ends first though a's key was seen first.
        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batch((5000, "a", 1), (1000, "b", 2));
        test.Run();
        test.RunToEnd();

        Assert.Equal([At(1000), At(2000, W(1000, 4000, "b", 2), W(5000, 8000, "a", 1))], test.SessionsOut.Batches);
    }

    [Fact]
    public void Sessions_RecordsExactlyAGapApart_AreOneSession()
    {
        // As in Flink and Spark: a record at the session's end (last record + gap) joins it.
        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batch((20000, "a", 16), (23000, "a", 32), (26001, "a", 64));
        test.RunToEnd();

        Assert.Equal([At(1000, W(20000, 26000, "a", 48), W(26001, 29001, "a", 64))], test.SessionsOut.Batches);
    }

    [Fact]
    public void Sessions_ARecordAtTheWatermark_AtASessionsEnd_StillJoinsIt()
    {
        // Watermark 8000 after the first batch (13000 - 5s): the session [1000,4000) is emitted, [5000,8000) is not,
        // since 8000 is not late and a record there joins it.
        using var test = new DroppedLate.TestDriver();
        test.Clicks
            .Batch((1000, "a", 1), (5000, "a", 2), (13000, "b", 4))
            .Batch((8000, "a", 8));
        test.Run();
        test.RunToEnd();

        Assert.Equal(
            [At(1000, W(1000, 4000, "a", 1)), At(2000), At(3000, W(5000, 11000, "a", 2 + 8), W(13000, 16000, "b", 4))],
            test.SessionsOut.Batches);
    }

    [Fact]
    public void Sessions_OfDifferentKeys_AreIndependent()
    {
        using var test = new DroppedLate.TestDriver();

        // b's 3500 extends b's session and a's 4500 starts a new one for a (4500 >= 1000 + 3s), though each lies
        // within the other key's session.
        test.Clicks.Batch((1000, "a", 1), (2000, "b", 2), (4500, "a", 4), (3500, "b", 8));
        test.Run();
        test.RunToEnd();

        Assert.Equal(
            [At(1000), At(2000, W(1000, 4000, "a", 1), W(2000, 6500, "b", 2 + 8), W(4500, 7500, "a", 4))],
            Canonical(test.SessionsOut.Batches));
    }

    [Fact]
    public void Sessions_OutOfOrderRecords_ExtendASessionBackwards_EmittedWhenTheWatermarkReachesLastPlusGap()
    {
        using var test = new DroppedLate.TestDriver();
        test.Clicks
            .Batch((10000, "a", 1))                // [10000,13000); watermark → 5000
            .Batch((8000, "a", 2), (6000, "a", 4)) // back to [8000,13000), then [6000,13000)
            .Batch((17999, "b", 8))                // → 12999
            .Batch((18000, "b", 16))               // → 13000 = 10000 + gap: still open
            .Batch((18001, "b", 32));              // → 13001: past its end
        test.Run();
        test.RunToEnd();

        Assert.Equal(
            [At(1000), At(2000), At(3000), At(4000), At(5000, W(6000, 13000, "a", 1 + 2 + 4)), At(6000, W(17999, 21001, "b", 56))],
            test.SessionsOut.Batches);
    }

    [Fact]
    public void Sessions_RecordsCloserThanTheGap_ShareOne_FartherApart_DoNot()
    {
        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batch((0, "a", 1), (2999, "a", 2), (10000, "a", 4), (13001, "a", 8));
        test.RunToEnd();

        Assert.Equal([At(1000, W(0, 5999, "a", 3), W(10000, 13000, "a", 4), W(13001, 16001, "a", 8))], test.SessionsOut.Batches);
    }

    [Fact]
    public void Sessions_StructKeys_EmitWindowedOfKeyAndValue()
    {
        // StructKeys: 3s gap, no lateness.
        using var test = new StructKeys.TestDriver();
        test.Clicks
            .Batch((5000, 1, 1), (4999, 2, 10), (12000, 1, 100)) // → 12000
            .Batch((12000, 2, 1000), (11999, 1, 5));              // 11999 late; the last batch
        test.RunToEnd();

        Assert.Equal(
            [
                At(1000, W(4999, 7999, "2", 10), W(5000, 8000, "1", 1)),
                At(2000, W(12000, 15000, "1", 100), W(12000, 15000, "2", 1000)),
            ],
            Canonical(AsText(test.SessionsOut.Batches)));
    }

    [Fact]
    public void Sessions_ManyKeys_MoreSessionsThanTheFirstArrayHolds_MatchTheModel()
    {
        // 400 keys with two sessions each (800 open at once), then every other key's two sessions bridged into one.
        var first = new List<(long Time, string User, long Value)>();
        var second = new List<(long Time, string User, long Value)>();
        for (int k = 0; k < 400; k++)
        {
            first.Add((1000 + k, $"k{k}", 1));
            first.Add((6000 + k, $"k{k}", 10));
            if (k % 2 == 0)
            {
                second.Add((3500 + k, $"k{k}", 100));
            }
        }

        (long, string, long)[][] input = [[.. first], [.. second], []];
        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batches(input);
        test.Run(2);
        test.RunToEnd();

        var expected = EventWindowTests.Model(input, lateness: 5000, runToEnd: true, m => m.Sessions(3000));
        Assert.Equal(600, expected.Sum(b => b.Records.Count));
        Assert.Equal(Canonical(expected), Canonical(test.SessionsOut.Batches));
    }
}
