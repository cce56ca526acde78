using Compiled.Sketches;

namespace Samples.LogMonitor;

/// <summary>
/// What the monitor keeps per endpoint for a batch, and for a window: requests, 5xx responses, malformed lines (only
/// under the <see cref="LogMonitor.MalformedKey"/> key) and a sketch of the response times in microseconds. A
/// struct of fixed size (4,144 bytes), so a keyed table holds it inline and nothing is allocated per record. Every
/// part adds up exactly and subtracts exactly, so a window can take a batch that leaves back out.
/// </summary>
public struct EndpointStats
{
    private long _requests;
    private long _errors;
    private long _malformed;
    private QuantileSketch _latency;

    /// <summary>Requests: the well-formed lines.</summary>
    public readonly long Requests => _requests;

    /// <summary>Requests answered with a 5xx status.</summary>
    public readonly long Errors => _errors;

    /// <summary>Lines that are not access-log lines (counted under <see cref="LogMonitor.MalformedKey"/>).</summary>
    public readonly long Malformed => _malformed;

    /// <summary>Requests whose line gave a response time: the values of the latency sketch.</summary>
    public readonly long Timed => _latency.Count;

    /// <summary>The q-quantile of the response times in microseconds, within <see cref="QuantileSketch.RelativeAccuracy"/>; NaN when none was timed.</summary>
    public readonly double LatencyQuantile(double q) => _latency.Quantile(q);

    /// <summary>One request: its status and its response time in microseconds (NaN when the line has none).</summary>
    public static EndpointStats Request(int status, double latencyMicroseconds)
    {
        EndpointStats stats = default;
        stats.AddRequest(status, latencyMicroseconds);
        return stats;
    }

    /// <summary>One line that is not an access-log line.</summary>
    public static EndpointStats MalformedLine()
    {
        EndpointStats stats = default;
        stats.AddMalformed();
        return stats;
    }

    /// <summary>Counts a request: its status and its response time in microseconds (NaN when the line has none).</summary>
    public void AddRequest(int status, double latencyMicroseconds)
    {
        _requests++;
        if (status >= 500)
        {
            _errors++;
        }

        if (!double.IsNaN(latencyMicroseconds))
        {
            _latency.Add(latencyMicroseconds);
        }
    }

    /// <summary>Counts a line that is not an access-log line.</summary>
    public void AddMalformed() => _malformed++;

    /// <summary>Adds <paramref name="other"/>'s requests, errors, malformed lines and response times.</summary>
    public void Merge(in EndpointStats other)
    {
        _requests += other._requests;
        _errors += other._errors;
        _malformed += other._malformed;
        _latency.Merge(in other._latency);
    }

    /// <summary>Takes back what <see cref="Merge"/> added: the exact inverse.</summary>
    public void Subtract(in EndpointStats other)
    {
        _latency.Subtract(in other._latency);
        _requests -= other._requests;
        _errors -= other._errors;
        _malformed -= other._malformed;
    }
}
