using Compiled;

namespace Samples.PageViews;

/// <summary>
/// Page views per page per ten seconds of event time, the windowed count of Flink's and Spark's tutorials: each line of
/// a web server's click log is "milliseconds page"; a view counts in the window of the time it happened, not of when
/// it was read, and a window is printed once the watermark (the newest time seen, less five seconds of lateness) has
/// passed its end. With <c>--checkpoint DIR</c> a stopped or crashed job resumes with its open windows as they were.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class PageViews
{
    /// <summary>The click log: by default the bundled one, or --source 'file:///var/log/clicks/' to watch a directory.</summary>
    [Source(Default = "file:input/views.txt")]
    public static partial Lines Views();

    /// <summary>When the view happened: the line's first field, Unix milliseconds. Views up to 5 s out of order still count.</summary>
    [EventTime(Lateness = "5s")]
    public static long Time(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')]);

    /// <summary>(page, 1) for each view.</summary>
    [Map]
    public static KeyValue<long> Page(ReadOnlySpan<byte> line) => new(line[(line.IndexOf((byte)' ') + 1)..], 1);

    /// <summary>The views of each page in each ten-second window of event time.</summary>
    [EventWindow(Size = "10s")]
    public static long Count(long a, long b) => a + b;

    /// <summary>One line per page and window: (window,page,views).</summary>
    [Sink(Default = "console")]
    public static partial void Output(Windowed<long> views);
}
