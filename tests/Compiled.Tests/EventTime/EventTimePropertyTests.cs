using Compiled.Testing;
using static Compiled.Tests.EventTimeTests.EventTimeTestKit;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// Random inputs (fixed seeds) through the pipelines and through <see cref="EventTimeModel"/>: tumbling, sliding and session
/// outputs, batch by batch, and the late records (counted, and in the late sink) must agree. Inputs are out of order by up
/// to the lateness and beyond it, with records exactly at the watermark and one before it, times on window boundaries and
/// before the epoch, empty batches, and runs that end with <c>RunToEnd</c> or simply stop.
/// </summary>
public class EventTimePropertyTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 40)];

    // Many keys, many records per batch: hundreds of sessions and windows open at once.
    public static TheoryData<int> BigSeeds => [.. Enumerable.Range(1001, 4)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void DroppedLate_MatchesTheModel(int seed) => CheckDroppedLate(seed, keys: 1 + (seed % 5), maxRecords: 12);

    [Theory]
    [MemberData(nameof(BigSeeds))]
    public void DroppedLate_ManyKeys_MatchesTheModel(int seed) => CheckDroppedLate(seed, keys: 300, maxRecords: 400);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void LateToSink_MatchesTheModel(int seed)
    {
        var random = new Random(seed);
        var model = new EventTimeModel(latenessMs: 2000);
        var tumbling = model.Windows(10000);
        var sliding = model.Windows(10000, 4000);
        var sessions = model.Sessions(3000);
        bool toEnd = seed % 2 == 0;
        var batches = Generate(random, model, lateness: 2000, keys: 1 + (seed % 4), maxRecords: 12, toEnd);

        using var test = new LateToSink.TestDriver();
        test.Clicks.Batches(batches.Select(b => b.Select(e => (e.Time, e.Key, e.Value))));
        Finish(test, toEnd);

        Assert.Equal(tumbling, test.TumblingOut.Batches);
        Assert.Equal(sliding, test.SlidingOut.Batches);
        Assert.Equal(Canonical(sessions), Canonical(test.SessionsOut.Batches));
        Assert.Equal(model.Late.Select(b => new OutputBatch<(long, string, long)>(b.Time, [.. b.Records.Select(e => (e.Time, e.Key, e.Value))])), test.TooLate.Batches);
        Assert.Equal(model.LateCount, test.Metrics.LateRecords);
        Assert.True(model.LateCount > 0, "The input must hold late records for the test to mean anything.");
        Assert.Equal(toEnd, !model.AnyOpen);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void StructKeys_MatchesTheModel(int seed)
    {
        var random = new Random(seed);
        var model = new EventTimeModel(latenessMs: 0);
        var sliding = model.Windows(10000, 5000);
        var sessions = model.Sessions(3000);
        bool toEnd = seed % 2 == 1;
        var batches = Generate(random, model, lateness: 0, keys: 1 + (seed % 6), maxRecords: 10, toEnd);

        using var test = new StructKeys.TestDriver();
        test.Clicks.Batches(batches.Select(b => b.Select(e => (e.Time, int.Parse(e.Key[1..], System.Globalization.CultureInfo.InvariantCulture), e.Value))));
        Finish(test, toEnd);

        // The model's keys are "k<n>"; the pipeline's are n.
        Assert.Equal(Renamed(sliding), AsText(test.SlidingOut.Batches));
        Assert.Equal(Canonical(Renamed(sessions)), Canonical(AsText(test.SessionsOut.Batches)));
        Assert.Equal(model.LateCount, test.Metrics.LateRecords);
    }

    private static void CheckDroppedLate(int seed, int keys, int maxRecords)
    {
        var random = new Random(seed);
        var model = new EventTimeModel(latenessMs: 5000);
        var tumbling = model.Windows(10000);
        var sliding = model.Windows(10000, 4000);
        var sessions = model.Sessions(3000);
        bool toEnd = seed % 2 == 0;
        var batches = Generate(random, model, lateness: 5000, keys, maxRecords, toEnd);

        using var test = new DroppedLate.TestDriver();
        test.Clicks.Batches(batches.Select(b => b.Select(e => (e.Time, e.Key, e.Value))));
        Finish(test, toEnd);

        Assert.Equal(tumbling, test.TumblingOut.Batches);
        Assert.Equal(sliding, test.SlidingOut.Batches);
        Assert.Equal(Canonical(sessions), Canonical(test.SessionsOut.Batches));
        // The same windows over a tuple of integers, kept as panes too: the same keys in the same order, the same sums.
        Assert.Equal(
            test.SlidingOut.Batches.Select(b => b.Records.ToList()),
            test.SlidingStatsOut.Batches.Select(b => b.Records.Select(r => (r.Window, r.Key, r.Value.Sum)).ToList()));
        Assert.True(test.SlidingStatsOut.Batches.SelectMany(b => b.Records).All(r => r.Value.Clicks >= 1 && r.Value.Largest <= r.Value.Sum));
        Assert.Equal(model.LateCount, test.Metrics.LateRecords);
        Assert.True(model.LateCount > 0, "The input must hold late records for the test to mean anything.");
        Assert.True(tumbling.Any(b => b.Records.Count > 0) && sessions.Any(b => b.Records.Count > 0), "Some windows must close.");
        Assert.Equal(toEnd, !model.AnyOpen);
    }

    // Builds the batches, running each through the model as it goes (a batch's times depend on the watermark it meets).
    private static List<List<Event>> Generate(Random random, EventTimeModel model, long lateness, int keys, int maxRecords, bool toEnd)
    {
        var batches = new List<List<Event>>();
        long now = random.Next(-40, 40) * 1000L + random.Next(1000); // the front of event time, sometimes before the epoch
        int count = random.Next(25, 60);
        for (int b = 0; b < count; b++)
        {
            var batch = new List<Event>();
            if (random.Next(4) == 0)
            {
                now += random.Next(3000, 15000); // a pause: sessions end, tumbling windows are skipped
            }

            int records = random.Next(5) == 0 ? 0 : random.Next(1, maxRecords + 1);
            for (int r = 0; r < records; r++)
            {
                now += random.Next(4) == 0 ? random.Next(0, 1500) : 0;
                long behind = random.Next(0, (int)lateness + 4000);  // within the lateness, and beyond it
                long time = random.Next(10) switch
                {
                    0 when model.Watermark != long.MinValue => model.Watermark,      // exactly at the watermark: not late
                    1 when model.Watermark != long.MinValue => model.Watermark - 1,  // just behind it: late
                    2 or 3 => EventTimeModel.FloorDiv(now - behind, 1000) * 1000,   // on a window or slide boundary
                    _ => now - behind,
                };
                batch.Add(new Event(time, $"k{random.Next(keys)}", random.Next(1, 1000)));
            }

            batches.Add(batch);
            model.RunBatch(batch, isLast: toEnd && b == count - 1);
        }

        return batches;
    }

    private static void Finish(PipelineTestDriver test, bool toEnd)
    {
        if (toEnd)
        {
            test.RunToEnd();
        }
        else
        {
            test.Run();
        }
    }

    private static List<OutputBatch<(EventWindow Window, string Key, long Value)>> Renamed(IEnumerable<OutputBatch<(EventWindow Window, string Key, long Value)>> batches) =>
        [.. batches.Select(b => new OutputBatch<(EventWindow Window, string Key, long Value)>(b.Time, [.. b.Records.Select(r => (r.Window, r.Key[1..], r.Value))]))];
}
