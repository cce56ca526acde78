namespace Compiled.Windows;

/// <summary>
/// A window over a stream that is not keyed, merged again at each slide (<c>[ReduceByWindow]</c> without
/// <c>Inverse</c>): each batch's records are reduced into the batch's own partial value (<see cref="Current"/>, which
/// the fused loop writes directly), the last <see cref="WindowClock.Length"/> partials are kept in a ring, and at a
/// slide they are reduced, oldest first.
/// </summary>
/// <remarks>The state is the clock (<see cref="Clock"/>), the ring of partials (<see cref="Parts"/>) and the partial in progress.</remarks>
/// <typeparam name="T">The reduced type.</typeparam>
/// <typeparam name="TReduce">The reduce, as a struct so that the user's method is called directly.</typeparam>
public sealed class PartialWindow<T, TReduce>
    where TReduce : struct, IReducer<T>
{
    private readonly Partial<T>[] _ring;
    private readonly Partial<T> _window = new();
    private Partial<T> _current = new();
    private WindowClock _clock;

    /// <summary>Creates a window <paramref name="length"/> batches long that emits every <paramref name="slide"/> batches.</summary>
    public PartialWindow(int length, int slide)
    {
        _clock = new WindowClock(length, slide);
        _ring = Windowing.Ring<Partial<T>>(length);
    }

    /// <summary>The partial value of the batch in progress: the fused loop reduces each record into it.</summary>
    public Partial<T> Current => _current;

    /// <summary>The window's batches, clock and emissions.</summary>
    public WindowClock Clock => _clock;

    /// <summary>The per-batch partials of the window, oldest first.</summary>
    public WindowParts<Partial<T>> Parts => new(_ring, _clock);

    /// <summary>The window's records reduced, after <see cref="Advance"/> returned <see langword="true"/>; valid until the next <see cref="Advance"/>.</summary>
    public T Value => _window.Value;

    /// <summary>
    /// Whether the window emits (a value, or nothing when it holds no record) when it takes in the batch in progress
    /// as batch <paramref name="batch"/>: what decides which batches the sinks below the window receive.
    /// </summary>
    public bool EmitsAt(long batch, bool endOfInput = false) => _clock.Emits(batch, _current.HasValue, endOfInput);

    /// <summary>
    /// Takes in the batch in progress as batch <paramref name="batch"/>, and returns whether the window emits a value
    /// now (<see cref="Value"/>): at a multiple of the slide, or at the end of a bounded input
    /// (<paramref name="endOfInput"/>) when the window holds records not reported yet, and only if the window holds a
    /// record (an empty window emits nothing).
    /// </summary>
    public bool Advance(long batch, bool endOfInput = false)
    {
        for (long skipped = _clock.Begin(batch); skipped > 0; skipped--)
        {
            _ring[_clock.Slot(batch - skipped)].Clear();
        }

        int slot = _clock.Slot(batch);
        Partial<T> entering = _current;
        _current = _ring[slot];
        _current.Clear();
        _ring[slot] = entering;
        if (!_clock.End(entering.HasValue, endOfInput))
        {
            return false;
        }

        TReduce reduce = default;
        _window.Clear();
        for (long from = batch - _ring.Length + 1; from <= batch; from++)
        {
            Partial<T> part = _ring[_clock.Slot(from)];
            if (part.HasValue)
            {
                _window.Value = _window.HasValue ? reduce.Reduce(_window.Value, part.Value) : part.Value;
                _window.HasValue = true;
            }
        }

        return _window.HasValue;
    }
}

/// <summary>
/// A window over a stream that is not keyed, kept up to date with an inverse function (<c>[CountByWindow]</c>, and
/// <c>[ReduceByWindow]</c> with <c>Inverse</c>): at each batch the batch that enters is reduced into the window's
/// value and the batch that leaves is taken back out. As in Spark, once a first record came, it emits at every slide,
/// even when the window is empty again.
/// </summary>
/// <remarks>The state is the clock (<see cref="Clock"/>), the ring of partials (<see cref="Parts"/>), the partial in progress and the window's value.</remarks>
/// <typeparam name="T">The reduced type.</typeparam>
/// <typeparam name="TReduce">The reduce, as a struct so that the user's method is called directly.</typeparam>
/// <typeparam name="TInverse">The inverse of the reduce.</typeparam>
public sealed class IncrementalPartialWindow<T, TReduce, TInverse>
    where TReduce : struct, IReducer<T>
    where TInverse : struct, IReducer<T>
{
    private readonly Partial<T>[] _ring;
    private readonly Partial<T> _window = new();
    private Partial<T> _current = new();
    private WindowClock _clock;

    /// <summary>Creates a window <paramref name="length"/> batches long that emits every <paramref name="slide"/> batches.</summary>
    public IncrementalPartialWindow(int length, int slide)
    {
        _clock = new WindowClock(length, slide);
        _ring = Windowing.Ring<Partial<T>>(length);
    }

    /// <summary>The partial value of the batch in progress: the fused loop reduces each record into it.</summary>
    public Partial<T> Current => _current;

    /// <summary>The window's batches, clock and emissions.</summary>
    public WindowClock Clock => _clock;

    /// <summary>The per-batch partials of the window, oldest first.</summary>
    public WindowParts<Partial<T>> Parts => new(_ring, _clock);

    /// <summary>The window's value: every record that entered reduced, every batch that left taken back out.</summary>
    public Partial<T> Window => _window;

    /// <summary>The window's value, after <see cref="Advance"/> returned <see langword="true"/>.</summary>
    public T Value => _window.Value;

    /// <summary>
    /// Whether the window emits (a value, or nothing when it holds no record) when it takes in the batch in progress
    /// as batch <paramref name="batch"/>: what decides which batches the sinks below the window receive.
    /// </summary>
    public bool EmitsAt(long batch, bool endOfInput = false) => _clock.Emits(batch, _current.HasValue, endOfInput);

    /// <summary>
    /// Takes in the batch in progress as batch <paramref name="batch"/>, and returns whether the window emits a value
    /// now (<see cref="Value"/>): at a multiple of the slide, or at the end of a bounded input
    /// (<paramref name="endOfInput"/>) when the window holds records not reported yet, once a first record came.
    /// </summary>
    public bool Advance(long batch, bool endOfInput = false)
    {
        TInverse inverse = default;
        for (long skipped = _clock.Begin(batch); skipped > 0; skipped--)
        {
            Partial<T> leaving = _ring[_clock.Slot(batch - skipped)];
            if (leaving.HasValue)
            {
                _window.Value = inverse.Reduce(_window.Value, leaving.Value);
                leaving.Clear();
            }
        }

        int slot = _clock.Slot(batch);
        Partial<T> entering = _current;
        if (entering.HasValue)
        {
            TReduce reduce = default;
            _window.Value = _window.HasValue ? reduce.Reduce(_window.Value, entering.Value) : entering.Value;
            _window.HasValue = true;
        }

        _current = _ring[slot];
        if (_current.HasValue)
        {
            _window.Value = inverse.Reduce(_window.Value, _current.Value);
            _current.Clear();
        }

        _ring[slot] = entering;
        return _clock.End(entering.HasValue, endOfInput) && _window.HasValue;
    }
}
