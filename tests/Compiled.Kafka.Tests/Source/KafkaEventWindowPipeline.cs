using System.Text;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// "time,user" events of a Kafka topic counted per user over 10 s tumbling windows of event time, 2 s of lateness, a
/// quiet input never idle (so only event time moves the watermark); each window written when it closes.
/// </summary>
[Pipeline(BatchInterval = "200ms")]
public static partial class KafkaEventWindowPipeline
{
    /// <summary>The events.</summary>
    [Source(Default = "kafka://127.0.0.1:9092/events?group=events")]
    public static partial Lines<(long Time, string User)> Input();

    /// <summary>An event's time, in Unix ms.</summary>
    [EventTime(Lateness = "2s", IdleTimeout = "0")]
    public static long Time((long Time, string User) e) => e.Time;

    /// <summary>(user, 1).</summary>
    [Map]
    public static KeyValue<long> PerUser((long Time, string User) e) => new(Encoding.UTF8.GetBytes(e.User), 1);

    /// <summary>Each user's events per 10 s window.</summary>
    [EventWindow(Size = "10s")]
    public static long Count(long a, long b) => a + b;

    /// <summary>One line per user per closed window.</summary>
    [Sink(Default = "file:out/windows")]
    public static partial void Output(Windowed<long> count);
}
