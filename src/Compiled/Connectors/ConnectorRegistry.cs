using Compiled.Connectors.Files;
using Compiled.Connectors.Stdin;
using Compiled.Connectors.Tcp;
using Compiled.Internal;
using Compiled.Sinks;
using Compiled.Sinks.Console;
using Compiled.Sinks.Files;

namespace Compiled.Connectors;

/// <summary>
/// Creates sources and sinks from URIs by scheme. Creating one checks its URI and options and fails with a
/// <see cref="ConnectorUriException"/> that says what to write instead; nothing connects until the run starts.
/// </summary>
public static class ConnectorRegistry
{
    /// <summary>Creates the source that <paramref name="uri"/> names.</summary>
    /// <exception cref="ConnectorUriException">The URI or one of its options is not valid.</exception>
    public static Source CreateSource(string uri, SourceContext context)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "source");
        Source source = parsed.Scheme switch
        {
            "tcp" => new TcpSource(parsed, context),
            "file" => new FileSource(parsed, context),
            "stdin" => new StdinSource(parsed, context),
            _ => throw UnknownScheme(parsed, KnownSchemes.Sources),
        };
        parsed.ThrowIfUnknownOptions();
        return source;
    }

    /// <summary>Creates the sink that <paramref name="uri"/> names.</summary>
    /// <exception cref="ConnectorUriException">The URI or one of its options is not valid.</exception>
    public static Sink CreateSink(string uri, SinkContext context)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "sink");
        Sink sink = parsed.Scheme switch
        {
            "console" => new ConsoleSink(parsed, context),
            "file" => new FileSink(parsed, context),
            _ => throw UnknownScheme(parsed, KnownSchemes.Sinks),
        };
        parsed.ThrowIfUnknownOptions();
        return sink;
    }

    private static ConnectorUriException UnknownScheme(ConnectorUri uri, string[][] table)
    {
        // "localhost:9999" parses as scheme "localhost": say what was probably meant.
        string hint = uri.Target.Length > 0 && uri.Target.All(char.IsAsciiDigit) && table == KnownSchemes.Sources
            ? $" (for a socket, write tcp://{uri.Text})"
            : "";
        return uri.Error($"{uri.Role} URI '{uri.Text}' has an unknown scheme '{uri.Scheme}'; use one of: {KnownSchemes.Usage(table)}{hint}");
    }
}
