using Confluent.Kafka;

namespace Compiled.Benchmarks.Kafka.Comparison;

/// <summary>
/// The offsets of a consumer group on the topics a job reads, through Confluent.Kafka: where a run starts (the group's
/// offsets set before it starts) and whether it has got to the end (the group has committed every partition's end).
/// Both jobs commit what they have processed: the compiled job once a batch is committed (written), Streamiz every
/// commit interval; so "committed to the end" is when a job has done its work on the whole topic.
/// The clients are made once and kept (one consumer per group, never subscribed: it only commits and asks).
/// </summary>
internal sealed class TopicOffsets(string bootstrap, IReadOnlyDictionary<string, string> clientProperties) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, IConsumer<Ignore, Ignore>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TopicPartition[]> _partitions = new(StringComparer.Ordinal);
    private IAdminClient? _admin;

    /// <summary>Closes the clients.</summary>
    public void Dispose()
    {
        foreach (IConsumer<Ignore, Ignore> consumer in _consumers.Values)
        {
            consumer.Dispose();
        }

        _admin?.Dispose();
    }

    /// <summary>
    /// Sets <paramref name="group"/>'s committed offsets: each partition of <paramref name="fromStart"/> at its first
    /// offset, each partition of <paramref name="fromEnd"/> at its end (what is there already is not read again).
    /// </summary>
    public void Reset(string group, IReadOnlyList<string> fromStart, IReadOnlyList<string> fromEnd)
    {
        IConsumer<Ignore, Ignore> consumer = Consumer(group);
        var offsets = new List<TopicPartitionOffset>();
        foreach (string topic in fromStart.Concat(fromEnd))
        {
            foreach (TopicPartition partition in Partitions(topic))
            {
                WatermarkOffsets marks = consumer.QueryWatermarkOffsets(partition, Timeout);
                offsets.Add(new TopicPartitionOffset(partition, fromStart.Contains(topic) ? marks.Low : marks.High));
            }
        }

        consumer.Commit(offsets);
    }

    /// <summary>Whether <paramref name="group"/> has committed the end of every partition of <paramref name="topics"/> (their ends read after).</summary>
    public bool CommittedToEnd(string group, IReadOnlyList<string> topics)
    {
        IConsumer<Ignore, Ignore> consumer = Consumer(group);
        TopicPartition[] partitions = [.. topics.SelectMany(Partitions)];
        List<TopicPartitionOffset> committed = consumer.Committed(partitions, Timeout);
        foreach (TopicPartitionOffset offset in committed)
        {
            if (offset.Offset.Value < consumer.QueryWatermarkOffsets(offset.TopicPartition, Timeout).High.Value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The number of messages in <paramref name="topic"/> (from each partition's first offset to its end).</summary>
    public long Messages(string topic)
    {
        IConsumer<Ignore, Ignore> consumer = Consumer("compiled-benchmarks-count");
        return Partitions(topic).Sum(partition =>
        {
            WatermarkOffsets marks = consumer.QueryWatermarkOffsets(partition, Timeout);
            return marks.High.Value - marks.Low.Value;
        });
    }

    private TopicPartition[] Partitions(string topic)
    {
        if (_partitions.TryGetValue(topic, out TopicPartition[]? known))
        {
            return known;
        }

        _admin ??= new AdminClientBuilder(new AdminClientConfig(Properties(null))).Build();
        Metadata metadata = _admin.GetMetadata(topic, Timeout);
        TopicMetadata? found = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
        if (found is null || found.Error.IsError || found.Partitions.Count == 0)
        {
            throw new InvalidOperationException(
                $"The topic '{topic}' is not on {bootstrap} ({found?.Error.Reason ?? "not in the metadata"}); create it first (run.sh does).");
        }

        return _partitions[topic] = [.. found.Partitions.Select(p => new TopicPartition(topic, p.PartitionId))];
    }

    private IConsumer<Ignore, Ignore> Consumer(string group)
    {
        if (!_consumers.TryGetValue(group, out IConsumer<Ignore, Ignore>? consumer))
        {
            Dictionary<string, string> properties = Properties(group);
            properties["enable.auto.commit"] = "false";
            _consumers[group] = consumer = new ConsumerBuilder<Ignore, Ignore>(properties).Build();
        }

        return consumer;
    }

    private Dictionary<string, string> Properties(string? group)
    {
        // Errors only: these clients are made every 50 ms, and the legacy settings an old broker needs draw a warning each time.
        var properties = new Dictionary<string, string>(clientProperties, StringComparer.Ordinal) { ["bootstrap.servers"] = bootstrap, ["log_level"] = "3" };
        if (group is not null)
        {
            properties["group.id"] = group;
        }

        return properties;
    }
}
