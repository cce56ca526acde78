using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Compiled.Keys;
using Compiled.Sinks;

namespace Compiled.Benchmarks.Windows;

/// <summary>What a hand-written loop does with each line.</summary>
internal interface ILineHandler
{
    void OnLine(ReadOnlySpan<byte> line);
}

/// <summary>
/// Cuts a stream's buffers into lines by hand, as <see cref="WordCount.RuntimeTableLoopWordCount"/> does:
/// <c>IndexOf('\n')</c> per segment, a line that straddles segments copied once into a carry buffer (kept across
/// calls, as a stream continues), a <c>\r</c> before the <c>\n</c> trimmed.
/// </summary>
internal sealed class LineSplitter
{
    private byte[] _carry = new byte[256];
    private int _carried;

    public void Split<THandler>(in ReadOnlySequence<byte> buffer, ref THandler handler)
        where THandler : struct, ILineHandler
    {
        foreach (ReadOnlyMemory<byte> memory in buffer)
        {
            ReadOnlySpan<byte> span = memory.Span;
            if (_carried > 0)
            {
                int end = span.IndexOf((byte)'\n');
                if (end < 0)
                {
                    Carry(span);
                    continue;
                }

                Carry(span[..end]);
                Line(ref handler, _carry.AsSpan(0, _carried));
                _carried = 0;
                span = span[(end + 1)..];
            }

            while (true)
            {
                int end = span.IndexOf((byte)'\n');
                if (end < 0)
                {
                    break;
                }

                Line(ref handler, span[..end]);
                span = span[(end + 1)..];
            }

            if (!span.IsEmpty)
            {
                Carry(span);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Line<THandler>(ref THandler handler, ReadOnlySpan<byte> line)
        where THandler : struct, ILineHandler
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        handler.OnLine(line);
    }

    private void Carry(ReadOnlySpan<byte> part)
    {
        if (_carry.Length - _carried < part.Length)
        {
            Array.Resize(ref _carry, Math.Max(_carry.Length * 2, _carried + part.Length));
        }

        part.CopyTo(_carry.AsSpan(_carried));
        _carried += part.Length;
    }
}

/// <summary>
/// Byte-array keys compared by content, looked up by span without allocating (<see cref="IAlternateEqualityComparer{TAlternate, T}"/>);
/// hashed with the runtime's <see cref="KeyHash"/>, so the hash costs what it costs in the generated code.
/// </summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static ByteArrayComparer Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => (int)KeyHash.Of(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)KeyHash.Of(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}

/// <summary>
/// The sliding sum as a .NET engineer would write it by hand with the base library's
/// <see cref="Dictionary{TKey, TValue}"/>: per batch, a dictionary of sums in a ring of length + 1; at each batch
/// boundary the entering batch is added into the window's dictionary, the leaving batch subtracted, a key whose
/// sum reaches 0 removed at once (<see cref="Dictionary{TKey, TValue}.Remove(TKey)"/>), and the window written out.
/// The window's state is updated in O(keys entering + keys leaving); writing the window out is O(window).
/// </summary>
/// <remarks>
/// Keys are <c>byte[]</c> looked up by span. A batch's new key reuses the window's array when the window has the
/// key, so only keys new to the window allocate (a key that left and comes back allocates again). Output order is
/// the dictionary's, not first-seen order; the check compares sets.
/// </remarks>
public sealed class HandWrittenSlidingSum
{
    private readonly Dictionary<byte[], long>[] _ring;
    private readonly Dictionary<byte[], long> _window = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], long>.AlternateLookup<ReadOnlySpan<byte>> _windowBySpan;
    private readonly LineSplitter _lines = new();
    private readonly IRecordWriter<KeyValue<long>> _sink;
    private Dictionary<byte[], long>.AlternateLookup<ReadOnlySpan<byte>> _batchBySpan;
    private int _current;

    /// <summary>Creates a window of <paramref name="length"/> batches, sliding by one, writing to <paramref name="sink"/>.</summary>
    public HandWrittenSlidingSum(int length, IRecordWriter<KeyValue<long>> sink)
    {
        _ring = new Dictionary<byte[], long>[length + 1];
        for (int i = 0; i < _ring.Length; i++)
        {
            _ring[i] = new Dictionary<byte[], long>(ByteArrayComparer.Instance);
        }

        _windowBySpan = _window.GetAlternateLookup<ReadOnlySpan<byte>>();
        _batchBySpan = _ring[0].GetAlternateLookup<ReadOnlySpan<byte>>();
        _sink = sink;
    }

    /// <summary>Sums the values of every line of <paramref name="buffer"/> into the current batch's dictionary.</summary>
    public void Process(in ReadOnlySequence<byte> buffer)
    {
        var handler = new Handler(this);
        _lines.Split(buffer, ref handler);
    }

    /// <summary>The batch boundary: the window updated from the batch that enters and the one that leaves, then written out.</summary>
    public void CompleteBatch()
    {
        foreach ((byte[] key, long sum) in _ring[_current])
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_window, key, out _) += sum;
        }

        int next = (_current + 1) % _ring.Length;
        Dictionary<byte[], long> leaving = _ring[next];
        foreach ((byte[] key, long sum) in leaving)
        {
            ref long total = ref CollectionsMarshal.GetValueRefOrNullRef(_window, key);
            total -= sum;
            if (total == 0)
            {
                _window.Remove(key);
            }
        }

        foreach ((byte[] key, long total) in _window)
        {
            _sink.Write(new KeyValue<long>(key, total));
        }

        leaving.Clear();
        _current = next;
        _batchBySpan = leaving.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(ReadOnlySpan<byte> key, long value)
    {
        ref long sum = ref CollectionsMarshal.GetValueRefOrNullRef(_batchBySpan, key);
        if (!Unsafe.IsNullRef(ref sum))
        {
            sum += value;
            return;
        }

        AddNew(key, value);
    }

    // The key's first record in this batch: share the window's array for it if there is one.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddNew(ReadOnlySpan<byte> key, long value) =>
        _batchBySpan.Dictionary.Add(_windowBySpan.TryGetValue(key, out byte[]? known, out _) ? known : key.ToArray(), value);

    private readonly struct Handler(HandWrittenSlidingSum owner) : ILineHandler
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnLine(ReadOnlySpan<byte> line)
        {
            KeyValue<long> pair = StreamLine.KeyAndValue(line);
            owner.Add(pair.Key, pair.Value);
        }
    }
}

/// <summary>
/// The sliding sum with the filter, written by hand with the runtime's <see cref="ByteKeyTable{TValue}"/>, the table the
/// generated job uses, and the same algorithm as the generated <see cref="SlidingSumInverse"/>: per batch a table of
/// sums in a ring of length + 1; at the boundary the entering batch is added into the window's table (value and the
/// number of the window's batches holding the key), the leaving batch subtracted, and the window written out, keys
/// whose sum is 0 left out and, once none of the window's batches holds them, dropped by copying the others into a
/// second table (the table has no remove). Its ratio to the generated job is what the framework adds.
/// </summary>
public sealed class HandWrittenTableSlidingSum
{
    private readonly ByteKeyTable<long>[] _ring;
    private readonly LineSplitter _lines = new();
    private readonly IRecordWriter<KeyValue<long>> _sink;
    private ByteKeyTable<(long Value, int Batches)> _window = new();
    private ByteKeyTable<(long Value, int Batches)> _kept = new();
    private ByteKeyTable<long> _batch;
    private int _current;

    /// <summary>Creates a window of <paramref name="length"/> batches, sliding by one, writing to <paramref name="sink"/>.</summary>
    public HandWrittenTableSlidingSum(int length, IRecordWriter<KeyValue<long>> sink)
    {
        _ring = new ByteKeyTable<long>[length + 1];
        for (int i = 0; i < _ring.Length; i++)
        {
            _ring[i] = new ByteKeyTable<long>();
        }

        _batch = _ring[0];
        _sink = sink;
    }

    /// <summary>Sums the values of every line of <paramref name="buffer"/> into the current batch's table.</summary>
    public void Process(in ReadOnlySequence<byte> buffer)
    {
        var handler = new Handler(_batch);
        _lines.Split(buffer, ref handler);
    }

    /// <summary>The batch boundary: the window updated from the batch that enters and the one that leaves, then written out.</summary>
    public void CompleteBatch()
    {
        ByteKeyTable<long> entering = _batch;
        for (int i = 0; i < entering.Count; i++)
        {
            ref (long Value, int Batches) entry = ref _window.GetValueRefOrAddDefault(entering.KeyAt(i), out _);
            entry.Value += entering.ValueAt(i);
            entry.Batches++;
        }

        int next = (_current + 1) % _ring.Length;
        ByteKeyTable<long> leaving = _ring[next];
        for (int i = 0; i < leaving.Count; i++)
        {
            ref (long Value, int Batches) entry = ref _window.GetValueRefOrNullRef(leaving.KeyAt(i));
            entry.Value -= leaving.ValueAt(i);
            entry.Batches--;
        }

        for (int i = 0; i < _window.Count; i++)
        {
            (long value, int batches) = _window.ValueAt(i);
            if (value != 0)
            {
                _sink.Write(new KeyValue<long>(_window.KeyAt(i), value));
            }
            else if (batches == 0)
            {
                continue;
            }

            _kept.GetValueRefOrAddDefault(_window.KeyAt(i), out _) = (value, batches);
        }

        (_window, _kept) = (_kept, _window);
        _kept.Clear();
        leaving.Clear();
        _current = next;
        _batch = leaving;
    }

    private readonly struct Handler(ByteKeyTable<long> batch) : ILineHandler
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnLine(ReadOnlySpan<byte> line)
        {
            KeyValue<long> pair = StreamLine.KeyAndValue(line);
            batch.GetValueRefOrAddDefault(pair.Key, out _) += pair.Value;
        }
    }
}

/// <summary>
/// The event-time tumbling count written by hand with the runtime's <see cref="ByteKeyTable{TValue}"/>, the table the
/// generated job uses: per line, the timestamp parsed, checked against the watermark and noted; the minute's table
/// found (the last one used, else a search of the open minutes) and the key counted. At the batch boundary the
/// watermark moves to the latest time minus the lateness, and each minute it passed is written out and its table
/// cleared for reuse. The same work as the generated job, without the framework.
/// </summary>
public sealed class HandWrittenEventTimeCount
{
    private const long Size = 60_000;
    private const long Lateness = 5_000;

    private readonly List<(long Start, ByteKeyTable<long> Table)> _open = [];
    private readonly Stack<ByteKeyTable<long>> _spare = new();
    private readonly LineSplitter _lines = new();
    private readonly IRecordWriter<Windowed<long>> _sink;
    private long _watermark = long.MinValue;
    private long _latest = long.MinValue;
    private long _lastStart = long.MinValue;
    private ByteKeyTable<long>? _lastTable;

    /// <summary>Creates the count, writing to <paramref name="sink"/>.</summary>
    public HandWrittenEventTimeCount(IRecordWriter<Windowed<long>> sink) => _sink = sink;

    /// <summary>Records behind the watermark, dropped.</summary>
    public long Late { get; private set; }

    /// <summary>Counts every line of <paramref name="buffer"/>.</summary>
    public void Process(in ReadOnlySequence<byte> buffer)
    {
        var handler = new Handler(this);
        _lines.Split(buffer, ref handler);
    }

    /// <summary>The batch boundary: the watermark moves on; every minute it passed is written out.</summary>
    public void CompleteBatch()
    {
        if (_latest != long.MinValue && _latest - Lateness > _watermark)
        {
            _watermark = _latest - Lateness;
        }

        while (_open.Count > 0 && _open[0].Start + Size <= _watermark)
        {
            (long start, ByteKeyTable<long> table) = _open[0];
            var window = new EventWindow(start, start + Size);
            for (int i = 0; i < table.Count; i++)
            {
                _sink.Write(new Windowed<long>(window, table.KeyAt(i), table.ValueAt(i)));
            }

            table.Clear();
            _spare.Push(table);
            _open.RemoveAt(0);
            _lastStart = long.MinValue;
            _lastTable = null;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Count(ReadOnlySpan<byte> line)
    {
        long time = StreamLine.Timestamp(line);
        if (time < _watermark)
        {
            Late++;
            return;
        }

        if (time > _latest)
        {
            _latest = time;
        }

        long start = EventWindow.LastStart(time, Size);
        ByteKeyTable<long> table = start == _lastStart ? _lastTable! : Find(start);
        table.GetValueRefOrAddDefault(StreamLine.EventKey(line), out _)++;
    }

    // The minute's table, opened if need be; the open minutes are few and in order.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ByteKeyTable<long> Find(long start)
    {
        int index = 0;
        while (index < _open.Count && _open[index].Start < start)
        {
            index++;
        }

        if (index == _open.Count || _open[index].Start != start)
        {
            _open.Insert(index, (start, _spare.Count > 0 ? _spare.Pop() : new ByteKeyTable<long>()));
        }

        _lastStart = start;
        _lastTable = _open[index].Table;
        return _lastTable;
    }

    private readonly struct Handler(HandWrittenEventTimeCount owner) : ILineHandler
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnLine(ReadOnlySpan<byte> line) => owner.Count(line);
    }
}

/// <summary>
/// An ablation of <see cref="HandWrittenEventTimeCount"/>: the timestamp parsed, but no watermark, no late check and no
/// search for the window: every line is counted in one table that is written out and cleared every 60 batches. It keeps
/// the per-minute table (about 100,000 keys by the end of a minute, against some 24,000 in a per-batch table) and drops
/// the event-time logic, so comparing the three says which of the two costs what.
/// </summary>
public sealed class HandWrittenMinuteCount
{
    private readonly ByteKeyTable<long> _table = new();
    private readonly LineSplitter _lines = new();
    private readonly IRecordWriter<Windowed<long>> _sink;
    /// <summary>Creates the count, writing to <paramref name="sink"/>.</summary>
    public HandWrittenMinuteCount(IRecordWriter<Windowed<long>> sink) => _sink = sink;

    /// <summary>The sum of the timestamps parsed (kept so that parsing them is not optimized away).</summary>
    public long Checksum { get; private set; }

    /// <summary>Counts every line of <paramref name="buffer"/>.</summary>
    public void Process(in ReadOnlySequence<byte> buffer)
    {
        var handler = new Handler(this);
        _lines.Split(buffer, ref handler);
    }

    /// <summary>Every 60th batch, writes the table out and clears it.</summary>
    public void CompleteBatch(long index)
    {
        if (index % 60 != 0)
        {
            return;
        }

        var window = new EventWindow((index - 60) * 1000, index * 1000);
        for (int i = 0; i < _table.Count; i++)
        {
            _sink.Write(new Windowed<long>(window, _table.KeyAt(i), _table.ValueAt(i)));
        }

        _table.Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Count(ReadOnlySpan<byte> line)
    {
        // The timestamp is parsed as in the event-time count, and kept so the parse is not optimized away.
        Checksum += StreamLine.Timestamp(line);
        _table.GetValueRefOrAddDefault(StreamLine.EventKey(line), out _)++;
    }

    private readonly struct Handler(HandWrittenMinuteCount owner) : ILineHandler
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnLine(ReadOnlySpan<byte> line) => owner.Count(line);
    }
}
