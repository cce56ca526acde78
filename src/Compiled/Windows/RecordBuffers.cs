using System.Runtime.CompilerServices;
using Compiled.Checkpoints;

namespace Compiled.Windows;

/// <summary>
/// The byte records of one batch, kept for a window: their bytes copied into one growing arena, so keeping a
/// record allocates nothing once the arena has grown. <see cref="Clear"/> keeps the memory.
/// </summary>
public sealed class ByteRecords : IBatchRecords
{
    private byte[] _arena = new byte[4096];
    private (int Offset, int Length)[] _records = new (int, int)[256];
    private int _used;

    /// <summary>The number of records kept.</summary>
    public int Count { get; private set; }

    /// <summary>Keeps a copy of <paramref name="record"/>.</summary>
    public void Add(ReadOnlySpan<byte> record)
    {
        if (_arena.Length - _used < record.Length)
        {
            Array.Resize(ref _arena, (int)Math.Min(Array.MaxLength, Math.Max((long)_arena.Length * 2, (long)_used + record.Length)));
        }

        if (Count == _records.Length)
        {
            Array.Resize(ref _records, _records.Length * 2);
        }

        record.CopyTo(_arena.AsSpan(_used));
        _records[Count++] = (_used, record.Length);
        _used += record.Length;
    }

    /// <summary>Record <paramref name="index"/>, in the order kept.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");
            }

            (int offset, int length) = _records[index];
            return new ReadOnlySpan<byte>(_arena, offset, length);
        }
    }

    /// <summary>Forgets every record, keeping the memory.</summary>
    public void Clear()
    {
        Count = 0;
        _used = 0;
    }

    /// <inheritdoc />
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        section.WriteCount((uint)Count);
        for (int index = 0; index < Count; index++)
        {
            section.WriteBytes(this[index]);
        }
    }

    /// <inheritdoc />
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        int count = RecordBuffers.ReadCount(ref section, Count);
        for (int index = 0; index < count; index++)
        {
            Add(section.ReadBytes());
        }
    }
}

/// <summary>What the record buffers share for checkpoints.</summary>
internal static class RecordBuffers
{
    /// <summary>Reads a buffer's record count, checking that the buffer is empty and that the count can be right.</summary>
    public static int ReadCount(ref CheckpointReader.Section section, int held)
    {
        if (held != 0)
        {
            throw new InvalidOperationException($"Records are restored only into an empty buffer; this one holds {held}. Restore into a new window, before its first batch.");
        }

        ulong count = section.ReadCount();
        if (count > (ulong)section.Remaining)
        {
            // Every record takes at least one byte.
            throw section.Malformed($"announces {count} records but has only {section.Remaining} bytes left");
        }

        return (int)count;
    }
}

/// <summary>The keyed byte records (<see cref="KeyValue{TValue}"/>) of one batch, kept for a window.</summary>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class KeyValueRecords<TValue> : IBatchRecords
{
    private readonly ByteRecords _keys = new();
    private TValue[] _values = new TValue[256];

    /// <summary>The number of records kept.</summary>
    public int Count => _keys.Count;

    /// <summary>Keeps a copy of the key's bytes and the value.</summary>
    public void Add(ReadOnlySpan<byte> key, TValue value)
    {
        if (_keys.Count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        _values[_keys.Count] = value;
        _keys.Add(key);
    }

    /// <summary>Record <paramref name="index"/>, in the order kept.</summary>
    public KeyValue<TValue> this[int index] => new(_keys[index], _values[index]);

    /// <summary>Forgets every record, keeping the memory.</summary>
    public void Clear()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            Array.Clear(_values, 0, _keys.Count);
        }

        _keys.Clear();
    }

    /// <inheritdoc />
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        section.WriteCount((uint)Count);
        for (int index = 0; index < Count; index++)
        {
            section.WriteBytes(_keys[index]);
            CheckpointValues<TValue>.Write(in _values[index], ref section);
        }
    }

    /// <inheritdoc />
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        int count = RecordBuffers.ReadCount(ref section, Count);
        for (int index = 0; index < count; index++)
        {
            ReadOnlySpan<byte> key = section.ReadBytes();
            Add(key, CheckpointValues<TValue>.Read(ref section));
        }
    }
}

/// <summary>The records of one batch, of a type that can be kept as it is, kept for a window.</summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class ValueRecords<T> : IBatchRecords
{
    private T[] _records = new T[256];

    /// <summary>The number of records kept.</summary>
    public int Count { get; private set; }

    /// <summary>Keeps <paramref name="record"/>.</summary>
    public void Add(T record)
    {
        if (Count == _records.Length)
        {
            Grow();
        }

        _records[Count++] = record;
    }

    // More room. Records with references: twice as much, cleared. Without: four times as much, left uninitialized
    // (every slot up to Count is written before it is read): no clearing pass, and the room not yet written is address
    // space the system has not backed with memory, so a batch that keeps many records copies a third as many (and
    // touches a third as many fresh pages for them) as doubling would, at no cost in resident memory.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow()
    {
        T[] grown = RuntimeHelpers.IsReferenceOrContainsReferences<T>()
            ? new T[_records.Length * 2]
            : GC.AllocateUninitializedArray<T>((int)Math.Min((long)_records.Length * 4, Array.MaxLength));
        _records.AsSpan(0, Count).CopyTo(grown);
        _records = grown;
    }

    /// <summary>Record <paramref name="index"/>, in the order kept.</summary>
    public T this[int index] => (uint)index < (uint)Count ? _records[index] : throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");

    /// <summary>The records kept, in order; valid until the next <see cref="Add"/> or <see cref="Clear"/>.</summary>
    public ReadOnlySpan<T> AsSpan() => _records.AsSpan(0, Count);

    /// <summary>Forgets every record, keeping the memory.</summary>
    public void Clear()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_records, 0, Count);
        }

        Count = 0;
    }

    /// <inheritdoc />
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        section.WriteCount((uint)Count);
        for (int index = 0; index < Count; index++)
        {
            CheckpointValues<T>.Write(in _records[index], ref section);
        }
    }

    /// <inheritdoc />
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        int count = RecordBuffers.ReadCount(ref section, Count);
        for (int index = 0; index < count; index++)
        {
            Add(CheckpointValues<T>.Read(ref section));
        }
    }
}
