using Compiled;
using Samples.LogMonitor;

namespace Samples.EndpointTotals;

/// <summary>
/// An access log's requests per endpoint, kept in PostgreSQL: each line's endpoint (method and path, its ids folded
/// into <c>{id}</c>, as LogMonitor reads it), counted per batch, added to the endpoint's total kept across batches,
/// and upserted into the table <c>endpoint_requests(key text primary key, value bigint)</c>, so
/// <c>SELECT * FROM endpoint_requests</c> shows every endpoint's requests so far. Lines that are not access-log lines
/// are counted under <c>(malformed)</c>.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class EndpointTotals
{
    /// <summary>Access-log lines; by default LogMonitor's bundled ten seconds of a web shop's log.</summary>
    [Source(Default = "file:input/access.log")]
    public static partial Lines Input();

    /// <summary>line => (endpoint, 1), or ((malformed), 1).</summary>
    [Map]
    public static KeyValue<long> Endpoint(ReadOnlySpan<byte> line) =>
        AccessLog.TryParse(line, out AccessLogEntry entry)
            ? new(EndpointPath.Normalize(entry.Endpoint), 1)
            : new("(malformed)"u8, 1);

    /// <summary>The endpoint's requests in the batch.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>The endpoint's total so far plus its requests in this batch, kept as its state and emitted as (endpoint,total).</summary>
    [MapWithState]
    public static KeyValue<long> Total(ReadOnlySpan<byte> endpoint, long? count, State<long> total)
    {
        long sum = total.GetValueOrDefault() + (count ?? 0);
        total.Update(sum);
        return new KeyValue<long>(endpoint, sum);
    }

    /// <summary>INSERT INTO endpoint_requests ... ON CONFLICT (key) DO UPDATE, one transaction per batch.</summary>
    [Sink(Default = "postgres://postgres@localhost:5432/postgres?table=endpoint_requests&valueType=bigint")]
    public static partial void Output(ReadOnlySpan<byte> endpoint, long total);
}
