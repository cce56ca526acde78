using System.Runtime.CompilerServices;
using Compiled.Keys;

namespace Compiled.Checkpoints;

/// <summary>
/// Which of N shards a key belongs to, by <see cref="KeyHash"/>: the rule both for splitting keyed state into shards
/// when writing and for re-sharding entries read from a checkpoint written with another number of shards.
/// </summary>
/// <remarks>
/// A checkpoint does not bind its reader to the writer's shard count: <see cref="CheckpointReader.Section.MoveNextEntry"/>
/// hands out every entry of every shard, and a restore into M shards puts each entry into
/// <c>KeyShards.Of(key, M)</c>. <see cref="KeyHash"/> is seeded per process, so shard membership is computed again on
/// each restore rather than taken from the file.
/// </remarks>
public static class KeyShards
{
    /// <summary>The shard in <c>[0, shardCount)</c> that holds the byte-string <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(ReadOnlySpan<byte> key, int shardCount)
    {
        if (shardCount <= 0)
        {
            ThrowShardCount(shardCount);
        }

        // Multiply-shift maps the 32-bit hash onto the range without a division and uses its high bits.
        return (int)(((ulong)KeyHash.Of(key) * (uint)shardCount) >> 32);
    }

    /// <summary>
    /// The shard in <c>[0, shardCount)</c> that holds the struct <paramref name="key"/>, by the hash its equality uses
    /// (as <see cref="StructKeyTable{TKey, TValue}"/> does), so keys that are equal share a shard even when their bytes
    /// differ (padding, or a field that equality ignores).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of<TKey>(in TKey key, int shardCount) where TKey : struct => OfKey(in key, shardCount);

    /// <summary>The shard of a key of a <see cref="StructKeyTable{TKey, TValue}"/>: a struct, a string or a <see cref="Utf8Text"/>, by the hash the table uses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int OfKey<TKey>(in TKey key, int shardCount)
    {
        if (shardCount <= 0)
        {
            ThrowShardCount(shardCount);
        }

        // A struct's hash code is often the value itself: spread it (multiply-shift) before taking its high bits.
        uint hash = (uint)(((ulong)(uint)KeyEquality<TKey>.HashOf(key) * 0x9E3779B97F4A7C15UL) >> 32);
        return (int)(((ulong)hash * (uint)shardCount) >> 32);
    }

    private static void ThrowShardCount(int shardCount) =>
        throw new ArgumentOutOfRangeException(nameof(shardCount), shardCount, "A shard count must be at least 1.");
}
