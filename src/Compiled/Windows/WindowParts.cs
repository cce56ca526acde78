namespace Compiled.Windows;

/// <summary>
/// The per-batch parts a window holds (key tables, partial values or records), oldest batch first: the batches from
/// <see cref="WindowClock.LastBatch"/> − length + 1 to <see cref="WindowClock.LastBatch"/>, a batch that held nothing
/// (or came before the window's first) as an empty part. Valid until the window takes in its next batch.
/// </summary>
/// <typeparam name="TPart">The per-batch part.</typeparam>
public readonly ref struct WindowParts<TPart>
{
    private readonly TPart[] _ring;
    private readonly WindowClock _clock;

    internal WindowParts(TPart[] ring, WindowClock clock)
    {
        _ring = ring;
        _clock = clock;
    }

    /// <summary>How many parts: the window's length once it has taken in a batch, 0 before.</summary>
    public int Count => _clock.LastBatch == WindowClock.None ? 0 : _ring.Length;

    /// <summary>Part <paramref name="index"/>, oldest first: the part of batch <see cref="BatchAt"/>(<paramref name="index"/>).</summary>
    public TPart this[int index] => _ring[_clock.Slot(BatchAt(index))];

    /// <summary>The number of the batch of part <paramref name="index"/> (0 is the oldest).</summary>
    public long BatchAt(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");
        }

        return _clock.LastBatch - _ring.Length + 1 + index;
    }

    /// <summary>Enumerates the parts, oldest first.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Enumerates the parts of a window, oldest first.</summary>
    public ref struct Enumerator
    {
        private readonly WindowParts<TPart> _parts;
        private int _index;

        internal Enumerator(WindowParts<TPart> parts)
        {
            _parts = parts;
            _index = -1;
        }

        /// <summary>The current part.</summary>
        public readonly TPart Current => _parts[_index];

        /// <summary>Moves to the next part.</summary>
        public bool MoveNext() => ++_index < _parts.Count;
    }
}
