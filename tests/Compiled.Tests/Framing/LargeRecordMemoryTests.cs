using System.Buffers;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled.Tests.Framing;

/// <summary>
/// What a record far larger than a read costs the framer: one copy of its own size, and nothing kept once it has been
/// handed on. (The shared pool rounds a rented array up to a power of two, up to twice the record, and keeps it.)
/// </summary>
public class LargeRecordMemoryTests
{
    // Just over 32 MiB: the next power of two is twice as large, which is what a pooled scratch array would cost.
    private const int RecordLength = (32 << 20) + 4096;

    // The size of the reads a source makes: the record arrives as a chain of such segments.
    private const int SegmentLength = 64 * 1024;

    [Fact]
    public void Framer_LargeRecord_AllocatesOneCopyOfItsSize()
    {
        ReadOnlySequence<byte> input = LargeLine();
        var counters = new SourceCounters();
        using var framer = new LineFramer(new FramingOptions(MaxRecordBytes: 100 << 20), counters);
        framer.Reset("large");
        var consumer = new LengthConsumer();

        long before = GC.GetAllocatedBytesForCurrentThread();
        framer.Frame(input, isCompleted: false, ref consumer);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(RecordLength, consumer.Length);
        Assert.Equal(1, counters.Records);
        Assert.True(
            allocated <= RecordLength + (RecordLength / 20),
            $"Framing one record of {RecordLength} bytes allocated {allocated} bytes ({(double)allocated / RecordLength:F2} times the record); one copy of the record is the most it needs.");
    }

    [Fact]
    public void Framer_LargeRecord_KeepsNoArrayOfItsSizeAfterward()
    {
        ReadOnlySequence<byte> input = LargeLine();
        var pool = new TrackingArrayPool();
        using var framer = new LineFramer(new FramingOptions(MaxRecordBytes: 100 << 20), new SourceCounters(), pool);
        framer.Reset("large");
        var consumer = new LengthConsumer();
        framer.Frame(input, isCompleted: false, ref consumer);

        Assert.Equal(RecordLength, consumer.Length);
        Assert.DoesNotContain(pool.OutstandingArrays, array => array.Length > FramingOptions.DefaultMaxRecordBytes);
    }

    // One line of RecordLength bytes and its '\n', in segments of the size a source reads.
    private static ReadOnlySequence<byte> LargeLine()
    {
        byte[] bytes = new byte[RecordLength + 1];
        bytes.AsSpan().Fill((byte)'a');
        bytes[^1] = (byte)'\n';
        var pieces = new List<ReadOnlyMemory<byte>>();
        for (int offset = 0; offset < bytes.Length; offset += SegmentLength)
        {
            pieces.Add(bytes.AsMemory(offset, Math.Min(SegmentLength, bytes.Length - offset)));
        }

        return TestSegment.Sequence(pieces);
    }

    private struct LengthConsumer : IRecordConsumer
    {
        public long Length;

        public void OnRecord(ReadOnlySpan<byte> record) => Length = record.Length;
    }
}
