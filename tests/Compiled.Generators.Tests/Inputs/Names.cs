using Compiled;

namespace Naming;

/// <summary>
/// Stage names that clash with the generator's own names once camel-cased: every identifier in the job comes
/// from one table, so the clashes get numeric suffixes and the rest read as written.
/// </summary>
[Pipeline]
public static partial class Names
{
    [Source] public static partial Lines Source();

    // A keyword, escaped where it is called.
    [Filter] public static bool @checked(ReadOnlySpan<byte> line) => !line.IsEmpty;

    // Count and count differ only in case; both want the local 'count'.
    [Map] public static int Count(ReadOnlySpan<byte> line) => line.Length;

    [Map] public static int count(int length) => length + 1;

    [Map(Input = nameof(@checked))] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    // Add's slot wants 'addSlot', which the map below it takes first.
    [ReduceByKey] public static long Add(long a, long b) => a + b;

    [Map(Input = nameof(Pair))] public static long AddSlot(ReadOnlySpan<byte> word, long one) => one;

    // A sink named Text wants '_text', the buffer that renders records as text.
    [Sink(Default = "console")] public static partial void Text(long one);

    [Sink(Input = nameof(Add), Default = "console")] public static partial void Counts(ReadOnlySpan<byte> word, long count);

    [Sink(Input = nameof(count), Default = "console")] public static partial void Lengths(int length);
}
