using Compiled.Testing;

namespace Compiled.Tests.Sources;

/// <summary>
/// A pipeline with two sources: each source's records run through the stages below it, and the streams meet in
/// two-stream stages, batch by batch. The test driver takes a list of batches per source; a source with fewer
/// batches has empty ones after its last.
/// </summary>
public class TwoSourceTests
{
    private static readonly (int Ad, int User)[][] ImpressionBatches =
    [
        [(1, 10), (2, 11), (1, 12)],
        [(3, 13)],
        [],
        [(1, 14), (2, 15), (2, 16)],
        [(4, 17)],
    ];

    private static readonly (int Ad, int User)[][] ClickBatches =
    [
        [(1, 12), (1, 10)],
        [(2, 11)],
        [(3, 13)],
        [(2, 16)],
    ];

    private static Ads.TestDriver Run()
    {
        var test = new Ads.TestDriver();
        test.Impressions.Batches(ImpressionBatches);
        test.Clicks.Batches(ClickBatches);
        test.Run();
        return test;
    }

    private static (int Ad, int User)[] At((int Ad, int User)[][] batches, int b) => b < batches.Length ? batches[b] : [];

    [Fact]
    public void Run_TakesAsManyBatchesAsTheLongerSource()
    {
        using var test = Run();

        Assert.Equal([1000L, 2000, 3000, 4000, 5000], test.Matches.Batches.Select(b => b.Time));
        Assert.Equal(ImpressionBatches.Sum(b => b.Length), test.Counters[0].Records);
        Assert.Equal(ClickBatches.Sum(b => b.Length), test.Counters[1].Records);
    }

    [Fact]
    public void Join_PairsEachClickWithTheImpressionsOfItsAdInTheSameBatch()
    {
        using var test = Run();

        for (int b = 0; b < 5; b++)
        {
            var expected =
                from shown in At(ImpressionBatches, b)
                from clicked in At(ClickBatches, b)
                where shown.Ad == clicked.Ad
                select (shown.Ad, shown.User, clicked.User);
            Assert.Equal(expected.Order(), test.Matches.Batches[b].Records.Order());
        }

        // Batch 3: the click on ad 3 came a batch after its impression, so it matches nothing.
        Assert.Empty(test.Matches.Batches[2].Records);
        Assert.Equal([(1, 10, 12), (1, 10, 10), (1, 12, 12), (1, 12, 10)], test.Matches.Batches[0].Records); // left-major, in arrival order
    }

    [Fact]
    public void LeftOuterJoin_KeepsImpressionsWithoutClicks()
    {
        using var test = Run();

        for (int b = 0; b < 5; b++)
        {
            var clicks = At(ClickBatches, b);
            var expected = At(ImpressionBatches, b).SelectMany(shown =>
            {
                var matching = clicks.Where(c => c.Ad == shown.Ad).Select(c => (shown.Ad, shown.User, c.User)).ToArray();
                return matching.Length > 0 ? matching : [(shown.Ad, shown.User, -1)];
            });
            Assert.Equal(expected.Order(), test.ImpressionsWithClicks.Batches[b].Records.Order());
        }
    }

    [Fact]
    public void Union_CountsEventsOfBothSourcesPerAd()
    {
        using var test = Run();

        for (int b = 0; b < 5; b++)
        {
            var expected = At(ImpressionBatches, b).Concat(At(ClickBatches, b))
                .GroupBy(e => e.Ad).Select(g => (g.Key, (long)g.Count()));
            Assert.Equal(expected.Order(), test.EventsPerAd.Batches[b].Records.Order());
        }
    }

    [Fact]
    public void Cogroup_OfTwoSourcesWindows_CountsBothOverTheLastThreeBatches()
    {
        using var test = Run();

        for (int b = 0; b < 5; b++)
        {
            var window = Enumerable.Range(Math.Max(0, b - 2), Math.Min(3, b + 1)).ToArray();
            var shown = window.SelectMany(i => At(ImpressionBatches, i)).GroupBy(e => e.Ad).ToDictionary(g => g.Key, g => (long)g.Count());
            var clicked = window.SelectMany(i => At(ClickBatches, i)).GroupBy(e => e.Ad).ToDictionary(g => g.Key, g => (long)g.Count());
            var expected = shown.Keys.Union(clicked.Keys).Select(ad => (ad, shown.GetValueOrDefault(ad), clicked.GetValueOrDefault(ad)));
            Assert.Equal(expected.Order(), test.ClickThrough.Batches[b].Records.Order());
        }

        // At batch 4 the window holds batches 2 to 4: ad 2 shown twice (batch 4) and clicked twice (batches 2 and 4).
        Assert.Contains((2, 2L, 2L), test.ClickThrough.Batches[3].Records);
    }
}

/// <summary>Event time below a union of two sources: one watermark input per source, the watermark the lower one.</summary>
public class TwoSourceEventTimeTests
{
    [Fact]
    public void Watermark_FollowsTheSourceFurthestBehind_ItsRecordsAreNotLate()
    {
        using var test = new TwoClocks.TestDriver();
        test.Live.Batch((100_000, 1)).Batch((101_000, 1)).Batch((125_000, 1));
        test.Replayed.Batch((50_000, 2)).Batch((51_000, 2)).Batch((65_000, 2));
        test.Run();
        test.RunToEnd();

        // After batch 1 the watermark is 50,000 (Replayed's), not 100,000: batch 2's 51,000 is on time. After batch
        // 2 it is 51,000; after batch 3, 65,000, which closes [50000,60000) only.
        Assert.Empty(test.TooLate.Batches.SelectMany(b => b.Records));
        Assert.Equal(
            [
                "1000: ",
                "2000: ",
                "3000: [50000,60000) 2=2",
                "4000: [60000,70000) 2=1 [100000,110000) 1=2 [120000,130000) 1=1",
            ],
            test.PerTenSeconds.Batches.Select(b => $"{b.Time}: " + string.Join(" ", b.Records.Select(r => $"{r.Window} {r.Key}={r.Value}"))));
    }

    [Fact]
    public void Watermark_WaitsForASourceThatHasGivenNoRecordYet()
    {
        using var test = new TwoClocks.TestDriver();
        test.Live.Batch((100_000, 1)).Batch((200_000, 1));
        test.Replayed.Batch().Batch().Batch((40_000, 2));
        test.Run();

        // Replayed gave nothing in batches 1 and 2: no window closes, and its 40,000 in batch 3 is on time.
        Assert.Empty(test.TooLate.Batches.SelectMany(b => b.Records));
        Assert.All(test.PerTenSeconds.Batches.Take(2), b => Assert.Empty(b.Records));
        Assert.Equal(0, test.Metrics.LateRecords);
    }
}
