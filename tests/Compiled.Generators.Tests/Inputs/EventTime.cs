using Compiled;

namespace Clickstream;

/// <summary>Event time: "millis user page" lines; clicks per user per minute, sliding page views, sessions; late lines kept aside; a feed quiet for 30s is idle.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Activity
{
    [Source(Default = "tcp://localhost:9999")]
    public static partial Lines Input();

    [EventTime(Lateness = "10s", Late = nameof(TooLate), IdleTimeout = "30s")]
    public static long Timestamp(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')]);

    [Map]
    public static KeyValue<long> PerUser(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> rest = line[(line.IndexOf((byte)' ') + 1)..];
        return new(rest[..rest.IndexOf((byte)' ')], 1);
    }

    [EventWindow(Size = "1m")]
    public static long ClicksPerMinute(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void Minutes(Windowed<long> clicks);

    [EventWindow(Input = nameof(PerUser), Size = "1m", Slide = "20s")]
    public static long Sliding(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void SlidingMinutes(Windowed<long> clicks);

    [SessionWindow(Input = nameof(PerUser), Gap = "30s")]
    public static long Sessions(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void UserSessions(Windowed<long> session);

    [Sink(Default = "file:///var/log/late/part")]
    public static partial void TooLate(ReadOnlySpan<byte> line);
}
