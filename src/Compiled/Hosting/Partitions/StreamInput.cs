using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Compiled.Connectors;
using Compiled.Connectors.Stdin;
using Compiled.Connectors.Tcp;
using Microsoft.Extensions.Logging;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// A byte-stream source (<c>tcp://</c>, <c>stdin:</c>) read on several partitions: one reader, a thread of the input's
/// own, receives the source's streams one after another into blocks, cuts each block at its last line end, and deals the
/// blocks of whole lines to the partitions, each of which runs its blocks through its fused loop on its own thread.
/// </summary>
/// <remarks>
/// <para>
/// A block goes to the partition with the fewest blocks pending (dealt and not yet run), the next one in turn on a tie:
/// a partition slowed by its keys or its sinks is dealt less, rather than holding up the reader as a strict turn would.
/// Each partition holds at most <see cref="BlocksPerPartition"/> blocks pending, and the blocks are reused: when every
/// partition holds its share, the reader stops reading, so the socket's receive window fills and TCP flow control
/// slows the sender. The reader deals the whole lines it has after each read while a partition has room; while none has,
/// it fills the block, so a stream faster than the partitions is dealt in full blocks.
/// </para>
/// <para>
/// A batch is a prefix of the stream, as on one partition: when a boundary is asked for
/// (<see cref="BoundaryAsked"/>) the reader deals nothing more, every partition runs what it was dealt, and only then
/// parks; the reader goes on when the partitions do (<see cref="PartitionsGoOn"/>). A line longer than a block grows
/// the block; one longer than the source's <c>maxRecordBytes</c> is dealt in pieces, all to one partition, whose framer
/// drops it or refuses it as on one partition. The bytes after a connection's last line end go with its last block,
/// marked as the stream's end, so that the framer keeps or drops a line cut short (<c>onPartial</c>) as on one partition.
/// </para>
/// </remarks>
internal sealed partial class StreamInput : PartitionInput
{
    /// <summary>How many blocks one partition holds at most, dealt and not yet run (the one it runs included).</summary>
    public const int BlocksPerPartition = 3;

    /// <summary>A block's first size; one grows (doubles) while a line does not fit in it.</summary>
    public const int BlockBytes = 256 * 1024;

    private readonly Source _source;
    private readonly ILogger _log;
    private readonly int _maxRecordBytes;
    // A monitor rather than a Lock: the reader and the partitions wait on it for each other (Monitor.Wait).
    private readonly object _gate = new();
    private readonly Queue<Block>[] _dealt;      // [p]: the blocks dealt to partition p and not yet taken
    private readonly int[] _pending;             // [p]: blocks dealt to partition p and not yet run
    private readonly Stack<Block> _free;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _reader;
    private int _lastDealt = -1;                 // the partition dealt last, where the next turn starts after
    private int _sticky = -1;                    // the partition a line dealt in pieces goes to, until its end
    private int _waiting;                        // partitions waiting for a block
    private bool _paused;                        // a boundary was asked for: nothing is dealt until the partitions go on
    private bool _ended;                         // the reader has dealt the source's last block (or failed)
    private bool _stopping;
    private bool _started;
    private ExceptionDispatchInfo? _failure;     // what the reader failed with; thrown once, by the partition that sees it first

    /// <summary>
    /// The input of <paramref name="source"/> (source <paramref name="index"/>) on <paramref name="partitions"/> partitions,
    /// which logs each stream it reads to <paramref name="log"/> (the run's log) as one partition's reading does.
    /// </summary>
    public StreamInput(int index, Source source, int partitions, ILogger? log = null)
        : base(index)
    {
        _source = source;
        _log = log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _maxRecordBytes = source.Framing.MaxRecordBytes;
        _dealt = new Queue<Block>[partitions];
        _pending = new int[partitions];
        _free = new Stack<Block>(partitions * BlocksPerPartition + 1);
        for (int p = 0; p < partitions; p++)
        {
            _dealt[p] = new Queue<Block>(BlocksPerPartition);
        }

        // Every partition's share, and the block the reader fills.
        for (int b = 0; b < (partitions * BlocksPerPartition) + 1; b++)
        {
            _free.Push(new Block());
        }

        _reader = new Thread(static state => ((StreamInput)state!).Receive())
        {
            IsBackground = true,
            Name = "Compiled stream reader",
        };
    }

    /// <summary>Whether <paramref name="source"/> is a byte stream this input reads: a tcp socket or standard input.</summary>
    public static bool Reads(Source source) => source is TcpSource or StdinSource;

    /// <summary>
    /// True: at every boundary the partitions together have run a prefix of the stream, as one partition would have, so
    /// the job's watermark moves on to the latest event time of them all, as one partition's would.
    /// </summary>
    public override bool EveryBoundaryEndsASection => true;

    /// <summary>A boundary is asked for: the reader deals nothing more until the partitions go on, so that each batch is a prefix of the stream.</summary>
    public override void BoundaryAsked()
    {
        lock (_gate)
        {
            _paused = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The partitions go on after a boundary (or close): the reader deals again; a partition waiting for a block looks again.</summary>
    public override void PartitionsGoOn()
    {
        lock (_gate)
        {
            _paused = false;
            Monitor.PulseAll(_gate);
        }
    }

    /// <inheritdoc />
    public override bool Read(int partition, PartitionThreads threads)
    {
        lock (_gate)
        {
            if (!_started && !_stopping)
            {
                _started = true;
                _reader.Start(this);
            }
        }

        while (true)
        {
            Block? block = null;
            bool park = false;
            lock (_gate)
            {
                while (true)
                {
                    if (_dealt[partition].TryDequeue(out block))
                    {
                        break;
                    }

                    if (_failure is { } failure)
                    {
                        // The reader failed: the first partition to see it fails the run with its error; the others end.
                        _failure = null;
                        failure.Throw();
                    }

                    if (_ended)
                    {
                        return true;
                    }

                    if (threads.Closing)
                    {
                        return false;
                    }

                    if (_paused)
                    {
                        // Everything dealt before the boundary was asked for is run: the partition parks with none pending.
                        park = true;
                        break;
                    }

                    _waiting++;
                    Monitor.Wait(_gate);
                    _waiting--;
                }
            }

            if (park)
            {
                if (!threads.ParkForBoundary(partition))
                {
                    return false;
                }

                continue;
            }

            // A block that does not go on with a line dealt in pieces starts the partition's framer afresh, at the
            // block's offset in its stream (a bad record's report gives it; a header row is only at a stream's start).
            if (!block!.Continues)
            {
                threads.BeginStream(partition, Source, block.Stream, block.Offset);
            }

            int length = block.Length;
            threads.Process(partition, Source, new ReadOnlySequence<byte>(block.Bytes, 0, length), block.Completed);
            lock (_gate)
            {
                _pending[partition]--;
                _free.Push(block);
                Monitor.PulseAll(_gate);
            }

            if (!threads.CountRead(partition, length))
            {
                return false;
            }
        }
    }

    /// <summary>Stops the reader (a wait for a connection or for bytes is cancelled) and closes the stream it reads.</summary>
    public override void Dispose()
    {
        bool started;
        lock (_gate)
        {
            _stopping = true;
            started = _started;
            Monitor.PulseAll(_gate);
        }

        _stop.Cancel();
        if (started)
        {
            _reader.Join();
        }

        _stop.Dispose();
    }

    // The reader's thread: the source's streams one after another, each received into blocks dealt to the partitions,
    // until the source ends (standard input), the input is disposed, or a read fails (the run fails with it).
    private void Receive()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                ValueTask<SourceStream?> next = _source.NextStreamAsync(_stop.Token);
                SourceStream? stream = Await(next);
                if (stream is null)
                {
                    break;
                }

                _source.Counters.Streams++;
                LogReading(stream.Name);
                try
                {
                    if (!ReceiveStream(stream))
                    {
                        return;
                    }

                    LogStreamEnded(stream.Name);
                }
                finally
                {
                    stream.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed: the run has ended.
        }
        catch (Exception error)
        {
            lock (_gate)
            {
                _failure = ExceptionDispatchInfo.Capture(error);
            }
        }
        finally
        {
            lock (_gate)
            {
                _ended = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    // One stream: its bytes copied into the block in hand, whose whole lines are dealt after each read when a partition
    // has room, and when the block is full or before the reader waits for bytes, waiting for room then; its last block,
    // with the bytes after its last line end, is dealt marked as the stream's end. False when the input was disposed.
    private bool ReceiveStream(SourceStream stream)
    {
        PipeReader reader = stream.Reader;
        Block block = TakeFree(stream.Name, 0, continues: false);
        try
        {
            while (true)
            {
                // Nothing has come yet: the whole lines in hand are dealt before the wait.
                ValueTask<ReadResult> read = reader.ReadAsync(_stop.Token);
                if (!read.IsCompleted && block.LineEnds > 0 && !Deal(ref block, block.LineEnds))
                {
                    return false;
                }

                ReadResult result = Await(read);
                ReadOnlySequence<byte> bytes = result.Buffer;
                foreach (ReadOnlyMemory<byte> segment in bytes)
                {
                    ReadOnlySpan<byte> rest = segment.Span;
                    while (!rest.IsEmpty)
                    {
                        if (block.Room == 0 && !MakeRoom(ref block))
                        {
                            return false;
                        }

                        int take = Math.Min(block.Room, rest.Length);
                        block.Append(rest[..take]);
                        rest = rest[take..];
                    }
                }

                reader.AdvanceTo(bytes.End);
                if (result.IsCompleted)
                {
                    // The stream's end: its last block goes with the bytes after its last line end, which the framer keeps
                    // or drops as a line cut short (a connection) or takes as the last line (standard input).
                    return (block.Length == 0 && _sticky < 0) || Deal(ref block, block.Length, completed: true);
                }

                // The whole lines in hand go to a partition with room at once, so that what the reader holds, which a stop
                // does not run, is at most a block while every partition has its share; with none, the block fills on.
                if (block.LineEnds > 0 && !Deal(ref block, block.LineEnds, wait: false))
                {
                    return false;
                }
            }
        }
        finally
        {
            Return(block);
        }
    }

    // The block in hand is full: its whole lines are dealt; with none, a line longer than the block grows it, and one
    // longer than the framer takes is dealt in pieces (to one partition, whose framer drops or refuses it); the rest of
    // such a line, which the framer is dropping, is dealt as it comes.
    private bool MakeRoom(ref Block block)
    {
        if (block.LineEnds > 0)
        {
            return Deal(ref block, block.LineEnds);
        }

        if (block.Length > _maxRecordBytes + 1L || block.Continues)
        {
            return Deal(ref block, block.Length, piece: true);
        }

        block.Grow(Math.Max(_maxRecordBytes + 2, block.Length + 1));
        return true;
    }

    // Deals the first `length` bytes of the block in hand to a partition, and goes on with a free block holding the rest.
    // A piece of a long line, and what follows it up to the line's end, go to the partition that has its start. Waits
    // while a boundary is asked for or every partition holds its share, unless told not to (`wait`: false), when it
    // deals nothing then. False when the input was disposed.
    private bool Deal(ref Block block, int length, bool piece = false, bool completed = false, bool wait = true)
    {
        Block next;
        lock (_gate)
        {
            int partition;
            while ((partition = Choose()) < 0 || _paused)
            {
                if (_stopping || !wait)
                {
                    return !_stopping;
                }

                Monitor.Wait(_gate);
            }

            if (_stopping)
            {
                return false;
            }

            // Partitions hold at most their share, so with room in one there is a free block (one is the reader's). The
            // bytes past `length` (a line not yet whole) move to it before the block is dealt.
            next = _free.Pop();
            next.Start(block.Stream, block.Offset + length, continues: piece);
            next.CarryFrom(block, length);
            block.Completed = completed;
            _dealt[partition].Enqueue(block);
            _pending[partition]++;
            _lastDealt = partition;
            _sticky = piece ? partition : -1;
            if (_waiting > 0)
            {
                Monitor.PulseAll(_gate);
            }
        }

        block = next;
        return true;
    }

    // The partition to deal to (under the gate): the one a long line's start went to, or the one with the fewest blocks
    // pending, the next in turn on a tie; -1 when none has room.
    private int Choose()
    {
        if (_sticky >= 0)
        {
            return _pending[_sticky] < BlocksPerPartition ? _sticky : -1;
        }

        int best = -1;
        for (int i = 1; i <= _pending.Length; i++)
        {
            int p = (_lastDealt + i) % _pending.Length;
            if (_pending[p] < BlocksPerPartition && (best < 0 || _pending[p] < _pending[best]))
            {
                best = p;
            }
        }

        return best;
    }

    // The reader's thread waits for what the source gives: one that completed at once costs no Task.
    private static T Await<T>(ValueTask<T> pending) => pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();

    private Block TakeFree(string stream, long offset, bool continues)
    {
        Block block;
        lock (_gate)
        {
            block = _free.Pop();
        }

        block.Start(stream, offset, continues);
        return block;
    }

    private void Return(Block block)
    {
        lock (_gate)
        {
            _free.Push(block);
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Reading {Stream}")]
    private partial void LogReading(string stream);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Finished reading {Stream}")]
    private partial void LogStreamEnded(string stream);

    // A block of a stream: bytes from Offset in the stream, the first LineEnds of them whole lines.
    private sealed class Block
    {
        public byte[] Bytes = GC.AllocateUninitializedArray<byte>(BlockBytes);

        /// <summary>How many bytes the block holds.</summary>
        public int Length;

        /// <summary>How many of them end at a line end: the block's whole lines (0: none).</summary>
        public int LineEnds;

        /// <summary>The stream the bytes are of.</summary>
        public string Stream = "";

        /// <summary>The offset of the block's first byte in its stream.</summary>
        public long Offset;

        /// <summary>Whether the block goes on with a line whose start was dealt in an earlier block (the framer is not started afresh).</summary>
        public bool Continues;

        /// <summary>Whether the block is its stream's last.</summary>
        public bool Completed;

        public int Room => Bytes.Length - Length;

        public void Start(string stream, long offset, bool continues)
        {
            Stream = stream;
            Offset = offset;
            Continues = continues;
            Completed = false;
            Length = 0;
            LineEnds = 0;
        }

        // Appends bytes that fit, noting the last line end among them.
        public void Append(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(Bytes.AsSpan(Length));
            int last = bytes.LastIndexOf((byte)'\n');
            Length += bytes.Length;
            if (last >= 0)
            {
                LineEnds = Length - bytes.Length + last + 1;
            }
        }

        // Takes the bytes of `from` past its first `start` (a line not yet whole), growing to hold them.
        public void CarryFrom(Block from, int start)
        {
            int count = from.Length - start;
            if (count > Bytes.Length)
            {
                Grow(count);
            }

            from.Bytes.AsSpan(start, count).CopyTo(Bytes);
            Length = count;
            LineEnds = 0;
            from.Length = start;
        }

        // Grows the block to hold at least `bytes`, doubling, keeping what it holds.
        public void Grow(long bytes)
        {
            long size = Bytes.Length;
            while (size < bytes)
            {
                size *= 2;
            }

            byte[] grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(size, Array.MaxLength));
            Bytes.AsSpan(0, Length).CopyTo(grown);
            Bytes = grown;
        }
    }
}
