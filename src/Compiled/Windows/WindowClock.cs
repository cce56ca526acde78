namespace Compiled.Windows;

/// <summary>
/// The batch arithmetic every window of batches shares: which batches it has seen, when it last emitted, and the
/// latest batch that held records. Batch numbers are absolute (a batch's time ÷ the interval), so the first batch of
/// a run can be any number: a window starts empty at whatever batch comes first, emits at the batches that are
/// multiples of its slide, and treats a batch number that was skipped as an empty batch.
/// </summary>
/// <remarks>
/// It is a plain value: a window holds it in one field beside its ring of per-batch parts, so capturing a window's
/// state is capturing its clock and its parts.
/// </remarks>
public struct WindowClock
{
    /// <summary>The value of <see cref="LastBatch"/>, <see cref="LastEmitted"/> and <see cref="LastWithRecords"/> before there is one.</summary>
    public const long None = long.MinValue;

    /// <summary>Creates the clock of a window <paramref name="length"/> batches long that emits every <paramref name="slide"/> batches.</summary>
    public WindowClock(int length, int slide)
    {
        if (length < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A window covers at least one batch: give a length of 1 or more batches.");
        }

        if (slide < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(slide), slide, "A window slides by at least one batch: give a slide of 1 or more batches.");
        }

        Length = length;
        Slide = slide;
        LastBatch = None;
        LastEmitted = None;
        LastWithRecords = None;
    }

    /// <summary>
    /// The clock of a window <paramref name="length"/> batches long that emits every <paramref name="slide"/> batches,
    /// as a checkpoint captured it: its <see cref="LastBatch"/>, <see cref="LastEmitted"/> and
    /// <see cref="LastWithRecords"/> (each <see cref="None"/> when there is none). The restored clock behaves as the
    /// captured one from then on.
    /// </summary>
    /// <exception cref="ArgumentException">The three batch numbers do not fit together (an emission or a batch with
    /// records after the last batch, or either without a last batch): the checkpoint is not a window clock's.</exception>
    public static WindowClock Restore(int length, int slide, long lastBatch, long lastEmitted, long lastWithRecords)
    {
        var clock = new WindowClock(length, slide);
        if (lastBatch == None ? lastEmitted != None || lastWithRecords != None : lastEmitted > lastBatch || lastWithRecords > lastBatch)
        {
            throw new ArgumentException(
                $"A window clock cannot be restored with last batch {Show(lastBatch)}, last emission {Show(lastEmitted)} and last batch with records {Show(lastWithRecords)}: an emission or a batch with records can only be at or before the last batch. Restore the values a clock's LastBatch, LastEmitted and LastWithRecords gave.",
                nameof(lastBatch));
        }

        clock.LastBatch = lastBatch;
        clock.LastEmitted = lastEmitted;
        clock.LastWithRecords = lastWithRecords;
        return clock;
    }

    /// <summary>How many batches the window covers.</summary>
    public int Length { get; }

    /// <summary>Every how many batches the window emits: at the batches whose number is a multiple of it.</summary>
    public int Slide { get; }

    /// <summary>The number of the last batch the window took in, or <see cref="None"/>.</summary>
    public long LastBatch { get; private set; }

    /// <summary>The number of the last batch at which the window emitted, or <see cref="None"/>.</summary>
    public long LastEmitted { get; private set; }

    /// <summary>The number of the latest batch that held records, or <see cref="None"/>.</summary>
    public long LastWithRecords { get; private set; }

    /// <summary>
    /// Whether the window holds records that it has not reported: a batch still in the window that held records came
    /// after the window's last emission.
    /// </summary>
    public readonly bool HasUnreported => Unreported(LastWithRecords, LastBatch);

    /// <summary>
    /// Whether the window will emit when it takes in batch <paramref name="batch"/>, which holds records or not
    /// (<paramref name="batchHasRecords"/>): at a multiple of the slide, or, when the input ends with it
    /// (<paramref name="endOfInput"/>), if the window will then hold records not reported yet. It decides which
    /// batches the sinks below the window receive, before the window takes the batch in.
    /// </summary>
    public readonly bool Emits(long batch, bool batchHasRecords, bool endOfInput)
    {
        if (batch % Slide == 0)
        {
            return true;
        }

        return endOfInput && Unreported(batchHasRecords ? batch : LastWithRecords, batch);
    }

    /// <summary>The ring slot of batch <paramref name="batch"/> in a ring of <see cref="Length"/> parts.</summary>
    public readonly int Slot(long batch)
    {
        long slot = batch % Length;
        return (int)(slot < 0 ? slot + Length : slot);
    }

    /// <summary>
    /// Begins taking in batch <paramref name="batch"/> and returns how many empty batches the window must step
    /// through first (the batch numbers skipped since the last one, at most <see cref="Length"/>: after that many,
    /// every batch it held has left). The skipped batches are the ones just before <paramref name="batch"/>.
    /// </summary>
    public long Begin(long batch)
    {
        if (LastBatch == None)
        {
            LastBatch = batch;
            return 0;
        }

        if (batch <= LastBatch)
        {
            ThrowOutOfOrder(batch, LastBatch);
        }

        long skipped = Math.Min(batch - LastBatch - 1, Length);
        LastBatch = batch;
        return skipped;
    }

    /// <summary>
    /// Ends taking in the batch given to <see cref="Begin"/>: notes whether it held records, and returns whether the
    /// window emits now, because the batch is a multiple of the slide, or because the input ended
    /// (<paramref name="endOfInput"/>) and the window holds records it has not reported.
    /// </summary>
    public bool End(bool hadRecords, bool endOfInput)
    {
        if (hadRecords)
        {
            LastWithRecords = LastBatch;
        }

        bool emits = LastBatch % Slide == 0 || (endOfInput && HasUnreported);
        if (emits)
        {
            LastEmitted = LastBatch;
        }

        return emits;
    }

    // Whether the latest batch with records, lastWithRecords, came after the last emission and is still in the window
    // that ends at batch.
    private readonly bool Unreported(long lastWithRecords, long batch) =>
        lastWithRecords != None && lastWithRecords > LastEmitted && lastWithRecords > batch - Length;

    private static string Show(long batch) => batch == None ? "none" : batch.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void ThrowOutOfOrder(long batch, long last) =>
        throw new InvalidOperationException($"A window was given batch {batch} after batch {last}: batches must come in increasing order of their number (time ÷ interval). Give each batch once, in order.");
}
