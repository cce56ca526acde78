using static Compiled.Tests.EventTimeTests.EventTimeTestKit;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// A feed that goes quiet (1s batches): after the idle timeout of its [EventTime] stage, the watermark moves on with
/// processing time, so its event-time windows and sessions close; not a batch before. With several sources, a quiet one
/// stops holding the watermark back. <c>IdleTimeout = "0"</c> keeps the windows open; the default is a minute.
/// </summary>
public class IdleSourceTests
{
    [Fact]
    public void QuietFeed_WindowsAndSessionsClose_AfterTheIdleTimeout_NotBefore()
    {
        // After batch 1 the watermark is 24,000 - 2s = 22,000: a's session [21000,26000), b's [24000,27000) and the
        // window [20000,30000) are open. The feed is idle from batch 6 (quiet 5s): 22,000 + 5s = 27,000 passes a's
        // session, 28,000 (batch 7) b's, 30,000 (batch 9) the window's end.
        using var test = new QuietFeed.TestDriver();
        test.Trades.Batch((21000, "a", 1), (23000, "a", 2), (24000, "b", 4));
        test.Run();
        test.Run(4);
        Assert.Empty(test.TumblingOut.Records);
        Assert.Empty(test.SessionsOut.Records);

        test.Run(4);
        Assert.Equal(
            [At(1000), At(2000), At(3000), At(4000), At(5000), At(6000), At(7000), At(8000), At(9000, W(20000, 30000, "a", 3), W(20000, 30000, "b", 4))],
            test.TumblingOut.Batches);
        Assert.Equal(
            [At(1000), At(2000), At(3000), At(4000), At(5000), At(6000, W(21000, 26000, "a", 3)), At(7000, W(24000, 27000, "b", 4)), At(8000), At(9000)],
            test.SessionsOut.Batches);
        Assert.Equal(0, test.Metrics.LateRecords);
    }

    [Fact]
    public void QuietFeed_ComesBack_RecordsBehindTheWatermarkAreLate_ThenItFollowsEventTimeAgain()
    {
        // Idle from batch 6, the watermark is 24,000 - 2s + 8s = 30,000 after batch 9. Batch 10 brings 29,000 (late) and
        // 36,000: the feed is active again, so the watermark goes by event time: 34,000, and stays there while the feed
        // is quiet for less than 5s; at batch 15 it is idle again: 36,000 - 2s + 5s = 39,000, then 40,000 at batch 16,
        // which closes [30000,40000) and c's session [36000,39000).
        using var test = new QuietFeed.TestDriver();
        test.Trades.Batch((24000, "a", 1));
        for (int quiet = 0; quiet < 8; quiet++)
        {
            test.Trades.Batch();
        }

        test.Trades.Batch((29000, "c", 8), (36000, "c", 16));
        test.Run();
        test.Run(4);
        Assert.Empty(test.TumblingOut.Batches.Skip(9).SelectMany(b => b.Records));
        Assert.Empty(test.SessionsOut.Batches.Skip(9).SelectMany(b => b.Records));

        test.Run(2);
        Assert.Equal([At(15000), At(16000, W(30000, 40000, "c", 16))], test.TumblingOut.Batches.Skip(14));
        Assert.Equal([At(15000), At(16000, W(36000, 39000, "c", 16))], test.SessionsOut.Batches.Skip(14));
        Assert.Equal([(29000L, "c", 8L)], test.TooLate.Records);
        Assert.Equal(1, test.Metrics.LateRecords);
    }

    [Fact]
    public void IdleTimeoutZero_QuietFeed_KeepsItsWindowsOpenForTenMinutes_UntilTheLastBatch()
    {
        using var test = new NeverIdle.TestDriver();
        test.Trades.Batch((21000, "a", 1), (24000, "b", 4));
        test.Run();
        test.Run(600);
        Assert.Empty(test.TumblingOut.Records);

        test.RunToEnd();
        Assert.Equal([W(20000, 30000, "a", 1), W(20000, 30000, "b", 4)], test.TumblingOut.Records);
    }

    [Fact]
    public void DefaultIdleTimeout_IsOneMinute()
    {
        // DroppedLate declares no IdleTimeout. After batch 1 the watermark is 2,000 - 5s; quiet for 60s (batch 61) the
        // feed is idle: -3,000 + 60s = 57,000 passes every window and session it opened.
        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batch((1000, "a", 1), (2000, "b", 2));
        test.Run();
        test.Run(59);
        Assert.Empty(test.TumblingOut.Records);
        Assert.Empty(test.SessionsOut.Records);

        test.Run(1);
        Assert.Equal([At(61000, W(0, 10000, "a", 1), W(0, 10000, "b", 2))], test.TumblingOut.Batches.Skip(60));
        Assert.Equal([At(61000, W(1000, 4000, "a", 1), W(2000, 5000, "b", 2))], Canonical(test.SessionsOut.Batches.Skip(60)));
    }

    [Fact]
    public void TwoSources_OneGoesQuiet_AfterTheTimeoutTheOtherLeads()
    {
        // North gives 101,000, 102,000, ... one a batch; South gives 50,000 in batch 1, then nothing. South holds the
        // watermark at 50,000 until it has been quiet for 5s (batch 6); then North's event time leads: 106,000 closes
        // [50000,60000), and North's 110,000 in batch 10 closes [100000,110000).
        using var test = new TwoExchanges.TestDriver();
        test.North.Batches(Enumerable.Range(1, 10).Select(k => new[] { (100_000L + (k * 1000L), 1) }));
        test.South.Batch((50_000, 2));
        test.Run();

        Assert.Equal(
            [
                "1000: ", "2000: ", "3000: ", "4000: ", "5000: ",
                "6000: [50000,60000) 2=1",
                "7000: ", "8000: ", "9000: ",
                "10000: [100000,110000) 1=9",
            ],
            test.PerTenSeconds.Batches.Select(b => $"{b.Time}: " + string.Join(" ", b.Records.Select(r => $"{r.Window} {r.Key}={r.Value}"))));
        Assert.Equal(0, test.Metrics.LateRecords);
    }

    [Fact]
    public void TwoSources_OneGivesNoRecordAtAll_AfterTheTimeoutTheOtherLeads()
    {
        // South never gives a record: its quiet time counts from the first batch; at batch 6 North's 106,000 leads.
        using var test = new TwoExchanges.TestDriver();
        test.North.Batch((95_000, 1));
        test.North.Batches(Enumerable.Range(2, 5).Select(k => new[] { (100_000L + (k * 1000L), 1) }));
        test.Run();

        Assert.Equal(
            ["1000: ", "2000: ", "3000: ", "4000: ", "5000: ", "6000: [90000,100000) 1=1"],
            test.PerTenSeconds.Batches.Select(b => $"{b.Time}: " + string.Join(" ", b.Records.Select(r => $"{r.Window} {r.Key}={r.Value}"))));
    }

    [Fact]
    public void TwoSources_BothQuiet_TheWatermarkMovesOnWithProcessingTime()
    {
        // North's 101,000 and South's 55,000 in batch 1, then nothing: the watermark is 55,000 until both are idle at
        // batch 6, then 101,000 + 5s = 106,000 (closing [50000,60000)), and 110,000 at batch 10 (closing [100000,110000)).
        using var test = new TwoExchanges.TestDriver();
        test.North.Batch((101_000, 1));
        test.South.Batch((55_000, 2));
        test.Run();
        test.Run(9);

        Assert.Equal(
            ["1000: ", "2000: ", "3000: ", "4000: ", "5000: ", "6000: [50000,60000) 2=1", "7000: ", "8000: ", "9000: ", "10000: [100000,110000) 1=1"],
            test.PerTenSeconds.Batches.Select(b => $"{b.Time}: " + string.Join(" ", b.Records.Select(r => $"{r.Window} {r.Key}={r.Value}"))));
    }
}
