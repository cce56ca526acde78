using System.Runtime.CompilerServices;

namespace Compiled.Windows;

/// <summary>Where one key's open sessions are, in a <see cref="Sessions{TValue}"/>.</summary>
public struct SessionList
{
    internal int First;   // 1-based index of the earliest session; 0 when there is none

    /// <summary>Whether the key has no open session.</summary>
    public readonly bool IsEmpty => First == 0;
}

/// <summary>
/// The open sessions of every key of a session-window stage, in one shared array with a free list, so keeping
/// sessions allocates nothing once it has grown. Each key's sessions are a list in order of their start.
/// </summary>
/// <typeparam name="TValue">The value combined over a session.</typeparam>
public sealed class Sessions<TValue>
{
    private Session[] _sessions = new Session[256];
    private int _count;
    private int _free;    // 1-based head of the free list

    /// <summary>
    /// Adds a record of event time <paramref name="time"/>: it opens the session [time, time + gap), which takes in
    /// every open session it overlaps, their values combined with <typeparamref name="TReducer"/> in order of start.
    /// </summary>
    public void Add<TReducer>(ref SessionList list, long time, long gap, TValue value)
        where TReducer : struct, IReducer<TValue>
    {
        TReducer reducer = default;
        long start = time;
        long end = time + gap;
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
            if (session.Start < end && time < session.End)
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

    /// <summary>Takes the key's earliest session that the watermark has passed: it ended at or before it.</summary>
    public bool TryTakeClosed(ref SessionList list, long watermark, out EventWindow window, out TValue value)
    {
        int previous = 0;
        for (int current = list.First; current != 0; current = _sessions[current - 1].Next)
        {
            ref Session session = ref _sessions[current - 1];
            if (session.End <= watermark)
            {
                window = new EventWindow(session.Start, session.End);
                value = session.Value;
                Unlink(ref list, previous, current);
                return true;
            }

            previous = current;
        }

        window = default;
        value = default!;
        return false;
    }

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

    private struct Session
    {
        public long Start;
        public long End;
        public TValue Value;
        public int Next;
    }
}
