namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// [MapWithState] on partitions, byte keys without a timeout: each line's first word with a state of its count, the sum
/// of its line lengths, and a hash folded over them in order (which a record out of order changes), its running state
/// written per record, and the largest count per word of the batch reduced below it ([ReduceByKey], first-seen order).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class RunningFirstWords
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> FirstWord(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        ReadOnlySpan<byte> word = space < 0 ? line : line[..space];
        return new(word.Length > 0 ? word : "-"u8, line.Length);
    }

    [MapWithState]
    public static KeyValue<(long Count, long Sum, long Hash)> Running(ReadOnlySpan<byte> word, int? length, State<(long Count, long Sum, long Hash)> state)
    {
        (long count, long sum, long hash) = state.Exists ? state.Value : (0, 0, 17);
        (long Count, long Sum, long Hash) next = (count + 1, sum + length!.Value, (hash * 31) + length.Value);
        state.Update(next);
        return new(word, next);
    }

    [Sink]
    public static partial void Updates(KeyValue<(long Count, long Sum, long Hash)> update);

    [Map(Input = nameof(Running))]
    public static KeyValue<long> CountOf(KeyValue<(long Count, long Sum, long Hash)> update) => new(update.Key, update.Value.Count);

    [ReduceByKey]
    public static long Most(long a, long b) => Math.Max(a, b);

    [Sink]
    public static partial void Mosts(KeyValue<long> most);
}

/// <summary>
/// [MapWithState] on partitions, byte keys with a 2 s timeout and removal: a running sum of line lengths per first
/// word; a line whose length is a multiple of 13 removes its word's state (emitting 0), and a word idle for two
/// batches times out (emitting minus its sum).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ExpiringFirstWords
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> FirstWord(ReadOnlySpan<byte> line) => RunningFirstWords.FirstWord(line);

    [MapWithState(Timeout = "2s")]
    public static KeyValue<long> Session(ReadOnlySpan<byte> word, int? length, State<long> sum)
    {
        if (sum.IsTimingOut)
        {
            return new(word, -sum.Value);
        }

        if (length!.Value % 13 == 0)
        {
            if (sum.Exists)
            {
                sum.Remove();
            }

            return new(word, 0);
        }

        sum.Update(sum.GetValueOrDefault() + length.Value);
        return new(word, sum.Value);
    }

    [Sink]
    public static partial void Sessions(ReadOnlySpan<byte> word, long sum);
}

/// <summary>
/// [MapWithState] on partitions, struct keys with a timeout and a nullable output: typed (key, value) lines, a
/// session per key that emits its sum only when it ends, after 2 idle seconds.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class KeySessions
{
    [Source]
    public static partial Lines<(int Key, long Value)> Readings();

    [MapWithState(Timeout = "2s")]
    public static (int Key, long Sum, long Hash)? Session(int key, long? value, State<(long Sum, long Hash)> state)
    {
        if (state.IsTimingOut)
        {
            return (key, state.Value.Sum, state.Value.Hash);
        }

        (long sum, long hash) = state.Exists ? state.Value : (0, 17);
        state.Update((sum + value!.Value, (hash * 31) + value.Value));
        return null;
    }

    [Sink]
    public static partial void Ended((int Key, long Sum, long Hash) session);
}

/// <summary>
/// [MapWithState] on partitions with its state in shards (the sink below takes a tuple, which a partition keeps until
/// the boundary): each line's first word with its count, the sum of its line lengths and a hash folded over them in
/// order, written per record with the word.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ShardedFirstWords
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> FirstWord(ReadOnlySpan<byte> line) => RunningFirstWords.FirstWord(line);

    [MapWithState]
    public static (string Word, long Count, long Sum, long Hash) Running(ReadOnlySpan<byte> word, int? length, State<(long Count, long Sum, long Hash)> state)
    {
        (long count, long sum, long hash) = state.Exists ? state.Value : (0, 0, 17);
        (long Count, long Sum, long Hash) next = (count + 1, sum + length!.Value, (hash * 31) + length.Value);
        state.Update(next);
        return (System.Text.Encoding.UTF8.GetString(word), next.Count, next.Sum, next.Hash);
    }

    [Sink]
    public static partial void Updates((string Word, long Count, long Sum, long Hash) update);
}

/// <summary>
/// [MapWithState] on partitions with its state in shards, byte keys with a 2 s timeout and removal: a running sum of
/// line lengths per first word, written with the word; a line whose length is a multiple of 13 removes the word's state
/// (writing 0), and a word idle for two batches times out (writing minus its sum).
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ExpiringShardedWords
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> FirstWord(ReadOnlySpan<byte> line) => RunningFirstWords.FirstWord(line);

    [MapWithState(Timeout = "2s")]
    public static (string Word, long Sum) Session(ReadOnlySpan<byte> word, int? length, State<long> sum)
    {
        string text = System.Text.Encoding.UTF8.GetString(word);
        if (sum.IsTimingOut)
        {
            return (text, -sum.Value);
        }

        if (length!.Value % 13 == 0)
        {
            if (sum.Exists)
            {
                sum.Remove();
            }

            return (text, 0);
        }

        sum.Update(sum.GetValueOrDefault() + length.Value);
        return (text, sum.Value);
    }

    [Sink]
    public static partial void Sessions((string Word, long Sum) session);
}

/// <summary>
/// [MapWithState] on partitions with its state in shards, allocating nothing per record: each line's first word
/// counted, the count written per record.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class FirstWordCounts
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> FirstWord(ReadOnlySpan<byte> line) => RunningFirstWords.FirstWord(line);

    [MapWithState]
    public static long Count(ReadOnlySpan<byte> word, int? length, State<long> count)
    {
        count.Update(count.GetValueOrDefault() + 1);
        return count.Value;
    }

    [Sink]
    public static partial void Counts(long count);
}

/// <summary>
/// [MapWithState] on partitions with its state in shards and an initial state: the first words w0 to w99 start with a
/// count of 1000 each, which the job holds before its first batch and spreads over the shards at its first boundary.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SeededShardedWords
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> FirstWord(ReadOnlySpan<byte> line) => RunningFirstWords.FirstWord(line);

    [MapWithState(InitialState = nameof(Opening))]
    public static (string Word, long Count) Count(ReadOnlySpan<byte> word, int? length, State<long> count)
    {
        count.Update(count.GetValueOrDefault() + 1);
        return (System.Text.Encoding.UTF8.GetString(word), count.Value);
    }

    public static IEnumerable<(string Word, long Count)> Opening() => Enumerable.Range(0, 100).Select(i => ($"w{i}", 1000L));

    [Sink]
    public static partial void Counts((string Word, long Count) count);
}

/// <summary>[MapWithState] on partitions with its state in shards, whose method throws at the word "zz"'s third record.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class RefusingShardedWords
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<int> FirstWord(ReadOnlySpan<byte> line) => RunningFirstWords.FirstWord(line);

    [MapWithState]
    public static long Count(ReadOnlySpan<byte> word, int? length, State<long> count)
    {
        if (word.SequenceEqual("zz"u8) && count.GetValueOrDefault() == 2)
        {
            throw new InvalidOperationException("The third zz is refused.");
        }

        count.Update(count.GetValueOrDefault() + 1);
        return count.Value;
    }

    [Sink]
    public static partial void Counts(long count);
}

/// <summary>
/// [MapWithState] on partitions with its state in shards, behind a filter that drops comment lines (starting with '#'):
/// a running count per first word of the other lines, written per record with the word.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class ShardedWordsBelowFilter
{
    [Source]
    public static partial Lines Input();

    [Filter]
    public static bool NotComment(ReadOnlySpan<byte> line) => line.IsEmpty || line[0] != (byte)'#';

    [Map]
    public static KeyValue<int> FirstWord(ReadOnlySpan<byte> line) => RunningFirstWords.FirstWord(line);

    [MapWithState]
    public static (string Word, long Count) Running(ReadOnlySpan<byte> word, int? length, State<long> count)
    {
        long next = count.GetValueOrDefault() + 1;
        count.Update(next);
        return (System.Text.Encoding.UTF8.GetString(word), next);
    }

    [Sink]
    public static partial void Updates((string Word, long Count) update);
}
