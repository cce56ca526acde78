namespace Compiled.Tests.Pipelines;

/// <summary>The seed's word count, compiled into the test assembly so tests can drive its generated job directly.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordCountPipeline
{
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line);

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> word, long count);
}

/// <summary>A pipeline whose operator throws on a record it cannot parse, to test how failures surface.</summary>
[Pipeline]
public static partial class ThrowingPipeline
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static int Parse(ReadOnlySpan<byte> line) =>
        line.StartsWith("boom"u8) ? throw new FormatException($"cannot parse '{System.Text.Encoding.UTF8.GetString(line)}'") : line.Length;

    [Sink]
    public static partial void Output(int length);
}

/// <summary>A typed source: numbers, one per line, counted by their remainder modulo 3.</summary>
[Pipeline(BatchInterval = "500ms")]
public static partial class Remainders
{
    [Source(Default = "stdin:")]
    public static partial Lines<int> Numbers();

    [Filter]
    public static bool NonNegative(int number) => number >= 0;

    [CountByValue]
    public static int Remainder(int number) => number % 3;

    [Sink(Default = "console")]
    public static partial void Output(int remainder, long count);
}

/// <summary>A typed source of tuples: "customer,cents" lines, summed per customer; big orders also printed as they come.</summary>
[Pipeline]
public static partial class Totals
{
    [Source]
    public static partial Lines<(int Customer, long Cents)> Orders();

    [ReduceByKey]
    public static long Sum(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void Output((int Customer, long Cents) total);

    [Filter(Input = nameof(Orders))]
    public static bool Big(int customer, long cents) => cents >= 10_000;

    [Sink(Default = "console")]
    public static partial void BigOrders((int Customer, long Cents) order);
}

/// <summary>Byte lines kept per record: the lines that mention an error, as they are.</summary>
[Pipeline]
public static partial class ErrorLines
{
    [Source]
    public static partial Lines Input();

    [Filter]
    public static bool IsError(ReadOnlySpan<byte> line) => line.IndexOf("ERROR"u8) >= 0;

    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> line);
}
