using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Generators.Tests.Connectors;

/// <summary>The source text of small connectors, and a connector library compiled from it for a compilation to reference.</summary>
internal static class ConnectorSources
{
    /// <summary>A sink and a source that do nothing, with their factories, in namespace <paramref name="ns"/>.</summary>
    public static string Connector(string ns) => $$"""
        namespace {{ns}}
        {
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Compiled.Connectors;
            using Compiled.Sinks;

            public sealed class NullSink : Sink
            {
                public NullSink(ConnectorUri uri, SinkContext context) : base(uri, context) { }
                public override void BeginBatch(long batchTimeMs) { }
                public override void Write(ReadOnlySpan<byte> record) { }
                public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
            }

            public sealed class NullSinkFactory : ISinkFactory
            {
                public static Sink Create(ConnectorUri uri, SinkContext context) => new NullSink(uri, context);
            }

            public sealed class NullSource : Source
            {
                public NullSource(ConnectorUri uri, SourceContext context) : base(uri, context) { }
                public override ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken) => new((SourceStream?)null);
            }

            public sealed class NullSourceFactory : ISourceFactory
            {
                public static Source Create(ConnectorUri uri, SourceContext context) => new NullSource(uri, context);
            }
        }
        """;

    /// <summary>A pipeline that reads <paramref name="source"/> and writes <paramref name="sink"/> by default.</summary>
    public static string Pipeline(string source, string sink) => $$"""
        using Compiled;

        [Pipeline]
        public static partial class Job
        {
            [Source(Default = "{{source}}")] public static partial Lines Input();
            [Sink(Default = "{{sink}}")] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """;

    /// <summary>
    /// A connector library named <paramref name="assembly"/>: the connectors of <see cref="Connector"/> in namespace
    /// <paramref name="assembly"/>, declared by <paramref name="declarations"/> (assembly attributes), compiled to metadata.
    /// </summary>
    public static MetadataReference Library(string assembly, string declarations)
    {
        CSharpCompilation library = GeneratorHarness.CreateCompilation(Connector(assembly), declarations).WithAssemblyName(assembly);
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = library.Emit(image, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }

    /// <summary>The compiler's errors and warnings of <paramref name="output"/>, for a message.</summary>
    public static ImmutableArray<Diagnostic> Problems(Compilation output) => GeneratorHarness.CompilerProblems(output);
}
