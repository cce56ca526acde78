using Compiled;

namespace Monitoring.Logs;

/// <summary>
/// Counts log lines by level, keeps the error lines as they are, and names each stage's input explicitly
/// where it branches: two sinks, one fed per record and one per batch.
/// </summary>
[Pipeline(BatchInterval = "500ms")]
public static partial class ErrorLevels
{
    [Source(Default = "tcp://localhost:9999")]
    public static partial Lines Lines();

    [Filter]
    public static bool NotBlank(ReadOnlySpan<byte> line) => !line.Trim((byte)' ').IsEmpty;

    [CountByValue]
    public static ReadOnlySpan<byte> Level(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        return space < 0 ? line : line[..space];
    }

    [Filter]
    public static bool Frequent(ReadOnlySpan<byte> level, long count) => count > 1;

    [Sink(Default = "console")]
    public static partial void Counts(ReadOnlySpan<byte> level, long count);

    [Filter(Input = nameof(NotBlank))]
    public static bool IsError(ReadOnlySpan<byte> line) => line.StartsWith("ERROR "u8);

    [Sink(Default = "file:///var/log/errors/part?suffix=log")]
    public static partial void Errors(ReadOnlySpan<byte> line);
}
