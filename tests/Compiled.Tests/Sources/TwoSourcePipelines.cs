namespace Compiled.Tests.Sources;

/// <summary>
/// Ads: impressions and clicks come from two sources, "ad,user" lines each. The stages below a source read it;
/// the two streams meet in a join, an outer join, a union and a cogroup, per batch and over a window.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Ads
{
    [Source(Default = "tcp://localhost:9001")]
    public static partial Lines<(int Ad, int User)> Impressions();

    [Source(Default = "tcp://localhost:9002")]
    public static partial Lines<(int Ad, int User)> Clicks();

    // Each click with each impression of its ad in the same batch.
    [Join(Input = nameof(Impressions), Other = nameof(Clicks))]
    public static (int Ad, int Shown, int Clicked) Matched(int ad, int shownTo, int clickedBy) => (ad, shownTo, clickedBy);

    [Sink]
    public static partial void Matches((int Ad, int Shown, int Clicked) match);

    // Every impression, with the clicks of its ad in the batch, or none.
    [LeftOuterJoin(Input = nameof(Impressions), Other = nameof(Clicks))]
    public static (int Ad, int Shown, int Clicked) WithClicks(int ad, int shownTo, int? clickedBy) => (ad, shownTo, clickedBy ?? -1);

    [Sink]
    public static partial void ImpressionsWithClicks((int Ad, int Shown, int Clicked) row);

    // Events of both kinds per ad.
    [Union(Input = nameof(Impressions), Other = nameof(Clicks))]
    public static partial (int Ad, int User) Events((int Ad, int User) record);

    [CountByValue]
    public static int EventAd((int Ad, int User) record) => record.Ad;

    [Sink]
    public static partial void EventsPerAd(int ad, long events);

    // Click-through per ad over the last 3 batches, every batch: impressions and clicks counted per ad in the
    // window, then cogrouped.
    [Map(Input = nameof(Impressions))]
    public static (int Ad, long One) Shown((int Ad, int User) record) => (record.Ad, 1);

    [ReduceByKeyAndWindow(Length = "3s")]
    public static long ShownInWindow(long a, long b) => a + b;

    [Map(Input = nameof(Clicks))]
    public static (int Ad, long One) Clicked((int Ad, int User) record) => (record.Ad, 1);

    [ReduceByKeyAndWindow(Length = "3s")]
    public static long ClickedInWindow(long a, long b) => a + b;

    [Cogroup(Input = nameof(ShownInWindow), Other = nameof(ClickedInWindow))]
    public static (int Ad, long Shown, long Clicked) Rates(int ad, ReadOnlySpan<long> shown, ReadOnlySpan<long> clicked) =>
        (ad, shown.IsEmpty ? 0 : shown[0], clicked.IsEmpty ? 0 : clicked[0]);

    [Sink]
    public static partial void ClickThrough((int Ad, long Shown, long Clicked) rate);
}

/// <summary>
/// Clicks from two sources, unioned, then windowed by event time: the watermark follows the source furthest behind,
/// so a source that runs behind the other does not lose its records as late.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class TwoClocks
{
    [Source]
    public static partial Lines<(long Time, int User)> Live();

    [Source]
    public static partial Lines<(long Time, int User)> Replayed();

    [Union(Input = nameof(Live), Other = nameof(Replayed))]
    public static partial (long Time, int User) Both((long Time, int User) click);

    [EventTime(Lateness = "0", Late = nameof(TooLate))]
    public static long At((long Time, int User) click) => click.Time;

    [Map]
    public static (int User, long One) PerUser((long Time, int User) click) => (click.User, 1);

    [EventWindow(Size = "10s")]
    public static long Clicks(long a, long b) => a + b;

    [Sink]
    public static partial void PerTenSeconds(Windowed<int, long> clicks);

    [Sink]
    public static partial void TooLate((long Time, int User) click);
}
