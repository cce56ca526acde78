using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Windows;

/// <summary>
/// The open event-time windows of a stage, each with its key table, kept in order of their end. The generated code
/// finds a record's tumbling window with <see cref="WindowOf"/>, or each sliding window that holds it with
/// <see cref="WindowsOf"/>, and takes closed windows at the batch boundary with <see cref="TryClose"/>; tables of
/// closed windows are cleared and reused, so a steady stream of windows allocates nothing. <see cref="OpenWindows"/>
/// is a view of the whole state; <see cref="Open"/> puts a window back.
/// </summary>
/// <typeparam name="TTable">The key table of one window.</typeparam>
public sealed class EventWindowSet<TTable>
    where TTable : class, new()
{
    private readonly List<(EventWindow Window, TTable Table)> _open = [];
    private readonly Stack<TTable> _spare = new();
    private int _last = -1;
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
    public TTable Open(long start, long end)
    {
        // Records of one window tend to come together: try the last window found first.
        if ((uint)_last < (uint)_open.Count && _open[_last].Window.Start == start && _open[_last].Window.End == end)
        {
            return _open[_last].Table;
        }

        var window = new EventWindow(start, end);
        int low = 0;
        int high = _open.Count - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            int order = Compare(_open[middle].Window, window);
            if (order == 0)
            {
                _last = middle;
                return _open[middle].Table;
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

        TTable table = _spare.Count > 0 ? _spare.Pop() : new TTable();
        _open.Insert(low, (window, table));
        _last = low;
        return table;
    }

    /// <summary>Takes the open window that ends first, if the watermark has reached its end.</summary>
    public bool TryClose(long watermark, out EventWindow window, out TTable table)
    {
        if (_open.Count > 0 && _open[0].Window.End <= watermark)
        {
            (window, table) = _open[0];
            _open.RemoveAt(0);
            _last = -1;
            return true;
        }

        window = default;
        table = null!;
        return false;
    }

    /// <summary>Gives back the table of a closed window, cleared by the caller, for a later window.</summary>
    public void Recycle(TTable table) => _spare.Push(table);

    /// <summary>The tables of the sliding windows that hold one event time (see <see cref="WindowsOf"/>).</summary>
    public ref struct WindowsHolding
    {
        private readonly EventWindowSet<TTable> _set;
        private readonly long _after;   // a window starting at or before this no longer holds the time
        private readonly long _size;
        private readonly long _slide;
        private long _start;
        private TTable _current;

        internal WindowsHolding(EventWindowSet<TTable> set, long time, long size, long slide)
        {
            _set = set;
            _after = time - size;
            _size = size;
            _slide = slide;
            _start = EventWindow.LastStart(time, slide) + slide;
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

            _current = _set.Open(_start, _start + _size);
            return true;
        }
    }

    private static int Compare(EventWindow a, EventWindow b) =>
        a.End != b.End ? a.End.CompareTo(b.End) : a.Start.CompareTo(b.Start);
}
