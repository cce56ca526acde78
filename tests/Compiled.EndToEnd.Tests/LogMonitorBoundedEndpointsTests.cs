using System.Buffers;
using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Testing;
using Samples.LogMonitor;
using static Compiled.EndToEnd.Tests.AccessLogLines;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The LogMonitor over logs whose paths would make an endpoint of every request: ids in paths fold into one
/// <c>{id}</c> endpoint counted exactly; endpoints beyond the bound are counted under <c>(other)</c>, so the rows, the
/// memory the job allocates and the executable's peak memory stay bounded; and an endpoint that leaves the window
/// gives its place to the next new one.
/// </summary>
[Collection(LogMonitorTests.Collection)]
public class LogMonitorBoundedEndpointsTests
{
    // Every test starts with the budget of a fresh process.
    public LogMonitorBoundedEndpointsTests() => LogMonitor.Endpoints.Reset(LogMonitor.DefaultMaxEndpoints);

    [Fact]
    public void LogMonitor_100kDistinctUserIds_OneRowCountedExactly_AtMostMaxEndpointsPlusOtherRows()
    {
        // Batch 1: 50,000 requests to /users/N for distinct N, 500 to /api/orders, 200 to /healthz. Batch 2: as many
        // again, with the next 50,000 ids, and 3,000 distinct pages whose paths are words, not ids. The three
        // endpoints of batch 1 take three places; 997 of the pages take the rest, and the other 2,003 pages are (other).
        List<List<string>> batches = [[], []];
        long userErrors = 0, userUntimed = 0;
        for (int id = 0; id < 100_000; id++)
        {
            int status = id % 97 == 0 ? 503 : 200;
            bool timed = id % 10 != 0;
            userErrors += status >= 500 ? 1 : 0;
            userUntimed += timed ? 0 : 1;
            batches[id / 50_000].Add(Line("GET", $"/users/{id}?expand=orders", status, timed ? 1000 + (id % 5000) : null));
        }

        foreach (List<string> batch in batches)
        {
            batch.AddRange(Enumerable.Range(0, 500).Select(i => Line("GET", "/api/orders", 200, 2000 + i)));
            batch.AddRange(Enumerable.Range(0, 200).Select(i => Line("GET", "/healthz", 200, 50 + i)));
        }

        batches[1].AddRange(Enumerable.Range(0, 3000).Select(i => Line("GET", "/wiki/page-" + Word(i), 200, 3000)));
        Shuffle(batches[0], seed: 1);
        Shuffle(batches[1], seed: 2);

        using var test = new LogMonitor.TestDriver();
        test.Input.Batch([.. batches[0]]).Batch([.. batches[1]]);
        test.Run();

        Row[] rows = [.. test.Output.Batches[1].Records.Select(LogMonitorRows.Parse)];
        Row users = Assert.Single(rows, row => row.Endpoint == "GET /users/{id}");
        Assert.Equal(100_000, users.Requests);
        Assert.Equal(userErrors, users.Errors);
        Assert.Equal(userUntimed, users.Untimed);
        Assert.Equal(1000, Assert.Single(rows, row => row.Endpoint == "GET /api/orders").Requests);
        Assert.Equal(400, Assert.Single(rows, row => row.Endpoint == "GET /healthz").Requests);
        Assert.Equal(2003, Assert.Single(rows, row => row.Endpoint == LogMonitorRows.OtherLabel).Requests);
        Assert.Equal(LogMonitor.DefaultMaxEndpoints + 1, rows.Length);
        Assert.Equal(batches.Sum(b => b.Count), rows.Sum(row => row.Requests));
        Assert.Equal(rows.Length, rows.Select(row => row.Endpoint).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void LogMonitor_200kDistinctEndpoints_RowsAndAllocatedMemoryStayBounded()
    {
        // 200,000 endpoints whose paths hold no id, 50,000 new ones a batch. Without the bound every one is a key of
        // the window and of its batch's table, about 4 KB each in each: well over a gigabyte allocated. With it, at
        // most 1,000 endpoints have a place, and the rest are one (other) row.
        const int PerBatch = 50_000;
        string[][] batches = [.. Enumerable.Range(0, 4).Select(b => Enumerable.Range(b * PerBatch, PerBatch).Select(i => Line("GET", "/wiki/page-" + Word(i), 200, 1000 + (i % 100))).ToArray())];
        using var test = new LogMonitor.TestDriver();
        foreach (string[] batch in batches)
        {
            test.Input.Batch(batch);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        test.Run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        for (int batch = 0; batch < batches.Length; batch++)
        {
            Row[] rows = [.. test.Output.Batches[batch].Records.Select(LogMonitorRows.Parse)];
            Assert.True(rows.Length <= LogMonitor.DefaultMaxEndpoints + 1, $"batch {batch + 1}: {rows.Length} rows, at most {LogMonitor.DefaultMaxEndpoints} endpoints and (other) expected");
            Assert.Equal((batch + 1) * PerBatch, rows.Sum(row => row.Requests));
            Assert.Equal(((batch + 1) * PerBatch) - LogMonitor.DefaultMaxEndpoints, Assert.Single(rows, row => row.Endpoint == LogMonitorRows.OtherLabel).Requests);
        }

        // The job's tables for 1,000 endpoints and the driver's copies of the lines are tens of megabytes.
        const long Bound = 256L << 20;
        Assert.True(allocated < Bound, $"Four batches of 50,000 distinct endpoints allocated {allocated >> 20} MB, more than {Bound >> 20} MB.");
    }

    [Fact]
    public void LogMonitor_EndpointLeavesTheWindow_ItsPlaceGoesToTheNextNewEndpoint()
    {
        // A budget of 10: /api/orders, busy in every batch, keeps its place throughout; 9 of the 25 pages of batch 1
        // take the others. They leave the window at batch 11 (the window holds batches 2 to 11), so at batch 12 the
        // first 9 of 25 new pages take their places.
        LogMonitor.Endpoints.Reset(10);
        string[] firstPages = [.. Enumerable.Range(0, 25).Select(i => "GET /wiki/first-" + Word(i))];
        string[] laterPages = [.. Enumerable.Range(0, 25).Select(i => "GET /wiki/later-" + Word(i))];
        using var test = new LogMonitor.TestDriver();
        string orders = Line("GET", "/api/orders", 200, 2000);
        test.Input.Batch([orders, .. firstPages.Select(LineOf)]);
        for (int batch = 2; batch <= 11; batch++)
        {
            test.Input.Batch(orders);
        }

        test.Input.Batch([orders, .. laterPages.Select(LineOf)]);
        test.Run();

        Assert.Equal(["GET /api/orders", .. firstPages[..9], LogMonitorRows.OtherLabel], Endpoints(1));
        Assert.Equal(16, Assert.Single(test.Output.Batches[0].Records.Select(LogMonitorRows.Parse), row => row.Endpoint == LogMonitorRows.OtherLabel).Requests);
        Assert.Equal(["GET /api/orders", .. firstPages[..9], LogMonitorRows.OtherLabel], Endpoints(10));
        Assert.Equal(["GET /api/orders"], Endpoints(11));
        Assert.Equal(["GET /api/orders", .. laterPages[..9], LogMonitorRows.OtherLabel], Endpoints(12));
        Assert.Equal(10, Assert.Single(test.Output.Batches[11].Records.Select(LogMonitorRows.Parse), row => row.Endpoint == "GET /api/orders").Requests);

        string[] Endpoints(int batch) => [.. test.Output.Batches[batch - 1].Records.Select(LogMonitorRows.Parse).Select(row => row.Endpoint)];
        static string LineOf(string endpoint) => Line(endpoint[..endpoint.IndexOf(' ', StringComparison.Ordinal)], endpoint[(endpoint.IndexOf(' ', StringComparison.Ordinal) + 1)..], 200, 1500);
    }

    [Fact]
    public void LogMonitor_IdsAndOtherEndpoints_AllocateNothingPerLineOrBatch()
    {
        // Three places, held by endpoints busy in every batch (one of them /users/{id}, from a new id on every line);
        // every other endpoint is new and goes to (other). Once the window is full, the id rule, the bound and the
        // window allocate nothing, however many ids and endpoints come. Measured on the generated job itself.
        LogMonitor.Endpoints.Reset(3);
        int next = 0;
        ReadOnlySequence<byte>[] buffers = [.. Enumerable.Range(0, 12).Select(_ => new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(string.Concat(
            Enumerable.Range(0, 300).Select(i => (i % 3) switch
            {
                0 => Line("GET", $"/users/{next++}/orders/{next * 7919:x8}", 200, 1000 + i),
                1 => Line("GET", "/api/orders", i % 50 == 0 ? 500 : 200, 2000 + i),
                _ => Line("GET", "/wiki/page-" + Word(next++), 200, null),
            }).Prepend(Line("GET", "/healthz", 200, 40)).Select(line => line + "\n")))))];
        var sink = new CountingSink();
        LogMonitorInProcess.SteadyState measured = LogMonitorInProcess.MeasureSteadyState(buffers, sink);

        Assert.True(measured.ConsumedAll);
        Assert.Equal(measured.Batches * 4, sink.Rows); // GET /users/{id}/orders/{id}, GET /api/orders, GET /healthz and (other), in every window
        Assert.True(measured.LeastAllocated == 0, $"{buffers.Length} batches of ids and new endpoints allocated {measured.LeastAllocated} bytes.");
    }

    private static void Shuffle(List<string> lines, int seed)
    {
        var random = new Random(seed);
        for (int i = lines.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (lines[i], lines[j]) = (lines[j], lines[i]);
        }
    }
}
