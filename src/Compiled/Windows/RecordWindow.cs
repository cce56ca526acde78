namespace Compiled.Windows;

/// <summary>The records of one batch kept for a window: <see cref="ByteRecords"/>, <see cref="KeyValueRecords{TValue}"/>, <see cref="ValueRecords{T}"/>.</summary>
public interface IBatchRecords
{
    /// <summary>The number of records kept.</summary>
    int Count { get; }

    /// <summary>Forgets every record, keeping the memory.</summary>
    void Clear();
}

/// <summary>
/// A window of records (<c>[Window]</c>, Spark's <c>window</c>): each batch's records are kept in the batch's own
/// buffer (<see cref="Current"/>, which the fused loop appends to directly), the last <see cref="WindowClock.Length"/>
/// buffers in a ring, and at a slide the window's records are those of its buffers, oldest batch first
/// (<see cref="Parts"/>), which the generated code runs through the stages below.
/// </summary>
/// <remarks>The state is the clock (<see cref="Clock"/>), the ring of buffers (<see cref="Parts"/>) and the buffer in progress.</remarks>
/// <typeparam name="TRecords">The records of one batch.</typeparam>
public sealed class RecordWindow<TRecords>
    where TRecords : class, IBatchRecords, new()
{
    private readonly TRecords[] _ring;
    private TRecords _current = new();
    private WindowClock _clock;

    /// <summary>Creates a window <paramref name="length"/> batches long that emits every <paramref name="slide"/> batches.</summary>
    public RecordWindow(int length, int slide)
    {
        _clock = new WindowClock(length, slide);
        _ring = Windowing.Ring<TRecords>(length);
    }

    /// <summary>The records of the batch in progress: the fused loop adds each record to it.</summary>
    public TRecords Current => _current;

    /// <summary>The window's batches, clock and emissions.</summary>
    public WindowClock Clock => _clock;

    /// <summary>The records of the window, batch by batch, oldest first; after <see cref="Advance"/> returned <see langword="true"/>, what the window emits.</summary>
    public WindowParts<TRecords> Parts => new(_ring, _clock);

    /// <summary>
    /// Whether <see cref="Advance"/> will emit when it takes in the batch in progress as batch <paramref name="batch"/>:
    /// what decides which batches the sinks below the window receive.
    /// </summary>
    public bool EmitsAt(long batch, bool endOfInput = false) => _clock.Emits(batch, _current.Count != 0, endOfInput);

    /// <summary>
    /// Takes in the batch in progress as batch <paramref name="batch"/>, and returns whether the window emits its
    /// records now (<see cref="Parts"/>): at a multiple of the slide, or at the end of a bounded input
    /// (<paramref name="endOfInput"/>) when the window holds records not reported yet.
    /// </summary>
    public bool Advance(long batch, bool endOfInput = false)
    {
        for (long skipped = _clock.Begin(batch); skipped > 0; skipped--)
        {
            _ring[_clock.Slot(batch - skipped)].Clear();
        }

        int slot = _clock.Slot(batch);
        TRecords entering = _current;
        _current = _ring[slot];
        _current.Clear();
        _ring[slot] = entering;
        return _clock.End(entering.Count != 0, endOfInput);
    }
}
