using Compiled;

namespace Clicks;

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
