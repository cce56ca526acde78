using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Framing;
using StackExchange.Redis;

namespace Compiled.Redis.Tests;

/// <summary>
/// Handing read entries to the job allocates nothing per entry on the job's thread: the entry's fields are found by
/// their names' bytes without the client's conversion of a short name to a new array (32 bytes an entry before), and
/// the entry is not compared with the client's null value (which parses its id as a number first). Measured around
/// <see cref="RedisStreamSource.TryRead"/> alone, over reads whose entries the client had already parsed, into a
/// message batch large enough for all of them; the least of the reads, since the queue of ids to acknowledge grows by
/// doubling in some (once per run). Every entry is then checked to have arrived with its payload's text, numbers
/// (which the client may hold as numbers, not bytes) included.
/// </summary>
public sealed class RedisStreamSourceAllocationTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const int Entries = 4_096;

    [Fact]
    public async Task TryRead_EntriesWithAShortFieldName_AllocatesNothingPerEntry()
    {
        string stream = RedisTest.UniqueKey("alloc-stream");
        var adds = new List<Task>(Entries);
        for (int i = 0; i < Entries; i++)
        {
            // Every other payload a number, which the client may keep as a number rather than bytes: it must arrive as its text.
            NameValueEntry[] fields = i % 2 == 0 ? [new("value", $"w{i}"), new("key", $"k{i}")] : [new("value", $"{i}")];
            adds.Add(redis.Database.StreamAddAsync(stream, fields));
        }

        await Task.WhenAll(adds);
        var counters = new SourceCounters();
        await using var source = new RedisStreamSource(
            ConnectorUri.Parse($"redis://{redis.EndPoint}/{stream}?group=alloc&consumer=c&start=earliest&count=512", "source"),
            new SourceContext { SourceName = "Input" });
        using var batch = new MessageBatch(source.Uri.Text, FramingOptions.Default, counters, capacity: Entries * 2);
        var payloads = new HashSet<string>(StringComparer.Ordinal);
        double leastPerEntry = double.MaxValue;
        int taken = 0;
        while (taken < Entries)
        {
            Assert.True(await source.WaitToReadAsync(TestContext.Current.CancellationToken));
            long before = GC.GetAllocatedBytesForCurrentThread();
            source.TryRead(batch);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (batch.Count > 0)
            {
                leastPerEntry = Math.Min(leastPerEntry, allocated / (double)batch.Count);
            }
            for (int i = 0; i < batch.Count; i++)
            {
                payloads.Add(System.Text.Encoding.UTF8.GetString(batch[i].Payload));
            }

            taken += batch.Count;
            batch.Clear();
        }

        Assert.Equal(Entries, payloads.Count);
        Assert.Contains("w4094", payloads);
        Assert.Contains("4095", payloads);
        Assert.True(
            leastPerEntry < 1,
            $"Handing a read's entries to the job allocated at least {leastPerEntry:0.00} bytes per entry on its thread (the least of {Entries / 512} reads); it should allocate under 1 byte per entry.");
    }
}
