namespace Compiled.Tests.Connectors.Registration;

/// <summary>A pipeline whose default URIs use the <c>memory:</c> connector this test project declares.</summary>
[Pipeline(BatchInterval = "100ms")]
public static partial class MemoryPipeline
{
    [Source(Default = "memory:lines")]
    public static partial Lines Input();

    [Filter]
    public static bool NotComment(ReadOnlySpan<byte> line) => !line.StartsWith("#"u8);

    [Sink(Default = "memory:kept")]
    public static partial void Output(ReadOnlySpan<byte> line);
}
