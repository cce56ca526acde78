using System.Runtime.ExceptionServices;
using Compiled.Keys;

namespace Compiled.Windows;

/// <summary>
/// The job's set of panes on N partitions folds the windows a boundary closes side by side: the partitions' threads are
/// parked while the job closes windows, so up to N windows are folded at once, each into a table of its own, and
/// <see cref="TryClose"/> hands them out in order of their end, each with its keys in the order one thread gives them. A
/// boundary that closes fewer than 8N windows folds them one by one, as one thread does.
/// </summary>
public sealed partial class EventWindowPanes<TKey, TValue, TKeys, TReducer>
{
    private int _workers = 1;                          // the threads that fold this set's windows: one, and one per set merged in
    private EventWindowPanes<TKey, TValue, TKeys, TReducer>? _mergedInto;  // the set this one merged into last
    private ClosingWindow[]? _closing;                 // the run of windows folded side by side, in order of their end
    private int _closingCount;                         // the windows of the run
    private int _closingNext;                          // the next of them TryClose hands out
    private ParallelOptions? _parallel;
    private Action<int>? _foldClosing;

    /// <summary>
    /// The number of threads that fold the windows a boundary closes: 1, and one more for each other set whose panes
    /// were merged into this one (<see cref="MergeInto"/>), that is the run's number of partitions for the job's set.
    /// </summary>
    public int FoldThreads => _workers;

    // Works out the run of windows the watermark closes, up to two per thread, exactly those TryClose would close one by
    // one from the panes held now (panes are let go only as the windows are handed out), and folds them side by side,
    // each into its own table. False when the watermark closes fewer than eight per thread (none, or the few a short
    // batch closes, MaxBatchBytes, and the end of a run of them): those are folded one by one into the one table, as on
    // one thread, so that short batches hold one window's table, not one per window of a run, and wake no other thread
    // for a window or two.
    private bool PrepareClose(long watermark, long size, long slide)
    {
        int limit = 2 * _workers;
        if (ClosableWindows(watermark, size, slide) < 8L * _workers)
        {
            _closingCount = 0;
            _closingNext = 0;
            return false;
        }

        if (_closing is null || _closing.Length < limit)
        {
            var closing = new ClosingWindow[limit];
            _closing?.CopyTo(closing, 0);
            for (int i = 0; i < closing.Length; i++)
            {
                closing[i] ??= new ClosingWindow();
            }

            _closing = closing;
        }

        // The windows TryClose would close in turn, each with the panes it would fold: those held from its first pane
        // (the first held, once the windows before it let theirs go) to the first pane that starts at or past its end.
        List<Pane> panes = _panes;
        int held = 0;
        long nextStart = _nextStart;
        int count = 0;
        while (count < limit && held < panes.Count)
        {
            long start = FirstOpenStart(panes[held].Start, size, slide, nextStart);
            if (start + size > watermark)
            {
                break;
            }

            int end = held;
            while (end < panes.Count && panes[end].Start < start + size)
            {
                end++;
            }

            ClosingWindow window = _closing[count++];
            window.Window = new EventWindow(start, start + size);
            window.From = held;
            window.To = end;
            window.Failure = null;
            nextStart = start + slide;
            while (held < panes.Count && panes[held].Start < nextStart)
            {
                held++;
            }
        }

        _closingNext = 0;
        _closingCount = count;
        _parallel ??= new ParallelOptions { MaxDegreeOfParallelism = _workers };
        Parallel.For(0, count, _parallel, _foldClosing ??= FoldClosing);
        return true;
    }

    // How many windows the watermark closes at most: from the first open one to the last that starts by the last pane,
    // windows over a gap between panes counted too.
    private long ClosableWindows(long watermark, long size, long slide)
    {
        long first = FirstOpenStart(_panes[0].Start, size, slide, _nextStart);
        if (first + size > watermark)
        {
            return 0;
        }

        long last = Math.Min(watermark - size, _panes[^1].Start);
        return last < first ? 0 : ((last - first) / slide) + 1;
    }

    // One window of the run folded into its own table; what the fold throws is kept and thrown when TryClose reaches the
    // window, after the windows before it are handed out as one thread would.
    private void FoldClosing(int at)
    {
        ClosingWindow window = _closing![at];
        try
        {
            window.Table.Clear();
            FoldPanes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_panes)[window.From..window.To], window.Table, ref window.Heap);
        }
        catch (Exception exception)
        {
            window.Failure = ExceptionDispatchInfo.Capture(exception);
        }
    }

    // A window of the run: its bounds, its panes (indexes into the panes held when the run was worked out), its folded
    // table and the fold's own heap, and what its fold threw.
    private sealed class ClosingWindow
    {
        public EventWindow Window;
        public int From;
        public int To;
        public TKeys Table = TKeys.Create();
        public (long Arrival, int Pane, int Index)[] Heap = new (long, int, int)[8];
        public ExceptionDispatchInfo? Failure;
    }
}
