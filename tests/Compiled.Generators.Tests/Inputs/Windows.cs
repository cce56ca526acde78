using Compiled;

namespace Monitoring;

/// <summary>Every windowed stage over one stream of "endpoint status" lines, batches of 1s.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class Traffic
{
    [Source(Default = "tcp://localhost:9999")]
    public static partial Lines Requests();

    [Map]
    public static KeyValue<long> PerEndpoint(ReadOnlySpan<byte> line) => new(line[..Math.Max(0, line.IndexOf((byte)' '))], 1);

    [ReduceByKeyAndWindow(Length = "30s", Slide = "10s")]
    public static long Merged(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void PerEndpointMerged(ReadOnlySpan<byte> endpoint, long requests);

    [ReduceByKeyAndWindow(Input = nameof(PerEndpoint), Length = "30s", Slide = "10s", Inverse = nameof(Subtract), Filter = nameof(Active))]
    public static long Incremental(long a, long b) => a + b;

    public static long Subtract(long a, long b) => a - b;

    public static bool Active(ReadOnlySpan<byte> endpoint, long requests) => requests > 0;

    [Sink(Default = "console")]
    public static partial void PerEndpointIncremental(ReadOnlySpan<byte> endpoint, long requests);

    [CountByWindow(Input = nameof(Requests), Length = "1m", Slide = "5s")]
    public static partial long PerMinute(ReadOnlySpan<byte> line);

    [Sink(Default = "console")]
    public static partial void RequestsPerMinute(long requests);

    [Map(Input = nameof(Requests))]
    public static int Length(ReadOnlySpan<byte> line) => line.Length;

    [ReduceByWindow(Length = "10s")]
    public static int Longest(int a, int b) => Math.Max(a, b);

    [Sink(Default = "console")]
    public static partial void LongestLine(int length);

    [CountByValueAndWindow(Input = nameof(Length), Length = "20s", Slide = "2s")]
    public static int Lengths(int length) => length / 10 * 10;

    [Sink(Default = "console")]
    public static partial void LengthHistogram(int bucket, long lines);

    [Window(Input = nameof(Requests), Length = "3s")]
    public static partial ReadOnlySpan<byte> Recent(ReadOnlySpan<byte> line);

    [Sink(Default = "console")]
    public static partial void RecentLines(ReadOnlySpan<byte> line);
}
