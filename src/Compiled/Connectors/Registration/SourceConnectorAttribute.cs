namespace Compiled.Connectors;

/// <summary>
/// Declares that this assembly reads <see cref="Scheme"/> URIs with <see cref="Factory"/>, an
/// <see cref="ISourceFactory"/>. A project that references the assembly (or declares the connector itself) may then
/// write <c>[Source(Default = "scheme://...")]</c>, and its generated code registers the connector when the program
/// starts: <c>[assembly: SourceConnector("memory", typeof(MemorySourceFactory), Usage = "memory:NAME")]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class SourceConnectorAttribute : Attribute
{
    /// <summary>Declares the connector.</summary>
    /// <param name="scheme">The URI scheme, in lower case: a letter, then letters, digits, '+', '-' or '.'.</param>
    /// <param name="factory">A public type that implements <see cref="ISourceFactory"/>.</param>
    public SourceConnectorAttribute(string scheme, Type factory)
    {
        Scheme = scheme;
        Factory = factory;
    }

    /// <summary>The URI scheme the connector reads.</summary>
    public string Scheme { get; }

    /// <summary>The <see cref="ISourceFactory"/> that creates the connector's sources.</summary>
    public Type Factory { get; }

    /// <summary>An example URI, listed when a URI's scheme is unknown and in <c>--help</c>; <c>scheme:</c> when not set.</summary>
    public string? Usage { get; set; }
}
