using Compiled.Connectors;
using Compiled.Redis;
using Compiled.Sinks;

// A project that references Compiled.Redis may write Default = "redis://..." and --sink redis://...
[assembly: SinkConnector("redis", typeof(RedisSinkFactory), Usage = RedisSinkFactory.Usage)]

namespace Compiled.Redis;

/// <summary>Creates the <c>redis://</c> sinks; declared to the generator by this assembly's <see cref="SinkConnectorAttribute"/>.</summary>
public sealed class RedisSinkFactory : ISinkFactory
{
    /// <summary>The URI form the unknown-scheme message shows.</summary>
    public const string Usage = "redis://host:port/KEY?type=hash|string|zset|stream";

    /// <summary>Checks the URI and creates the sink; it connects when the run opens it.</summary>
    public static Sink Create(ConnectorUri uri, SinkContext context) => new RedisSink(RedisSinkOptions.Parse(uri), context);
}
