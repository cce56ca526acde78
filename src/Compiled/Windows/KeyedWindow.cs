using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Windows;

/// <summary>
/// A keyed window, merged again at each slide (<c>[ReduceByKeyAndWindow]</c> without <c>Inverse</c>): each batch's
/// values are reduced per key into the batch's own table (<see cref="BatchWindow{TPart}.Current"/>, which the fused
/// loop writes directly), the last <see cref="WindowClock.Length"/> tables are kept in a ring, and at a slide they are
/// merged, oldest first, into the window's table.
/// </summary>
/// <remarks>
/// The state is the clock, the ring of per-batch tables and the table in progress (see
/// <see cref="BatchWindow{TPart}"/>); the result is rebuilt from them at each emission. A checkpoint captures
/// <see cref="BatchWindow{TPart}.Clock"/> and <see cref="PartEntries"/> between batches; a new window given them with
/// <see cref="BatchWindow{TPart}.Restore"/> and <see cref="Put"/> emits what the captured one would have.
/// </remarks>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TValue">The value reduced per key.</typeparam>
/// <typeparam name="TKeys">The key table (<see cref="StructKeys{TKey, TValue}"/> or <see cref="ByteKeys{TValue}"/>).</typeparam>
/// <typeparam name="TReduce">The reduce, as a struct so that the user's method is called directly.</typeparam>
public sealed class KeyedWindow<TKey, TValue, TKeys, TReduce> : BatchWindow<TKeys>
    where TKey : allows ref struct
    where TKeys : struct, IKeyTable<TKeys, TKey, TValue>
    where TReduce : struct, IReducer<TValue>
{
    private TKeys _window = TKeys.Create();
    private int[]? _checkpointScratch;

    /// <summary>Creates a window <paramref name="length"/> batches long that emits every <paramref name="slide"/> batches.</summary>
    public KeyedWindow(int length, int slide)
        : base(new WindowClock(length, slide), Windowing.Keys<TKeys, TKey, TValue>(length), TKeys.Create())
    {
    }

    /// <summary>
    /// The number of keys of the window's result after <see cref="Advance"/> returned <see langword="true"/>: each key
    /// of the window with its values reduced, keys in the order first seen (oldest batch first). The result is valid
    /// until the next <see cref="Advance"/>.
    /// </summary>
    public int Count => _window.Count;

    /// <summary>The key of entry <paramref name="index"/> of the window's result.</summary>
    public TKey KeyAt(int index) => _window.KeyAt(index);

    /// <summary>The value of entry <paramref name="index"/> of the window's result: the key's values over the window, reduced.</summary>
    public ref readonly TValue ValueAt(int index) => ref _window.ValueAt(index);

    /// <summary>
    /// Every entry of the window's per-batch tables as (batch, key, value), oldest batch first: with
    /// <see cref="BatchWindow{TPart}.Clock"/>, the state a checkpoint captures between batches. Allocates nothing.
    /// </summary>
    public KeyedPartEntries<TKey, TValue, TKeys> PartEntries => new(Parts);

    /// <summary>
    /// While restoring (after <see cref="BatchWindow{TPart}.Restore"/>): puts back one entry of the per-batch table of
    /// batch <paramref name="batch"/>, as <see cref="PartEntries"/> listed it and in that order.
    /// </summary>
    public void Put(long batch, TKey key, TValue value) => PartToRestore(batch).GetOrAdd(key) = value;

    /// <summary>
    /// Writes the whole state into a checkpoint section, between batches: the clock, then each per-batch table, oldest
    /// first, as a set of keyed entries (<see cref="KeyedSections"/>; values through <see cref="CheckpointValues{T}"/>).
    /// Allocates nothing once the window has written a checkpoint of its size.
    /// </summary>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        WriteClock(ref section);
        foreach (TKeys part in Parts)
        {
            KeyedSections.Write<TKeys, TKey, TValue, PlainEntries<TValue>>(part, ref section, ref _checkpointScratch);
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
        var parts = new TKeys[PartCount(clock)];
        for (int index = 0; index < parts.Length; index++)
        {
            parts[index] = KeyedSections.Read<TKeys, TKey, TValue, PlainEntries<TValue>>(ref section);
        }

        RestoreParts(clock, parts);
    }

    /// <summary>
    /// Whether <see cref="Advance"/> will emit when it takes in the batch in progress as batch <paramref name="batch"/>:
    /// what decides which batches the sinks below the window receive.
    /// </summary>
    public bool EmitsAt(long batch, bool endOfInput = false) => Clock.Emits(batch, Current.Count != 0, endOfInput);

    /// <summary>
    /// Takes in the batch in progress as batch <paramref name="batch"/>, and returns whether the window emits now
    /// (then <see cref="Count"/>, <see cref="KeyAt"/> and <see cref="ValueAt"/> give the result): at a multiple of the slide, or at the end of a bounded input
    /// (<paramref name="endOfInput"/>) when the window holds records not reported yet.
    /// </summary>
    public bool Advance(long batch, bool endOfInput = false)
    {
        for (long skipped = Begin(batch); skipped > 0; skipped--)
        {
            PartOf(batch - skipped).Clear();
        }

        TKeys entering = Rotate(batch, out TKeys leaving);
        leaving.Clear();
        if (!End(entering.Count != 0, endOfInput))
        {
            return false;
        }

        TReduce reduce = default;
        _window.Clear();
        for (long from = batch - Clock.Length + 1; from <= batch; from++)
        {
            TKeys part = PartOf(from);
            for (int index = 0; index < part.Count; index++)
            {
                ref TValue value = ref _window.GetOrAdd(part.KeyAt(index), out bool exists);
                value = exists ? reduce.Reduce(value, part.ValueAt(index)) : part.ValueAt(index);
            }
        }

        return true;
    }
}
