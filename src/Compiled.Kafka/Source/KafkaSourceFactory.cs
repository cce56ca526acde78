using Compiled.Connectors;
using Compiled.Kafka;

// A project that references Compiled.Kafka may write Default = "kafka://..." on a source and --source kafka://...
[assembly: SourceConnector("kafka", typeof(KafkaSourceFactory), Usage = KafkaSourceFactory.Usage)]

namespace Compiled.Kafka;

/// <summary>Creates the <c>kafka://</c> sources; declared to the generator by this assembly's <see cref="SourceConnectorAttribute"/>.</summary>
public sealed class KafkaSourceFactory : ISourceFactory
{
    /// <summary>The URI form the unknown-scheme message shows.</summary>
    public const string Usage = "kafka://host:port/topic[,topic2]?group=NAME";

    /// <summary>Checks the URI and creates the source; it connects when the run first reads it.</summary>
    public static Source Create(ConnectorUri uri, SourceContext context) => new KafkaSource(uri, context);
}
