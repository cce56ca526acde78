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
