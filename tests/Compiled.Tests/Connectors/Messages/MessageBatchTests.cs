using System.Text;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Framing;

namespace Compiled.Tests.Connectors.Messages;

/// <summary>A batch of messages: what goes in comes out whole, limits hold, and delivery counts what it hands on.</summary>
public class MessageBatchTests
{
    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void Add_KeepsEachMessagesPayloadKeyTimestampAndPosition_InOrder()
    {
        using var batch = new MessageBatch("memq:t", FramingOptions.Default, new SourceCounters());
        Assert.True(batch.Add("first"u8, "k1"u8, 1_700_000_000_001, [1, 2]));
        Assert.True(batch.Add("second"u8, 1_700_000_000_002, [3]));
        Assert.True(batch.Add(""u8, ""u8, 0, []));

        Assert.Equal(3, batch.Count);
        Assert.Equal(11, batch.PayloadBytes);
        Message first = batch[0];
        Assert.Equal("first", Text(first.Payload));
        Assert.True(first.HasKey);
        Assert.Equal("k1", Text(first.Key));
        Assert.Equal(1_700_000_000_001, first.Timestamp);
        Assert.Equal(new byte[] { 1, 2 }, first.Position.ToArray());

        Message second = batch[1];
        Assert.Equal("second", Text(second.Payload));
        Assert.False(second.HasKey);
        Assert.Equal(0, second.Key.Length);
        Assert.Equal(new byte[] { 3 }, second.Position.ToArray());

        // An empty key is a key; an empty payload is a record.
        Message third = batch[2];
        Assert.True(third.HasKey);
        Assert.Equal(0, third.Payload.Length);
        Assert.Equal(0, batch.LastPosition.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = batch[3].Payload.Length);
    }

    [Fact]
    public void Add_GrowsTheBufferPastItsFirstSize_KeepingEarlierMessages()
    {
        using var batch = new MessageBatch("memq:t", FramingOptions.Default, new SourceCounters(), capacity: 100, maxBytes: 1 << 20);
        for (int i = 0; i < 100; i++)
        {
            batch.Add(Encoding.UTF8.GetBytes(new string((char)('a' + (i % 26)), 200)), i, [(byte)i]);
        }

        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(new string((char)('a' + (i % 26)), 200), Text(batch[i].Payload));
            Assert.Equal(i, batch[i].Timestamp);
            Assert.Equal((byte)i, batch[i].Position[0]);
        }

        Assert.Equal(new byte[] { 99 }, batch.LastPosition.ToArray());
    }

    [Fact]
    public void IsFull_AtCapacityMessagesOrMaxBytes_AndAddingToAFullBatchIsRefused()
    {
        using var byCount = new MessageBatch("memq:t", FramingOptions.Default, new SourceCounters(), capacity: 2);
        byCount.Add("a"u8, 0, []);
        Assert.False(byCount.IsFull);
        byCount.Add("b"u8, 0, []);
        Assert.True(byCount.IsFull);
        var e = Assert.Throws<InvalidOperationException>(() => byCount.Add("c"u8, 0, []));
        Assert.Contains("full (2 messages)", e.Message, StringComparison.Ordinal);

        // The message that crosses maxBytes is still added; then the batch is full.
        using var byBytes = new MessageBatch("memq:t", FramingOptions.Default, new SourceCounters(), capacity: 100, maxBytes: 10);
        byBytes.Add("123456"u8, 0, []);
        Assert.False(byBytes.IsFull);
        byBytes.Add("123456"u8, 0, []);
        Assert.True(byBytes.IsFull);
        byBytes.Clear();
        Assert.False(byBytes.IsFull);
        Assert.Equal(0, byBytes.Count);
    }

    [Fact]
    public void Add_PayloadOverMaxRecordBytes_FailsNamingTheSourceAndTheFix()
    {
        using var batch = new MessageBatch("memq:orders", new FramingOptions(MaxRecordBytes: 4), new SourceCounters());
        var e = Assert.Throws<MessageTooLongException>(() => batch.Add("12345"u8, 0, []));
        Assert.Equal("A message of 'memq:orders' is 5 bytes long, longer than the maximum of 4 bytes. Raise the limit with '?maxRecordBytes=N' on the source URI, or drop such messages with '?onOversize=skip'.", e.Message);
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public void Add_PayloadOverMaxRecordBytesWithSkip_IsCountedAndLeftOut()
    {
        var counters = new SourceCounters();
        using var batch = new MessageBatch("memq:t", new FramingOptions(MaxRecordBytes: 4, Oversize: OversizePolicy.Skip), counters);
        Assert.True(batch.Add("1234"u8, 0, [1]));
        Assert.False(batch.Add("12345"u8, 0, [2]));
        Assert.Equal(1, batch.Count);
        Assert.Equal(1, counters.OversizeSkipped);
    }

    [Fact]
    public void Deliver_HandsEachPayloadInOrder_AndCountsRecordsAndBytes()
    {
        var counters = new SourceCounters();
        using var batch = new MessageBatch("memq:t", FramingOptions.Default, counters);
        batch.Add("alpha"u8, "key"u8, 5, [1]);
        batch.Add("beta"u8, 6, [2]);
        var seen = new List<string>();
        var consumer = new Collect(seen);
        batch.Deliver(ref consumer);

        Assert.Equal(["alpha", "beta"], seen);
        Assert.Equal(2, counters.Records);
        Assert.Equal(9, counters.Bytes);
    }

    private readonly struct Collect(List<string> records) : IRecordConsumer
    {
        public void OnRecord(ReadOnlySpan<byte> record) => records.Add(Encoding.UTF8.GetString(record));
    }
}
