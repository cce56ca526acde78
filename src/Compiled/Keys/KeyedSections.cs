using System.Runtime.CompilerServices;
using Compiled.Checkpoints;

namespace Compiled.Keys;

/// <summary>
/// How one kind of table value goes into a checkpoint: which entries are written, and each value's bytes. A struct
/// whose static members the table's writer calls directly.
/// </summary>
/// <typeparam name="TValue">The value kept per key in the table.</typeparam>
public interface IEntryCodec<TValue> : IEntryFilter<TValue>
{
    /// <summary>Writes <paramref name="value"/>.</summary>
    static abstract void Write(ref TValue value, ref CheckpointWriter.Section section);

    /// <summary>Reads a value that <see cref="Write"/> wrote.</summary>
    static abstract TValue Read(ref CheckpointReader.Section section);
}

/// <summary>Which entries of a table are part of the state a checkpoint writes.</summary>
/// <typeparam name="TValue">The value kept per key in the table.</typeparam>
public interface IEntryFilter<TValue>
{
    /// <summary>Whether the entry holding <paramref name="value"/> is part of the state (a key without a state is not).</summary>
    static abstract bool Includes(ref TValue value);
}

/// <summary>Every entry, its value through <see cref="CheckpointValues{T}"/>.</summary>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly struct PlainEntries<TValue> : IEntryCodec<TValue>
{
    /// <inheritdoc />
    public static bool Includes(ref TValue value) => true;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(ref TValue value, ref CheckpointWriter.Section section) => CheckpointValues<TValue>.Write(in value, ref section);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TValue Read(ref CheckpointReader.Section section) => CheckpointValues<TValue>.Read(ref section);
}

/// <summary>
/// A key table written as one set of keyed entries of a checkpoint section, and read back in the same order.
/// </summary>
/// <remarks>
/// <para>
/// The entries are split by key hash into <see cref="ShardCount"/> shards (<see cref="KeyShards"/>), so the state can be
/// restored into any number of partitions. Each entry is the key, the entry's place in the table (a varint) and the
/// value (<see cref="IEntryCodec{TValue}"/>). The place matters: a table's order is the order its stage visits, merges
/// and emits keys in, so a table read back has its keys in the order they were written from, whatever the shards.
/// </para>
/// <para>
/// Writing allocates nothing once the caller's scratch array has grown to the table; reading builds new tables.
/// </para>
/// </remarks>
public static class KeyedSections
{
    /// <summary>The number of shards a table is written in.</summary>
    public const int ShardCount = 16;

    /// <summary>Writes the entries of <paramref name="table"/> that <typeparamref name="TCodec"/> includes as one set of keyed entries.</summary>
    /// <param name="table">The table.</param>
    /// <param name="section">The open section.</param>
    /// <param name="scratch">Kept by the caller between checkpoints, so that writing allocates nothing once it has grown.</param>
    public static void Write<TKeys, TKey, TValue, TCodec>(TKeys table, ref CheckpointWriter.Section section, ref int[]? scratch)
        where TKeys : struct, IKeyTable<TKeys, TKey, TValue>
        where TKey : allows ref struct
        where TCodec : struct, IEntryCodec<TValue>
    {
        Span<int> starts = stackalloc int[ShardCount + 1];
        ReadOnlySpan<int> order = Order<TKeys, TKey, TValue, TCodec>(table, ref scratch, starts);
        section.WriteCount((uint)order.Length);
        section.BeginShards(ShardCount);
        for (int shard = 0; shard < ShardCount; shard++)
        {
            section.BeginShard(starts[shard + 1] - starts[shard]);
            for (int at = starts[shard]; at < starts[shard + 1]; at++)
            {
                int index = order[at];
                TKeys.WriteKey(table.KeyAt(index), ref section);
                section.WriteCount((uint)index);
                TCodec.Write(ref table.ValueAt(index), ref section);
            }
        }
    }

    /// <summary>
    /// The indexes of the entries of <paramref name="table"/> that <typeparamref name="TFilter"/> includes, grouped by
    /// shard (<see cref="KeyShards"/> over <see cref="ShardCount"/>), each shard's in table order: shard s is
    /// <c>order[starts[s]..starts[s + 1]]</c>. The order lives in <paramref name="scratch"/>, grown as needed.
    /// </summary>
    /// <param name="table">The table.</param>
    /// <param name="scratch">Kept by the caller between checkpoints.</param>
    /// <param name="starts">Receives <see cref="ShardCount"/> + 1 shard starts.</param>
    public static ReadOnlySpan<int> Order<TKeys, TKey, TValue, TFilter>(TKeys table, ref int[]? scratch, Span<int> starts)
        where TKeys : struct, IKeyTable<TKeys, TKey, TValue>
        where TKey : allows ref struct
        where TFilter : struct, IEntryFilter<TValue>
    {
        int count = table.Count;
        if (scratch is null || scratch.Length < 2 * count)
        {
            scratch = new int[Math.Max(2 * count, 64)];
        }

        Span<int> shardOf = scratch.AsSpan(0, count);
        Span<int> order = scratch.AsSpan(count, count);
        starts.Clear();
        for (int index = 0; index < count; index++)
        {
            if (TFilter.Includes(ref table.ValueAt(index)))
            {
                int shard = TKeys.ShardOf(table.KeyAt(index), ShardCount);
                shardOf[index] = shard;
                starts[shard + 1]++;
            }
            else
            {
                shardOf[index] = -1;
            }
        }

        for (int shard = 0; shard < ShardCount; shard++)
        {
            starts[shard + 1] += starts[shard];
        }

        Span<int> next = stackalloc int[ShardCount];
        starts[..ShardCount].CopyTo(next);
        for (int index = 0; index < count; index++)
        {
            int shard = shardOf[index];
            if (shard >= 0)
            {
                order[next[shard]++] = index;
            }
        }

        return order[..starts[ShardCount]];
    }

    /// <summary>
    /// Reads one set of keyed entries that <see cref="Write{TKeys, TKey, TValue, TCodec}"/> wrote into a new table, keys
    /// in the order the written table had them: the table is made at its final size, filled in the file's order, and
    /// then put in the written order (<see cref="IKeyTable{TSelf, TKey, TValue}.Reorder"/>), so no key is hashed twice.
    /// </summary>
    /// <exception cref="CheckpointCorruptException">A key or a place appears twice, the count is wrong, or the section ends early.</exception>
    public static TKeys Read<TKeys, TKey, TValue, TCodec>(ref CheckpointReader.Section section)
        where TKeys : struct, IKeyTable<TKeys, TKey, TValue>
        where TKey : allows ref struct
        where TCodec : struct, IEntryCodec<TValue>
    {
        ulong total = section.ReadCount();
        if (total > (ulong)section.Remaining)
        {
            // Every entry takes at least one byte.
            throw section.Malformed($"announces a table of {total} keys but has only {section.Remaining} bytes left");
        }

        section.BeginShards();
        TKeys table = TKeys.Create((int)total);
        var places = new ulong[total];
        bool ordered = true;
        ulong highest = 0;
        int count = 0;
        while (section.MoveNextEntry())
        {
            TKey key = TKeys.ReadKey(ref section);
            ulong place = section.ReadCount();
            TValue value = TCodec.Read(ref section);
            if (count == places.Length)
            {
                throw section.Malformed($"holds more keys in one table than the {total} it announces");
            }

            ref TValue slot = ref table.GetOrAdd(key, out bool exists);
            if (exists)
            {
                throw section.Malformed("holds the same key twice in one table");
            }

            slot = value;
            ordered &= count == 0 || place > places[count - 1];
            highest = Math.Max(highest, place);
            places[count++] = place;
        }

        if (count != places.Length)
        {
            throw section.Malformed($"holds {count} keys in a table that announces {total}");
        }

        if (!ordered)
        {
            table.Reorder(WrittenOrder(places, highest, ref section));
        }

        return table;
    }

    /// <summary>
    /// Reads one set of keyed entries that <see cref="Write{TKeys, TKey, TValue, TCodec}"/> wrote into the empty table
    /// <paramref name="target"/>, keys in the order the written table had them.
    /// </summary>
    /// <exception cref="CheckpointCorruptException">A key or a place appears twice, or the section ends early.</exception>
    public static void ReadInto<TKeys, TKey, TValue, TCodec>(ref CheckpointReader.Section section, TKeys target)
        where TKeys : struct, IKeyTable<TKeys, TKey, TValue>
        where TKey : allows ref struct
        where TCodec : struct, IEntryCodec<TValue>
    {
        TKeys read = Read<TKeys, TKey, TValue, TCodec>(ref section);
        for (int index = 0; index < read.Count; index++)
        {
            target.GetOrAdd(read.KeyAt(index)) = read.ValueAt(index);
        }
    }

    // The entries read, in the order of their places: entry order[k] was the k-th of the written table. Places are the
    // written table's indexes, so usually dense enough to be put in order by a direct array; otherwise they are sorted.
    private static int[] WrittenOrder(ulong[] places, ulong highest, ref CheckpointReader.Section section)
    {
        int count = places.Length;
        var order = new int[count];
        if (highest < (ulong)count * 4 + 16)
        {
            var byPlace = new int[highest + 1];
            byPlace.AsSpan().Fill(-1);
            for (int index = 0; index < count; index++)
            {
                ref int at = ref byPlace[places[index]];
                if (at >= 0)
                {
                    throw section.Malformed($"gives two keys of one table the same place ({places[index]})");
                }

                at = index;
            }

            int next = 0;
            foreach (int index in byPlace)
            {
                if (index >= 0)
                {
                    order[next++] = index;
                }
            }

            return order;
        }

        for (int index = 0; index < count; index++)
        {
            order[index] = index;
        }

        Array.Sort(places, order);
        for (int at = 1; at < count; at++)
        {
            if (places[at] == places[at - 1])
            {
                throw section.Malformed($"gives two keys of one table the same place ({places[at]})");
            }
        }

        return order;
    }
}

/// <summary>
/// A key table class (<see cref="ByteKeyTable{TValue}"/>, <see cref="StructKeyTable{TKey, TValue}"/>) written as one set
/// of keyed entries (<see cref="KeyedSections"/>), for holders that know the table only as a class, such as an
/// event-time window's set of tables.
/// </summary>
internal interface ICheckpointTable
{
    /// <summary>Writes every entry, values through <see cref="CheckpointValues{T}"/>.</summary>
    void WriteCheckpoint(ref CheckpointWriter.Section section, ref int[]? scratch);

    /// <summary>Reads what <see cref="WriteCheckpoint"/> wrote into this empty table, keys in their order.</summary>
    void ReadCheckpoint(ref CheckpointReader.Section section);
}

/// <summary>
/// A key table class (<see cref="ByteKeyTable{TValue}"/>, <see cref="StructKeyTable{TKey, TValue}"/>) as an event-time
/// window's set of tables sees it: how many keys it holds, and room made ahead for the keys a new window will take, so
/// that its table does not grow from 16 slots by doubling. Called once a window, never per record.
/// </summary>
internal interface IWindowTable
{
    /// <summary>The number of keys in the table.</summary>
    int Count { get; }

    /// <summary>Makes room for <paramref name="keys"/> keys before the table next grows; an empty table only.</summary>
    void EnsureCapacity(int keys);
}
