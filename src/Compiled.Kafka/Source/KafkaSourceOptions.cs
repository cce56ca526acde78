using Compiled.Connectors;
using Confluent.Kafka;

namespace Compiled.Kafka;

/// <summary>Where the job starts in a partition for which neither its consumer group nor its checkpoint holds an offset (<c>start</c>).</summary>
public enum KafkaSourceStart
{
    /// <summary>Only records produced after the job joined (<c>auto.offset.reset=latest</c>), as Kafka's consumers do by default.</summary>
    Latest,

    /// <summary>Every record the partition still holds (<c>auto.offset.reset=earliest</c>).</summary>
    Earliest,
}

/// <summary>
/// A <c>kafka://</c> source URI taken apart: <c>kafka://host:port[,host:port]/topic[,topic2]?group=NAME</c> with
/// <c>start</c>, <c>prefetch</c>, <c>retryFor</c> and every librdkafka consumer property passed through as written
/// (a name with a dot: <c>session.timeout.ms=10000</c>, <c>api.version.request=false</c>, <c>sasl.password=...</c>).
/// Secrets are kept out of <see cref="SafeText"/>.
/// </summary>
public sealed class KafkaSourceOptions
{
    // Properties the source decides itself: passing them through would break what it promises.
    private static readonly string[] OwnProperties = ["enable.auto.commit", "group.id", "auto.offset.reset", "enable.auto.offset.store", "enable.partition.eof", "dotnet.consumer.consume.result.fields"];

    private KafkaSourceOptions(string safeText, KafkaServerUri server, string group, KafkaSourceStart start, int prefetch, TimeSpan retryFor)
    {
        SafeText = safeText;
        Server = server;
        Group = group;
        Start = start;
        Prefetch = prefetch;
        RetryFor = retryFor;
    }

    /// <summary>The URI as written, with its secrets replaced by <c>***</c>.</summary>
    public string SafeText { get; }

    /// <summary>The brokers to start from, <c>host:port,host:port</c>.</summary>
    public string BootstrapServers => Server.BootstrapServers;

    /// <summary>The topics read (the URI's path, comma-separated).</summary>
    public IReadOnlyList<string> Topics => Server.Topics;

    /// <summary>The consumer group (<c>group</c>, required): the job's processes share the partitions of its topics, and its committed offsets are where a run without a checkpoint resumes.</summary>
    public string Group { get; }

    /// <summary>Where a partition without a committed or checkpointed offset starts (<c>start</c>, default <see cref="KafkaSourceStart.Latest"/>).</summary>
    public KafkaSourceStart Start { get; }

    /// <summary>The most records fetched ahead of the job (<c>prefetch</c>, default 4096): the bound on what the source holds in memory.</summary>
    public int Prefetch { get; }

    /// <summary>How long the brokers may stay unreachable before the run fails (<c>retryFor</c>, default 5 minutes).</summary>
    public TimeSpan RetryFor { get; }

    /// <summary>The client properties the URI passes through (names with a dot), in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ClientProperties => Server.ClientProperties;

    internal KafkaServerUri Server { get; }

    /// <summary>Reads <paramref name="uri"/>; an error about it never shows a secret.</summary>
    /// <exception cref="ConnectorUriException">The URI or an option is not valid; the message says what to write.</exception>
    public static KafkaSourceOptions Parse(ConnectorUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var server = KafkaServerUri.Parse(uri, KafkaSourceFactory.Usage);
        string shown = uri.Text;
        if (server.Topics.Count == 0)
        {
            throw uri.Error($"source URI '{shown}' names no topic to read; write kafka://{server.BootstrapServers}/TOPIC[,TOPIC2]?group=GROUP");
        }

        string group = uri.TakeString("group") ?? "";
        if (group.Length == 0)
        {
            throw uri.Error($"source URI '{shown}' names no consumer group; a topic is read through one, so that the job's processes share its partitions and its offsets are committed after each batch: add ?group=NAME");
        }

        foreach (KeyValuePair<string, string> property in server.ClientProperties)
        {
            if (Array.IndexOf(OwnProperties, property.Key) >= 0)
            {
                throw uri.Error($"source URI '{shown}' sets '{property.Key}', which the Kafka source sets itself (offsets are committed after each batch or checkpoint, the group is ?group=, the starting point ?start=earliest|latest); remove it");
            }
        }

        KafkaSourceStart start = uri.TakeEnum("start", KafkaSourceStart.Latest);
        int prefetch = uri.TakeInt32("prefetch", 4096, minimum: 1);
        TimeSpan retryFor = uri.TakeDuration("retryFor", TimeSpan.FromMinutes(5));

        // The record limits every source takes are read by Source itself from the URI.
        uri.TakeString("maxRecordBytes");
        uri.TakeString("onOversize");
        uri.ThrowIfUnknownOptions();
        return new KafkaSourceOptions(shown, server, group, start, prefetch, retryFor);
    }

    /// <summary>The consumer's configuration: the brokers, the properties passed through, then the source's own settings.</summary>
    internal ConsumerConfig CreateConsumerConfig()
    {
        var config = new ConsumerConfig();
        Server.ApplyTo(config);
        config.GroupId = Group;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = false;
        config.AutoOffsetReset = Start == KafkaSourceStart.Earliest ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest;

        // What the source reads of each record besides its key, value, partition and offset: its timestamp, and its
        // topic's name only when there are several (a string per record); never its headers.
        config.ConsumeResultFields = Topics.Count > 1 ? "timestamp,topic" : "timestamp";
        return config;
    }
}
