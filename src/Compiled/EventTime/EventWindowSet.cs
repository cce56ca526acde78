using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Windows;

/// <summary>
/// The open event-time windows of a stage, each with its key table, kept in order of their end. The generated code
/// finds a record's tumbling window with <see cref="WindowOf"/>, or each sliding window that holds it with
/// <see cref="WindowsOf"/>, and takes closed windows at the batch boundary with <see cref="TryClose"/>; tables of
/// closed windows are cleared and reused, so a steady stream of windows allocates nothing; a window that finds no
/// spare table gets a new one with room for the keys windows have been taking, and past every window the closed
/// tables are let go (see <see cref="Recycle"/>). <see cref="OpenWindows"/>
/// is a view of the whole state; <see cref="Open"/> puts a window back.
/// </summary>
/// <typeparam name="TTable">The key table of one window.</typeparam>
public sealed class EventWindowSet<TTable>
    where TTable : class, new()
{
    private readonly List<(EventWindow Window, TTable Table)> _open = [];
    private readonly Stack<TTable> _spare = new();
    private int _last = -1;            // the place of the window found last
    private int _firstOfRecord = -1;   // the place of the first sliding window of the record before
    private int _lastClosedKeys;       // the keys of the window closed last
    private bool _flushing;            // the last close was past every window
    private int[]? _checkpointScratch;

    /// <summary>The number of open windows.</summary>
    public int Count => _open.Count;

    /// <summary>
    /// The open windows in order of end (then start), each with its table: a view of the whole state, for a checkpoint
    /// to capture, valid until the set changes. Opening each window with <see cref="Open"/> in a new set and filling
    /// its table gives a set that behaves the same.
    /// </summary>
    public ReadOnlySpan<(EventWindow Window, TTable Table)> OpenWindows => CollectionsMarshal.AsSpan(_open);

    /// <summary>
    /// Writes the whole state into a checkpoint section, between batches: the number of open windows, then each, in
    /// order, as its start and end and its table as a set of keyed entries (<see cref="KeyedSections"/>; values through
    /// <see cref="CheckpointValues{T}"/>). Allocates nothing once the set has written a checkpoint of its size.
    /// </summary>
    /// <exception cref="NotSupportedException">The table type is not a <see cref="ByteKeyTable{TValue}"/> or <see cref="StructKeyTable{TKey, TValue}"/>.</exception>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        section.WriteCount((uint)_open.Count);
        foreach ((EventWindow window, TTable table) in _open)
        {
            section.WriteUnmanaged(window.Start);
            section.WriteUnmanaged(window.End);
            Checkpointed(table).WriteCheckpoint(ref section, ref _checkpointScratch);
        }
    }

    /// <summary>
    /// Restores what <see cref="WriteCheckpoint"/> wrote into this new, empty set, which then closes and emits the same
    /// windows with the same tables. A malformed section throws and leaves the set empty.
    /// </summary>
    /// <exception cref="InvalidOperationException">The set has open windows.</exception>
    /// <exception cref="CheckpointCorruptException">The section is malformed.</exception>
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        if (_open.Count != 0)
        {
            throw new InvalidOperationException($"A checkpoint is restored only into a new, empty set of event-time windows; this one has {_open.Count} open. Restore before the first batch.");
        }

        ulong count = section.ReadCount();
        if (count > (ulong)section.Remaining / 16)
        {
            throw section.Malformed($"announces {count} open windows but has only {section.Remaining} bytes left");
        }

        var windows = new (EventWindow Window, TTable Table)[count];
        for (int index = 0; index < windows.Length; index++)
        {
            var window = new EventWindow(section.ReadUnmanaged<long>(), section.ReadUnmanaged<long>());
            if (window.End < window.Start || (index > 0 && Compare(windows[index - 1].Window, window) >= 0))
            {
                throw section.Malformed($"has the open window {window} out of order or ending before it starts");
            }

            var table = new TTable();
            Checkpointed(table).ReadCheckpoint(ref section);
            windows[index] = (window, table);
        }

        _open.AddRange(windows);
    }

    private static ICheckpointTable Checkpointed(TTable table) =>
        table as ICheckpointTable ?? throw new NotSupportedException(
            $"A checkpoint cannot write event-time windows whose tables are '{typeof(TTable)}': use a ByteKeyTable<TValue> or a StructKeyTable<TKey, TValue>, as the generated code does.");

    /// <summary>The table of the tumbling window of <paramref name="size"/> milliseconds that holds event time <paramref name="time"/>, opened if need be.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TTable WindowOf(long time, long size)
    {
        long start = EventWindow.LastStart(time, size);
        return Open(start, start + size);
    }

    /// <summary>
    /// The tables of every window of <paramref name="size"/> milliseconds, starting every <paramref name="slide"/>
    /// milliseconds, that holds event time <paramref name="time"/> (the one starting last at or before it first, then
    /// those before it), each opened if need be as the enumeration reaches it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public WindowsHolding WindowsOf(long time, long size, long slide) => new(this, time, size, slide);

    /// <summary>The table of the window from <paramref name="start"/> to <paramref name="end"/>, opened if need be.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TTable Open(long start, long end)
    {
        // Records of one window tend to come together: try the last window found first.
        int last = _last;
        return Find(start, end, ref last);
    }

    // The table of the window from `start` to `end`, opened if need be, looked for first at `index` (a guess: the place
    // of a window found before, which an insertion may have moved), then by a binary search; `index` ends as its place,
    // and so does _last.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TTable Find(long start, long end, ref int index)
    {
        Span<(EventWindow Window, TTable Table)> open = CollectionsMarshal.AsSpan(_open);
        int guess = index;
        if ((uint)guess < (uint)open.Length && open[guess].Window.Start == start && open[guess].Window.End == end)
        {
            _last = guess;
            return open[guess].Table;
        }

        return Search(start, end, ref index);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TTable Search(long start, long end, ref int index)
    {
        var window = new EventWindow(start, end);
        Span<(EventWindow Window, TTable Table)> open = CollectionsMarshal.AsSpan(_open);
        int low = 0;
        int high = open.Length - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            int order = Compare(open[middle].Window, window);
            if (order == 0)
            {
                _last = index = middle;
                return open[middle].Table;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        TTable table = _spare.Count > 0 ? _spare.Pop() : NewTable();
        _open.Insert(low, (window, table));
        if (_firstOfRecord >= low)
        {
            _firstOfRecord++;
        }

        _last = index = low;
        return table;
    }

    // A table for a window opened when no closed window's table is spare, with room for as many keys as the larger of
    // the oldest open window (which has seen the most of its records) and the last closed one hold: it does not grow
    // from 16 slots by doubling, copying its keys each time and leaving the old arrays to the collector. A table of 16
    // slots (the default) already holds 8 keys, so fewer than 16 is not worth a resize.
    private TTable NewTable()
    {
        var table = new TTable();
        if (table is IWindowTable sized)
        {
            int keys = _lastClosedKeys;
            if (_open.Count > 0 && _open[0].Table is IWindowTable oldest)
            {
                keys = Math.Max(keys, oldest.Count);
            }

            if (keys > 16)
            {
                sized.EnsureCapacity(keys);
            }
        }

        return table;
    }

    /// <summary>Takes the open window that ends first, if the watermark has reached its end.</summary>
    public bool TryClose(long watermark, out EventWindow window, out TTable table)
    {
        _flushing = watermark == long.MaxValue;
        if (_open.Count > 0 && _open[0].Window.End <= watermark)
        {
            (window, table) = _open[0];
            _open.RemoveAt(0);
            if (table is IWindowTable closed)
            {
                _lastClosedKeys = closed.Count;
            }

            _last = -1;
            _firstOfRecord--;
            return true;
        }

        window = default;
        table = null!;
        return false;
    }

    /// <summary>
    /// Gives back the table of a closed window, cleared by the caller, for a later window; unless the watermark has
    /// passed every window (the end of the input, or a stop), when no later window is expected and the table is let go,
    /// with the spare ones, so that the memory of the closed windows serves what comes after them.
    /// </summary>
    public void Recycle(TTable table)
    {
        if (_flushing)
        {
            _spare.Clear();
            return;
        }

        _spare.Push(table);
    }

    /// <summary>The tables of the sliding windows that hold one event time (see <see cref="WindowsOf"/>).</summary>
    public ref struct WindowsHolding
    {
        private readonly EventWindowSet<TTable> _set;
        private readonly long _after;   // a window starting at or before this no longer holds the time
        private readonly long _size;
        private readonly long _slide;
        private long _start;
        private int _index;     // the place of the current window in the set; the next one is looked for just before it
        private bool _first;
        private TTable _current;

        internal WindowsHolding(EventWindowSet<TTable> set, long time, long size, long slide)
        {
            _set = set;
            _after = time - size;
            _size = size;
            _slide = slide;
            _start = EventWindow.LastStart(time, slide) + slide;
            _index = set._firstOfRecord;
            _first = true;
            _current = null!;
        }

        /// <summary>The table of the current window.</summary>
        public readonly TTable Current => _current;

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        public readonly WindowsHolding GetEnumerator() => this;

        /// <summary>Moves to the window that starts one slide earlier, if it still holds the time, and opens it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MoveNext()
        {
            _start -= _slide;
            if (_start <= _after)
            {
                return false;
            }

            // The windows of one size are in order of start, so the one a slide earlier is just before this one if it is
            // open. The first window of a record is looked for where the first window of the record before it was.
            if (_first)
            {
                _current = _set.Find(_start, _start + _size, ref _index);
                _first = false;
                _set._firstOfRecord = _index;
            }
            else
            {
                _index--;
                _current = _set.Find(_start, _start + _size, ref _index);
            }

            return true;
        }
    }

    private static int Compare(EventWindow a, EventWindow b) =>
        a.End != b.End ? a.End.CompareTo(b.End) : a.Start.CompareTo(b.Start);
}
