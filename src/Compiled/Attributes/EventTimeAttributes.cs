namespace Compiled;

/// <summary>
/// Gives records an event time: <c>static long Name(T record)</c> (Unix milliseconds) or
/// <c>static DateTimeOffset Name(T record)</c>. The records pass on unchanged. The stage keeps a watermark, the
/// latest event time seen minus <see cref="Lateness"/>, moved on at each batch boundary; a record older than the
/// watermark is late, and is dropped and counted, or sent to the sink named by <see cref="Late"/>. A source that gives
/// no record for <see cref="IdleTimeout"/> no longer holds the watermark back.
/// Event-time windows below it (<see cref="EventWindowAttribute"/>, <see cref="SessionWindowAttribute"/>) emit a
/// window when the watermark passes its end.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class EventTimeAttribute : StageAttribute
{
    /// <summary>How far behind the latest event time a record may be and still count: <c>10s</c>. Default: 0.</summary>
    public string? Lateness { get; set; }

    /// <summary>A sink that receives the late records, which are otherwise dropped (and counted).</summary>
    public string? Late { get; set; }

    /// <summary>
    /// How long a source may give no record before it is idle (as Flink's <c>withIdleness</c>): <c>30s</c>. An idle source
    /// no longer holds the watermark back; when every source of the stage is idle, the watermark moves on with processing
    /// time (batch time) from the latest event time seen, so open windows and sessions close. Counted in batch times at
    /// batch boundaries, so a source is idle after at least this long. Default: <c>1m</c>; <c>0</c>: a source is never idle.
    /// </summary>
    public string? IdleTimeout { get; set; }
}

/// <summary>
/// Combines the values of each key per event-time window: <c>static V Name(V a, V b)</c> over keyed records below an
/// <see cref="EventTimeAttribute"/> stage. Windows of <see cref="Size"/> start at multiples of <see cref="Slide"/>
/// (tumbling when the slide is the size, the default); a record lands in every window that holds its event time.
/// Emits <c>Windowed&lt;V&gt;</c> (byte-span keys) or <c>Windowed&lt;K, V&gt;</c> (struct keys) when the watermark
/// passes a window's end, windows in order of their end.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class EventWindowAttribute : StageAttribute
{
    /// <summary>The window's length in event time: <c>1m</c>. Required.</summary>
    public string? Size { get; set; }

    /// <summary>How far apart windows start: <c>10s</c>, at most the size. Default: the size (tumbling windows).</summary>
    public string? Slide { get; set; }
}

/// <summary>
/// Combines the values of each key per session: a run of records of the key no further apart in event time than
/// <see cref="Gap"/>. <c>static V Name(V a, V b)</c> over keyed records below an <see cref="EventTimeAttribute"/> stage.
/// A session ends <see cref="Gap"/> after its last record (a record exactly at its end still joins it), and two sessions
/// that a record bridges merge into one. Emits <c>Windowed&lt;V&gt;</c> (or <c>Windowed&lt;K, V&gt;</c>) once the
/// watermark is past a session's end, sessions closing at one batch boundary in order of their end. Values are
/// combined in the order records arrive, not of their event time, so the function should be commutative (a sum, a
/// count, a max).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class SessionWindowAttribute : StageAttribute
{
    /// <summary>The longest quiet time within a session: <c>30s</c>. Required; more than zero.</summary>
    public string? Gap { get; set; }
}
