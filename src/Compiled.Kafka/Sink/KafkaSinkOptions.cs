using Compiled.Connectors;
using Compiled.Sinks;
using Confluent.Kafka;

namespace Compiled.Kafka.Sink;

/// <summary>
/// A <c>kafka://</c> sink URI taken apart: <c>kafka://host:port[,host2:port2]/topic</c>, <c>retryFor</c>, and every
/// librdkafka producer property passed through as librdkafka names it (<c>acks=all</c>, <c>linger.ms=5</c>,
/// <c>compression.type=lz4</c>, <c>transactional.id=orders-job</c>, <c>api.version.request=false</c>). A
/// <c>transactional.id</c> makes the sink transactional (<see cref="Transactional"/>). Secrets (<c>sasl.password</c>)
/// are read as written and shown nowhere: <see cref="SafeText"/> is what messages show.
/// </summary>
public sealed class KafkaSinkOptions
{
    private readonly KafkaServerUri _server;

    private KafkaSinkOptions(ConnectorUri uri, KafkaServerUri server, string topic, TimeSpan retryFor, string? transactionalId, string? acks)
    {
        Acks = acks;
        Uri = uri;
        _server = server;
        Topic = topic;
        RetryFor = retryFor;
        TransactionalId = transactionalId;
    }

    /// <summary>The URI as written, with its secrets replaced by <c>***</c>.</summary>
    public string SafeText => Uri.Text;

    /// <summary>The URI the options were read from.</summary>
    public ConnectorUri Uri { get; }

    /// <summary>The brokers to start from, as librdkafka's <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers => _server.BootstrapServers;

    /// <summary>The topic every record is written to.</summary>
    public string Topic { get; }

    /// <summary>
    /// How long the sink waits for brokers that are down before a batch fails (<c>retryFor</c>, default 5 minutes):
    /// librdkafka's <c>message.timeout.ms</c> (and, transactional, <c>transaction.timeout.ms</c>) unless the URI sets them.
    /// </summary>
    public TimeSpan RetryFor { get; }

    /// <summary>
    /// How many replicas acknowledge a record before it counts as delivered (<c>acks</c>: <c>0</c>, <c>1</c> or
    /// <c>all</c>; librdkafka's default, <c>all</c>, when not given). The one producer property without a dot, so the
    /// sink takes it by name.
    /// </summary>
    public string? Acks { get; }

    /// <summary>The URI's <c>transactional.id</c>, or <see langword="null"/>: the sink is then at-least-once.</summary>
    public string? TransactionalId { get; }

    /// <summary>Whether each batch is written in one Kafka transaction: the URI sets <c>transactional.id</c>.</summary>
    public bool Transactional => TransactionalId is not null;

    /// <summary>
    /// The consumer group whose committed offset records, inside each batch's transaction, the time of the batch
    /// (<c>compiled-sink-</c> and the <c>transactional.id</c>): what a restart reads to tell whether a batch committed.
    /// </summary>
    public string MarkerGroup => "compiled-sink-" + TransactionalId;

    /// <summary>The client properties the URI passes through, in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ClientProperties => _server.ClientProperties;

    /// <summary>Reads <paramref name="uri"/>: brokers and one topic, <c>retryFor</c>, and the producer properties passed through.</summary>
    /// <exception cref="ConnectorUriException">The URI or an option is not valid; the message says what to write.</exception>
    public static KafkaSinkOptions Parse(ConnectorUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var server = KafkaServerUri.Parse(uri, KafkaSinkFactory.Usage);
        if (server.Topics.Count != 1)
        {
            throw uri.Error(server.Topics.Count == 0
                ? $"sink URI '{uri.Text}' names no topic to write to; write kafka://{server.BootstrapServers}/TOPIC"
                : $"sink URI '{uri.Text}' names {server.Topics.Count} topics ({string.Join(", ", server.Topics)}); a sink writes to one: kafka://{server.BootstrapServers}/{server.Topics[0]}");
        }

        TimeSpan retryFor = uri.TakeDuration("retryFor", TimeSpan.FromMinutes(5));
        if (retryFor <= TimeSpan.Zero || retryFor.TotalMilliseconds > int.MaxValue)
        {
            throw uri.Error($"option 'retryFor' of sink URI '{uri.Text}' must be above 0 and below 24 days, as librdkafka's message.timeout.ms is; write e.g. retryFor=5m");
        }

        string? acks = uri.TakeString("acks");
        if (acks is not null && acks is not ("0" or "1" or "all" or "-1"))
        {
            throw uri.Error($"option 'acks' of sink URI '{uri.Text}' is '{acks}'; write acks=all (every in-sync replica, the default), acks=1 (the leader) or acks=0 (none: records can be lost)");
        }

        string? transactionalId = null;
        foreach (KeyValuePair<string, string> property in server.ClientProperties)
        {
            if (property.Key == "transactional.id")
            {
                transactionalId = property.Value.Length > 0 ? property.Value
                    : throw uri.Error($"option 'transactional.id' of sink URI '{uri.Text}' is empty; name the job's sink, the same on every restart (e.g. transactional.id=orders-job-output), or leave it out for an at-least-once sink");
            }
        }

        // Read (and so known) here, before the unknown options are refused; the sink takes it again as it is created.
        uri.TakeEnum("format", SinkFormat.Text);
        uri.ThrowIfUnknownOptions();
        return new KafkaSinkOptions(uri, server, server.Topics[0], retryFor, transactionalId, acks);
    }

    /// <summary>The producer's configuration: brokers, the URI's properties, and the connector's own defaults where the URI sets none.</summary>
    internal ProducerConfig ProducerConfig()
    {
        var config = new ProducerConfig();
        _server.ApplyTo(config);
        if (Acks is not null)
        {
            config.Set("acks", Acks);
        }

        string timeout = ((long)RetryFor.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Transactional)
        {
            // librdkafka caps message.timeout.ms at transaction.timeout.ms and takes it from there when unset.
            SetUnlessGiven(config, "transaction.timeout.ms", timeout);
        }
        else
        {
            SetUnlessGiven(config, "message.timeout.ms", timeout);
        }

        // The sink's delivery handler reads only a report's error: the client need not copy each record's timestamp,
        // headers and status into it, nor keep its key and value for it (which also lets the sink reuse the arrays it
        // hands Produce, see ProducerArrays).
        SetUnlessGiven(config, DeliveryReportFields, "none");
        return config;
    }

    /// <summary>The configuration of the consumer that reads and writes the <see cref="MarkerGroup"/>'s offset.</summary>
    internal ConsumerConfig MarkerConsumerConfig()
    {
        // The connection's properties only: producer properties would make the consumer warn or fail.
        var config = new ConsumerConfig { BootstrapServers = BootstrapServers };
        foreach (KeyValuePair<string, string> property in ClientProperties)
        {
            if (!ProducerOnlyProperties.Contains(property.Key))
            {
                config.Set(property.Key, property.Value);
            }
        }

        config.GroupId = MarkerGroup;
        config.EnableAutoCommit = false;
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        return config;
    }

    // Confluent.Kafka's own property (not librdkafka's): which parts of a record its delivery reports carry.
    private const string DeliveryReportFields = "dotnet.producer.delivery.report.fields";

    private static readonly string[] ProducerOnlyProperties =
    [
        DeliveryReportFields,
        "transactional.id", "transaction.timeout.ms", "acks", "request.required.acks", "linger.ms", "queue.buffering.max.ms",
        "compression.type", "compression.codec", "enable.idempotence", "message.timeout.ms", "delivery.timeout.ms",
        "batch.size", "batch.num.messages", "queue.buffering.max.messages", "queue.buffering.max.kbytes", "retries",
        "message.send.max.retries", "retry.backoff.ms", "partitioner", "enable.gapless.guarantee", "max.in.flight",
        "max.in.flight.requests.per.connection", "sticky.partitioning.linger.ms", "compression.level",
    ];

    private void SetUnlessGiven(ClientConfig config, string name, string value)
    {
        if (!_server.ClientProperties.Any(p => p.Key == name))
        {
            config.Set(name, value);
        }
    }
}
