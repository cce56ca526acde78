using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Windows;

/// <summary>
/// The open sliding event-time windows of a stage, kept as panes: windows of <c>size</c> milliseconds starting every
/// <c>slide</c> milliseconds are cut into panes of gcd(size, slide) milliseconds (the generated code passes these
/// constants to each call), each with one key table, so a record updates exactly one table (its pane's,
/// <see cref="ValueOf"/>) instead of one per window that holds it. When the watermark passes a window's end,
/// <see cref="TryClose"/> folds the window's panes into one table with <typeparamref name="TReducer"/>; a pane is let go
/// once every window that holds it has closed.
/// </summary>
/// <remarks>
/// <para>
/// The windows and their values are those of <see cref="EventWindowSet{TTable}"/> (a table per window, every record
/// reduced into each window that holds it) when the reduce gives the same value whatever the grouping and order of its
/// values, as the stage's contract asks and integer arithmetic guarantees (a sum, a count, a min or max); floating-point
/// sums round differently when regrouped, so the generated code uses panes only for integer values. The keys of a
/// window come in the order the window first saw them, as with a table per window: each pane notes, for each of its
/// keys, the arrival number of the record that brought it (<c>firsts</c>), and a window orders its keys by the
/// earliest of its panes' numbers.
/// </para>
/// <para>
/// Pane tables of let-go panes are cleared and reused, the folded table is one table reused for every window, so a
/// steady stream allocates nothing; past every window (the end of the input, or a stop) the spare tables are let go.
/// The job's set on N partitions (other sets merged into it, <see cref="MergeInto"/>) folds the windows a boundary
/// closes on N threads instead, 2N windows at a time, each into one of 2N tables reused in the same way, when a boundary
/// closes at least 8N (fewer, as short batches close, are folded one by one into the one table).
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TValue">The value reduced per key.</typeparam>
/// <typeparam name="TKeys">The key table (<see cref="StructKeys{TKey, TValue}"/> or <see cref="ByteKeys{TValue}"/>).</typeparam>
/// <typeparam name="TReducer">The stage's reduce, which folds a window's panes.</typeparam>
public sealed partial class EventWindowPanes<TKey, TValue, TKeys, TReducer>
    where TKey : allows ref struct
    where TKeys : struct, IKeyTable<TKeys, TKey, TValue>
    where TReducer : struct, IReducer<TValue>
{
    private readonly List<Pane> _panes = [];   // in order of start
    private readonly Stack<Pane> _spare = new();
    private Pane? _current;                    // the pane found last
    private long _arrivals;                    // the number of the next key a pane takes in
    private long _nextStart = long.MinValue;   // no window starting before this is open: it closed
    private TKeys _folded = TKeys.Create();
    private (long Arrival, int Pane, int Index)[] _heap = new (long, int, int)[8];
    private int _lastPaneKeys;                 // the keys of the pane let go last
    private bool _flushing;                    // the last close was past every window
    private int[]? _checkpointScratch;

    /// <summary>The number of panes held.</summary>
    public int Count => _panes.Count;

    /// <summary>
    /// The value of <paramref name="key"/> in the pane of <paramref name="paneSize"/> milliseconds that holds event time
    /// <paramref name="time"/>, the pane opened and the key added (zeroed, <paramref name="exists"/> false) if need be:
    /// the record's one table update. The pane size is the greatest common divisor of the windows' size and slide, the
    /// same at every call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue ValueOf(long time, long paneSize, TKey key, out bool exists)
    {
        Pane? pane = _current;
        if (pane is null || (ulong)(time - pane.Start) >= (ulong)paneSize)
        {
            pane = Find(time, paneSize);
        }

        ref TValue value = ref pane.Table.GetOrAdd(key, out exists);
        if (!exists)
        {
            pane.Arrived(_arrivals++);
        }

        return ref value;
    }

    // The pane that holds `time`, opened if need be: a binary search over the panes, which are in order of start.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Pane Find(long time, long paneSize)
    {
        long start = EventWindow.LastStart(time, paneSize);
        int at = IndexOf(start);
        if (at >= 0)
        {
            return _current = _panes[at];
        }

        Pane pane = _spare.Count > 0 ? _spare.Pop() : NewPane();
        pane.Start = start;
        _panes.Insert(~at, pane);
        return _current = pane;
    }

    // A pane made when no let-go pane is spare, with room for as many keys as the larger of the oldest open pane and the
    // pane let go last hold, so that its table does not grow from 16 slots by doubling.
    private Pane NewPane()
    {
        int keys = _lastPaneKeys;
        if (_panes.Count > 0)
        {
            keys = Math.Max(keys, _panes[0].Table.Count);
        }

        return new Pane(keys > 16 ? TKeys.Create(keys) : TKeys.Create());
    }

    /// <summary>
    /// Takes the open window of <paramref name="size"/> milliseconds (windows start every <paramref name="slide"/>
    /// milliseconds) that ends first, if the watermark has reached its end: its panes folded into one table, in the order
    /// the window first saw each key, valid until the next call. The caller clears it and hands it to
    /// <see cref="Recycle"/>. When other sets were merged into this one (<see cref="FoldThreads"/> above 1), the first
    /// call of a boundary folds the next windows the watermark closes side by side, when it closes at least eight per thread,
    /// and the calls after it hand them out in order; the windows, their keys and values are those one thread gives, and a
    /// fold that throws throws at its window.
    /// </summary>
    public bool TryClose(long watermark, long size, long slide, out EventWindow window, out TKeys table)
    {
        _flushing = watermark == long.MaxValue;
        if (_flushing)
        {
            _spare.Clear();
        }

        if (_panes.Count == 0)
        {
            window = default;
            table = default;
            return false;
        }

        long start;
        if (_workers > 1 && (_closingNext < _closingCount || PrepareClose(watermark, size, slide)))
        {
            // On partitions, when the watermark closes a long run of windows: the run folded side by side, handed out in order.
            ClosingWindow closing = _closing![_closingNext++];
            closing.Failure?.Throw();
            window = closing.Window;
            table = closing.Table;
            start = window.Start;
        }
        else
        {
            // One window at a time, folded on this thread into the one table.
            start = FirstOpenStart(_panes[0].Start, size, slide, _nextStart);
            if (start + size > watermark)
            {
                window = default;
                table = default;
                return false;
            }

            window = new EventWindow(start, start + size);
            table = Fold(window);
        }

        _nextStart = start + slide;

        // Let go the panes that no open window holds: those that start before the next window.
        int gone = 0;
        while (gone < _panes.Count && _panes[gone].Start < _nextStart)
        {
            Pane pane = _panes[gone];
            _lastPaneKeys = pane.Table.Count;
            pane.Table.Clear();
            if (!_flushing)
            {
                _spare.Push(pane);
            }

            if (ReferenceEquals(pane, _current))
            {
                _current = null;
            }

            gone++;
        }

        _panes.RemoveRange(0, gone);
        return true;
    }

    // The start of the first open window: the first window that holds the pane starting at `firstPane` and has not closed
    // (none starting before `nextStart`).
    private static long FirstOpenStart(long firstPane, long size, long slide, long nextStart) =>
        Math.Max(EventWindow.LastStart(firstPane - size, slide) + slide, nextStart);

    // The window's panes (the first ones, since those before it are let go) folded into one table, keys in the order of
    // the earliest arrival number of each among the panes. Panes whose keys all arrived after the pane before's (a stream
    // in order of event time) are folded one after the other; otherwise the panes' entries are merged in order of arrival
    // number (each pane's are in that order already), so each key enters the table at its earliest.
    private TKeys Fold(EventWindow window)
    {
        TKeys folded = _folded;
        folded.Clear();
        Span<Pane> panes = CollectionsMarshal.AsSpan(_panes);
        int count = 0;
        while (count < panes.Length && panes[count].Start < window.End)
        {
            count++;
        }

        FoldPanes(panes[..count], folded, ref _heap);
        return folded;
    }

    // The panes of one window folded into `folded`, which is empty; `heap` is the caller's own, grown if need be.
    private static void FoldPanes(ReadOnlySpan<Pane> panes, TKeys folded, ref (long Arrival, int Pane, int Index)[] heap)
    {
        bool inOrder = true;
        long last = long.MinValue;
        foreach (Pane pane in panes)
        {
            int keys = pane.Table.Count;
            if (keys > 0)
            {
                inOrder &= pane.Firsts[0] > last;
                last = pane.Firsts[keys - 1];
            }
        }

        var fold = new IntoTable(folded);
        if (inOrder)
        {
            foreach (Pane pane in panes)
            {
                for (int index = 0; index < pane.Table.Count; index++)
                {
                    fold.Add(pane, index);
                }
            }
        }
        else
        {
            InArrivalOrder(panes, ref fold, ref heap);
        }
    }

    /// <summary>
    /// Moves every pane's keys and values into <paramref name="into"/>, reduced into its panes of the same start, and
    /// empties this set: how one more partition's panes of a batch join the job's at the boundary (this set never closes a
    /// window). The keys of this set take their arrival numbers shifted past every number <paramref name="into"/> has
    /// given, so a key new to a pane of <paramref name="into"/> comes after the job's own keys, in the order it arrived
    /// here, and each window orders its keys as one partition reading the whole input would. A pane
    /// <paramref name="into"/> has no pane of the same start for (a partition's range ahead in event time, most of them)
    /// moves over whole, its table with it, and this set takes one of <paramref name="into"/>'s spare panes in exchange:
    /// no key is hashed again, and no table is held twice.
    /// </summary>
    /// <param name="into">The job's panes.</param>
    /// <param name="paneSize">The pane size, the one every call of <see cref="ValueOf"/> gives.</param>
    public void MergeInto(EventWindowPanes<TKey, TValue, TKeys, TReducer> into, long paneSize)
    {
        if (!ReferenceEquals(_mergedInto, into))
        {
            // One more partition: the job's set folds the windows of a boundary on as many threads as the run has partitions.
            _mergedInto = into;
            into._workers++;
        }

        long shift = into._arrivals;
        foreach (Pane pane in _panes)
        {
            int at = into.IndexOf(pane.Start);
            int keys = pane.Table.Count;
            if (at < 0)
            {
                // No pane of this start there: this one moves, its keys' numbers shifted, and a spare one comes back.
                Span<long> firsts = pane.Firsts.AsSpan(0, keys);
                for (int index = 0; index < firsts.Length; index++)
                {
                    firsts[index] += shift;
                }

                into._panes.Insert(~at, pane);
                if (into._spare.Count > 0)
                {
                    _spare.Push(into._spare.Pop());
                }

                continue;
            }

            // A pane of the same start there (where the ranges meet in event time): each key reduced into it, a new one
            // appended with its shifted number, after the job's.
            Pane target = into._panes[at];
            for (int index = 0; index < keys; index++)
            {
                ref TValue slot = ref target.Table.GetOrAdd(pane.Table.KeyAt(index), out bool exists);
                TValue value = pane.Table.ValueAt(index);
                if (exists)
                {
                    slot = default(TReducer).Reduce(slot, value);
                }
                else
                {
                    slot = value;
                    target.Arrived(shift + pane.Firsts[index]);
                }
            }

            pane.Table.Clear();
            _spare.Push(pane);
        }

        into._arrivals = shift + _arrivals;
        _panes.Clear();
        _current = null;
        _arrivals = 0;
    }

    // The index of the pane starting at `start` among those held, or the complement of where it would go.
    private int IndexOf(long start)
    {
        int low = 0;
        int high = _panes.Count - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            long at = _panes[middle].Start;
            if (at == start)
            {
                return middle;
            }

            if (at < start)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

    // Where the entries of panes go, one at a time: a window's folded table.
    private interface IEntryTarget
    {
        void Add(Pane pane, int index);
    }

    // A window's folded table: a key's values reduced with the stage's reduce.
    private readonly struct IntoTable(TKeys folded) : IEntryTarget
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(Pane pane, int index)
        {
            ref TValue slot = ref folded.GetOrAdd(pane.Table.KeyAt(index), out bool exists);
            TValue value = pane.Table.ValueAt(index);
            slot = exists ? default(TReducer).Reduce(slot, value) : value;
        }
    }

    // Hands the panes' entries to `target` in order of arrival number, through a binary heap of the panes' next entries.
    private static void InArrivalOrder<TTarget>(ReadOnlySpan<Pane> panes, ref TTarget target, ref (long Arrival, int Pane, int Index)[] entries)
        where TTarget : struct, IEntryTarget
    {
        if (entries.Length < panes.Length)
        {
            entries = new (long, int, int)[Math.Max(panes.Length, entries.Length * 2)];
        }

        Span<(long Arrival, int Pane, int Index)> heap = entries;
        int size = 0;
        for (int pane = 0; pane < panes.Length; pane++)
        {
            if (panes[pane].Table.Count > 0)
            {
                heap[size] = (panes[pane].Firsts[0], pane, 0);
                SiftUp(heap, size++);
            }
        }

        while (size > 0)
        {
            (_, int at, int index) = heap[0];
            TKeys keys = panes[at].Table;
            target.Add(panes[at], index);
            if (++index < keys.Count)
            {
                heap[0] = (panes[at].Firsts[index], at, index);
            }
            else
            {
                heap[0] = heap[--size];
            }

            SiftDown(heap, size);
        }
    }

    private static void SiftUp(Span<(long Arrival, int Pane, int Index)> heap, int at)
    {
        while (at > 0)
        {
            int parent = (at - 1) >> 1;
            if (heap[parent].Arrival <= heap[at].Arrival)
            {
                return;
            }

            (heap[parent], heap[at]) = (heap[at], heap[parent]);
            at = parent;
        }
    }

    private static void SiftDown(Span<(long Arrival, int Pane, int Index)> heap, int size)
    {
        int at = 0;
        while (true)
        {
            int least = at;
            int left = (2 * at) + 1;
            if (left < size && heap[left].Arrival < heap[least].Arrival)
            {
                least = left;
            }

            if (left + 1 < size && heap[left + 1].Arrival < heap[least].Arrival)
            {
                least = left + 1;
            }

            if (least == at)
            {
                return;
            }

            (heap[least], heap[at]) = (heap[at], heap[least]);
            at = least;
        }
    }

    /// <summary>
    /// Takes back the table <see cref="TryClose"/> gave, cleared by the caller: the set's own folding table, kept for the
    /// next window; unless the watermark has passed every window (the end of the input, or a stop) and no pane is left,
    /// when it is let go, so that its memory serves what comes after.
    /// </summary>
    public void Recycle(TKeys table)
    {
        if (_flushing && _panes.Count == 0)
        {
            // Past every window: the memory of the folded tables serves what comes after them.
            _folded = TKeys.Create();
            _closing = null;
            _closingCount = 0;
            _closingNext = 0;
        }
    }

    /// <summary>
    /// Writes the whole state into a checkpoint section, between batches: the start of the first window not yet closed,
    /// the next arrival number, the number of panes, then each, in order of start, as its start, its table as a set of
    /// keyed entries (<see cref="KeyedSections"/>) and its keys' arrival numbers. Allocates nothing once the set has
    /// written a checkpoint of its size.
    /// </summary>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        section.WriteUnmanaged(_nextStart);
        section.WriteUnmanaged(_arrivals);
        section.WriteCount((uint)_panes.Count);
        foreach (Pane pane in _panes)
        {
            section.WriteUnmanaged(pane.Start);
            KeyedSections.Write<TKeys, TKey, TValue, PlainEntries<TValue>>(pane.Table, ref section, ref _checkpointScratch);
            for (int index = 0; index < pane.Table.Count; index++)
            {
                section.WriteUnmanaged(pane.Firsts[index]);
            }
        }
    }

    /// <summary>
    /// Restores what <see cref="WriteCheckpoint"/> wrote into this new, empty set, which then closes and emits the same
    /// windows with the same tables. A malformed section throws and leaves the set empty.
    /// </summary>
    /// <exception cref="InvalidOperationException">The set has panes.</exception>
    /// <exception cref="CheckpointCorruptException">The section is malformed.</exception>
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        if (_panes.Count != 0)
        {
            throw new InvalidOperationException($"A checkpoint is restored only into a new, empty set of event-time window panes; this one has {_panes.Count}. Restore before the first batch.");
        }

        long nextStart = section.ReadUnmanaged<long>();
        long arrivals = section.ReadUnmanaged<long>();
        ulong count = section.ReadCount();
        if (count > (ulong)section.Remaining / 8)
        {
            throw section.Malformed($"announces {count} panes but has only {section.Remaining} bytes left");
        }

        var panes = new Pane[count];
        for (int index = 0; index < panes.Length; index++)
        {
            long start = section.ReadUnmanaged<long>();
            if (index > 0 && panes[index - 1].Start >= start)
            {
                throw section.Malformed($"has the pane starting at {start} out of order");
            }

            var pane = new Pane(TKeys.Create()) { Start = start };
            KeyedSections.ReadInto<TKeys, TKey, TValue, PlainEntries<TValue>>(ref section, pane.Table);
            for (int key = 0; key < pane.Table.Count; key++)
            {
                long arrival = section.ReadUnmanaged<long>();
                if (arrival < 0 || arrival >= arrivals || (key > 0 && arrival <= pane.Firsts[key - 1]))
                {
                    throw section.Malformed($"gives a key of the pane at {start} the arrival number {arrival}, not after the key before it nor below the next one ({arrivals})");
                }

                pane.Restored(key, arrival);
            }

            panes[index] = pane;
        }

        _nextStart = nextStart;
        _arrivals = arrivals;
        _panes.AddRange(panes);
    }

    // One pane: its start, its table, and for each of its keys (in the table's order) the arrival number of the record
    // that brought it.
    private sealed class Pane(TKeys table)
    {
        public long Start;
        public readonly TKeys Table = table;
        public long[] Firsts = new long[16];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Arrived(long arrival)
        {
            int at = Table.Count - 1;
            long[] firsts = Firsts;
            if ((uint)at < (uint)firsts.Length)
            {
                firsts[at] = arrival;
            }
            else
            {
                Grow(at, arrival);
            }
        }

        // The arrival number of the key at `at`, read back from a checkpoint.
        public void Restored(int at, long arrival)
        {
            if (at < Firsts.Length)
            {
                Firsts[at] = arrival;
            }
            else
            {
                Grow(at, arrival);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Grow(int at, long arrival)
        {
            Array.Resize(ref Firsts, Math.Max(at + 1, Firsts.Length * 2));
            Firsts[at] = arrival;
        }
    }
}
