using Compiled;

namespace Logs;

/// <summary>
/// Unions of branches of one source: a sink below one sees the first stream's records of a batch, then the
/// second's (kept for the batch boundary); a keyed aggregate below one needs no order, so nothing is kept.
/// </summary>
[Pipeline]
public static partial class Unions
{
    [Source]
    public static partial Lines Input();

    [Filter]
    public static bool IsError(ReadOnlySpan<byte> line) => line.StartsWith("E "u8);

    [Filter(Input = nameof(Input))]
    public static bool IsWarning(ReadOnlySpan<byte> line) => line.StartsWith("W "u8);

    [Union(Input = nameof(IsError), Other = nameof(IsWarning))]
    public static partial ReadOnlySpan<byte> Problems(ReadOnlySpan<byte> line);

    [Sink(Default = "console")]
    public static partial void ProblemLines(ReadOnlySpan<byte> line);

    [Map(Input = nameof(Input))]
    public static int Length(ReadOnlySpan<byte> line) => line.Length;

    [Union(Input = nameof(Length), Other = nameof(Length))]
    public static partial int Twice(int length);

    [Sink(Default = "console")]
    public static partial void Lengths(int length);

    [Map(Input = nameof(IsWarning))]
    public static int WarningLength(ReadOnlySpan<byte> line) => line.Length;

    [Union(Input = nameof(Length), Other = nameof(WarningLength))]
    public static partial int AllLengths(int length);

    [CountByValue]
    public static int LengthOf(int length) => length;

    [Sink(Default = "console")]
    public static partial void LengthCounts(int length, long count);
}
