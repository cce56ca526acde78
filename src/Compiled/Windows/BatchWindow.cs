namespace Compiled.Windows;

/// <summary>
/// What every window of batches holds: its clock (<see cref="Clock"/>), a ring of <see cref="WindowClock.Length"/>
/// per-batch parts (<see cref="Parts"/>), and the part of the batch in progress (<see cref="Current"/>), which the
/// fused loop writes directly. The window types add what they make of the parts.
/// </summary>
/// <remarks>
/// Between batches (after an <c>Advance</c>) the part in progress is empty, so <see cref="Clock"/> and
/// <see cref="Parts"/> are the whole of this state, for a checkpoint to capture. To rebuild it, give a new window the
/// clock with <see cref="Restore"/> and fill each part through <see cref="PartToRestore"/> (or the window type's
/// <c>Put</c>) before its first batch: the window then behaves as the captured one.
/// </remarks>
/// <typeparam name="TPart">The per-batch part: a key table, a partial value or a batch's records.</typeparam>
public abstract class BatchWindow<TPart>
{
    private readonly TPart[] _ring;
    private TPart _current;
    private WindowClock _clock;
    private bool _restoring;     // between Restore and the first batch: parts may be filled

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
    private protected long Begin(long batch)
    {
        _restoring = false;
        return _clock.Begin(batch);
    }

    /// <summary>
    /// Whether the window is being restored: <see cref="Restore"/> was called and no batch has been taken in since, so
    /// <see cref="PartToRestore"/> and the window type's <c>Put</c> methods may fill it.
    /// </summary>
    public bool IsRestoring => _restoring;

    /// <summary>
    /// Begins rebuilding a captured window in this new one: gives it the captured clock (see
    /// <see cref="WindowClock.Restore"/>); then fill the parts with <see cref="PartToRestore"/> (or the window type's
    /// <c>Put</c>) before the first batch.
    /// </summary>
    /// <exception cref="InvalidOperationException">The window has already taken in a batch or been restored.</exception>
    /// <exception cref="ArgumentException">The clock's length or slide differs from the window's.</exception>
    public void Restore(WindowClock clock)
    {
        if (_clock.LastBatch != WindowClock.None || _restoring)
        {
            throw new InvalidOperationException("A window can be restored only when it is new: it has already taken in a batch or been restored. Restore into a newly created window.");
        }

        if (clock.Length != _clock.Length || clock.Slide != _clock.Slide)
        {
            throw new ArgumentException(
                $"The captured window is {clock.Length} batches long with a slide of {clock.Slide}, this one {_clock.Length} with a slide of {_clock.Slide}: a window is restored only into one of the same length and slide. Create the window with the captured length and slide, or start from an empty window.",
                nameof(clock));
        }

        _clock = clock;
        _restoring = true;
    }

    /// <summary>
    /// While restoring (after <see cref="Restore"/>, before the first batch): the part of batch
    /// <paramref name="batch"/>, one of the window's batches (<see cref="WindowClock.LastBatch"/> − length + 1 to
    /// <see cref="WindowClock.LastBatch"/>), to fill with what the captured window's part of that batch held.
    /// </summary>
    /// <exception cref="InvalidOperationException">The window is not being restored.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch is not one of the window's.</exception>
    public TPart PartToRestore(long batch)
    {
        RequireRestoring("parts");
        if (_clock.LastBatch == WindowClock.None || batch > _clock.LastBatch || batch <= _clock.LastBatch - _clock.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(batch), batch,
                _clock.LastBatch == WindowClock.None
                    ? "The restored window has taken in no batch, so it holds no part: restore only the parts a captured window listed."
                    : $"The restored window holds the batches {_clock.LastBatch - _clock.Length + 1} to {_clock.LastBatch}: restore only the parts a captured window listed, with their batch numbers.");
        }

        return _ring[_clock.Slot(batch)];
    }

    /// <summary>Throws unless the window is being restored: the one guard of every way to fill a restored window.</summary>
    /// <param name="what">What is being filled, for the message: "parts", "table", "value".</param>
    private protected void RequireRestoring(string what)
    {
        if (!_restoring)
        {
            throw new InvalidOperationException($"A window's {what} can be filled only while it is restored: call Restore with the captured clock first, and fill the {what} before the first batch.");
        }
    }

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
