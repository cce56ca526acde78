using Compiled.Checkpoints;
using Compiled.Connectors.Messages;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Compiled.Kafka;

/// <remarks>
/// <para>
/// <b>Partitions of a run.</b> A run on N partitions (<c>--parallelism N</c>) reads the source with N consumers of its
/// group, one per partition of the run, each on the partition's thread into the partition's own tables: the group shares
/// the topics' partitions out among them (and among the group's other processes) as it does among processes, so each
/// partition of the run reads its share of the topic's partitions, and a rebalance between them hands a topic partition
/// over exactly as between processes (after the batch holding its records is committed). A topic of fewer partitions than
/// N is read on as many partitions of the run (<see cref="PartitionsFor"/>). This source is partition 0's consumer and
/// the one the run checkpoints: its position holds every consumer's offsets, each topic partition's once (the furthest,
/// after a handover), so a restart resumes each topic partition where it was on any number of partitions.
/// </para>
/// </remarks>
public sealed partial class KafkaSource
{
    // How long finding how many partitions the topics have waits for the brokers.
    private static readonly TimeSpan MetadataWaits = TimeSpan.FromSeconds(30);

    // The consumers of the run's partitions 1 and on, each a source of the same URI in the same group; none on one partition.
    private KafkaSource[] _readers = [];

    // Which partition of the run a reader reads for (0: this source, read on one partition or as partition 0).
    private int _runPartition;

    /// <summary>
    /// As many partitions of the run as asked for, or as many as the source's topics have partitions when fewer: a
    /// partition of the run given no topic partition would read nothing. Asks the brokers (up to 30 s).
    /// </summary>
    /// <exception cref="IOException">The brokers did not say how many partitions the topics have.</exception>
    public override (int Partitions, string? Reason) PartitionsFor(int wanted)
    {
        int partitions = CountTopicPartitions();
        return partitions >= wanted
            ? (wanted, null)
            : (Math.Max(partitions, 1), $"source {_options.SafeText} reads {partitions} topic {(partitions == 1 ? "partition" : "partitions")} ({string.Join(", ", _options.Topics)}), and a partition of the run is given whole topic partitions; add partitions to the topic to read it on more");
    }

    /// <summary>
    /// Opens a consumer of the source's group for each of the run's partitions 1 to <paramref name="count"/> - 1, each
    /// resuming from this source's checkpoint position as this source does; this source reads for partition 0.
    /// </summary>
    /// <exception cref="InvalidOperationException">The source has started reading, or was opened for partitions already.</exception>
    public override IReadOnlyList<MessageSource> OpenForPartitions(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_gate)
        {
            if (_thread is not null || _readers.Length > 0)
            {
                throw new InvalidOperationException($"Source {Uri.Text} has started reading or was opened for partitions; open it for partitions once, before it reads.");
            }

            var readers = new KafkaSource[count - 1];
            for (int p = 1; p < count; p++)
            {
                var reader = new KafkaSource(Uri, Context) { _runPartition = p };
                foreach (KeyValuePair<TopicPartition, long> resumed in _resumed)
                {
                    reader._resumed[resumed.Key] = resumed.Value;
                }

                readers[p - 1] = reader;
            }

            _readers = readers;
            LogOpenedForPartitions(_options.SafeText, count, _options.Group);
            return readers;
        }
    }

    // The source and the consumers of the run's other partitions.
    private IEnumerable<KafkaSource> WithReaders() => _readers.Length == 0 ? [this] : [this, .. _readers];

    // Every topic partition's offset after the records the job took, from this source's consumer (and those of the run's
    // other partitions), the furthest when a topic partition was handed over between them; and the resumed checkpoint's
    // offsets of topic partitions none has read since.
    private List<(TopicPartition Partition, long Offset)> TakenOffsets()
    {
        var offsets = new Dictionary<TopicPartition, long>();
        foreach (KafkaSource source in WithReaders())
        {
            lock (source._gate)
            {
                foreach (PartitionState partition in source._partitions)
                {
                    if (partition.Taken >= 0 && (!offsets.TryGetValue(partition.Partition, out long known) || partition.Taken > known))
                    {
                        offsets[partition.Partition] = partition.Taken;
                    }
                }
            }
        }

        lock (_gate)
        {
            foreach (KeyValuePair<TopicPartition, long> resumed in _resumed)
            {
                offsets.TryAdd(resumed.Key, resumed.Value);
            }
        }

        return [.. offsets.Select(static o => (o.Key, o.Value))];
    }

    // How many partitions the source's topics have, from the brokers' metadata, asked through a consumer that joins no group.
    private int CountTopicPartitions()
    {
        try
        {
            using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(_options.CreateConsumerConfig())
                .SetLogHandler((_, message) => OnClientLog(message))
                .Build();
            using IAdminClient admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            int partitions = 0;
            foreach (string topic in _options.Topics)
            {
                TopicMetadata? found = admin.GetMetadata(topic, MetadataWaits).Topics.Find(t => t.Topic == topic);
                if (found is null || found.Error.IsError)
                {
                    throw new IOException(
                        $"kafka source '{_options.SafeText}' could not learn how many partitions topic '{topic}' has ({found?.Error.Reason ?? "not in the brokers' answer"}); create the topic, or run with --parallelism 1.");
                }

                partitions += found.Partitions.Count;
            }

            return partitions;
        }
        catch (KafkaException error)
        {
            throw new IOException(
                $"kafka source '{_options.SafeText}' could not ask the brokers {_options.BootstrapServers} how many partitions its topics have ({error.Error.Reason}); start the brokers, or run with --parallelism 1.", error);
        }
    }

    [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "Kafka source {Source}: read on {Count} partitions of the run, by as many consumers of group {Group}, which shares the topics' partitions out among them")]
    private partial void LogOpenedForPartitions(string source, int count, string group);
}
