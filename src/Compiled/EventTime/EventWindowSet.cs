namespace Compiled.Windows;

/// <summary>
/// The open event-time windows of a stage, each with its key table, kept in order of their end. The generated code
/// finds a record's window with <see cref="Open"/> and takes closed windows at the batch boundary with
/// <see cref="TryClose"/>; tables of closed windows are cleared and reused, so a steady stream of windows
/// allocates nothing.
/// </summary>
/// <typeparam name="TTable">The key table of one window.</typeparam>
public sealed class EventWindowSet<TTable>
    where TTable : class, new()
{
    private readonly List<(EventWindow Window, TTable Table)> _open = [];
    private readonly Stack<TTable> _spare = new();
    private int _last = -1;

    /// <summary>The number of open windows.</summary>
    public int Count => _open.Count;

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

    private static int Compare(EventWindow a, EventWindow b) =>
        a.End != b.End ? a.End.CompareTo(b.End) : a.Start.CompareTo(b.Start);
}
