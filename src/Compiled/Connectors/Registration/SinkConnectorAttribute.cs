namespace Compiled.Connectors;

/// <summary>
/// Declares that this assembly writes <see cref="Scheme"/> URIs with <see cref="Factory"/>, an
/// <see cref="ISinkFactory"/>. A project that references the assembly (or declares the connector itself) may then
/// write <c>[Sink(Default = "scheme://...")]</c>, and its generated code registers the connector when the program
/// starts: <c>[assembly: SinkConnector("redis", typeof(RedisSinkFactory), Usage = "redis://host:port/KEY?type=hash")]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class SinkConnectorAttribute : Attribute
{
    /// <summary>Declares the connector.</summary>
    /// <param name="scheme">The URI scheme, in lower case: a letter, then letters, digits, '+', '-' or '.'.</param>
    /// <param name="factory">A public type that implements <see cref="ISinkFactory"/>.</param>
    public SinkConnectorAttribute(string scheme, Type factory)
    {
        Scheme = scheme;
        Factory = factory;
    }

    /// <summary>The URI scheme the connector writes.</summary>
    public string Scheme { get; }

    /// <summary>The <see cref="ISinkFactory"/> that creates the connector's sinks.</summary>
    public Type Factory { get; }

    /// <summary>An example URI, listed when a URI's scheme is unknown and in <c>--help</c>; <c>scheme:</c> when not set.</summary>
    public string? Usage { get; set; }
}
