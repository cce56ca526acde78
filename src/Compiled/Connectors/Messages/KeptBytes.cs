using System.Runtime.CompilerServices;

namespace Compiled.Connectors.Messages;

/// <summary>
/// One reused buffer that a connector copies the bytes of many keys, values or messages into, one after the other,
/// and finds them again by start and length: what a message source keeps between receiving messages and handing
/// them to the job, and what a sink keeps of a batch until it commits. Keeping bytes allocates nothing once the buffer
/// has grown to the largest batch; <see cref="Clear"/> empties it and keeps its memory.
/// </summary>
/// <remarks>Not thread-safe: one owner at a time.</remarks>
public sealed class KeptBytes
{
    private readonly int _initialCapacity;
    private readonly string _tooLarge;
    private byte[] _bytes;
    private int _used;

    /// <summary>Creates a buffer of <paramref name="initialCapacity"/> bytes.</summary>
    /// <param name="initialCapacity">The bytes it starts with, and goes back to when <see cref="Clear"/> is told to shrink it.</param>
    /// <param name="tooLarge">
    /// The message of the <see cref="InvalidOperationException"/> thrown when the bytes kept would pass the largest
    /// array: what holds them and what the user can do, e.g. "a kafka sink's batch holds more than 2 GiB; use a
    /// shorter batch interval".
    /// </param>
    public KeptBytes(int initialCapacity, string tooLarge)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapacity);
        _initialCapacity = initialCapacity;
        _tooLarge = tooLarge;
        _bytes = new byte[initialCapacity];
    }

    /// <summary>How many bytes are kept.</summary>
    public int Used => _used;

    /// <summary>The bytes kept, valid until the next <see cref="Keep"/>, <see cref="Reserve"/> or <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> Span => new(_bytes, 0, _used);

    /// <summary>Copies <paramref name="bytes"/> after those kept; returns where they start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Keep(ReadOnlySpan<byte> bytes)
    {
        if (_bytes.Length - _used < bytes.Length)
        {
            Grow(bytes.Length);
        }

        int start = _used;
        bytes.CopyTo(new Span<byte>(_bytes, start, bytes.Length));
        _used += bytes.Length;
        return start;
    }

    /// <summary>
    /// The <paramref name="length"/> bytes after those kept, to write in place (a number's text); <see cref="Commit"/>
    /// keeps what was written.
    /// </summary>
    public Span<byte> Reserve(int length)
    {
        if (_bytes.Length - _used < length)
        {
            Grow(length);
        }

        return new Span<byte>(_bytes, _used, length);
    }

    /// <summary>Keeps the first <paramref name="length"/> bytes written into <see cref="Reserve"/>'s span; returns where they start.</summary>
    public int Commit(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _bytes.Length - _used);
        int start = _used;
        _used += length;
        return start;
    }

    /// <summary>The <paramref name="length"/> bytes kept at <paramref name="start"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Slice(int start, int length) => new(_bytes, start, length);

    /// <summary>The <paramref name="length"/> bytes kept at <paramref name="start"/>, as memory for a client library that keeps it until its call completes (valid until <see cref="Clear"/>, or a <see cref="Keep"/> that grows the buffer).</summary>
    public ReadOnlyMemory<byte> Memory(int start, int length) => new(_bytes, start, length);

    /// <summary>Empties the buffer; its memory is kept, unless it has grown past <paramref name="keepAtMost"/> bytes (one long record), when it starts again small.</summary>
    public void Clear(int keepAtMost = int.MaxValue)
    {
        _used = 0;
        if (_bytes.Length > keepAtMost)
        {
            _bytes = new byte[_initialCapacity];
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        long size = Math.Max(_bytes.Length * 2L, (long)_used + needed);
        if ((long)_used + needed > Array.MaxLength)
        {
            throw new InvalidOperationException(_tooLarge);
        }

        Array.Resize(ref _bytes, (int)Math.Min(size, Array.MaxLength));
    }
}
