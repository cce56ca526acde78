using Compiled.Hosting.Partitions;
using Compiled.Keys;

namespace Compiled.State.Partitions;

/// <summary>
/// Which shard of a <c>[MapWithState]</c> stage's state a key belongs to, on N partitions: each shard is mapped on its
/// own partition's thread at the batch boundary. The rule is the same for every partition of a run (the key tables' hash,
/// mixed again so that a shard's keys still spread over a table's slots); nothing is kept by shard across runs.
/// </summary>
public static class StateShard
{
    /// <summary>The shard in <c>[0, shardCount)</c> of the byte-string <paramref name="key"/>.</summary>
    public static int Of(ReadOnlySpan<byte> key, int shardCount) => Spread(KeyHash.Of(key), shardCount);

    /// <summary>The shard in <c>[0, shardCount)</c> of <paramref name="key"/> (a struct, a string), by the hash its equality uses.</summary>
    public static int Of<TKey>(TKey key, int shardCount) => Spread((uint)KeyEquality<TKey>.HashOf(key), shardCount);

    // A second mix of the table's hash (whose top bits pick a table's slot), then its high bits onto the range.
    private static int Spread(uint hash, int shardCount)
    {
        hash ^= hash >> 15;
        hash *= 0x2C1B3C6DU;
        hash ^= hash >> 12;
        hash *= 0x297A2D39U;
        hash ^= hash >> 15;
        return (int)(((ulong)hash * (uint)shardCount) >> 32);
    }
}

/// <summary>The rule that gives a key's shard, as a struct a store calls directly (<see cref="StateShard"/>).</summary>
/// <typeparam name="TKey">The key: a byte span, or a value.</typeparam>
public interface IShardOf<TKey>
    where TKey : allows ref struct
{
    /// <summary>The shard in <c>[0, shardCount)</c> of <paramref name="key"/>.</summary>
    static abstract int Of(TKey key, int shardCount);
}

/// <summary>The shard of a byte-span key (<see cref="StateShard.Of(ReadOnlySpan{byte}, int)"/>).</summary>
public readonly struct ByteKeyShards : IShardOf<ReadOnlySpan<byte>>
{
    /// <inheritdoc />
    public static int Of(ReadOnlySpan<byte> key, int shardCount) => StateShard.Of(key, shardCount);
}

/// <summary>The shard of a key that is a value (<see cref="StateShard.Of{TKey}(TKey, int)"/>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
public readonly struct ValueKeyShards<TKey> : IShardOf<TKey>
{
    /// <inheritdoc />
    public static int Of(TKey key, int shardCount) => StateShard.Of(key, shardCount);
}

/// <summary>
/// What one partition (or the job, partition 0) keeps of a batch for a <c>[MapWithState]</c> stage whose state is kept
/// in shards, one per partition: a buffer per shard (<see cref="PartitionStateInput{TValue}"/>, byte keys), each record
/// in the buffer of its key's shard, in arrival order. At the boundary shard s walks buffer s of every partition in
/// partition order, so each key sees its records in the input's order.
/// </summary>
/// <typeparam name="TValue">The stage's value type.</typeparam>
public sealed class StateInputShards<TValue> : IPartitionBuffer
{
    private readonly bool _mapsShardZero;
    private PartitionStateInput<TValue>[] _shards = [new()];

    /// <summary>Creates the buffers of one partition, or (<paramref name="mapsShardZero"/>) of the job, partition 0.</summary>
    /// <param name="mapsShardZero">
    /// Whether the holder maps shard 0's records itself as they come rather than keeping them: the job, whose store is
    /// shard 0 and whose records come first in the input, so no record of shard 0 can come before them.
    /// </param>
    public StateInputShards(bool mapsShardZero = false) => _mapsShardZero = mapsShardZero;

    /// <summary>How many shards the records are kept for.</summary>
    public int Count => _shards.Length;

    /// <summary>The records kept for shard <paramref name="shard"/>.</summary>
    public PartitionStateInput<TValue> this[int shard] => _shards[shard];

    /// <inheritdoc />
    public long BufferedBytes
    {
        get
        {
            long bytes = 0;
            foreach (PartitionStateInput<TValue> shard in _shards)
            {
                bytes += shard.BufferedBytes;
            }

            return bytes;
        }
    }

    /// <summary>
    /// Keeps a copy of <paramref name="key"/> and <paramref name="value"/> for the key's shard and returns true, or
    /// returns false for a record of shard 0 that the holder maps itself (see the constructor).
    /// </summary>
    public bool Keep(ReadOnlySpan<byte> key, TValue value)
    {
        int shard = StateShard.Of(key, _shards.Length);
        if (shard == 0 && _mapsShardZero)
        {
            return false;
        }

        _shards[shard].Add(key, value);
        return true;
    }

    /// <summary>Keeps records for <paramref name="count"/> shards from now on; before the first record only.</summary>
    public void KeepFor(int count) => StateShards.Grow(ref _shards, count);
}

/// <summary>
/// <see cref="StateInputShards{TValue}"/> for a stage whose keys are values (numbers, strings, tuples and structs of
/// them), kept as they are.
/// </summary>
/// <typeparam name="TKey">The stage's key type.</typeparam>
/// <typeparam name="TValue">The stage's value type.</typeparam>
public sealed class StateInputShards<TKey, TValue> : IPartitionBuffer
{
    private readonly bool _mapsShardZero;
    private PartitionStateInput<TKey, TValue>[] _shards = [new()];

    /// <summary>Creates the buffers of one partition, or (<paramref name="mapsShardZero"/>) of the job, partition 0.</summary>
    /// <param name="mapsShardZero">Whether the holder maps shard 0's records itself as they come rather than keeping them.</param>
    public StateInputShards(bool mapsShardZero = false) => _mapsShardZero = mapsShardZero;

    /// <summary>How many shards the records are kept for.</summary>
    public int Count => _shards.Length;

    /// <summary>The records kept for shard <paramref name="shard"/>.</summary>
    public PartitionStateInput<TKey, TValue> this[int shard] => _shards[shard];

    /// <inheritdoc />
    public long BufferedBytes
    {
        get
        {
            long bytes = 0;
            foreach (PartitionStateInput<TKey, TValue> shard in _shards)
            {
                bytes += shard.BufferedBytes;
            }

            return bytes;
        }
    }

    /// <summary>
    /// Keeps <paramref name="key"/> and <paramref name="value"/> for the key's shard and returns true, or returns false
    /// for a record of shard 0 that the holder maps itself.
    /// </summary>
    public bool Keep(TKey key, TValue value)
    {
        int shard = StateShard.Of(key, _shards.Length);
        if (shard == 0 && _mapsShardZero)
        {
            return false;
        }

        _shards[shard].Add(key, value);
        return true;
    }

    /// <summary>Keeps records for <paramref name="count"/> shards from now on; before the first record only.</summary>
    public void KeepFor(int count) => StateShards.Grow(ref _shards, count);
}

/// <summary>What the shard buffers share.</summary>
internal static class StateShards
{
    // Grows an array of buffers to 'count', keeping those it has.
    public static void Grow<T>(ref T[] shards, int count)
        where T : new()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (count <= shards.Length)
        {
            return;
        }

        int had = shards.Length;
        Array.Resize(ref shards, count);
        for (int shard = had; shard < count; shard++)
        {
            shards[shard] = new T();
        }
    }
}
