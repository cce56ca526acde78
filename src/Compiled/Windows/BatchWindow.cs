namespace Compiled.Windows;

/// <summary>
/// What every window of batches holds: its clock (<see cref="Clock"/>), a ring of <see cref="WindowClock.Length"/>
/// per-batch parts (<see cref="Parts"/>), and the part of the batch in progress (<see cref="Current"/>), which the
/// fused loop writes directly. The window types add what they make of the parts.
/// </summary>
/// <typeparam name="TPart">The per-batch part: a key table, a partial value or a batch's records.</typeparam>
public abstract class BatchWindow<TPart>
{
    private readonly TPart[] _ring;
    private TPart _current;
    private WindowClock _clock;

    private protected BatchWindow(WindowClock clock, TPart[] ring, TPart current)
    {
        _clock = clock;
        _ring = ring;
        _current = current;
    }

    /// <summary>The part of the batch in progress: the fused loop adds each record to it.</summary>
    public TPart Current => _current;

    /// <summary>The window's batches, clock and emissions.</summary>
    public WindowClock Clock => _clock;

    /// <summary>The per-batch parts of the window, oldest first.</summary>
    public WindowParts<TPart> Parts => new(_ring, _clock);

    /// <summary>
    /// Begins taking in batch <paramref name="batch"/>: returns how many batch numbers were skipped since the last one
    /// (see <see cref="WindowClock.Begin"/>); the parts of those that leave are <see cref="PartOf"/>(batch − skipped).
    /// </summary>
    private protected long Begin(long batch) => _clock.Begin(batch);

    /// <summary>The part of batch <paramref name="batch"/>, one of the last <see cref="WindowClock.Length"/> batches.</summary>
    private protected TPart PartOf(long batch) => _ring[_clock.Slot(batch)];

    /// <summary>
    /// Puts the part in progress into the slot of batch <paramref name="batch"/> and returns it; the part that leaves
    /// that slot (<paramref name="leaving"/>, not cleared yet) becomes the part in progress.
    /// </summary>
    private protected TPart Rotate(long batch, out TPart leaving)
    {
        int slot = _clock.Slot(batch);
        TPart entering = _current;
        leaving = _ring[slot];
        _current = leaving;
        _ring[slot] = entering;
        return entering;
    }

    /// <summary>Ends taking in the batch (see <see cref="WindowClock.End"/>): returns whether the window emits now.</summary>
    private protected bool End(bool hadRecords, bool endOfInput) => _clock.End(hadRecords, endOfInput);
}
