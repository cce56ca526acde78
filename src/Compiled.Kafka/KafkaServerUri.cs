using System.Diagnostics.CodeAnalysis;
using Compiled.Connectors;
using Confluent.Kafka;

namespace Compiled.Kafka;

/// <summary>
/// The part every <c>kafka://</c> URI shares, source or sink: <c>kafka://host:port[,host2:port2]/topic[,topic2]</c>
/// (port 9092 by default) and the client's own properties, passed through as librdkafka names them: every option whose
/// name has a dot (<c>api.version.request=false</c>, <c>session.timeout.ms=30000</c>, <c>sasl.password=...</c>).
/// Secrets are read from the URI as written and shown nowhere: messages use <see cref="ConnectorUri.Text"/>.
/// </summary>
internal sealed class KafkaServerUri
{
    private KafkaServerUri(string bootstrapServers, IReadOnlyList<string> topics, IReadOnlyList<KeyValuePair<string, string>> clientProperties)
    {
        BootstrapServers = bootstrapServers;
        Topics = topics;
        ClientProperties = clientProperties;
    }

    /// <summary>The brokers to start from, <c>host:port,host:port</c>, as librdkafka's <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>The topics the URI names after the brokers, in the order written; empty when it names none.</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <summary>The client properties the URI passes through (names with a dot), in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ClientProperties { get; }

    /// <summary>
    /// Reads the brokers, topics and passed-through client properties of <paramref name="uri"/>; the caller takes its
    /// own options and then calls <see cref="ConnectorUri.ThrowIfUnknownOptions"/>.
    /// </summary>
    /// <param name="uri">The URI.</param>
    /// <param name="usage">An example URI, for the message when no broker is named.</param>
    /// <exception cref="ConnectorUriException">No broker is named, or a topic name is not valid.</exception>
    public static KafkaServerUri Parse(ConnectorUri uri, string usage)
    {
        ArgumentNullException.ThrowIfNull(uri);
        string target = uri.Target;
        int slash = target.IndexOf('/', StringComparison.Ordinal);
        string brokers = slash < 0 ? target : target[..slash];
        string path = slash < 0 ? "" : target[(slash + 1)..];
        if (brokers.Length == 0)
        {
            throw uri.Error($"{uri.Role} URI '{uri.Text}' names no broker; write {usage}");
        }

        var servers = new List<string>();
        foreach (string broker in brokers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool hasPort = broker.Contains(':', StringComparison.Ordinal) && !broker.EndsWith(']');
            servers.Add(hasPort ? broker : broker + ":9092");
        }

        var topics = new List<string>();
        foreach (string topic in path.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IsTopicName(topic))
            {
                throw uri.Error($"{uri.Role} URI '{uri.Text}' names topic '{topic}', which Kafka does not allow; a topic name " +
                    "has 1 to 249 letters, digits, '.', '_' or '-'");
            }

            topics.Add(topic);
        }

        IReadOnlyList<KeyValuePair<string, string>> properties = uri.TakeOptions(static name => name.Contains('.', StringComparison.Ordinal));
        return new KafkaServerUri(string.Join(',', servers), topics, properties);
    }

    /// <summary>Puts the brokers and every passed-through property into <paramref name="config"/>; the URI's properties win.</summary>
    /// <remarks>
    /// Every client the connector builds is configured here first, so this is where Native AOT is told what
    /// Confluent.Kafka finds by reflection when it loads librdkafka: the methods of its classes of native bindings, whose
    /// delegates it makes by name. Without them a published binary fails at its first client ("Sequence contains no
    /// matching element" in <c>Librdkafka.SetDelegates</c>).
    /// </remarks>
    [DynamicDependency(NativeBindingMembers, "Confluent.Kafka.Impl.NativeMethods.NativeMethods", "Confluent.Kafka")]
    [DynamicDependency(NativeBindingMembers, "Confluent.Kafka.Impl.NativeMethods.NativeMethods_Alpine", "Confluent.Kafka")]
    [DynamicDependency(NativeBindingMembers, "Confluent.Kafka.Impl.NativeMethods.NativeMethods_Centos8", "Confluent.Kafka")]
    public void ApplyTo(ClientConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.BootstrapServers = BootstrapServers;
        foreach (KeyValuePair<string, string> property in ClientProperties)
        {
            config.Set(property.Key, property.Value);
        }
    }

    private const DynamicallyAccessedMemberTypes NativeBindingMembers =
        DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods;

    private static bool IsTopicName(string name)
    {
        if (name.Length is 0 or > 249 || name is "." or "..")
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
