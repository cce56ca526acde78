using System.Globalization;
using System.Text;

// The namespace is EventTimeTests, not EventTime: a namespace Compiled.Tests.EventTime would hide the [EventTime]
// attribute from every other pipeline declared under Compiled.Tests.
namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// "time,user,value" clicks summed per user over 10s tumbling windows, 10s windows every 4s (a slide that does not
/// divide the size) and sessions with a 3s gap; 5s of lateness; late clicks dropped and counted.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class DroppedLate
{
    [Source]
    public static partial Lines<(long Time, string User, long Value)> Clicks();

    [EventTime(Lateness = "5s")]
    public static long Time((long Time, string User, long Value) click) => click.Time;

    [Map]
    public static KeyValue<long> PerUser((long Time, string User, long Value) click) => new(Encoding.UTF8.GetBytes(click.User), click.Value);

    [EventWindow(Size = "10s")]
    public static long Tumbling(long a, long b) => a + b;

    [Sink]
    public static partial void TumblingOut(Windowed<long> sum);

    [EventWindow(Input = nameof(PerUser), Size = "10s", Slide = "4s")]
    public static long Sliding(long a, long b) => a + b;

    [Sink]
    public static partial void SlidingOut(Windowed<long> sum);

    [SessionWindow(Input = nameof(PerUser), Gap = "3s")]
    public static long Sessions(long a, long b) => a + b;

    [Sink]
    public static partial void SessionsOut(Windowed<long> sum);

    // The sliding windows again over a tuple of integers (the sum, the number of clicks and the largest), which keeps
    // panes as a single integer does: its sums must be SlidingOut's.
    [Map(Input = nameof(Time))]
    public static KeyValue<(long Sum, long Clicks, long Largest)> Stats((long Time, string User, long Value) click) =>
        new(Encoding.UTF8.GetBytes(click.User), (click.Value, 1, click.Value));

    [EventWindow(Size = "10s", Slide = "4s")]
    public static (long Sum, long Clicks, long Largest) SlidingStats((long Sum, long Clicks, long Largest) a, (long Sum, long Clicks, long Largest) b) =>
        (a.Sum + b.Sum, a.Clicks + b.Clicks, Math.Max(a.Largest, b.Largest));

    [Sink]
    public static partial void SlidingStatsOut(Windowed<(long Sum, long Clicks, long Largest)> stats);
}

/// <summary>As <see cref="DroppedLate"/> with 2s of lateness, but late clicks go to a sink of their own.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class LateToSink
{
    [Source]
    public static partial Lines<(long Time, string User, long Value)> Clicks();

    [EventTime(Lateness = "2s", Late = nameof(TooLate))]
    public static long Time((long Time, string User, long Value) click) => click.Time;

    [Map]
    public static KeyValue<long> PerUser((long Time, string User, long Value) click) => new(Encoding.UTF8.GetBytes(click.User), click.Value);

    [EventWindow(Size = "10s")]
    public static long Tumbling(long a, long b) => a + b;

    [Sink]
    public static partial void TumblingOut(Windowed<long> sum);

    [EventWindow(Input = nameof(PerUser), Size = "10s", Slide = "4s")]
    public static long Sliding(long a, long b) => a + b;

    [Sink]
    public static partial void SlidingOut(Windowed<long> sum);

    [SessionWindow(Input = nameof(PerUser), Gap = "3s")]
    public static long Sessions(long a, long b) => a + b;

    [Sink]
    public static partial void SessionsOut(Windowed<long> sum);

    [Sink]
    public static partial void TooLate((long Time, string User, long Value) click);
}

/// <summary>Struct keys (an int user): 10s windows every 5s and 3s sessions, emitted as <c>Windowed&lt;int, long&gt;</c>; no lateness.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class StructKeys
{
    [Source]
    public static partial Lines<(long Time, int User, long Value)> Clicks();

    [EventTime]
    public static long Time((long Time, int User, long Value) click) => click.Time;

    [Map]
    public static (int User, long Value) PerUser((long Time, int User, long Value) click) => (click.User, click.Value);

    [EventWindow(Size = "10s", Slide = "5s")]
    public static long Sliding(long a, long b) => a + b;

    [Sink]
    public static partial void SlidingOut(Windowed<int, long> sum);

    [SessionWindow(Input = nameof(PerUser), Gap = "3s")]
    public static long Sessions(long a, long b) => a + b;

    [Sink]
    public static partial void SessionsOut(Windowed<int, long> sum);
}

/// <summary>Event times as <see cref="DateTimeOffset"/>s with offsets ("1970-01-01T01:00:05+01:00,user,value"), 10s tumbling windows, 1s of lateness.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class OffsetTimes
{
    [Source]
    public static partial Lines<(string At, string User, long Value)> Clicks();

    [EventTime(Lateness = "1s")]
    public static DateTimeOffset At((string At, string User, long Value) click) =>
        DateTimeOffset.Parse(click.At, CultureInfo.InvariantCulture, DateTimeStyles.None);

    [Map]
    public static KeyValue<long> PerUser((string At, string User, long Value) click) => new(Encoding.UTF8.GetBytes(click.User), click.Value);

    [EventWindow(Size = "10s")]
    public static long Tumbling(long a, long b) => a + b;

    [Sink]
    public static partial void TumblingOut(Windowed<long> sum);
}

/// <summary>
/// Byte lines "time user", counted per user per 10s tumbling window, 5s of lateness, written as text: the shape whose
/// steady state must allocate nothing per record.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ByteClicks
{
    [Source]
    public static partial Lines Input();

    [EventTime(Lateness = "5s")]
    public static long Time(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')], CultureInfo.InvariantCulture);

    [Map]
    public static KeyValue<long> PerUser(ReadOnlySpan<byte> line) => new(line[(line.IndexOf((byte)' ') + 1)..], 1);

    [EventWindow(Size = "10s")]
    public static long Count(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void Counts(Windowed<long> count);
}

/// <summary>
/// <see cref="ByteClicks"/> with 10s windows every 2s: a sliding window over a count, kept as 2s panes, whose steady
/// state must allocate nothing per record or per window either.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SlidingByteClicks
{
    [Source]
    public static partial Lines Input();

    [EventTime(Lateness = "5s")]
    public static long Time(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')], CultureInfo.InvariantCulture);

    [Map]
    public static KeyValue<long> PerUser(ReadOnlySpan<byte> line) => new(line[(line.IndexOf((byte)' ') + 1)..], 1);

    [EventWindow(Size = "10s", Slide = "2s")]
    public static long Count(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void Counts(Windowed<long> count);
}
