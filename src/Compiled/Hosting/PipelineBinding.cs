using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Sinks;

namespace Compiled.Hosting;

/// <summary>
/// A pipeline's sources and sinks bound to their URIs: each declared source and sink is created from the URI a run's
/// options give it, or from its declared default. A name the pipeline does not declare, a missing URI, or a bad one
/// is a <see cref="ConnectorUriException"/>, and whatever was created before it is released.
/// </summary>
internal sealed class PipelineBinding
{
    private PipelineBinding(Source[] sources, Sink[] sinks)
    {
        Sources = sources;
        Sinks = sinks;
    }

    /// <summary>The bound sources, in declaration order.</summary>
    public Source[] Sources { get; }

    /// <summary>The bound sinks, in declaration order.</summary>
    public Sink[] Sinks { get; }

    /// <summary>Each source's framing limits, from its URI, in declaration order.</summary>
    public FramingOptions[] Framing => [.. Sources.Select(static s => s.Framing)];

    /// <summary>Each source's counters, in declaration order.</summary>
    public SourceCounters[] Counters => [.. Sources.Select(static s => s.Counters)];

    /// <summary>Binds <paramref name="definition"/>'s sources and sinks as <paramref name="options"/> say, at <paramref name="batchInterval"/>.</summary>
    /// <exception cref="ConnectorUriException">A name is not the pipeline's, or a URI is missing, malformed, of an unknown scheme, or has a bad option.</exception>
    /// <param name="definition">The pipeline.</param>
    /// <param name="options">The run's URIs and settings.</param>
    /// <param name="batchInterval">The batch interval in force.</param>
    /// <param name="checkpoint">The run's checkpoint directory (full path), or <see langword="null"/> when it keeps none.</param>
    public static PipelineBinding Bind(PipelineDefinition definition, PipelineRunOptions options, TimeSpan batchInterval, string? checkpoint = null)
    {
        foreach (string name in options.SourceUris.Keys.Concat(options.SinkUris.Keys))
        {
            if (!definition.Sources.Any(s => s.Name == name) && !definition.Sinks.Any(s => s.Name == name))
            {
                throw new ConnectorUriException(name, "source", $"pipeline '{definition.Name}' has no source or sink named '{name}'; it has {DescribeNames(definition)}");
            }
        }

        string directory = options.CurrentDirectory ?? Environment.CurrentDirectory;
        SourceContext SourceContextOf(string name) => new()
        {
            TimeProvider = options.TimeProvider,
            LoggerFactory = options.LoggerFactory,
            BatchInterval = batchInterval,
            OpenStandardInput = options.OpenStandardInput ?? Console.OpenStandardInput,
            CurrentDirectory = directory,
            CheckpointDirectory = checkpoint,
            SourceName = name,
        };
        // Two console sinks or more print to one standard output: each labels its blocks with its name.
        bool sharedConsole = definition.Sinks.Count(declared =>
            options.SinkUris.TryGetValue(declared.Name, out string? bound) ? IsConsole(bound) : declared.DefaultUri is { } uri && IsConsole(uri)) > 1;
        SinkContext SinkContextOf(string name) => new()
        {
            SharesConsole = sharedConsole,
            OpenStandardOutput = options.OpenStandardOutput ?? Compiled.Sinks.Console.StandardOutput.Open,
            CurrentDirectory = directory,
            LoggerFactory = options.LoggerFactory,
            CheckpointDirectory = checkpoint,
            SinkName = name,
        };

        var sources = new List<Source>();
        var sinks = new List<Sink>();
        try
        {
            foreach (SourceDeclaration declared in definition.Sources)
            {
                string uri = UriOf(options.SourceUris, declared.Name, declared.DefaultUri, "source");
                Source source = ConnectorRegistry.CreateSource(uri, SourceContextOf(declared.Name));
                sources.Add(source);
                if (source.OnBadRecord is not null && declared is Lines)
                {
                    throw source.Uri.Error(
                        $"source '{declared.Name}' hands each line on as bytes, so none is refused and option onBadRecord has nothing to do; remove it, or declare the source as Lines<T> of the record its lines hold");
                }
            }

            foreach (SinkDeclaration declared in definition.Sinks)
            {
                string uri = UriOf(options.SinkUris, declared.Name, declared.DefaultUri, "sink");
                sinks.Add(ConnectorRegistry.CreateSink(uri, SinkContextOf(declared.Name)));
            }
        }
        catch
        {
            foreach (Source source in sources)
            {
                source.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            foreach (Sink sink in sinks)
            {
                sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }

        return new PipelineBinding([.. sources], [.. sinks]);
    }

    /// <summary>Releases every source, then every sink.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (Source source in Sources)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }

        foreach (Sink sink in Sinks)
        {
            await sink.DisposeAsync().ConfigureAwait(false);
        }
    }

    // console, console: or console:?num=20 (the scheme is matched ignoring case, as the registry matches it).
    private static bool IsConsole(string text)
    {
        string uri = text.Trim();
        return uri.Equals("console", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("console:", StringComparison.OrdinalIgnoreCase)
            || uri.StartsWith("console?", StringComparison.OrdinalIgnoreCase);
    }

    private static string UriOf(IDictionary<string, string> uris, string name, string? defaultUri, string role)
    {
        if (uris.TryGetValue(name, out string? uri))
        {
            return uri;
        }

        return defaultUri ?? throw new ConnectorUriException(name, role,
            $"{role} '{name}' has no default URI; bind one with --{role} {name}=URI");
    }

    private static string DescribeNames(PipelineDefinition definition) =>
        $"sources {string.Join(", ", definition.Sources.Select(s => s.Name))} and sinks {string.Join(", ", definition.Sinks.Select(s => s.Name))}";
}
