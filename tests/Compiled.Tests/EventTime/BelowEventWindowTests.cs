using Compiled.Testing;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// Whole-batch stages below an event-time window of struct keys: a [Transform] that keeps the hottest auction of each
/// window (Nexmark's "hottest items"), and a [ForEachBatch] handed the windows that closed in the batch.
/// </summary>
public class BelowEventWindowTests
{
    [Fact]
    public void Transform_BelowAnEventWindow_IsHandedTheClosedWindowsOfTheBatch_AndItsOutputIsAStream()
    {
        using var test = new HottestAuction.TestDriver();
        test.Bids.Batch((1, 100), (2, 200), (2, 300), (3, 900));
        test.Bids.Batch((1, 1_100), (1, 1_200), (1, 1_300), (3, 1_400), (3, 2_100));
        test.Bids.Batch();
        test.RunToEnd();

        // The second batch moves the watermark to 2100, closing [0,1000) and [1000,2000); the end closes [2000,3000).
        // Auction 2 leads [0,1000) with two bids, auction 1 [1000,2000) with three.
        Assert.Equal(
            ["2000: (0, 2, 2) (1000, 1, 3)", "3000: (2000, 3, 1)"],
            test.Hottest.Batches.Where(b => b.Records.Count > 0).Select(b => $"{b.Time}: {string.Join(" ", b.Records)}"));
    }

    [Fact]
    public void ForEachBatch_BelowAnEventWindow_SeesEachClosedWindowOnce()
    {
        HottestAuction.Observed = [];
        using var test = new HottestAuction.TestDriver();
        test.Bids.Batch((1, 100), (2, 200), (3, 1_500));
        test.Bids.Batch();
        test.RunToEnd();

        Assert.NotNull(HottestAuction.Observed);
        Assert.Equal(
            ["[0,1000) 1 1", "[0,1000) 2 1", "[1000,2000) 3 1"],
            HottestAuction.Observed.Select(w => $"{w.Window} {w.Key} {w.Value}").Order(StringComparer.Ordinal));
    }
}

/// <summary>Bids counted per auction in 1 s event-time windows; below the window, the hottest auction of each window.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class HottestAuction
{
    [Source]
    public static partial Lines<(long Auction, long Time)> Bids();

    [EventTime(Lateness = "0")]
    public static long At((long Auction, long Time) bid) => bid.Time;

    [Map]
    public static (long Auction, long One) PerAuction((long Auction, long Time) bid) => (bid.Auction, 1);

    [EventWindow(Size = "1s")]
    public static long Count(long a, long b) => a + b;

    /// <summary>Per window, the auction with the most bids (the lowest id among equals).</summary>
    [Transform]
    public static void HottestPerWindow(ReadOnlySpan<Windowed<long, long>> counts, RecordBuffer<(long WindowStart, long Auction, long Bids)> output)
    {
        var best = new SortedDictionary<long, (long Auction, long Bids)>();
        foreach (Windowed<long, long> count in counts)
        {
            if (!best.TryGetValue(count.Window.Start, out var top) || count.Value > top.Bids || (count.Value == top.Bids && count.Key < top.Auction))
            {
                best[count.Window.Start] = (count.Key, count.Value);
            }
        }

        foreach (KeyValuePair<long, (long Auction, long Bids)> window in best)
        {
            output.Add((window.Key, window.Value.Auction, window.Value.Bids));
        }
    }

    [Sink]
    public static partial void Hottest((long WindowStart, long Auction, long Bids) hottest);

    [ForEachBatch(Input = nameof(Count))]
    public static void Observe(ReadOnlySpan<Windowed<long, long>> counts, long batchTime) => (Observed ??= []).AddRange(counts);

    // A test drives its pipeline on its own thread, so each test sees only its own windows.
    [ThreadStatic]
    public static List<Windowed<long, long>>? Observed;
}
