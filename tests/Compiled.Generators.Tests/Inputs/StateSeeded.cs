using System.Collections.Generic;
using Compiled;

namespace Clicks;

/// <summary>State over byte keys, from an initial state: Spark's (time, key, values, state) update form, and a mapping without a timeout.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Seeded
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [UpdateStateByKey(InitialState = nameof(Known))]
    public static long? Seen(long batchTime, ReadOnlySpan<byte> word, ReadOnlySpan<long> ones, long? seen) => (seen ?? 0) + ones.Length;

    [Sink(Default = "console")]
    public static partial void Counts(ReadOnlySpan<byte> word, long seen);

    [MapWithState(Input = nameof(Pair), InitialState = nameof(Known))]
    public static KeyValue<long> Running(ReadOnlySpan<byte> word, long? one, State<long> total)
    {
        total.Update(total.GetValueOrDefault() + (one ?? 0));
        return new KeyValue<long>(word, total.Value);
    }

    [Sink(Default = "console")]
    public static partial void Totals(ReadOnlySpan<byte> word, long total);

    public static IEnumerable<(string Word, long Count)> Known() => [("the", 10), ("a", 5)];
}
