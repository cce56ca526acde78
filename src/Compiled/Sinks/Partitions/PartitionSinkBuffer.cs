using System.Runtime.InteropServices;

namespace Compiled.Sinks.Partitions;

/// <summary>
/// What one more partition writes to a sink in a batch, kept until the batch boundary: the partition's fused loop writes
/// its records here, rendered as for the real sink (the same <see cref="Sink.Format"/> and <see cref="Sink.KeepsKeys"/>),
/// and the merge replays them into the real sink (<see cref="DrainInto"/>) after the records of the partitions before it,
/// so that a batch's output is in the input's order. The rendered bytes (and keys) go into one arena with their lengths
/// beside them; once the arena has grown to a batch's size, a record costs no allocation. For a sink that writes a part
/// of each batch per partition (<see cref="Sink.WriteInParts"/>, the <c>file</c> sink), the buffer keeps nothing: each
/// record goes at once to the partition's own writer (<see cref="Part"/>), on the partition's thread, and the job's sink
/// commits the parts together at the boundary.
/// </summary>
/// <remarks>
/// Written by the partition's thread while it runs, drained by the run's coordinator while the partition is parked at the
/// boundary; never both at once. The run ends a batch early when a partition has buffered more than
/// <see cref="Hosting.PipelineRunOptions.PartitionSinkBufferBytes"/>, which keeps the arena bounded.
/// </remarks>
public sealed class PartitionSinkBuffer : Sink, IRecordWriter<ReadOnlySpan<byte>>
{
    // The first size of the arena; it doubles as a batch needs.
    private const int FirstArenaBytes = 64 * 1024;

    private readonly Sink _target;
    private readonly Sink? _part;
    private byte[] _arena = [];
    private int _used;
    private Entry[] _entries = new Entry[256];
    private int _count;
    private IRecordReplay? _records;

    /// <summary>Creates the buffer of one more partition for <paramref name="target"/>, one of the job's sinks.</summary>
    public PartitionSinkBuffer(Sink target)
        : this(target, part: null)
    {
    }

    /// <summary>
    /// Creates the buffer of one more partition for <paramref name="target"/>, one of the job's sinks, which writes each
    /// record at once to <paramref name="part"/> (the partition's writer of its part of each batch,
    /// <see cref="Sink.PartWriter"/>) when given, and keeps it until the boundary otherwise.
    /// </summary>
    public PartitionSinkBuffer(Sink target, Sink? part)
        : base(target)
    {
        _target = target;
        _part = part;
    }

    /// <summary>The partition's own writer of its part of each batch, which records go to at once; <see langword="null"/> when they are kept until the boundary.</summary>
    public Sink? Part => _part;

    /// <summary>The job's sink whose records this buffer keeps.</summary>
    public Sink Target => _target;

    /// <summary>How many bytes the buffer holds for the batch: rendered records and keys, and typed records.</summary>
    public long BufferedBytes => _used + (_records?.BufferedBytes ?? 0);

    /// <summary>How many records the buffer holds for the batch.</summary>
    public int Count => _count + (_records?.Count ?? 0);

    /// <summary>Keeps one rendered record until the boundary, or writes it to the partition's part.</summary>
    public override void Write(ReadOnlySpan<byte> record)
    {
        if (_part is not null)
        {
            _part.Write(record);
            return;
        }

        Add(default, record, WrittenAs.Text);
    }

    /// <summary>Keeps one rendered record and its key until the boundary, or writes them to the partition's part.</summary>
    public override void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record)
    {
        if (_part is not null)
        {
            _part.Write(key, record);
            return;
        }

        Add(key, record, WrittenAs.Keyed);
    }

    /// <summary>Keeps one record of bytes, for a sink that takes byte spans as they are (<see cref="BytesAsTheyAre"/>).</summary>
    void IRecordWriter<ReadOnlySpan<byte>>.Write(ReadOnlySpan<byte> record) => Add(default, record, WrittenAs.Bytes);

    /// <summary>
    /// Writes the batch's records into <paramref name="sink"/> (the job's sink, in its batch), in the order they were
    /// written here, each as it was written (with its key or without), then forgets them, keeping the arena for the next
    /// batch.
    /// </summary>
    public void DrainInto(Sink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ReadOnlySpan<byte> arena = _arena;
        int start = 0;
        for (int i = 0; i < _count; i++)
        {
            Entry entry = _entries[i];
            ReadOnlySpan<byte> key = arena.Slice(start, entry.KeyLength);
            ReadOnlySpan<byte> record = arena.Slice(start + entry.KeyLength, entry.RecordLength);
            switch (entry.As)
            {
                case WrittenAs.Keyed:
                    sink.Write(key, record);
                    break;
                case WrittenAs.Bytes:
                    ((IRecordWriter<ReadOnlySpan<byte>>)sink).Write(record);
                    break;
                default:
                    sink.Write(record);
                    break;
            }

            start += entry.KeyLength + entry.RecordLength;
        }

        _used = 0;
        _count = 0;
        _records?.ReplayInto(sink);
    }

    /// <summary>
    /// This buffer as a writer of byte spans when the job's sink takes records of bytes as they are
    /// (<see cref="IRecordWriter{T}"/> of <see cref="ReadOnlySpan{T}"/>), or <see langword="null"/> when it does not: the
    /// bytes are copied into the arena, so the span may point into a buffer the partition reuses.
    /// </summary>
    public IRecordWriter<ReadOnlySpan<byte>>? BytesAsTheyAre() =>
        Format != SinkFormat.Text ? null
        : _part is not null ? _part as IRecordWriter<ReadOnlySpan<byte>>
        : _target is IRecordWriter<ReadOnlySpan<byte>> ? this : null;

    /// <summary>
    /// The buffer of typed records for a sink that takes records as they are (<see cref="IRecordWriter{T}"/>), or
    /// <see langword="null"/> when the job's sink does not take <typeparamref name="T"/> so (the generated code then
    /// renders text, as for the job's sink). <typeparamref name="T"/> must hold no view into a buffer the partition reuses
    /// (no span, no <c>Utf8Text</c>): the record is kept until the boundary.
    /// </summary>
    public IRecordWriter<T>? RecordsOf<T>()
    {
        if (Format != SinkFormat.Text || _target is not IRecordWriter<T>)
        {
            return null;
        }

        if (_part is not null)
        {
            return _part as IRecordWriter<T>;
        }

        if (_records is RecordBuffer<T> existing)
        {
            return existing;
        }

        var records = new RecordBuffer<T>();
        _records = records;
        return records;
    }

    /// <summary>Never called: a partition's buffer is drained into the job's sink, whose batch it is.</summary>
    public override void BeginBatch(long batchTimeMs)
    {
    }

    /// <summary>Never called: the job's sink commits the batch after the merge drained this buffer into it.</summary>
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;

    /// <summary>Forgets the batch's records (the job failed in it).</summary>
    public override void AbortBatch()
    {
        _used = 0;
        _count = 0;
        _records?.Clear();
    }

    private void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record, WrittenAs writtenAs)
    {
        int length = key.Length + record.Length;
        if (_arena.Length - _used < length)
        {
            Grow(length);
        }

        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        key.CopyTo(_arena.AsSpan(_used));
        record.CopyTo(_arena.AsSpan(_used + key.Length));
        _used += length;
        _entries[_count++] = new Entry(key.Length, record.Length, writtenAs);
    }

    private void Grow(int length)
    {
        long wanted = Math.Max((long)_used + length, Math.Max(FirstArenaBytes, (long)_arena.Length * 2));
        if (wanted > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"A partition's buffer of sink {Context.SinkName} would hold more than {Array.MaxLength} bytes in one batch; lower PipelineRunOptions.PartitionSinkBufferBytes so that the run ends batches sooner.");
        }

        byte[] larger = GC.AllocateUninitializedArray<byte>((int)wanted);
        _arena.AsSpan(0, _used).CopyTo(larger);
        _arena = larger;
    }

    // How a record was written, and so how it is written again: as text, as text with its key, as bytes as they are.
    private enum WrittenAs : byte
    {
        Text,
        Keyed,
        Bytes,
    }

    // One record in the arena: its key's bytes, then its own, and how it was written.
    [StructLayout(LayoutKind.Auto)]
    private readonly record struct Entry(int KeyLength, int RecordLength, WrittenAs As);

    // The typed records of a batch, replayed into the job's sink as they are.
    private interface IRecordReplay
    {
        long BufferedBytes { get; }

        int Count { get; }

        void ReplayInto(Sink sink);

        void Clear();
    }

    // Records of T kept as they are, in an array reused from batch to batch.
    private sealed class RecordBuffer<T> : IRecordWriter<T>, IRecordReplay
    {
        private T[] _records = new T[256];
        private int _count;

        public long BufferedBytes => (long)_count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

        public int Count => _count;

        public void Write(T record)
        {
            if (_count == _records.Length)
            {
                Array.Resize(ref _records, _records.Length * 2);
            }

            _records[_count++] = record;
        }

        public void ReplayInto(Sink sink)
        {
            var writer = (IRecordWriter<T>)sink;
            for (int i = 0; i < _count; i++)
            {
                writer.Write(_records[i]);
            }

            Clear();
        }

        public void Clear()
        {
            if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            {
                Array.Clear(_records, 0, _count);
            }

            _count = 0;
        }
    }
}
