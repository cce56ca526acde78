using System.Runtime.CompilerServices;

namespace Compiled.Windows;

/// <summary>Where one key's open sessions are, in a <see cref="Sessions{TValue}"/>.</summary>
public struct SessionList
{
    internal int First;   // 1-based index of the earliest session; 0 when there is none
    internal long Order;  // when the key last opened a session while it had none: orders closed sessions that tie

    /// <summary>Whether the key has no open session.</summary>
    public readonly bool IsEmpty => First == 0;
}

/// <summary>
/// The open sessions of every key of a session-window stage, in one shared array with a free list, so keeping
/// sessions allocates nothing once it has grown. Each key's sessions are a list in order of their start.
/// </summary>
/// <typeparam name="TValue">The value combined over a session.</typeparam>
internal sealed class Sessions<TValue>
{
    private Session[] _sessions = new Session[256];
    private int _count;
    private int _free;    // 1-based head of the free list
    private ClosedSession<TValue>[] _closed = new ClosedSession<TValue>[16];
    private int _closedCount;
    private long _opened;  // the last Order given to a key that opened a session while it had none

    /// <summary>
    /// Adds a record of event time <paramref name="time"/>: it opens the session [time, time + gap), which takes in
    /// every open session it overlaps or touches (a record exactly a gap after a session's last record joins it),
    /// their values combined with <typeparamref name="TReducer"/> in order of start.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add<TReducer>(ref SessionList list, long time, long gap, TValue value)
        where TReducer : struct, IReducer<TValue> =>
        AddSpan<TReducer>(ref list, time, time + gap, value);

    /// <summary>
    /// Adds the session [<paramref name="time"/>, <paramref name="end"/>) of the key: a record's own ([time, time + gap),
    /// <see cref="Add{TReducer}"/>), or a session another instance built from records (how one more partition's sessions
    /// join the job's); it takes in every open session of the key that it overlaps or touches, the values combined in
    /// order of start.
    /// </summary>
    public void AddSpan<TReducer>(ref SessionList list, long time, long end, TValue value)
        where TReducer : struct, IReducer<TValue>
    {
        if (list.First == 0)
        {
            // The key is seen first (again): among sessions that close together with the same span, it comes after
            // the keys that had sessions open already.
            list.Order = ++_opened;
        }

        TReducer reducer = default;
        long start = time;
        bool hasEarlier = false;
        TValue earlier = default!;
        bool hasLater = false;
        TValue later = default!;

        // Walk the key's sessions (in order of start), unlinking each one the new session overlaps.
        int previous = 0;
        int current = list.First;
        while (current != 0)
        {
            ref Session session = ref _sessions[current - 1];
            int next = session.Next;
            if (session.Start <= end && time <= session.End)
            {
                if (session.Start <= time)
                {
                    earlier = hasEarlier ? reducer.Reduce(earlier, session.Value) : session.Value;
                    hasEarlier = true;
                }
                else
                {
                    later = hasLater ? reducer.Reduce(later, session.Value) : session.Value;
                    hasLater = true;
                }

                start = Math.Min(start, session.Start);
                end = Math.Max(end, session.End);
                Unlink(ref list, previous, current);
            }
            else
            {
                previous = current;
            }

            current = next;
        }

        // The merged value, in order of start: the sessions before the record, the record, those after it.
        TValue merged = hasEarlier ? reducer.Reduce(earlier, value) : value;
        if (hasLater)
        {
            merged = reducer.Reduce(merged, later);
        }

        Insert(ref list, start, end, merged);
    }

    /// <summary>
    /// Moves every session of the key that the watermark has passed (it ended before the watermark, so no record that
    /// is not late can reach it any more) to the closed sessions, tagged with <paramref name="key"/>.
    /// </summary>
    public void TakeClosed(ref SessionList list, int key, long watermark)
    {
        int previous = 0;
        int current = list.First;
        while (current != 0)
        {
            ref Session session = ref _sessions[current - 1];
            int next = session.Next;
            if (session.End < watermark)
            {
                if (_closedCount == _closed.Length)
                {
                    Array.Resize(ref _closed, _closed.Length * 2);
                }

                _closed[_closedCount++] = new ClosedSession<TValue>(new EventWindow(session.Start, session.End), key, session.Value) { Order = list.Order };
                Unlink(ref list, previous, current);
            }
            else
            {
                previous = current;
            }

            current = next;
        }
    }

    /// <summary>
    /// The sessions <see cref="TakeClosed"/> has moved out since the last <see cref="ClearClosed"/>, in order of their
    /// end, then start, then key in the order the key was first seen since it last had no open session.
    /// </summary>
    public ReadOnlySpan<ClosedSession<TValue>> SortClosed()
    {
        Span<ClosedSession<TValue>> closed = _closed.AsSpan(0, _closedCount);
        closed.Sort(default(ByEnd));
        return closed;
    }

    /// <summary>Forgets the closed sessions once they are emitted.</summary>
    public void ClearClosed()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            _closed.AsSpan(0, _closedCount).Clear();
        }

        _closedCount = 0;
    }

    /// <summary>
    /// Puts back an open session of a key as a state view gave it (<see cref="SessionsOf"/>), without merging: a key's
    /// sessions must be put back in the order the view gave them, and keys in the order they were first seen.
    /// </summary>
    public void Restore(ref SessionList list, EventWindow window, TValue value)
    {
        if (window.End < window.Start)
        {
            throw new ArgumentException($"The session {window} ends before it starts; put back sessions as the state view gave them.", nameof(window));
        }

        if (list.First == 0)
        {
            list.Order = ++_opened;
        }

        Insert(ref list, window.Start, window.End, value);
    }

    /// <summary>Forgets every session, open and closed, keeping the memory (the keys' lists are the caller's to clear).</summary>
    public void Clear()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            _sessions.AsSpan(0, _count).Clear();
        }

        _count = 0;
        _free = 0;
        _opened = 0;
        ClearClosed();
    }

    /// <summary>The open sessions of one key, in order of start: a view of the state, for a checkpoint to capture.</summary>
    public SessionEnumerator SessionsOf(SessionList list) => new(_sessions, list.First);

    // Inserts a session into the key's list, keeping it in order of start.
    private void Insert(ref SessionList list, long start, long end, TValue value)
    {
        int index;
        if (_free != 0)
        {
            index = _free;
            _free = _sessions[index - 1].Next;
        }
        else
        {
            if (_count == _sessions.Length)
            {
                Array.Resize(ref _sessions, _sessions.Length * 2);
            }

            index = ++_count;
        }

        int previous = 0;
        int current = list.First;
        while (current != 0 && _sessions[current - 1].Start < start)
        {
            previous = current;
            current = _sessions[current - 1].Next;
        }

        _sessions[index - 1] = new Session { Start = start, End = end, Value = value, Next = current };
        if (previous == 0)
        {
            list.First = index;
        }
        else
        {
            _sessions[previous - 1].Next = index;
        }
    }

    // Removes 'current' (which follows 'previous', or heads the list) and puts it on the free list.
    private void Unlink(ref SessionList list, int previous, int current)
    {
        ref Session session = ref _sessions[current - 1];
        if (previous == 0)
        {
            list.First = session.Next;
        }
        else
        {
            _sessions[previous - 1].Next = session.Next;
        }

        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            session.Value = default!;
        }

        session.Next = _free;
        _free = current;
    }

    private readonly struct ByEnd : IComparer<ClosedSession<TValue>>
    {
        public int Compare(ClosedSession<TValue> x, ClosedSession<TValue> y)
        {
            int order = x.Window.End.CompareTo(y.Window.End);
            if (order == 0)
            {
                order = x.Window.Start.CompareTo(y.Window.Start);
            }

            return order != 0 ? order : x.Order.CompareTo(y.Order);
        }
    }

    /// <summary>Walks one key's open sessions, in order of start.</summary>
    public struct SessionEnumerator
    {
        private readonly Session[] _sessions;
        private int _next;
        private int _current;

        internal SessionEnumerator(Session[] sessions, int first)
        {
            _sessions = sessions;
            _next = first;
        }

        /// <summary>The session: its span and its value so far.</summary>
        public readonly (EventWindow Window, TValue Value) Current
        {
            get
            {
                ref readonly Session session = ref _sessions[_current - 1];
                return (new EventWindow(session.Start, session.End), session.Value);
            }
        }

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        public readonly SessionEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next session of the key.</summary>
        public bool MoveNext()
        {
            if (_next == 0)
            {
                return false;
            }

            _current = _next;
            _next = _sessions[_current - 1].Next;
            return true;
        }
    }

    internal struct Session
    {
        public long Start;
        public long End;
        public TValue Value;
        public int Next;
    }
}

/// <summary>A session the watermark has passed: its window, the index of its key in the stage's key table, its value.</summary>
/// <typeparam name="TValue">The value combined over the session.</typeparam>
internal readonly struct ClosedSession<TValue>(EventWindow window, int key, TValue value)
{
    /// <summary>The session's event-time span: its first record's time to its last record's time plus the gap.</summary>
    public EventWindow Window { get; } = window;

    /// <summary>The index of the session's key in the stage's key table.</summary>
    public int Key { get; } = key;

    /// <summary>
    /// The session's values combined: sessions a record bridges in order of start around it, but a record that
    /// lands inside a session comes after that session's values, so the stage's function should not depend on order.
    /// </summary>
    public TValue Value { get; } = value;

    // The key's Order (see SessionList), which orders sessions that close together with the same span.
    internal long Order { get; init; }
}
