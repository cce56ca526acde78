using Compiled.Testing;

namespace Compiled.Tests.Windows;

/// <summary>
/// Event time below a window whose slide is more than one batch: the event-time windows close as the watermark
/// passes them, at the window's slides, and at the end of the input every event-time window still open emits, even
/// between two slides, to a sink that receives that last batch.
/// </summary>
public class EventTimeBelowWindowTests
{
    [Fact]
    public void RunToEnd_EventWindowBelowAWindow_BetweenTwoSlides_EmitsTheEventWindowsStillOpen()
    {
        using var test = new EventTimeBelowWindow.TestDriver();
        test.Input.Batch((1_000, 1), (2_500, 2));
        test.Input.Batch((5_000, 1));

        // Batch 3 ends the input between the slides at 2 and 4, with nothing unreported in the window of batches: the
        // event-time window [5000,6000) is still open and emits there.
        test.Input.Batch();
        test.RunToEnd();

        Assert.Equal(
            ["2000: ([1000,2000),1,1) ([2000,3000),2,1)", "3000: ([5000,6000),1,1)"],
            test.PerSecond.Batches.Select(b => $"{b.Time}: {string.Join(" ", b.Records.Select(r => r.ToString()))}"));
    }
}

/// <summary>Clicks in a window of 2s sliding every 2s, then counted per second of event time.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class EventTimeBelowWindow
{
    [Source]
    public static partial Lines<(long Time, int User)> Input();

    [Window(Length = "2s", Slide = "2s")]
    public static partial (long Time, int User) Recent((long Time, int User) click);

    [EventTime(Lateness = "0")]
    public static long At((long Time, int User) click) => click.Time;

    [Map]
    public static (int User, long One) PerUser((long Time, int User) click) => (click.User, 1);

    [EventWindow(Size = "1s")]
    public static long Clicks(long a, long b) => a + b;

    [Sink]
    public static partial void PerSecond(Windowed<int, long> clicks);
}
