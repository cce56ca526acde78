using System.Globalization;
using System.Text;

namespace Samples.LogMonitor;

/// <summary>
/// One row of the monitor's table: an endpoint's traffic over the window, as the sinks print it. A <c>ref struct</c>
/// (the endpoint is a view of the window table's key) that formats itself as UTF-8, so printing allocates nothing:
/// <code>
/// GET /api/orders                    100.0 req/s   5xx   2.00%     20/1000      p50    15.031 ms   p95    19.522 ms   p99    19.901 ms   untimed 0
/// (other)                              2.4 req/s   5xx   0.00%      0/24        p50     3.112 ms   p95     9.870 ms   p99    10.014 ms   untimed 0
/// (malformed)                          0.3 lines/s   3 lines in 10 s that are not access-log lines
/// </code>
/// The <c>(other)</c> row, the requests of the endpoints that found no place (<see cref="LogMonitor.OtherKey"/>), reads
/// as an endpoint's.
/// Requests per second are the window's requests over its length; the 5xx share is of those requests, with the two
/// counts; the percentiles are of the response times, in milliseconds, each within 1% of the exact one (<c>-</c> when
/// no line of the window gave a time); untimed are the requests whose line has no response time.
/// </summary>
public readonly ref struct EndpointReport : IUtf8SpanFormattable
{
    /// <summary>The width the endpoint is padded to; a longer one is followed by one space.</summary>
    public const int EndpointWidth = 30;

    /// <summary>Summarizes an endpoint's window.</summary>
    public EndpointReport(ReadOnlySpan<byte> endpoint, scoped in EndpointStats stats, int windowSeconds)
    {
        Endpoint = endpoint;
        WindowSeconds = windowSeconds;
        Requests = stats.Requests;
        Errors = stats.Errors;
        Untimed = stats.Requests - stats.Timed;
        Malformed = stats.Malformed;
        P50 = stats.LatencyQuantile(0.50);
        P95 = stats.LatencyQuantile(0.95);
        P99 = stats.LatencyQuantile(0.99);
    }

    /// <summary>The method and path, <see cref="LogMonitor.OtherKey"/> or <see cref="LogMonitor.MalformedKey"/>.</summary>
    public ReadOnlySpan<byte> Endpoint { get; }

    /// <summary>The window's length in seconds.</summary>
    public int WindowSeconds { get; }

    /// <summary>The requests in the window.</summary>
    public long Requests { get; }

    /// <summary>The 5xx responses in the window.</summary>
    public long Errors { get; }

    /// <summary>The requests in the window whose line gave no response time.</summary>
    public long Untimed { get; }

    /// <summary>The malformed lines in the window.</summary>
    public long Malformed { get; }

    /// <summary>The median response time in microseconds; NaN when none was timed.</summary>
    public double P50 { get; }

    /// <summary>The 95th percentile response time in microseconds; NaN when none was timed.</summary>
    public double P95 { get; }

    /// <summary>The 99th percentile response time in microseconds; NaN when none was timed.</summary>
    public double P99 { get; }

    /// <summary>Requests per second over the window.</summary>
    public double RequestsPerSecond => (double)Requests / WindowSeconds;

    /// <summary>The share of the window's requests answered with a 5xx status, 0 to 1.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    /// <summary>Writes the row as UTF-8 (the format and provider are ignored: the row is always in the invariant culture).</summary>
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        var row = new RowWriter(utf8Destination);
        row.Text(Endpoint);
        row.Pad(EndpointWidth);
        row.Text(" "u8);
        if (Endpoint.SequenceEqual(LogMonitor.MalformedKey))
        {
            row.Number((double)Malformed / WindowSeconds, "F1", 9);
            row.Text(" lines/s   "u8);
            row.Number(Malformed, default, 0);
            row.Text(" lines in "u8);
            row.Number(WindowSeconds, default, 0);
            row.Text(" s that are not access-log lines"u8);
        }
        else
        {
            row.Number(RequestsPerSecond, "F1", 9);
            row.Text(" req/s   5xx "u8);
            row.Number(ErrorRate * 100, "F2", 6);
            row.Text("% "u8);
            row.Number(Errors, default, 6);
            row.Text("/"u8);
            int counts = row.Written;
            row.Number(Requests, default, 0);
            row.Pad(counts + 7);
            row.Text("   p50 "u8);
            row.Milliseconds(P50);
            row.Text(" ms   p95 "u8);
            row.Milliseconds(P95);
            row.Text(" ms   p99 "u8);
            row.Milliseconds(P99);
            row.Text(" ms   untimed "u8);
            row.Number(Untimed, default, 0);
        }

        bytesWritten = row.Written;
        return !row.Overflowed;
    }

    /// <summary>The row as text.</summary>
    public override string ToString()
    {
        Span<byte> buffer = stackalloc byte[512];
        return TryFormat(buffer, out int written, default, null) ? Encoding.UTF8.GetString(buffer[..written]) : "(row longer than 512 bytes)";
    }

    // Writes a row left to right, numbers right-aligned in their columns, without a string or a box: what
    // Utf8.TryWrite's interpolation would do, but allocation-free whatever the JIT tier.
    private ref struct RowWriter(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Written { get; private set; }

        public bool Overflowed { get; private set; }

        public void Text(scoped ReadOnlySpan<byte> text)
        {
            if (!Overflowed && text.TryCopyTo(_destination[Written..]))
            {
                Written += text.Length;
            }
            else
            {
                Overflowed = true;
            }
        }

        // Spaces up to column 'width' (nothing if the row is already that long).
        public void Pad(int width)
        {
            int spaces = width - Written;
            if (spaces <= 0 || Overflowed)
            {
                return;
            }

            if (_destination.Length - Written < spaces)
            {
                Overflowed = true;
                return;
            }

            _destination.Slice(Written, spaces).Fill((byte)' ');
            Written += spaces;
        }

        public void Number<T>(T value, ReadOnlySpan<char> format, int width)
            where T : IUtf8SpanFormattable
        {
            Span<byte> digits = stackalloc byte[32];
            if (!value.TryFormat(digits, out int length, format, CultureInfo.InvariantCulture))
            {
                Overflowed = true;
                return;
            }

            Pad(Written + width - length);
            Text(digits[..length]);
        }

        // Microseconds as milliseconds with three decimals in a column of 9, or "-" when there is no time.
        public void Milliseconds(double microseconds)
        {
            if (double.IsNaN(microseconds))
            {
                Pad(Written + 8);
                Text("-"u8);
            }
            else
            {
                Number(microseconds / 1000, "F3", 9);
            }
        }
    }
}
