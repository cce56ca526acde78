using Compiled;

namespace Samples.LogMonitor;

/// <summary>
/// Real-time monitoring of a web server's access log: every second, for each endpoint (method and path), the
/// requests per second, the share of 5xx responses and the 50th, 95th and 99th percentile response times over the
/// last ten seconds. Each line becomes one endpoint's <see cref="EndpointStats"/> (one request, and its time in a
/// <see cref="Compiled.Sketches.QuantileSketch"/>); the window adds the batch that enters and subtracts the batch that
/// leaves, which the sketch does exactly. Lines that are not access-log lines are counted under
/// <see cref="MalformedKey"/>, a row of their own. The ids in a path are folded into <c>{id}</c>
/// (<see cref="EndpointPath"/>), and at most <see cref="Endpoints"/>' capacity of endpoints have a row at a time; the
/// requests of the others are counted under <see cref="OtherKey"/>, so the memory the window holds is bounded
/// whatever the log holds.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class LogMonitor
{
    /// <summary>The window's length in seconds, as in <see cref="Last10Seconds"/>'s attribute.</summary>
    public const int WindowSeconds = 10;

    /// <summary>How many endpoints have a row at a time unless <c>--max-endpoints</c> says otherwise.</summary>
    public const int DefaultMaxEndpoints = 1000;

    /// <summary>The key malformed lines are counted under: no endpoint, which always holds a space, can be it.</summary>
    public static ReadOnlySpan<byte> MalformedKey => "(malformed)"u8;

    /// <summary>The key of the requests of endpoints that found no place in <see cref="Endpoints"/>: no endpoint can be it either.</summary>
    public static ReadOnlySpan<byte> OtherKey => "(other)"u8;

    /// <summary>
    /// The endpoints that have a row: an endpoint takes a place with its first request while one is free and gives it
    /// back when it leaves the window (see <see cref="Active"/>). One per process; the executable sets its capacity
    /// from <c>--max-endpoints</c>.
    /// </summary>
    public static EndpointBudget Endpoints { get; } = new(DefaultMaxEndpoints);

    /// <summary>Access-log lines; by default the bundled ten seconds of a web shop's log, or --source tcp://host:port, file:///var/log/nginx/, stdin:.</summary>
    [Source(Default = "file:input/access.log")]
    public static partial Lines Input();

    /// <summary>
    /// line => (endpoint with its ids as {id}, or (other), one request with its status and response time), or (malformed,
    /// one line). InOrder: the endpoints take their places in <see cref="Endpoints"/> in the order their first requests
    /// arrive, one record at a time, so the monitor runs on one partition.
    /// </summary>
    [Map(InOrder = true)]
    public static KeyValue<EndpointStats> Parse(ReadOnlySpan<byte> line) =>
        AccessLog.TryParse(line, out AccessLogEntry entry)
            ? new(Kept(EndpointPath.Normalize(entry.Endpoint)), EndpointStats.Request(entry.Status, entry.LatencyMicroseconds))
            : new(MalformedKey, EndpointStats.MalformedLine());

    /// <summary>The endpoint, if it has a place in <see cref="Endpoints"/> or takes a free one; otherwise <see cref="OtherKey"/>.</summary>
    public static ReadOnlySpan<byte> Kept(ReadOnlySpan<byte> endpoint) => Endpoints.TryTrack(endpoint) ? endpoint : OtherKey;

    /// <summary>reduceByKeyAndWindow(add, subtract, Seconds(10), Seconds(1), filterFunc = idle endpoints out).</summary>
    [ReduceByKeyAndWindow(Length = "10s", Slide = "1s", Inverse = nameof(Subtract), Filter = nameof(Active))]
    public static EndpointStats Last10Seconds(EndpointStats window, EndpointStats batch)
    {
        window.Merge(in batch);
        return window;
    }

    /// <summary>The inverse of <see cref="Last10Seconds"/>: takes a batch that leaves the window back out, exactly.</summary>
    public static EndpointStats Subtract(EndpointStats window, EndpointStats leaving)
    {
        window.Subtract(in leaving);
        return window;
    }

    /// <summary>
    /// Keeps an endpoint in the window while it had a request (or a malformed line) in the last ten seconds; one that
    /// leaves gives its place in <see cref="Endpoints"/> back for the next new endpoint.
    /// </summary>
    public static bool Active(ReadOnlySpan<byte> endpoint, EndpointStats stats)
    {
        if (stats.Requests + stats.Malformed > 0)
        {
            return true;
        }

        Endpoints.Release(endpoint);
        return false;
    }

    /// <summary>Each endpoint's window as a row of the table: rates and percentiles.</summary>
    [Map]
    public static EndpointReport Report(ReadOnlySpan<byte> endpoint, EndpointStats stats) => new(endpoint, in stats, WindowSeconds);

    /// <summary>The table, every second: up to 40 rows, in the order the endpoints were first seen.</summary>
    [Sink(Default = "console?num=40")]
    public static partial void Output(EndpointReport row);
}
