using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled.Tests.Framing;

/// <summary>The framer's memory: views where it can, one pooled scratch array where it must, nothing allocated per record.</summary>
public class LineFramerMemoryTests
{
    [Fact]
    public void Framer_RecordsInOneSegmentAreViews_NothingRented()
    {
        var pool = new TrackingArrayPool();
        byte[] bytes = "alpha\r\nbeta\n\ngamma"u8.ToArray();
        var consumer = new ViewCheckingConsumer(bytes, pool);
        using (var framer = new LineFramer(FramingOptions.Default, new SourceCounters(), pool))
        {
            framer.Reset("views");
            framer.Frame(new ReadOnlySequence<byte>(bytes), isCompleted: true, ref consumer);
        }

        Assert.Equal(3, consumer.Views);
        Assert.Equal(0, consumer.Copies);
        Assert.Equal(0, pool.Rents);
    }

    [Fact]
    public void Framer_StraddlingRecordsAreCopiedIntoOneScratch_ReturnedOnDispose()
    {
        var pool = new TrackingArrayPool();
        var counters = new SourceCounters();
        var framer = new LineFramer(FramingOptions.Default, counters, pool);
        framer.Reset("scratch");

        // Records that grow past the scratch's size, each cut into 1-byte segments: the scratch is replaced
        // as records outgrow it, and the old one is returned before the new one is rented.
        var text = new StringBuilder();
        for (int length = 1; length <= 2000; length = length * 3 / 2 + 1)
        {
            text.Append('x', length).Append("\r\n");
        }

        byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
        var consumer = new ViewCheckingConsumer(bytes, pool);
        for (int round = 0; round < 3; round++)
        {
            framer.Frame(TestSegment.Chunked(bytes, 1), isCompleted: false, ref consumer);
            Assert.Equal(1, pool.Outstanding);
        }

        Assert.Equal(0, consumer.Views);
        Assert.True(consumer.Copies > 0);
        Assert.Equal(1, pool.MaxOutstanding);
        Assert.True(pool.Rents > 1, "The records were meant to outgrow the first scratch array.");

        framer.Dispose();
        Assert.Equal(0, pool.Outstanding);

        // A second Dispose returns nothing twice (the pool throws on a double return), and a framer that never
        // needed scratch rents nothing.
        framer.Dispose();
        new LineFramer(FramingOptions.Default, new SourceCounters(), pool).Dispose();
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(pool.Rents, pool.Returns);
    }

    [Fact]
    public void Framer_ManyStreams_HoldsAtMostOneScratch()
    {
        var pool = new TrackingArrayPool();
        var random = new Random(7);
        var options = new FramingOptions(MaxRecordBytes: 300, OversizePolicy.Skip);
        using (var framer = new LineFramer(options, new SourceCounters(), pool))
        {
            for (int stream = 0; stream < 20; stream++)
            {
                byte[] input = RandomStreams.Input(random, maxLength: 2000);
                FramingDriver.ThroughSequences(RandomStreams.Chunks(random, input, 1, 40), options, random, finalChunkCompletes: true, framer: framer);
                Assert.True(pool.Outstanding <= 1);
            }
        }

        Assert.Equal(1, pool.MaxOutstanding);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public void Framer_SteadyState_AllocatesNothing()
    {
        // 100,000 lines in segments of 61 bytes, so that many records straddle segments and are copied.
        const int Lines = 100_000;
        var text = new StringBuilder();
        for (int i = 0; i < Lines; i++)
        {
            text.Append("word").Append(i % 997).Append(' ').Append(i).Append(i % 3 == 0 ? "\r\n" : "\n");
        }

        byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
        ReadOnlySequence<byte> buffer = TestSegment.Chunked(bytes, 61);
        ReadOnlySequence<byte> firstHalf = buffer.Slice(0, bytes.Length / 2);
        var counters = new SourceCounters();
        using var framer = new LineFramer(FramingOptions.Default, counters);
        long records = 0;
        long allocated = AllocationMeter.LeastAllocated(() =>
        {
            var consumer = new CountingConsumer();
            Run(framer, buffer, firstHalf, ref consumer);
            records = consumer.Records;
        });

        Assert.Equal(Lines, records);
        Assert.Equal(0, allocated);
    }

    [Fact(Timeout = 60_000)]
    public async Task Framer_ManySmallSegments_TakesLinearTime()
    {
        // 4 MB in 8-byte segments: almost every record straddles segments. Framing it is a few hundred
        // thousand steps (well under a second); slicing each straddling record from the start of the buffer is
        // billions (many minutes). The limit only tells the two apart: it is far above the linear time even on a
        // machine busy with other builds.
        var text = new StringBuilder();
        int lines = 0;
        while (text.Length < 4_000_000)
        {
            text.Append("record ").Append(lines++).Append(" of a long buffer\r\n");
        }

        ReadOnlySequence<byte> buffer = TestSegment.Chunked(Encoding.ASCII.GetBytes(text.ToString()), 8);
        long records = await Task.Run(() =>
        {
            using var framer = new LineFramer(FramingOptions.Default, new SourceCounters());
            framer.Reset("long");
            var consumer = new CountingConsumer();
            SequencePosition consumed = framer.Frame(buffer, isCompleted: false, ref consumer);
            Assert.Equal(0, buffer.Slice(consumed).Length);
            return consumer.Records;
        }, TestContext.Current.CancellationToken);

        Assert.Equal(lines, records);
    }

    // Frames the whole buffer as a driver would: first half, then the unconsumed rest to the end of the stream.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run(LineFramer framer, ReadOnlySequence<byte> buffer, ReadOnlySequence<byte> firstHalf, ref CountingConsumer consumer)
    {
        framer.Reset("alloc");
        SequencePosition consumed = framer.Frame(firstHalf, isCompleted: false, ref consumer);
        framer.Frame(buffer.Slice(consumed), isCompleted: true, ref consumer);
    }

    private struct CountingConsumer : IRecordConsumer
    {
        public long Records;
        public long Bytes;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            Records++;
            Bytes += record.Length;
        }
    }

    // Tells records that are views of the input from those copied into the pool's scratch array.
    private struct ViewCheckingConsumer(byte[] input, TrackingArrayPool pool) : IRecordConsumer
    {
        public int Views;
        public int Copies;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (record.IsEmpty)
            {
                return;
            }

            if (record.Overlaps(input))
            {
                Views++;
                return;
            }

            foreach (byte[] scratch in pool.OutstandingArrays)
            {
                if (record.Overlaps(scratch))
                {
                    Copies++;
                    return;
                }
            }

            throw new InvalidOperationException("A record is neither a view of the input nor in the scratch array.");
        }
    }
}
