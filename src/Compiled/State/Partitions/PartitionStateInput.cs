using System.Runtime.CompilerServices;
using Compiled.Hosting.Partitions;

namespace Compiled.State.Partitions;

/// <summary>
/// The records one more partition's fused loop gives a <c>[MapWithState]</c> stage whose keys are byte spans, kept in
/// the order they arrive until the batch boundary, where the job maps them with its state, after the records of the
/// partitions before (so each key sees its records in the input's order, as on one partition). A key's bytes are copied
/// into one arena and its value kept as it is; once the arena has grown to a batch's size, a record costs no allocation.
/// </summary>
/// <typeparam name="TValue">The stage's value type, which holds no view into a buffer the partition reuses.</typeparam>
/// <remarks>Written by the partition's thread while it runs, read and emptied by the job while the partition is parked at the boundary; never both at once.</remarks>
public sealed class PartitionStateInput<TValue> : IPartitionBuffer
{
    private byte[] _arena = new byte[64 * 1024];
    private (int Offset, int Length)[] _keys = new (int, int)[1024];
    private TValue[] _values = new TValue[1024];
    private int _used;

    /// <summary>How many records are kept.</summary>
    public int Count { get; private set; }

    /// <inheritdoc />
    public long BufferedBytes => _used + ((long)Count * (8 + Unsafe.SizeOf<TValue>()));

    /// <summary>Keeps a copy of <paramref name="key"/>'s bytes and <paramref name="value"/>, after the records kept before.</summary>
    public void Add(ReadOnlySpan<byte> key, TValue value)
    {
        if (_arena.Length - _used < key.Length)
        {
            Array.Resize(ref _arena, (int)Math.Min(Array.MaxLength, Math.Max((long)_arena.Length * 2, (long)_used + key.Length)));
        }

        if (Count == _keys.Length)
        {
            Array.Resize(ref _keys, _keys.Length * 2);
            Array.Resize(ref _values, _values.Length * 2);
        }

        key.CopyTo(_arena.AsSpan(_used));
        _keys[Count] = (_used, key.Length);
        _values[Count] = value;
        Count++;
        _used += key.Length;
    }

    /// <summary>The key of record <paramref name="index"/>, in arrival order: a view into the arena, valid until <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> KeyAt(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");
        }

        (int offset, int length) = _keys[index];
        return new ReadOnlySpan<byte>(_arena, offset, length);
    }

    /// <summary>The value of record <paramref name="index"/>, in arrival order.</summary>
    public TValue ValueAt(int index) =>
        (uint)index < (uint)Count ? _values[index] : throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");

    /// <summary>Forgets every record, keeping the memory for the next batch.</summary>
    public void Clear()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            Array.Clear(_values, 0, Count);
        }

        Count = 0;
        _used = 0;
    }
}

/// <summary>
/// The records one more partition's fused loop gives a <c>[MapWithState]</c> stage whose keys are values (numbers,
/// strings, tuples and structs of them), kept as they are in the order they arrive until the batch boundary, where the
/// job maps them with its state after the records of the partitions before. Once the arrays have grown to a batch's
/// size, a record costs no allocation.
/// </summary>
/// <typeparam name="TKey">The stage's key type, which holds no view into a buffer the partition reuses.</typeparam>
/// <typeparam name="TValue">The stage's value type, which holds no view into a buffer the partition reuses.</typeparam>
public sealed class PartitionStateInput<TKey, TValue> : IPartitionBuffer
{
    private TKey[] _keys = new TKey[1024];
    private TValue[] _values = new TValue[1024];

    /// <summary>How many records are kept.</summary>
    public int Count { get; private set; }

    /// <inheritdoc />
    public long BufferedBytes => (long)Count * (Unsafe.SizeOf<TKey>() + Unsafe.SizeOf<TValue>());

    /// <summary>Keeps <paramref name="key"/> and <paramref name="value"/>, after the records kept before.</summary>
    public void Add(TKey key, TValue value)
    {
        if (Count == _keys.Length)
        {
            Array.Resize(ref _keys, _keys.Length * 2);
            Array.Resize(ref _values, _values.Length * 2);
        }

        _keys[Count] = key;
        _values[Count] = value;
        Count++;
    }

    /// <summary>The key of record <paramref name="index"/>, in arrival order.</summary>
    public TKey KeyAt(int index) =>
        (uint)index < (uint)Count ? _keys[index] : throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");

    /// <summary>The value of record <paramref name="index"/>, in arrival order.</summary>
    public TValue ValueAt(int index) =>
        (uint)index < (uint)Count ? _values[index] : throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");

    /// <summary>Forgets every record, keeping the memory for the next batch.</summary>
    public void Clear()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TKey>())
        {
            Array.Clear(_keys, 0, Count);
        }

        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            Array.Clear(_values, 0, Count);
        }

        Count = 0;
    }
}
