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
/// <remarks>
/// The built-in schemes are <c>tcp</c>, <c>file</c> and <c>stdin</c> for sources and <c>console</c> and <c>file</c> for
/// sinks. A connector package adds its own with <see cref="SourceConnectorAttribute"/> or
/// <see cref="SinkConnectorAttribute"/>; the generated code of a project that references it calls
/// <see cref="AddSource{TFactory}"/> and <see cref="AddSink{TFactory}"/> from a module initializer, before the program's
/// first line runs.
/// </remarks>
public static class ConnectorRegistry
{
    private static readonly ConnectorTable<Func<ConnectorUri, SourceContext, Source>> Sources = new("source", KnownSchemes.Sources);
    private static readonly ConnectorTable<Func<ConnectorUri, SinkContext, Sink>> Sinks = new("sink", KnownSchemes.Sinks);

    /// <summary>
    /// Registers <typeparamref name="TFactory"/> as the creator of <paramref name="scheme"/> sources. Registering the same
    /// factory again does nothing.
    /// </summary>
    /// <param name="scheme">The URI scheme, in lower case.</param>
    /// <param name="usage">An example URI, listed when a source URI's scheme is unknown; <c>scheme:</c> when null or empty.</param>
    /// <exception cref="ArgumentException">
    /// The scheme is not a lower-case URI scheme, is built in, or is registered to another factory.
    /// </exception>
    public static void AddSource<TFactory>(string scheme, string? usage)
        where TFactory : ISourceFactory =>
        Sources.Add(scheme, usage, typeof(TFactory), TFactory.Create);

    /// <summary>
    /// Registers <typeparamref name="TFactory"/> as the creator of <paramref name="scheme"/> sinks. Registering the same
    /// factory again does nothing.
    /// </summary>
    /// <param name="scheme">The URI scheme, in lower case.</param>
    /// <param name="usage">An example URI, listed when a sink URI's scheme is unknown; <c>scheme:</c> when null or empty.</param>
    /// <exception cref="ArgumentException">
    /// The scheme is not a lower-case URI scheme, is built in, or is registered to another factory.
    /// </exception>
    public static void AddSink<TFactory>(string scheme, string? usage)
        where TFactory : ISinkFactory =>
        Sinks.Add(scheme, usage, typeof(TFactory), TFactory.Create);

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
            _ when Sources.TryGet(parsed.Scheme, out Func<ConnectorUri, SourceContext, Source>? create) =>
                create(parsed, context) ?? throw NullConnector(parsed),
            _ => throw UnknownScheme(parsed, Sources.Usage()),
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
            _ when Sinks.TryGet(parsed.Scheme, out Func<ConnectorUri, SinkContext, Sink>? create) =>
                create(parsed, context) ?? throw NullConnector(parsed),
            _ => throw UnknownScheme(parsed, Sinks.Usage()),
        };
        parsed.ThrowIfUnknownOptions();
        return sink;
    }

    /// <summary>The usage examples of every <paramref name="role"/> scheme (<c>source</c> or <c>sink</c>), built-in and registered, joined with ", ".</summary>
    internal static string Usage(string role) => role == "sink" ? Sinks.Usage() : Sources.Usage();

    /// <summary>One example URI of <paramref name="role"/> (<c>source</c> or <c>sink</c>), for messages that show one.</summary>
    internal static string Example(string role) => role == "sink" ? Sinks.FirstExample() : Sources.FirstExample();

    private static ConnectorUriException UnknownScheme(ConnectorUri uri, string usage)
    {
        // "localhost:9999" parses as scheme "localhost": say what was probably meant, rather than suggest a package.
        string hint = uri.Target.Length > 0 && uri.Target.All(char.IsAsciiDigit) && uri.Role == "source"
            ? $" (for a socket, write tcp://{uri.Text})"
            : $", or reference the connector package that declares '{uri.Scheme}'";
        return uri.Error($"{uri.Role} URI '{uri.Text}' has an unknown scheme '{uri.Scheme}'; use one of: {usage}{hint}");
    }

    private static InvalidOperationException NullConnector(ConnectorUri uri) =>
        new($"the connector registered for {uri.Role} scheme '{uri.Scheme}' returned no {uri.Role} for '{uri.Text}'; its factory's Create must return a connector or throw a ConnectorUriException");
}
