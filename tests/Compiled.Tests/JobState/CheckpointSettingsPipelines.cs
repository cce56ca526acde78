namespace Compiled.Tests.JobState;

/// <summary>A pipeline that declares its checkpoint directory, and keeps a running total per word.</summary>
[Pipeline(BatchInterval = "1s", Checkpoint = "state/totals")]
public static partial class DeclaresCheckpoint
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [UpdateStateByKey]
    public static long? Total(ReadOnlySpan<long> values, long? state) => (state ?? 0) + values.Length;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}

/// <summary>The last user name seen per user id, and a profile address: a state holding a class (a Uri), which a checkpoint cannot write.</summary>
public record struct LastName(string Name, long Seen, Uri? Profile);

/// <summary>A pipeline whose state a checkpoint cannot write: it runs, and its definition says why it refuses a checkpoint.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class KeepsAString
{
    [Source]
    public static partial Lines<(int User, string Name)> Input();

#pragma warning disable CMP0035 // The point of this pipeline: its state holds a class.
    [UpdateStateByKey]
    public static LastName? Last(ReadOnlySpan<string> values, LastName? state) =>
        values.Length == 0 ? state : new LastName(values[^1], (state?.Seen ?? 0) + values.Length, null);
#pragma warning restore CMP0035

    [Sink]
    public static partial void Output(int user, LastName last);
}
