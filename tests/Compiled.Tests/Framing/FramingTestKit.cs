using System.Buffers;
using System.IO.Pipelines;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled.Tests.Framing;

/// <summary>What framing one whole stream produced: the records, the counters, and the error if it failed.</summary>
internal sealed record FramingOutcome(List<byte[]> Records, long OversizeSkipped, RecordTooLongException? Error, long Bytes, long Counted)
{
    /// <summary>How many of the buffers the framer was given had more than one segment.</summary>
    public int MultiSegmentReads { get; init; }
}

/// <summary>What the naive reference splitter says a stream holds.</summary>
internal sealed record ReferenceOutcome(List<byte[]> Records, List<long> OversizeOffsets);

/// <summary>
/// The spec, written as plainly as possible, with no buffers, segments or state: the test compares the
/// framer against it. A record is the bytes before a '\n', minus one '\r' just before the '\n'; the bytes
/// after the last '\n' are a final record, kept as they are.
/// </summary>
internal static class ReferenceSplitter
{
    public static ReferenceOutcome Split(byte[] input, int maxRecordBytes)
    {
        var records = new List<byte[]>();
        var oversize = new List<long>();
        int start = 0;
        for (int i = 0; i < input.Length; i++)
        {
            if (input[i] != (byte)'\n')
            {
                continue;
            }

            int end = i;
            if (end > start && input[end - 1] == (byte)'\r')
            {
                end--;
            }

            Add(input[start..end], start);
            start = i + 1;
        }

        if (start < input.Length)
        {
            Add(input[start..], start);
        }

        return new ReferenceOutcome(records, oversize);

        void Add(byte[] record, long offset)
        {
            if (record.Length > maxRecordBytes)
            {
                oversize.Add(offset);
            }
            else
            {
                records.Add(record);
            }
        }
    }
}

/// <summary>A consumer that copies every record it is given into a list.</summary>
internal struct CollectingConsumer(List<byte[]> records) : IRecordConsumer
{
    public readonly void OnRecord(ReadOnlySpan<byte> record) => records.Add(record.ToArray());
}

/// <summary>A segment of a hand-built <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory, TestSegment? previous)
    {
        Memory = memory;
        if (previous is not null)
        {
            RunningIndex = previous.RunningIndex + previous.Memory.Length;
            previous.Next = this;
        }
    }

    /// <summary>Builds a sequence of the given pieces, in order; empty pieces become empty segments.</summary>
    public static ReadOnlySequence<byte> Sequence(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        if (pieces.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new TestSegment(pieces[0], null);
        TestSegment last = first;
        for (int i = 1; i < pieces.Count; i++)
        {
            last = new TestSegment(pieces[i], last);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Cuts <paramref name="bytes"/> into segments at <paramref name="cuts"/> (ascending indexes, repeats make empty segments).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, IEnumerable<int> cuts)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        int start = 0;
        foreach (int cut in cuts)
        {
            // Each segment gets its own array, as a pipe's would: a bug that reads past a segment's end
            // then reads bytes that are not the stream's next bytes.
            pieces.Add(bytes[start..cut]);
            start = cut;
        }

        pieces.Add(bytes[start..]);
        return Sequence(pieces);
    }

    /// <summary>Cuts <paramref name="bytes"/> into segments of <paramref name="size"/> bytes.</summary>
    public static ReadOnlySequence<byte> Chunked(byte[] bytes, int size)
    {
        var cuts = new List<int>();
        for (int cut = size; cut < bytes.Length; cut += size)
        {
            cuts.Add(cut);
        }

        return Split(bytes, cuts);
    }
}

/// <summary>
/// A <see cref="MemoryPool{T}"/> whose blocks are exactly the size asked for, so a <see cref="Pipe"/> with a
/// tiny minimum segment size really hands out tiny segments.
/// </summary>
internal sealed class ExactMemoryPool : MemoryPool<byte>
{
    public override int MaxBufferSize => 1 << 20;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Block(minBufferSize <= 0 ? 16 : minBufferSize);

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(int size) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = new byte[size];

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// An <see cref="ArrayPool{T}"/> that remembers which arrays are out, so a test can prove a framer returns
/// what it rents and never holds more than one array at a time.
/// </summary>
internal sealed class TrackingArrayPool : ArrayPool<byte>
{
    private readonly HashSet<byte[]> _outstanding = new(ReferenceEqualityComparer.Instance);

    public int Rents { get; private set; }

    public int Returns { get; private set; }

    public int MaxOutstanding { get; private set; }

    public int Outstanding => _outstanding.Count;

    public IReadOnlyCollection<byte[]> OutstandingArrays => _outstanding;

    public override byte[] Rent(int minimumLength)
    {
        var array = new byte[minimumLength];
        _outstanding.Add(array);
        Rents++;
        MaxOutstanding = Math.Max(MaxOutstanding, _outstanding.Count);
        return array;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        if (!_outstanding.Remove(array))
        {
            throw new InvalidOperationException("An array was returned that was not rented from this pool, or was returned twice.");
        }

        Returns++;
    }
}

/// <summary>Runs a framer over a stream the way the pipeline's read loop does.</summary>
internal static class FramingDriver
{
    /// <summary>
    /// Writes <paramref name="chunks"/> into a real <see cref="Pipe"/> one by one, flushing each, and after each
    /// flush reads as the driver loop does: ReadAsync, Frame, AdvanceTo(consumed, buffer.End). Then completes
    /// the writer and frames the rest with <c>isCompleted</c>.
    /// </summary>
    /// <param name="segmentSize">The pipe's minimum segment size: small values make records straddle segments.</param>
    public static async Task<FramingOutcome> ThroughPipeAsync(
        IReadOnlyList<byte[]> chunks, FramingOptions options, int segmentSize, string streamName = "test://stream", Action<long>? afterFrame = null)
    {
        var pipe = new Pipe(new PipeOptions(
            pool: new ExactMemoryPool(),
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            minimumSegmentSize: segmentSize,
            useSynchronizationContext: false));
        var counters = new SourceCounters();
        var records = new List<byte[]>();
        var consumer = new CollectingConsumer(records);
        using var framer = new LineFramer(options, counters);
        framer.Reset(streamName);
        RecordTooLongException? error = null;
        int multiSegment = 0;
        try
        {
            foreach (byte[] chunk in chunks)
            {
                await pipe.Writer.WriteAsync(chunk);
                if (await ReadOnceAsync() is true)
                {
                    throw new InvalidOperationException("The pipe completed before the writer did.");
                }
            }

            await pipe.Writer.CompleteAsync();
            if (await ReadOnceAsync() is not true)
            {
                throw new InvalidOperationException("The pipe did not report completion after the writer completed.");
            }
        }
        catch (RecordTooLongException e)
        {
            error = e;
        }

        await pipe.Reader.CompleteAsync();
        return new FramingOutcome(records, counters.OversizeSkipped, error, counters.Bytes, counters.Records) { MultiSegmentReads = multiSegment };

        async Task<bool> ReadOnceAsync()
        {
            ReadResult result = await pipe.Reader.ReadAsync();
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition consumed = buffer.Start;
            long unconsumed;
            multiSegment += buffer.IsSingleSegment ? 0 : 1;
            try
            {
                consumed = framer.Frame(buffer, result.IsCompleted, ref consumer);
                unconsumed = buffer.Slice(consumed).Length;
            }
            finally
            {
                // The buffer is not touched after this: the pipe may reuse its segments.
                pipe.Reader.AdvanceTo(consumed, buffer.End);
            }

            afterFrame?.Invoke(unconsumed);
            return result.IsCompleted;
        }
    }

    /// <summary>
    /// Feeds <paramref name="chunks"/> as hand-built sequences: each call's buffer is what the previous call
    /// left unconsumed (still in its old segments, sliced where the framer stopped) followed by the next chunk
    /// cut into segments at random points (empty segments included). The last call has <c>isCompleted</c>.
    /// </summary>
    /// <param name="finalChunkCompletes">Whether the last chunk comes with <c>isCompleted</c>, or in a call of its own before an empty completing read.</param>
    /// <param name="afterFrame">Called after each Frame with the number of bytes left unconsumed.</param>
    public static FramingOutcome ThroughSequences(
        IReadOnlyList<byte[]> chunks, FramingOptions options, Random random, bool finalChunkCompletes,
        string streamName = "test://stream", LineFramer? framer = null, SourceCounters? counters = null, Action<long>? afterFrame = null)
    {
        counters ??= new SourceCounters();
        var records = new List<byte[]>();
        var consumer = new CollectingConsumer(records);
        bool own = framer is null;
        framer ??= new LineFramer(options, counters);
        framer.Reset(streamName);
        var pending = new List<ReadOnlyMemory<byte>>();
        RecordTooLongException? error = null;
        try
        {
            for (int i = 0; i < chunks.Count; i++)
            {
                byte[] chunk = chunks[i];
                AddSplit(pending, chunk, random);
                bool last = i == chunks.Count - 1;
                FrameOnce(completed: last && finalChunkCompletes);
            }

            if (!finalChunkCompletes || chunks.Count == 0)
            {
                FrameOnce(completed: true);
            }
        }
        catch (RecordTooLongException e)
        {
            error = e;
        }
        finally
        {
            if (own)
            {
                framer.Dispose();
            }
        }

        return new FramingOutcome(records, counters.OversizeSkipped, error, counters.Bytes, counters.Records);

        void FrameOnce(bool completed)
        {
            ReadOnlySequence<byte> buffer = TestSegment.Sequence(pending);
            SequencePosition consumed = framer.Frame(buffer, completed, ref consumer);
            long unconsumed = buffer.Slice(consumed).Length;
            Drop(pending, buffer.Length - unconsumed);
            afterFrame?.Invoke(unconsumed);
        }
    }

    /// <summary>Frames one buffer holding the whole stream, with <c>isCompleted</c>.</summary>
    public static FramingOutcome ThroughOneSequence(ReadOnlySequence<byte> buffer, FramingOptions options, string streamName = "test://stream")
    {
        var counters = new SourceCounters();
        var records = new List<byte[]>();
        var consumer = new CollectingConsumer(records);
        using var framer = new LineFramer(options, counters);
        framer.Reset(streamName);
        RecordTooLongException? error = null;
        try
        {
            SequencePosition consumed = framer.Frame(buffer, isCompleted: true, ref consumer);
            if (buffer.Slice(consumed).Length != 0)
            {
                throw new InvalidOperationException("The framer left bytes unconsumed at the end of the stream.");
            }
        }
        catch (RecordTooLongException e)
        {
            error = e;
        }

        return new FramingOutcome(records, counters.OversizeSkipped, error, counters.Bytes, counters.Records);
    }

    // Appends a chunk as one to four segments, sometimes with an empty segment between them.
    private static void AddSplit(List<ReadOnlyMemory<byte>> pending, byte[] chunk, Random random)
    {
        int start = 0;
        while (start < chunk.Length)
        {
            int length = random.Next(4) == 0 ? chunk.Length - start : random.Next(1, chunk.Length - start + 1);
            pending.Add(chunk.AsMemory(start, length));
            start += length;
            if (random.Next(8) == 0)
            {
                pending.Add(ReadOnlyMemory<byte>.Empty);
            }
        }
    }

    // Drops what the framer consumed from the front, keeping the rest in its segments as a pipe does.
    private static void Drop(List<ReadOnlyMemory<byte>> pending, long count)
    {
        while (count > 0)
        {
            if (pending[0].Length <= count)
            {
                count -= pending[0].Length;
                pending.RemoveAt(0);
            }
            else
            {
                pending[0] = pending[0][(int)count..];
                count = 0;
            }
        }
    }
}

/// <summary>Random inputs and chunkings for the property tests.</summary>
internal static class RandomStreams
{
    /// <summary>Random bytes with a mix of '\n', "\r\n", lone '\r', empty lines and non-ASCII bytes; sometimes with a final newline.</summary>
    public static byte[] Input(Random random, int maxLength)
    {
        int length = random.Next(maxLength + 1);
        var bytes = new List<byte>(length + 2);
        while (bytes.Count < length)
        {
            switch (random.Next(12))
            {
                case 0:
                case 1:
                    bytes.Add((byte)'\n');
                    break;
                case 2:
                    bytes.Add((byte)'\r');
                    bytes.Add((byte)'\n');
                    break;
                case 3:
                    bytes.Add((byte)'\r');
                    break;
                case 4:
                    bytes.Add((byte)random.Next(0x80, 0x100));
                    break;
                case 5:
                    // A run of empty lines, some with CRLF.
                    for (int n = random.Next(1, 4); n > 0; n--)
                    {
                        if (random.Next(2) == 0)
                        {
                            bytes.Add((byte)'\r');
                        }

                        bytes.Add((byte)'\n');
                    }

                    break;
                default:
                    bytes.Add((byte)random.Next('a', 'z' + 1));
                    break;
            }
        }

        // Some streams end exactly at a terminator, some in the middle of a record, some in a '\r'.
        switch (random.Next(4))
        {
            case 0:
                bytes.Add((byte)'\n');
                break;
            case 1:
                bytes.Add((byte)'\r');
                break;
        }

        return [.. bytes];
    }

    /// <summary>Cuts <paramref name="input"/> into chunks of <paramref name="minChunk"/> to <paramref name="maxChunk"/> bytes.</summary>
    public static List<byte[]> Chunks(Random random, byte[] input, int minChunk = 1, int maxChunk = 7)
    {
        var chunks = new List<byte[]>();
        int start = 0;
        while (start < input.Length)
        {
            int length = Math.Min(random.Next(minChunk, maxChunk + 1), input.Length - start);
            chunks.Add(input[start..(start + length)]);
            start += length;
        }

        return chunks;
    }

    /// <summary>Renders bytes so a failure message shows them: printable ASCII as is, the rest escaped.</summary>
    public static string Show(byte[] bytes)
    {
        var text = new System.Text.StringBuilder(bytes.Length + 2);
        text.Append('"');
        foreach (byte b in bytes)
        {
            text.Append(b switch
            {
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\x{b:X2}",
            });
        }

        return text.Append('"').ToString();
    }

    /// <summary>Renders records for a failure message.</summary>
    public static string Show(IEnumerable<byte[]> records) => "[" + string.Join(", ", records.Select(Show)) + "]";
}
