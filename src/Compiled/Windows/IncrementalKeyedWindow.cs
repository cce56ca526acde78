using System.Runtime.CompilerServices;
using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Windows;

/// <summary>
/// A keyed window kept up to date with an inverse function (<c>[ReduceByKeyAndWindow]</c> with
/// <c>Inverse</c>, and <c>[CountByValueAndWindow]</c>): at each batch the batch that enters is reduced into the
/// window's table and the batch that leaves is taken back out with the inverse, so a slide costs the keys of two
/// batches, not of the whole window. Each batch's values are reduced per key into the batch's own table
/// (<see cref="BatchWindow{TPart}.Current"/>, which the fused loop writes directly).
/// </summary>
/// <remarks>
/// <para>
/// Each key of the window's table keeps its value over the window and how many of the window's batches hold a value
/// of it (<see cref="WindowEntry{TValue}"/>). At each emission the filter decides which keys are emitted; a key that
/// fails it is forgotten (<c>Batches = -1</c>) once none of its values are left in the window, so a value that leaves
/// is never taken back from a state it is not part of, and a forgotten key that comes back starts afresh. Forgotten
/// keys are cleared out of the table once they are more than a quarter of it, so a slide does not copy the table;
/// until then a key that comes back takes its old place in the order.
/// </para>
/// <para>
/// The state is the clock, the ring of per-batch tables and the table in progress (see
/// <see cref="BatchWindow{TPart}"/>), and the window's table (<see cref="Entries"/>), forgotten keys and keys kept
/// at zero included. A checkpoint captures <see cref="BatchWindow{TPart}.Clock"/>, <see cref="PartEntries"/> and
/// <see cref="Entries"/> (every entry in order) between batches; a new window given them with
/// <see cref="BatchWindow{TPart}.Restore"/>, <see cref="Put"/> and <see cref="PutEntry"/> has the same tables in the
/// same order, so it emits what the captured one would have, and forgets and clears out the same keys.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TValue">The value reduced per key.</typeparam>
/// <typeparam name="TKeys">The per-batch key table (<see cref="StructKeys{TKey, TValue}"/> or <see cref="ByteKeys{TValue}"/>).</typeparam>
/// <typeparam name="TEntries">The window's key table, of the same kind over <see cref="WindowEntry{TValue}"/>.</typeparam>
/// <typeparam name="TReduce">The reduce, as a struct so that the user's method is called directly.</typeparam>
/// <typeparam name="TInverse">The inverse of the reduce: takes a batch's value back out of the window's.</typeparam>
/// <typeparam name="TFilter">Which keys are emitted (<see cref="KeepAll{TKey, TValue}"/> when the stage has no filter).</typeparam>
public sealed class IncrementalKeyedWindow<TKey, TValue, TKeys, TEntries, TReduce, TInverse, TFilter>
    : BatchWindow<TKeys>
    where TKey : allows ref struct
    where TKeys : struct, IKeyTable<TKeys, TKey, TValue>
    where TEntries : struct, IKeyTable<TEntries, TKey, WindowEntry<TValue>>
    where TReduce : struct, IReducer<TValue>
    where TInverse : struct, IReducer<TValue>
    where TFilter : struct, IKeyFilter<TKey, TValue>
{
    private TEntries _entries = TEntries.Create();
    private TEntries _kept = TEntries.Create();
    private int[] _emitted = new int[16];
    private int _emittedCount;
    private int[]? _checkpointScratch;

    /// <summary>Creates a window <paramref name="length"/> batches long that emits every <paramref name="slide"/> batches.</summary>
    public IncrementalKeyedWindow(int length, int slide)
        : base(new WindowClock(length, slide), Windowing.Keys<TKeys, TKey, TValue>(length), TKeys.Create())
    {
    }

    /// <summary>The window's table: each key's value over the window and how many of its batches hold the key (-1: forgotten).</summary>
    public TEntries Entries => _entries;

    /// <summary>
    /// While restoring (after <see cref="BatchWindow{TPart}.Restore"/>): puts back one entry of the window's table, as
    /// <see cref="Entries"/> listed it (its key, value and batch count, -1 for a forgotten key) and in that order, so
    /// the table keeps its order and its forgotten keys.
    /// </summary>
    /// <exception cref="InvalidOperationException">The window is not being restored.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch count is below -1 or above the window's length.</exception>
    public void PutEntry(TKey key, WindowEntry<TValue> entry)
    {
        RequireRestoring("table");

        if (entry.Batches < -1 || entry.Batches > Clock.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(entry), entry.Batches,
                $"A key of a window {Clock.Length} batches long is held by -1 (forgotten) to {Clock.Length} of its batches: restore the entries a captured window of the same length listed.");
        }

        _entries.GetOrAdd(key) = entry;
    }

    /// <summary>
    /// The number of keys emitted after <see cref="Advance"/> returned <see langword="true"/>: the keys of the window
    /// that pass the filter, in the order of the window's table. The result is valid until the next <see cref="Advance"/>.
    /// </summary>
    public int Count => _emittedCount;

    /// <summary>The key of emitted entry <paramref name="index"/>.</summary>
    public TKey KeyAt(int index) => _entries.KeyAt(Emitted(index));

    /// <summary>The value of emitted entry <paramref name="index"/>: the key's value over the window.</summary>
    public ref readonly TValue ValueAt(int index) => ref _entries.ValueAt(Emitted(index)).Value;

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
    /// Writes the whole state into a checkpoint section, between batches: the clock, each per-batch table, oldest first,
    /// then the window's table with every key's batch count (forgotten keys and keys at zero included), each as a set of
    /// keyed entries (<see cref="KeyedSections"/>; values through <see cref="CheckpointValues{T}"/>). Allocates nothing
    /// once the window has written a checkpoint of its size.
    /// </summary>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        WriteClock(ref section);
        foreach (TKeys part in Parts)
        {
            KeyedSections.Write<TKeys, TKey, TValue, PlainEntries<TValue>>(part, ref section, ref _checkpointScratch);
        }

        KeyedSections.Write<TEntries, TKey, WindowEntry<TValue>, WindowEntries<TValue>>(_entries, ref section, ref _checkpointScratch);
    }

    /// <summary>
    /// Restores what <see cref="WriteCheckpoint"/> wrote into this new window of the same length and slide, which then
    /// emits, forgets and clears out keys as the written one would have. A malformed section throws and leaves the
    /// window new.
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

        TEntries entries = KeyedSections.Read<TEntries, TKey, WindowEntry<TValue>, WindowEntries<TValue>>(ref section);
        for (int index = 0; index < entries.Count; index++)
        {
            int batches = entries.ValueAt(index).Batches;
            if (batches < -1 || batches > clock.Length)
            {
                throw section.Malformed($"gives a key of a window {clock.Length} batches long a batch count of {batches}, outside -1 to {clock.Length}");
            }
        }

        RestoreParts(clock, parts);
        _entries = entries;
    }

    /// <summary>
    /// Whether <see cref="Advance"/> will emit when it takes in the batch in progress as batch <paramref name="batch"/>:
    /// what decides which batches the sinks below the window receive.
    /// </summary>
    public bool EmitsAt(long batch, bool endOfInput = false) => Clock.Emits(batch, Current.Count != 0, endOfInput);

    /// <summary>
    /// Takes in the batch in progress as batch <paramref name="batch"/>, and returns whether the window emits now
    /// (then <see cref="Count"/>, <see cref="KeyAt"/> and <see cref="ValueAt"/> give the result): at a multiple of the
    /// slide, or at the end of a bounded input (<paramref name="endOfInput"/>) when the window holds records not
    /// reported yet.
    /// </summary>
    public bool Advance(long batch, bool endOfInput = false)
    {
        _emittedCount = 0;

        // Batch numbers skipped since the last batch are empty batches: only the batches that leave with them count.
        for (long skipped = Begin(batch); skipped > 0; skipped--)
        {
            TKeys skippedPart = PartOf(batch - skipped);
            Subtract(skippedPart);
            skippedPart.Clear();
        }

        TKeys entering = Rotate(batch, out TKeys leaving);
        Add(entering);
        Subtract(leaving);
        leaving.Clear();
        if (!End(entering.Count != 0, endOfInput))
        {
            return false;
        }

        Collect();
        return true;
    }

    // The batch that enters: each key's value reduced into its state.
    private void Add(TKeys entering)
    {
        TReduce reduce = default;
        for (int index = 0; index < entering.Count; index++)
        {
            ref WindowEntry<TValue> entry = ref _entries.GetOrAdd(entering.KeyAt(index), out bool exists);
            if (exists && entry.Batches >= 0)
            {
                entry.Value = reduce.Reduce(entry.Value, entering.ValueAt(index));
                entry.Batches++;
            }
            else
            {
                // A new key, or one the window forgot (Batches = -1) that comes back: it starts afresh.
                entry.Value = entering.ValueAt(index);
                entry.Batches = 1;
            }
        }
    }

    // The batch that leaves: each key's value taken back out of its state.
    private void Subtract(TKeys leaving)
    {
        TInverse inverse = default;
        for (int index = 0; index < leaving.Count; index++)
        {
            // A key stays in the state while any batch of the window holds a value of it, so this finds it.
            ref WindowEntry<TValue> entry = ref _entries.Find(leaving.KeyAt(index));
            if (!Unsafe.IsNullRef(ref entry))
            {
                entry.Value = inverse.Reduce(entry.Value, leaving.ValueAt(index));
                entry.Batches--;
            }
        }
    }

    // At an emission: the keys that pass the filter are noted for emission; a key that fails is forgotten once none of
    // its values are left in the window; forgotten keys are cleared out once they are more than a quarter of the table.
    private void Collect()
    {
        TFilter filter = default;
        if (_emitted.Length < _entries.Count)
        {
            _emitted = new int[Math.Max(_entries.Count, _emitted.Length * 2)];
        }

        int dead = 0;
        for (int index = 0; index < _entries.Count; index++)
        {
            ref WindowEntry<TValue> entry = ref _entries.ValueAt(index);
            if (entry.Batches < 0)
            {
                dead++;
            }
            else if (filter.Keep(_entries.KeyAt(index), entry.Value))
            {
                _emitted[_emittedCount++] = index;
            }
            else if (entry.Batches == 0)
            {
                entry.Batches = -1;
                dead++;
            }
        }

        if (dead > _entries.Count / 4)
        {
            ClearOut();
        }
    }

    // Copies the keys still in the window, in order, into the spare table and swaps the two; the emitted entries'
    // positions move down by the forgotten keys before them.
    private void ClearOut()
    {
        int next = 0;
        int emitted = 0;
        for (int index = 0; index < _entries.Count; index++)
        {
            ref WindowEntry<TValue> entry = ref _entries.ValueAt(index);
            if (entry.Batches < 0)
            {
                continue;
            }

            if (emitted < _emittedCount && _emitted[emitted] == index)
            {
                _emitted[emitted++] = next;
            }

            _kept.GetOrAdd(_entries.KeyAt(index)) = entry;
            next++;
        }

        (_entries, _kept) = (_kept, _entries);
        _kept.Clear();
    }

    private int Emitted(int index)
    {
        if ((uint)index >= (uint)_emittedCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");
        }

        return _emitted[index];
    }
}
