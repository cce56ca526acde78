using Compiled.Connectors;
using Compiled.Kafka.Sink;
using Compiled.Sinks;

// A project that references Compiled.Kafka may write Default = "kafka://..." and --sink kafka://...
[assembly: SinkConnector("kafka", typeof(KafkaSinkFactory), Usage = KafkaSinkFactory.Usage)]

namespace Compiled.Kafka.Sink;

/// <summary>Creates the <c>kafka://</c> sinks; declared to the generator by this assembly's <see cref="SinkConnectorAttribute"/>.</summary>
public sealed class KafkaSinkFactory : ISinkFactory
{
    /// <summary>The URI form the unknown-scheme message shows.</summary>
    public const string Usage = "kafka://host:port/topic[?transactional.id=ID&acks=all&...]";

    /// <summary>Checks the URI and creates the sink; it connects when the run opens it.</summary>
    public static Compiled.Sinks.Sink Create(ConnectorUri uri, SinkContext context) => new KafkaSink(KafkaSinkOptions.Parse(uri), context);
}
