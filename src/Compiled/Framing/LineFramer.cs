using System.Buffers;
using System.Runtime.CompilerServices;
using Compiled.Connectors;

namespace Compiled.Framing;

/// <summary>
/// Cuts newline-delimited records out of the buffers a <see cref="System.IO.Pipelines.PipeReader"/> returns
/// and hands each to a consumer. A record is the bytes before a <c>\n</c>; a <c>\r</c> just before the
/// <c>\n</c> belongs to the terminator. Empty lines are empty records. When the stream ends, bytes after the
/// last <c>\n</c> are a final record, or a record cut short that is counted and kept or dropped
/// (<see cref="FramingOptions.Partial"/>). A record that lies in one buffer segment is passed as a view of it;
/// one that straddles segments is copied once into a pooled scratch buffer (one over 1 MiB into an array of its
/// own size, released after it), so a consumer always sees one contiguous span. Memory is bounded by
/// <see cref="FramingOptions.MaxRecordBytes"/>: a record costs about twice its size while it is handed on.
/// </summary>
/// <remarks>
/// One framer serves one source at a time, from one thread: <see cref="Reset(string)"/> at the start of each
/// stream, then <see cref="Frame{TConsumer}"/> for each read, advancing the reader to the position it returns.
/// </remarks>
public sealed class LineFramer : IDisposable
{
    // The longest record copied into the pooled scratch array; a longer one gets an array of its own size.
    private const int PooledScratchLimit = FramingOptions.DefaultMaxRecordBytes;

    private readonly int _maxRecordBytes;
    private readonly bool _skipOversize;
    private readonly PartialRecordPolicy _partial;
    private readonly SourceCounters _counters;
    private readonly ArrayPool<byte> _pool;
    private string _streamName = "";
    private long _offset;          // stream offset of the first byte not yet consumed
    private long _scanned;         // leading unconsumed bytes already searched, known to hold no '\n'
    private long _recordStart;     // index, in the buffer being framed, of the record handed to the consumer last
    private bool _skipping;        // inside an oversize record that is being dropped, until its '\n'
    private byte[]? _scratch;

    /// <summary>Creates a framer with the given limits, counting into <paramref name="counters"/>.</summary>
    /// <param name="options">The longest record accepted and what to do with a longer one.</param>
    /// <param name="counters">Where records, bytes and skipped records are counted.</param>
    /// <param name="pool">
    /// Where the scratch buffer for records that straddle segments comes from; <see cref="ArrayPool{T}.Shared"/>
    /// when <see langword="null"/>. The framer holds at most one array of it at a time and returns it on <see cref="Dispose"/>.
    /// </param>
    public LineFramer(FramingOptions options, SourceCounters counters, ArrayPool<byte>? pool = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRecordBytes, 1);
        _maxRecordBytes = options.MaxRecordBytes;
        _skipOversize = options.Oversize == OversizePolicy.Skip;
        _partial = options.Partial;
        _counters = counters;
        _pool = pool ?? ArrayPool<byte>.Shared;
    }

    /// <summary>The byte offset, in the current stream, of the first byte not yet consumed.</summary>
    public long Offset => _offset;

    /// <summary>The name of the stream being framed (a file's path, a connection's peer), as given to <see cref="Reset(string)"/>.</summary>
    public string StreamName => _streamName;

    /// <summary>
    /// The byte offset, in the current stream, of the record the consumer is being handed: read while the consumer runs
    /// (a bad record's report, an error), not after <see cref="Frame"/> returns.
    /// </summary>
    public long RecordOffset => _offset + _recordStart;

    /// <summary>Starts a new stream: offsets count from 0 again and error messages name <paramref name="streamName"/>.</summary>
    public void Reset(string streamName) => Reset(streamName, 0);

    /// <summary>Starts a new stream whose first byte is <paramref name="offset"/> bytes into it (a byte range of a file): offsets count from there.</summary>
    public void Reset(string streamName, long offset)
    {
        _streamName = streamName;
        _offset = offset;
        _scanned = 0;
        _skipping = false;
        _counters.DroppingBytes = 0;
    }

    /// <summary>
    /// Hands every whole record in <paramref name="buffer"/> to <paramref name="consumer"/>, and when
    /// <paramref name="isCompleted"/> the final record too. Returns the position up to which the buffer was
    /// consumed: the start of the first incomplete record. Pass it to <c>AdvanceTo(consumed, buffer.End)</c>.
    /// </summary>
    /// <exception cref="RecordTooLongException">A record is too long and the policy is <see cref="OversizePolicy.Fail"/>.</exception>
    /// <remarks>
    /// The loop, with the consumer's fused loop inlined into it, runs as code compiled ahead of time where the program's
    /// build precompiled it (<see cref="LoopsPrecompiled"/>), and otherwise as code the JIT compiles fully optimised at
    /// its first call.
    /// </remarks>
    public SequencePosition Frame<TConsumer>(in ReadOnlySequence<byte> buffer, bool isCompleted, ref TConsumer consumer)
        where TConsumer : struct, IRecordConsumer =>
        LoopsPrecompiled ? FramePrecompiled(in buffer, isCompleted, ref consumer) : FrameOptimized(in buffer, isCompleted, ref consumer);

    /// <summary>
    /// Whether the program's build compiled each source's loop ahead of time (<c>CompiledReadyToRun</c> in a Release
    /// build: a composite ReadyToRun image of the program and Compiled.dll for this machine's instruction sets, which
    /// sets the runtime option <c>Compiled.LoopsPrecompiled</c>). The JIT then compiles no loop at start-up.
    /// </summary>
    public static bool LoopsPrecompiled { get; } = AppContext.TryGetSwitch("Compiled.LoopsPrecompiled", out bool on) && on;

    // The loop as the JIT compiles it: fully optimised at its first call. Under the JIT's tiering it would start as tier-0
    // code: it is called once per read, and on a 64 KiB read its loop runs about a thousand times, too few for on-stack
    // replacement, while call counting waits for start-up to go quiet, so a 64 MiB word count ran to its end in tier-0
    // code (benchmarks/results/end-to-end/1-yardstick-partitions-windows.md, "What tiering costs the JIT build").
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private SequencePosition FrameOptimized<TConsumer>(in ReadOnlySequence<byte> buffer, bool isCompleted, ref TConsumer consumer)
        where TConsumer : struct, IRecordConsumer => FrameLines(in buffer, isCompleted, ref consumer);

    // The loop as a ReadyToRun image holds it: the ahead-of-time compiler leaves out a method marked for aggressive
    // optimisation, so this one is not.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private SequencePosition FramePrecompiled<TConsumer>(in ReadOnlySequence<byte> buffer, bool isCompleted, ref TConsumer consumer)
        where TConsumer : struct, IRecordConsumer => FrameLines(in buffer, isCompleted, ref consumer);

    // The loop itself, inlined into both.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SequencePosition FrameLines<TConsumer>(in ReadOnlySequence<byte> buffer, bool isCompleted, ref TConsumer consumer)
        where TConsumer : struct, IRecordConsumer
    {
        int max = _maxRecordBytes;
        long records = 0;
        long recordStart = 0;       // index in the buffer of the current record's first byte
        long segmentStart = 0;      // index in the buffer of the current segment's first byte
        long unscanned = _scanned;  // bytes at the buffer's start that need no search
        bool skipping = _skipping;

        // Where the current record starts, as a position: a record that straddles segments is sliced from
        // here, and the caller is handed it back. Seeking from the buffer's start instead would walk every
        // segment before the record, which makes a long buffer of small segments quadratic.
        SequencePosition recordPosition = buffer.Start;

        SequencePosition cursor = buffer.Start;
        while (true)
        {
            SequencePosition segmentPosition = cursor;
            if (!buffer.TryGet(ref cursor, out ReadOnlyMemory<byte> memory))
            {
                break;
            }

            // The current record within this segment, by an int offset the loop keeps in a register. Every record before
            // it ended in an earlier segment, so it starts at the segment's first byte, unless it began in an earlier
            // segment (it straddles them), which only the segment's first record can.
            ReadOnlySpan<byte> span = memory.Span;
            bool straddles = recordStart < segmentStart;
            int recordAt = 0;
            if (!straddles)
            {
                recordPosition = segmentPosition;
            }

            int searchFrom = 0;
            if (unscanned > 0)
            {
                searchFrom = (int)Math.Min(unscanned, span.Length);
                unscanned -= searchFrom;
            }

            LineEnds lineEnds = new();
            while (true)
            {
                // A consumer that counts fields has them counted in the pass that finds the line's end, when that pass starts
                // at the record's first byte in this segment (not part-way, after an earlier call's search).
                int newline;
                int fields = 0;
                if (TConsumer.FieldSeparator >= 0)
                {
                    newline = lineEnds.NextCounting(span, searchFrom, (byte)TConsumer.FieldSeparator, out int separators, out bool quote);
                    fields = straddles || searchFrom != recordAt ? 0 : quote ? -1 : separators + 1;
                }
                else
                {
                    newline = lineEnds.Next(span, searchFrom);
                }

                if (newline < 0)
                {
                    break;
                }

                if (skipping)
                {
                    // The '\n' that ends a dropped record: what follows is a fresh record.
                    skipping = false;
                }
                else if (!straddles)
                {
                    // The record lies in this segment: pass a view of it.
                    ReadOnlySpan<byte> record = span.Slice(recordAt, newline - recordAt);
                    if (record.Length != 0 && record[^1] == (byte)'\r')
                    {
                        record = record[..^1];
                    }

                    if (record.Length <= max)
                    {
                        _recordStart = segmentStart + recordAt;
                        if (fields != 0)
                        {
                            consumer.OnRecord(record, fields);
                        }
                        else
                        {
                            consumer.OnRecord(record);
                        }

                        records++;
                    }
                    else
                    {
                        Oversize(segmentStart + recordAt);
                    }
                }
                else
                {
                    // The record straddles segments: copy it once into the scratch buffer.
                    long length = segmentStart + newline - recordStart;
                    records += EmitStraddling(buffer, recordPosition, recordStart, length, trimCarriageReturn: true, ref consumer);
                }

                straddles = false;
                recordAt = newline + 1;
                searchFrom = newline + 1;
            }

            if (!straddles)
            {
                recordStart = segmentStart + recordAt;

                // A record that starts inside this segment runs on past it: remember its position (one short seek
                // within the segment). One that starts exactly at the next segment is picked up there.
                if (recordAt > 0 && recordAt < span.Length)
                {
                    recordPosition = buffer.GetPosition(recordAt, segmentPosition);
                }
            }

            segmentStart += span.Length;
        }

        long remainder = buffer.Length - recordStart;
        long dropping = 0;
        if (skipping)
        {
            // Still inside a dropped record (no '\n' in the whole buffer): drop what arrived of it too.
            recordStart = buffer.Length;
            skipping = !isCompleted;
            dropping = skipping ? _counters.DroppingBytes + buffer.Length : 0;
        }
        else if (isCompleted)
        {
            if (remainder > 0)
            {
                records += EmitLast(buffer, recordPosition, recordStart, remainder, ref consumer);
                recordStart = buffer.Length;
            }
        }
        else if (remainder > max + 1L)
        {
            // No '\n' within the limit (one byte more is allowed for a '\r' whose '\n' has not come yet).
            Oversize(recordStart);
            dropping = remainder;
            recordStart = buffer.Length;
            skipping = true;
        }

        _skipping = skipping;
        _counters.DroppingBytes = dropping;
        _scanned = buffer.Length - recordStart;
        _offset += recordStart;
        _counters.Records += records;
        _counters.Bytes += recordStart;
        return recordStart == buffer.Length ? buffer.End : recordPosition;
    }

    // The bytes after the stream's last '\n': its last line, or a record cut short, kept or dropped and counted.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int EmitLast<TConsumer>(in ReadOnlySequence<byte> buffer, SequencePosition startPosition, long start, long length, ref TConsumer consumer)
        where TConsumer : struct, IRecordConsumer
    {
        if (_partial == PartialRecordPolicy.LastLine)
        {
            return EmitStraddling(buffer, startPosition, start, length, trimCarriageReturn: false, ref consumer);
        }

        _counters.PartialRecords++;
        return _partial == PartialRecordPolicy.Keep ? EmitStraddling(buffer, startPosition, start, length, trimCarriageReturn: false, ref consumer) : 0;
    }

    /// <summary>Returns the scratch buffer to the pool.</summary>
    public void Dispose()
    {
        byte[]? scratch = _scratch;
        _scratch = null;
        if (scratch is not null)
        {
            _pool.Return(scratch);
        }
    }

    // Emits a record that is not known to lie in one segment (it straddles segments, or it is the final
    // record of the stream); it starts at startPosition, which is index start of the buffer. Returns the
    // number of records emitted: 0 or 1.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int EmitStraddling<TConsumer>(
        in ReadOnlySequence<byte> buffer, SequencePosition startPosition, long start, long length, bool trimCarriageReturn, ref TConsumer consumer)
        where TConsumer : struct, IRecordConsumer
    {
        if (length > _maxRecordBytes + (trimCarriageReturn ? 1L : 0L))
        {
            Oversize(start);
            return 0;
        }

        ReadOnlySequence<byte> slice = buffer.Slice(startPosition, length);
        ReadOnlySpan<byte> record;
        if (slice.IsSingleSegment)
        {
            record = slice.FirstSpan;
        }
        else if (length <= PooledScratchLimit)
        {
            byte[] scratch = RentScratch((int)length);
            slice.CopyTo(scratch);
            record = scratch.AsSpan(0, (int)length);
        }
        else
        {
            // A record larger than the pooled scratch gets an array of exactly its size, dropped once the record has been
            // handed on: a pool would round it up to the next power of two (up to twice the record) and keep it for the
            // rest of the run. With the segments it was read into, the record then costs twice its size while it is
            // handed on, and nothing after.
            byte[] large = GC.AllocateUninitializedArray<byte>((int)length);
            slice.CopyTo(large);
            record = large;
        }

        if (trimCarriageReturn && record.Length != 0 && record[^1] == (byte)'\r')
        {
            record = record[..^1];
        }

        if (record.Length > _maxRecordBytes)
        {
            Oversize(start);
            return 0;
        }

        _recordStart = start;
        consumer.OnRecord(record);
        return 1;
    }

    private byte[] RentScratch(int length)
    {
        byte[]? scratch = _scratch;
        if (scratch is null || scratch.Length < length)
        {
            if (scratch is not null)
            {
                _pool.Return(scratch);
            }

            scratch = _pool.Rent(Math.Max(length, 256));
            _scratch = scratch;
        }

        return scratch;
    }

    // A record is too long: fail, or count it and let the caller drop it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Oversize(long startInBuffer)
    {
        if (!_skipOversize)
        {
            throw new RecordTooLongException(_streamName, _offset + startInBuffer, _maxRecordBytes);
        }

        _counters.OversizeSkipped++;
    }
}
