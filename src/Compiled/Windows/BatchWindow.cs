using Compiled.Checkpoints;

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

    /// <summary>Writes the clock into a checkpoint section: length and slide (varints), then the last batch, emission and batch with records.</summary>
    private protected void WriteClock(ref CheckpointWriter.Section section)
    {
        section.WriteCount((uint)_clock.Length);
        section.WriteCount((uint)_clock.Slide);
        section.WriteUnmanaged(_clock.LastBatch);
        section.WriteUnmanaged(_clock.LastEmitted);
        section.WriteUnmanaged(_clock.LastWithRecords);
    }

    /// <summary>
    /// Reads a clock that <see cref="WriteClock"/> wrote, for this new window, without changing the window: the caller
    /// reads the rest of its state, then calls <see cref="RestoreParts"/>, so a malformed section leaves the window new.
    /// </summary>
    /// <exception cref="InvalidOperationException">The window has taken in a batch or been restored.</exception>
    /// <exception cref="CheckpointCorruptException">The clock is of another length or slide, or its batch numbers do not fit together.</exception>
    private protected WindowClock ReadClock(ref CheckpointReader.Section section)
    {
        if (_clock.LastBatch != WindowClock.None || _restoring)
        {
            throw new InvalidOperationException("A checkpoint is restored only into a new window: this one has already taken in a batch or been restored. Restore into a newly created window, before its first batch.");
        }

        ulong length = section.ReadCount();
        ulong slide = section.ReadCount();
        long lastBatch = section.ReadUnmanaged<long>();
        long lastEmitted = section.ReadUnmanaged<long>();
        long lastWithRecords = section.ReadUnmanaged<long>();
        if (length != (ulong)_clock.Length || slide != (ulong)_clock.Slide)
        {
            throw section.Malformed(
                $"holds a window {length} batches long with a slide of {slide}, but the window restoring it is {_clock.Length} batches long with a slide of {_clock.Slide} (a change of the window or of the batch interval)");
        }

        try
        {
            return WindowClock.Restore(_clock.Length, _clock.Slide, lastBatch, lastEmitted, lastWithRecords);
        }
        catch (ArgumentException)
        {
            throw section.Malformed($"holds a window clock whose batch numbers do not fit together (last batch {lastBatch}, last emission {lastEmitted}, last batch with records {lastWithRecords})");
        }
    }

    /// <summary>How many parts a window with <paramref name="clock"/> holds: its length once it has taken in a batch, 0 before.</summary>
    private protected static int PartCount(WindowClock clock) => clock.LastBatch == WindowClock.None ? 0 : clock.Length;

    /// <summary>
    /// Restores the window from what a checkpoint held: the clock (see <see cref="Restore"/>) and its parts, oldest
    /// first, as <see cref="Parts"/> listed them; the window then takes the parts as its own.
    /// </summary>
    private protected void RestoreParts(WindowClock clock, TPart[] parts)
    {
        Restore(clock);
        for (int index = 0; index < parts.Length; index++)
        {
            _ring[_clock.Slot(_clock.LastBatch - _ring.Length + 1 + index)] = parts[index];
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
