using Compiled.Connectors;
using Compiled.Redis;

// A project that references Compiled.Redis may write Default = "redis://..." on a source and --source redis://...
[assembly: SourceConnector("redis", typeof(RedisStreamSourceFactory), Usage = RedisStreamSourceFactory.Usage)]

namespace Compiled.Redis;

/// <summary>Creates the <c>redis://</c> sources (Redis Streams); declared to the generator by this assembly's <see cref="SourceConnectorAttribute"/>.</summary>
public sealed class RedisStreamSourceFactory : ISourceFactory
{
    /// <summary>The URI form the unknown-scheme message shows.</summary>
    public const string Usage = "redis://host:port/STREAM?group=G&consumer=C";

    /// <summary>Checks the URI and creates the source; it connects when the run first reads it.</summary>
    public static Source Create(ConnectorUri uri, SourceContext context) => new RedisStreamSource(uri, context);
}
