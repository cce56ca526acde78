using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Connectors.Files;

/// <summary>
/// One pooled buffer that a file is read into at offsets (<see cref="RandomAccess"/>), on the thread that asks: what was
/// read and not yet consumed lies from <see cref="Start"/> to <see cref="End"/>. Before each read the unconsumed tail (a
/// record not yet whole) moves to the front, and when it fills the whole buffer (a record longer than the buffer) the
/// buffer doubles, so what is unconsumed is always one segment. How a file source reads a regular file
/// (<see cref="PositionedFileReader"/>) and how a partition reads its byte ranges (<c>Hosting/Partitions/PartitionThreads</c>).
/// </summary>
internal sealed class PositionedReadBuffer
{
    private byte[]? _buffer;

    /// <summary>Rents a buffer of at least <paramref name="size"/> bytes.</summary>
    public PositionedReadBuffer(int size) => _buffer = ArrayPool<byte>.Shared.Rent(size);

    /// <summary>The buffer, for positions over it; it changes when it doubles.</summary>
    public byte[] Array => _buffer ?? throw new ObjectDisposedException(nameof(PositionedReadBuffer), "The read buffer was returned to the pool; nothing more can be read into it.");

    /// <summary>The first unconsumed byte.</summary>
    public int Start { get; private set; }

    /// <summary>The end of what was read.</summary>
    public int End { get; private set; }

    /// <summary>How many bytes were read and not yet consumed.</summary>
    public int Count => End - Start;

    /// <summary>The unconsumed bytes, as one segment.</summary>
    public ReadOnlySequence<byte> Unconsumed => new(Array, Start, Count);

    /// <summary>
    /// Moves the unconsumed bytes to the front (into a buffer twice the size when they fill it) and reads at most
    /// <paramref name="most"/> bytes of <paramref name="file"/> at <paramref name="offset"/> after them; returns how many
    /// were read (0 at the file's end, or when <paramref name="most"/> is 0).
    /// </summary>
    public int Fill(SafeFileHandle file, long offset, long most)
    {
        Memory<byte> room = Room();
        int want = (int)Math.Min(room.Length, most);
        int read = want == 0 ? 0 : RandomAccess.Read(file, room.Span[..want], offset);
        Received(read);
        return read;
    }

    /// <summary>
    /// Moves the unconsumed bytes to the front (into a buffer twice the size when they fill it) and returns the free
    /// room after them, never empty, to read into; then say how much was read with <see cref="Received"/>. For a reader
    /// whose reads are not positioned (a socket's).
    /// </summary>
    public Memory<byte> Room()
    {
        byte[] buffer = Array;
        int kept = Count;
        if (kept == buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(Start, kept).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            _buffer = buffer = larger;
        }
        else if (Start > 0)
        {
            buffer.AsSpan(Start, kept).CopyTo(buffer);
        }

        Start = 0;
        End = kept;
        return buffer.AsMemory(kept);
    }

    /// <summary>Adds <paramref name="bytes"/> bytes read into the room <see cref="Room"/> gave to what was read.</summary>
    public void Received(int bytes) => End += bytes;

    /// <summary>
    /// A <see cref="System.IO.Pipelines.PipeReader"/>'s <c>AdvanceTo</c> over the buffer its last read returned
    /// (<see cref="Unconsumed"/>): consumes up to <paramref name="consumed"/> and returns whether the caller examined every
    /// byte read, up to <paramref name="examined"/>, so that the next read must bring more. <paramref name="reading"/>
    /// names what is read, for the error a position outside the buffer gets.
    /// </summary>
    /// <exception cref="InvalidOperationException">A position is not of the buffer, or they are out of order.</exception>
    public bool Advance(SequencePosition consumed, SequencePosition examined, string reading)
    {
        byte[] buffer = Array;
        int consumedAt = IndexOf(consumed, buffer);
        int examinedAt = IndexOf(examined, buffer);
        if (consumedAt < Start || examinedAt < consumedAt || examinedAt > End)
        {
            throw new InvalidOperationException(
                $"AdvanceTo was given positions outside the last buffer read from {reading} (consumed {consumedAt}, examined {examinedAt}, " +
                $"unconsumed {Start} to {End}); pass positions of the buffer the last read returned, consumed before examined.");
        }

        Start = consumedAt;
        return examinedAt == End;
    }

    /// <summary>Consumes the unconsumed bytes up to <paramref name="index"/> of <see cref="Array"/>.</summary>
    public void ConsumeTo(int index) => Start = index;

    /// <summary>Forgets what is unconsumed, keeping the buffer: the next read starts another piece of a file.</summary>
    public void Clear() => Start = End = 0;

    /// <summary>Returns the buffer to the pool.</summary>
    public void Return()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int IndexOf(SequencePosition position, byte[] buffer)
    {
        if (!ReferenceEquals(position.GetObject(), buffer))
        {
            throw new InvalidOperationException("AdvanceTo was given a position of another buffer than the one the last read returned; pass positions of that buffer.");
        }

        return position.GetInteger();
    }
}
