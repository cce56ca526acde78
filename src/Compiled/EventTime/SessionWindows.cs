using System.Runtime.CompilerServices;
using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Windows;

/// <summary>
/// The session windows of a <see cref="SessionWindowAttribute"/> stage: each key's open sessions,
/// which every record of the key extends or merges (<see cref="Add{TReducer}"/>), and which a batch boundary closes
/// once the watermark passes their end (<see cref="Close"/>). A key whose sessions have all closed stays in the key
/// table, forgotten, until a record brings it back; forgotten keys are cleared out once they are more than a quarter
/// of the table, so a boundary does not copy every key.
/// </summary>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TValue">The value combined over a session.</typeparam>
/// <typeparam name="TKeys">The key table (<see cref="StructKeys{TKey, TValue}"/> or <see cref="ByteKeys{TValue}"/> over <see cref="SessionList"/>).</typeparam>
/// <typeparam name="TRecord">The stage's record (<see cref="Windowed{TKey, TValue}"/> or, for byte keys, <see cref="Windowed{TValue}"/>).</typeparam>
public sealed class SessionWindows<TKey, TValue, TKeys, TRecord>
    where TKey : allows ref struct
    where TKeys : struct, IKeyTable<TKeys, TKey, SessionList>
    where TRecord : IWindowedRecord<TRecord, TKey, TValue>, allows ref struct
{
    private readonly Sessions<TValue> _sessions = new();
    private TKeys _keys = TKeys.Create();
    private TKeys _spare = TKeys.Create();
    private int[]? _checkpointScratch;

    /// <summary>The number of keys in the table, forgotten ones included.</summary>
    internal int KeyCount => _keys.Count;

    /// <summary>
    /// Adds a record of <paramref name="key"/> at event time <paramref name="time"/>: it opens the session
    /// [time, time + gap), which takes in every open session of the key that it overlaps or touches, their values
    /// combined with <typeparamref name="TReducer"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add<TReducer>(TKey key, long time, long gap, TValue value)
        where TReducer : struct, IReducer<TValue> =>
        _sessions.Add<TReducer>(ref _keys.GetOrAdd(key), time, gap, value);

    /// <summary>
    /// At a batch boundary: takes every session that ended before <paramref name="watermark"/> and returns them in
    /// order of end, then start, then key in the order the key was first seen since it last had no open session.
    /// The records are valid until the next call.
    /// </summary>
    public ClosedSessions Close(long watermark)
    {
        _sessions.ClearClosed();
        TKeys keys = _keys;
        int forgotten = 0;
        for (int index = 0; index < keys.Count; index++)
        {
            ref SessionList list = ref keys.ValueAt(index);
            if (!list.IsEmpty)
            {
                _sessions.TakeClosed(ref list, index, watermark);
            }

            if (list.IsEmpty)
            {
                forgotten++;
            }
        }

        if (forgotten > keys.Count / 4)
        {
            // Clear out the forgotten keys: the live ones move to the spare table. The old table is left as it is
            // until the next clear-out, since the closed sessions name their keys by index in it.
            _spare.Clear();
            for (int index = 0; index < keys.Count; index++)
            {
                ref SessionList list = ref keys.ValueAt(index);
                if (!list.IsEmpty)
                {
                    _spare.GetOrAdd(keys.KeyAt(index)) = list;
                }
            }

            (_keys, _spare) = (_spare, _keys);
        }

        return new ClosedSessions(keys, _sessions.SortClosed());
    }

    /// <summary>
    /// The open sessions of every key, keys in the order they were first seen since they last had no open session and
    /// each key's sessions in order of start: a view of the whole state, for a checkpoint to capture. Putting each back
    /// in this order with <see cref="Restore"/> into a new instance gives one that behaves the same. It allocates (it
    /// sorts the keys), so it is for a checkpoint, not for the per-batch path.
    /// </summary>
    public OpenSessionEnumerator OpenSessions()
    {
        var live = new List<(long Order, int Index)>();
        for (int index = 0; index < _keys.Count; index++)
        {
            SessionList list = _keys.ValueAt(index);
            if (!list.IsEmpty)
            {
                live.Add((list.Order, index));
            }
        }

        live.Sort();
        return new OpenSessionEnumerator(this, [.. live.Select(k => k.Index)]);
    }

    /// <summary>
    /// Adds every open session of this instance to <paramref name="into"/>'s (each merging with the sessions of its key
    /// there that it overlaps or touches, the values combined with <typeparamref name="TReducer"/> in order of start) and
    /// empties this one: how one more partition's sessions of a batch join the job's at the boundary (this instance never
    /// closes a session). Keys go in the order this instance first saw them, after the keys <paramref name="into"/> has.
    /// </summary>
    public void MergeInto<TReducer>(SessionWindows<TKey, TValue, TKeys, TRecord> into)
        where TReducer : struct, IReducer<TValue>
    {
        for (int index = 0; index < _keys.Count; index++)
        {
            SessionList list = _keys.ValueAt(index);
            if (list.IsEmpty)
            {
                continue;
            }

            ref SessionList target = ref into._keys.GetOrAdd(_keys.KeyAt(index));
            foreach ((EventWindow window, TValue value) in _sessions.SessionsOf(list))
            {
                into._sessions.AddSpan<TReducer>(ref target, window.Start, window.End, value);
            }
        }

        _keys.Clear();
        _sessions.Clear();
    }

    /// <summary>Puts back one open session of a key, as <see cref="OpenSessions"/> gave it and in that order.</summary>
    public void Restore(TKey key, EventWindow window, TValue value) =>
        _sessions.Restore(ref _keys.GetOrAdd(key), window, value);

    /// <summary>
    /// Writes the whole state into a checkpoint section, between batches: every key with open sessions as a set of
    /// keyed entries (<see cref="KeyedSections"/>), each the key, its place among the keys (the order in which sessions
    /// that close together are emitted), its number of open sessions and each session's start, end and value (through
    /// <see cref="CheckpointValues{T}"/>), in order of start. Allocates nothing once it has written a checkpoint of its size.
    /// </summary>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        Span<int> starts = stackalloc int[KeyedSections.ShardCount + 1];
        ReadOnlySpan<int> order = KeyedSections.Order<TKeys, TKey, SessionList, OpenSessionLists>(_keys, ref _checkpointScratch, starts);
        section.BeginShards(KeyedSections.ShardCount);
        for (int shard = 0; shard < KeyedSections.ShardCount; shard++)
        {
            section.BeginShard(starts[shard + 1] - starts[shard]);
            for (int at = starts[shard]; at < starts[shard + 1]; at++)
            {
                int index = order[at];
                SessionList list = _keys.ValueAt(index);
                TKeys.WriteKey(_keys.KeyAt(index), ref section);
                section.WriteCount((ulong)list.Order);
                uint sessions = 0;
                foreach ((EventWindow, TValue) _ in _sessions.SessionsOf(list))
                {
                    sessions++;
                }

                section.WriteCount(sessions);
                foreach ((EventWindow window, TValue value) in _sessions.SessionsOf(list))
                {
                    section.WriteUnmanaged(window.Start);
                    section.WriteUnmanaged(window.End);
                    CheckpointValues<TValue>.Write(in value, ref section);
                }
            }
        }
    }

    /// <summary>
    /// Restores what <see cref="WriteCheckpoint"/> wrote into this new, empty instance, which then extends, merges, closes
    /// and emits sessions as the written one would have. A malformed section throws and leaves the instance empty.
    /// </summary>
    /// <exception cref="InvalidOperationException">The instance holds keys.</exception>
    /// <exception cref="CheckpointCorruptException">The section is malformed.</exception>
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        if (_keys.Count != 0)
        {
            throw new InvalidOperationException($"A checkpoint is restored only into new, empty session windows; these hold {_keys.Count} keys. Restore before the first batch.");
        }

        TKeys staged = TKeys.Create();
        var places = new List<(ulong Place, int Key)>();
        var firstSession = new List<int>();
        var sessions = new List<(EventWindow Window, TValue Value)>();
        section.BeginShards();
        while (section.MoveNextEntry())
        {
            TKey key = TKeys.ReadKey(ref section);
            ulong place = section.ReadCount();
            ulong count = section.ReadCount();
            if (count == 0 || count > (ulong)section.Remaining / 16)
            {
                throw section.Malformed($"gives a key {count} open sessions, which cannot be right with {section.Remaining} bytes left");
            }

            staged.GetOrAdd(key, out bool exists);
            if (exists)
            {
                throw section.Malformed("holds the same key twice");
            }

            places.Add((place, staged.Count - 1));
            firstSession.Add(sessions.Count);
            for (ulong i = 0; i < count; i++)
            {
                var window = new EventWindow(section.ReadUnmanaged<long>(), section.ReadUnmanaged<long>());
                if (window.End < window.Start)
                {
                    throw section.Malformed($"has the session {window}, which ends before it starts");
                }

                sessions.Add((window, CheckpointValues<TValue>.Read(ref section)));
            }
        }

        places.Sort();
        for (int at = 1; at < places.Count; at++)
        {
            if (places[at].Place == places[at - 1].Place)
            {
                throw section.Malformed($"gives two keys the same place ({places[at].Place})");
            }
        }

        firstSession.Add(sessions.Count);
        foreach ((_, int index) in places)
        {
            TKey key = staged.KeyAt(index);
            for (int at = firstSession[index]; at < firstSession[index + 1]; at++)
            {
                Restore(key, sessions[at].Window, sessions[at].Value);
            }
        }
    }

    /// <summary>The sessions a boundary closed, as records of the stage; valid until the next <see cref="Close"/>.</summary>
    public ref struct ClosedSessions
    {
        private readonly TKeys _keys;
        private readonly ReadOnlySpan<ClosedSession<TValue>> _closed;
        private int _index;

        internal ClosedSessions(TKeys keys, ReadOnlySpan<ClosedSession<TValue>> closed)
        {
            _keys = keys;
            _closed = closed;
            _index = -1;
        }

        /// <summary>The number of closed sessions.</summary>
        public readonly int Count => _closed.Length;

        /// <summary>The session: its span, its key, its value.</summary>
        public readonly TRecord Current
        {
            get
            {
                ref readonly ClosedSession<TValue> session = ref _closed[_index];
                return TRecord.Create(session.Window, _keys.KeyAt(session.Key), session.Value);
            }
        }

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        public readonly ClosedSessions GetEnumerator() => this;

        /// <summary>Moves to the next closed session.</summary>
        public bool MoveNext() => ++_index < _closed.Length;
    }

    /// <summary>Walks the open sessions of every key (see <see cref="OpenSessions"/>).</summary>
    public ref struct OpenSessionEnumerator
    {
        private readonly SessionWindows<TKey, TValue, TKeys, TRecord> _owner;
        private readonly int[] _keys;
        private int _key;
        private Sessions<TValue>.SessionEnumerator _sessions;

        internal OpenSessionEnumerator(SessionWindows<TKey, TValue, TKeys, TRecord> owner, int[] keys)
        {
            _owner = owner;
            _keys = keys;
            _key = -1;
        }

        /// <summary>The session: its span, its key, its value so far.</summary>
        public readonly TRecord Current
        {
            get
            {
                (EventWindow window, TValue value) = _sessions.Current;
                return TRecord.Create(window, _owner._keys.KeyAt(_keys[_key]), value);
            }
        }

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        public readonly OpenSessionEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next session: the key's next, or the next key's first.</summary>
        public bool MoveNext()
        {
            while (_key < 0 || !_sessions.MoveNext())
            {
                if (++_key >= _keys.Length)
                {
                    return false;
                }

                _sessions = _owner._sessions.SessionsOf(_owner._keys.ValueAt(_keys[_key]));
            }

            return true;
        }
    }
}

/// <summary>The keys of a session-window stage that have open sessions: the ones a checkpoint writes.</summary>
internal readonly struct OpenSessionLists : IEntryFilter<SessionList>
{
    public static bool Includes(ref SessionList value) => !value.IsEmpty;
}
