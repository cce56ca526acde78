using Compiled.Checkpoints;

namespace Compiled.Windows;

/// <summary>The records of one batch kept for a window: <see cref="ByteRecords"/>, <see cref="KeyValueRecords{TValue}"/>, <see cref="ValueRecords{T}"/>.</summary>
public interface IBatchRecords
{
    /// <summary>The number of records kept.</summary>
    int Count { get; }

    /// <summary>Forgets every record, keeping the memory.</summary>
    void Clear();

    /// <summary>Writes the records into a checkpoint section: their number (a varint), then each record.</summary>
    void WriteCheckpoint(ref CheckpointWriter.Section section);

    /// <summary>Reads the records that <see cref="WriteCheckpoint"/> wrote into this empty buffer.</summary>
    /// <exception cref="InvalidOperationException">The buffer is not empty.</exception>
    /// <exception cref="CheckpointCorruptException">The section is malformed.</exception>
    void ReadCheckpoint(ref CheckpointReader.Section section);
}

/// <summary>
/// A window of records (<c>[Window]</c>, Spark's <c>window</c>): each batch's records are kept in the batch's own
/// buffer (<see cref="BatchWindow{TPart}.Current"/>, which the fused loop appends to directly), the last
/// <see cref="WindowClock.Length"/> buffers in a ring, and at a slide the window's records are those of its buffers,
/// oldest batch first (<see cref="BatchWindow{TPart}.Parts"/>), which the generated code runs through the stages below.
/// </summary>
/// <remarks>The state is the clock, the ring of buffers and the buffer in progress
/// (see <see cref="BatchWindow{TPart}"/>). A checkpoint captures <see cref="BatchWindow{TPart}.Clock"/> and each
/// buffer's records (<see cref="BatchWindow{TPart}.Parts"/>, with their batch numbers) between batches; a new window
/// given the clock with <see cref="BatchWindow{TPart}.Restore"/> and each batch's records added, in order, to
/// <see cref="BatchWindow{TPart}.PartToRestore"/>(batch) emits what the captured one would have.</remarks>
/// <typeparam name="TRecords">The records of one batch.</typeparam>
public sealed class RecordWindow<TRecords> : BatchWindow<TRecords>
    where TRecords : class, IBatchRecords, new()
{
    /// <summary>Creates a window <paramref name="length"/> batches long that emits every <paramref name="slide"/> batches.</summary>
    public RecordWindow(int length, int slide)
        : base(new WindowClock(length, slide), Windowing.Ring<TRecords>(length), new())
    {
    }

    /// <summary>
    /// Whether <see cref="Advance"/> will emit when it takes in the batch in progress as batch <paramref name="batch"/>:
    /// what decides which batches the sinks below the window receive.
    /// </summary>
    public bool EmitsAt(long batch, bool endOfInput = false) => Clock.Emits(batch, Current.Count != 0, endOfInput);

    /// <summary>
    /// Writes the whole state into a checkpoint section, between batches: the clock, then each batch's records, oldest
    /// batch first (<see cref="IBatchRecords.WriteCheckpoint"/>).
    /// </summary>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        WriteClock(ref section);
        foreach (TRecords part in Parts)
        {
            part.WriteCheckpoint(ref section);
        }
    }

    /// <summary>
    /// Restores what <see cref="WriteCheckpoint"/> wrote into this new window of the same length and slide, which then
    /// emits what the written one would have. A malformed section throws and leaves the window new.
    /// </summary>
    /// <exception cref="InvalidOperationException">The window has taken in a batch or been restored.</exception>
    /// <exception cref="CheckpointCorruptException">The section is malformed or of a window of another length or slide.</exception>
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        WindowClock clock = ReadClock(ref section);
        var parts = new TRecords[PartCount(clock)];
        for (int index = 0; index < parts.Length; index++)
        {
            parts[index] = new TRecords();
            parts[index].ReadCheckpoint(ref section);
        }

        RestoreParts(clock, parts);
    }

    /// <summary>
    /// Takes in the batch in progress as batch <paramref name="batch"/>, and returns whether the window emits its
    /// records now (<see cref="BatchWindow{TPart}.Parts"/>): at a multiple of the slide, or at the end of a bounded
    /// input (<paramref name="endOfInput"/>) when the window holds records not reported yet.
    /// </summary>
    public bool Advance(long batch, bool endOfInput = false)
    {
        for (long skipped = Begin(batch); skipped > 0; skipped--)
        {
            PartOf(batch - skipped).Clear();
        }

        TRecords entering = Rotate(batch, out TRecords leaving);
        leaving.Clear();
        return End(entering.Count != 0, endOfInput);
    }
}
