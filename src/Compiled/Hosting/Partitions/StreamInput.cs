using System.Buffers;
using System.IO.Pipelines;
using Compiled.Connectors;
using Compiled.Connectors.Stdin;
using Compiled.Connectors.Tcp;
using Microsoft.Extensions.Logging;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// A byte-stream source (<c>tcp://</c>, <c>stdin:</c>) read on several partitions: one reader, a thread of the input's
/// own, receives the source's streams one after another into blocks (a connection straight from its socket, so that each
/// byte is copied once, by the kernel), cuts each block at its last line end, and deals the blocks of whole lines to the
/// partitions (<see cref="DealingInput{TPiece}"/>), each of which runs its blocks through
/// its fused loop on its own thread.
/// </summary>
/// <remarks>
/// <para>
/// Each partition holds at most <see cref="BlocksPerPartition"/> blocks pending, and the blocks are reused: when every
/// partition holds its share, the reader stops reading, so the socket's receive window fills and TCP flow control slows
/// the sender. The reader deals the whole lines it has after each read while a partition has room; while none has, it
/// fills the block, so a stream faster than the partitions is dealt in full blocks.
/// </para>
/// <para>
/// A batch is a prefix of the stream, as on one partition (see <see cref="DealingInput{TPiece}"/>). A line longer than a
/// block grows the block; one longer than the source's <c>maxRecordBytes</c> is dealt in pieces, all to one partition,
/// whose framer drops it or refuses it as on one partition. The bytes after a connection's last line end go with its
/// last block, marked as the stream's end, so that the framer keeps or drops a line cut short (<c>onPartial</c>) as on
/// one partition.
/// </para>
/// </remarks>
internal sealed partial class StreamInput : DealingInput<StreamInput.Block>
{
    /// <summary>How many blocks one partition holds at most, dealt and not yet run (the one it runs included).</summary>
    public const int BlocksPerPartition = 3;

    /// <summary>A block's first size; one grows (doubles) while a line does not fit in it.</summary>
    public const int BlockBytes = 256 * 1024;

    private readonly Source _source;
    private readonly ILogger _log;
    private readonly int _maxRecordBytes;
    private readonly Stack<Block> _free;         // under the gate
    private int _sticky = -1;                    // the partition a line dealt in pieces goes to, until its end

    /// <summary>
    /// The input of <paramref name="source"/> (source <paramref name="index"/>) on <paramref name="partitions"/> partitions,
    /// which logs each stream it reads to <paramref name="log"/> (the run's log) as one partition's reading does.
    /// </summary>
    public StreamInput(int index, Source source, int partitions, ILogger? log = null)
        : base(index, partitions, BlocksPerPartition, "Compiled stream reader")
    {
        _source = source;
        _log = log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _maxRecordBytes = source.Framing.MaxRecordBytes;
        _free = new Stack<Block>(partitions * BlocksPerPartition + 1);

        // Every partition's share, and the block the reader fills.
        for (int b = 0; b < (partitions * BlocksPerPartition) + 1; b++)
        {
            _free.Push(new Block());
        }
    }

    /// <summary>Whether <paramref name="source"/> is a byte stream this input reads: a tcp socket or standard input.</summary>
    public static bool Reads(Source source) => source is TcpSource or StdinSource;

    /// <summary>
    /// Runs a block through the partition's loop. A block that does not go on with a line dealt in pieces starts the
    /// partition's framer afresh, at the block's offset in its stream (a bad record's report gives it; a header row is
    /// only at a stream's start).
    /// </summary>
    protected override long Run(int partition, PartitionThreads threads, Block block)
    {
        if (!block.Continues)
        {
            threads.BeginStream(partition, Source, block.Stream, block.Offset);
        }

        int length = block.Length;
        threads.Process(partition, Source, new ReadOnlySequence<byte>(block.Bytes, 0, length), block.Completed);
        return length;
    }

    /// <summary>The block is run: it is free for the reader.</summary>
    protected override void Ran(int partition, Block block) => _free.Push(block);

    // The reader's thread: the source's streams one after another, each received into blocks dealt to the partitions,
    // until the source ends (standard input), the input is disposed, or a read fails (the run fails with it).
    protected override void Receive()
    {
        while (!Stopping.IsCancellationRequested)
        {
            ValueTask<SourceStream?> next = _source.NextStreamAsync(Stopping);
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

    // One stream, received into the block in hand (a connection's straight from its socket, any other's copied from its
    // pipe's reads): the whole lines in hand are dealt after each receive when a partition has room, and, waiting for room
    // then, when the block is full or before the reader waits for bytes; its last block, with the bytes after its last
    // line end, is dealt marked as the stream's end, which the framer keeps or drops as a line cut short (a connection)
    // or takes as the last line (standard input). False when the input was disposed.
    private bool ReceiveStream(SourceStream stream)
    {
        StreamBytes bytes = stream.Reader is TcpConnectionReader connection ? new ConnectionBytes(connection) : new PipeBytes(stream.Reader);
        Block block = TakeFree(stream.Name, 0, continues: false);
        try
        {
            while (true)
            {
                if (block.Room == 0 && !MakeRoom(ref block))
                {
                    return false;
                }

                int received = bytes.TryNow(block.RoomBytes, Stopping);
                if (received < 0)
                {
                    // Nothing has come yet: the whole lines in hand are dealt before the wait.
                    if (block.LineEnds > 0 && !Deal(ref block, block.LineEnds))
                    {
                        return false;
                    }

                    if (block.Room == 0 && !MakeRoom(ref block))
                    {
                        return false;
                    }

                    received = bytes.Wait(block.RoomBytes, Stopping);
                }

                if (received == 0)
                {
                    return (block.Length == 0 && _sticky < 0) || Deal(ref block, block.Length, completed: true);
                }

                block.Received(received);

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
        lock (Gate)
        {
            int partition = AwaitRoom(_sticky, wait);
            if (partition < 0)
            {
                return !IsStopping;
            }

            // Partitions hold at most their share, so with room in one there is a free block (one is the reader's). The
            // bytes past `length` (a line not yet whole) move to it before the block is dealt.
            next = _free.Pop();
            next.Start(block.Stream, block.Offset + length, continues: piece);
            next.CarryFrom(block, length);
            block.Completed = completed;
            Deal(partition, block);
            _sticky = piece ? partition : -1;
        }

        block = next;
        return true;
    }

    private Block TakeFree(string stream, long offset, bool continues)
    {
        Block block;
        lock (Gate)
        {
            block = _free.Pop();
        }

        block.Start(stream, offset, continues);
        return block;
    }

    private void Return(Block block)
    {
        lock (Gate)
        {
            _free.Push(block);
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Reading {Stream}")]
    private partial void LogReading(string stream);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Finished reading {Stream}")]
    private partial void LogStreamEnded(string stream);

    // How the reader takes a stream's bytes into the block in hand. TryNow: the bytes that are there now (a connection's
    // within a millisecond), how many, 0 at the stream's end, -1 when none are; Wait: waits for bytes, then takes them.
    private abstract class StreamBytes
    {
        public abstract int TryNow(Span<byte> room, CancellationToken stop);

        public abstract int Wait(Span<byte> room, CancellationToken stop);
    }

    // A connection without a write-ahead log: received straight into the block, so that each byte is copied once, by the kernel.
    private sealed class ConnectionBytes(TcpConnectionReader connection) : StreamBytes
    {
        public override int TryNow(Span<byte> room, CancellationToken stop) => connection.TryReceiveNow(room);

        public override int Wait(Span<byte> room, CancellationToken stop) => connection.Receive(room, stop);
    }

    // Any other stream (standard input): its pipe's reads copied into the block, as much of each as the room holds.
    private sealed class PipeBytes(PipeReader reader) : StreamBytes
    {
        private ReadOnlySequence<byte> _held;    // what the last read gave and the block has not taken yet
        private bool _ended;                     // the last read was the stream's last
        private ValueTask<ReadResult> _read;     // a read begun by TryNow, not completed then
        private bool _reading;

        public override int TryNow(Span<byte> room, CancellationToken stop)
        {
            if (_held.IsEmpty && !_ended)
            {
                ValueTask<ReadResult> read = reader.ReadAsync(stop);
                if (!read.IsCompleted)
                {
                    _read = read;
                    _reading = true;
                    return -1;
                }

                Hold(read.GetAwaiter().GetResult());
            }

            return Take(room, stop);
        }

        public override int Wait(Span<byte> room, CancellationToken stop)
        {
            if (_reading)
            {
                _reading = false;
                Hold(Await(_read));
            }

            return Take(room, stop);
        }

        private void Hold(ReadResult result)
        {
            _held = result.Buffer;
            _ended = result.IsCompleted;
        }

        // Copies what is held into the room, as much as fits; the pipe is advanced past a read once all of it is taken.
        private int Take(Span<byte> room, CancellationToken stop)
        {
            while (_held.IsEmpty)
            {
                if (_ended)
                {
                    return 0;
                }

                // A read that gave nothing without ending (none is expected): read again.
                reader.AdvanceTo(_held.End);
                Hold(Await(reader.ReadAsync(stop)));
            }

            int count = (int)Math.Min(room.Length, _held.Length);
            _held.Slice(0, count).CopyTo(room);
            _held = _held.Slice(count);
            if (_held.IsEmpty)
            {
                reader.AdvanceTo(_held.End);
            }

            return count;
        }
    }

    /// <summary>A block of a stream: bytes from Offset in the stream, the first LineEnds of them whole lines.</summary>
    internal sealed class Block
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

        /// <summary>The room after the bytes held, where the next bytes are received.</summary>
        public Span<byte> RoomBytes => Bytes.AsSpan(Length);

        public void Start(string stream, long offset, bool continues)
        {
            Stream = stream;
            Offset = offset;
            Continues = continues;
            Completed = false;
            Length = 0;
            LineEnds = 0;
        }

        // Counts `count` bytes received into the room after the bytes held (RoomBytes), noting the last line end among them.
        public void Received(int count)
        {
            int last = Bytes.AsSpan(Length, count).LastIndexOf((byte)'\n');
            Length += count;
            if (last >= 0)
            {
                LineEnds = Length - count + last + 1;
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
