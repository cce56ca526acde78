using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Compiled.Kafka;

/// <remarks>
/// <para>
/// <b>Partitions of a run.</b> A run on N partitions (<c>--parallelism N</c>) spreads the topics' partitions over its
/// partitions: the source's one consumer (one member of the group, as on one partition) fetches, and hands each record
/// to the lane of its topic partition, which one partition of the run reads, on the partition's thread into its own
/// tables (<see cref="OpenForPartitions"/>). The topic partitions the group gives this process are spread evenly over
/// the run's partitions, in the order of their numbers (one topic after another, in the order the URI names them), each
/// to the partition holding fewest: a process given them all reads topic partition k on partition k mod N. A topic
/// partition keeps its partition while this process holds it, so its records stay in their order, in one partition of
/// the run; and a topic of fewer partitions than N is read on as many partitions of the run (<see cref="PartitionsFor"/>). Offsets,
/// commits, handovers and the checkpoint's position are the consumer's, as on one partition: the position holds each
/// topic partition's offset, so a restart resumes each where it was, on any number of partitions.
/// </para>
/// <para>
/// The cost: the client's deserializer runs before the client says which partition a record is of, so on several
/// partitions it copies each key and value into a staging buffer, and the consumer's thread copies them once more into
/// the run of the record's lane (on one partition the deserializer copies straight into the one lane's run, as always).
/// The lanes share the <c>prefetch</c> bound: a partition of the run that falls behind holds the others back, as one
/// partition would be held back by it.
/// </para>
/// </remarks>
public sealed partial class KafkaSource
{
    // How long finding how many partitions the topics have waits for the brokers.
    private static readonly TimeSpan MetadataWaits = TimeSpan.FromSeconds(30);

    // [p]: the records partition p of the run reads; one lane on one partition.
    private Lane[] _lanes = [new Lane()];

    // [t]: the number of topic t's first partition among all the topics' partitions; null until the brokers were asked.
    private int[]? _topicStarts;

    /// <summary>True: the topics' partitions are spread over the run's partitions (<see cref="OpenForPartitions"/>).</summary>
    public override bool HasPartitionsOfItsOwn => true;

    /// <summary>
    /// As many partitions of the run as asked for, or as many as the source's topics have partitions when fewer: a
    /// partition of the run is given whole topic partitions, and one given none would read nothing. Asks the brokers (up to 30 s).
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
    /// Spreads the topics' partitions over <paramref name="count"/> partitions of the run, before the source reads: this
    /// source reads partition 0's share, and each reader returned the share of partition 1 and on. Asks the brokers how
    /// many partitions the topics have, unless <see cref="PartitionsFor"/> did.
    /// </summary>
    /// <exception cref="InvalidOperationException">The source has started reading, or was opened for partitions already.</exception>
    public override IReadOnlyList<MessageSource> OpenForPartitions(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (_topicStarts is null)
        {
            CountTopicPartitions();
        }

        lock (_gate)
        {
            if (_thread is not null || _lanes.Length > 1)
            {
                throw new InvalidOperationException($"Source {Uri.Text} has started reading or was opened for partitions; open it for partitions once, before it reads.");
            }

            _lanes = [.. Enumerable.Range(0, count).Select(static _ => new Lane())];
        }

        LogOpenedForPartitions(_options.SafeText, count);
        return [.. Enumerable.Range(1, count - 1).Select(p => new PartitionReader(this, p))];
    }

    // Under the gate, as the group gives this process partitions: each of `given` goes to the lane (the partition of the
    // run) holding the fewest of the partitions this process holds, the first such lane on a tie, taken in the order of
    // their numbers among all the topics' partitions. So a process given every partition reads topic partition k on
    // the run's partition k mod N, and one given some (other processes share the group) spreads those evenly whatever
    // the group's assignor picked. A partition held all along keeps its lane: its records stay in one partition's order.
    private void SpreadOverLanes(List<PartitionState> given)
    {
        if (_lanes.Length == 1)
        {
            return;
        }

        int[] held = new int[_lanes.Length];
        foreach (PartitionState partition in _partitions)
        {
            if (partition.Assigned && !given.Contains(partition))
            {
                held[partition.Lane]++;
            }
        }

        foreach (PartitionState partition in given.OrderBy(p => NumberAmongAll(p.Partition)))
        {
            int lane = 0;
            for (int l = 1; l < held.Length; l++)
            {
                if (held[l] < held[lane])
                {
                    lane = l;
                }
            }

            partition.Lane = lane;
            held[lane]++;
        }
    }

    // A topic partition's number among all the topics' partitions, numbered one topic after another in the URI's order.
    private long NumberAmongAll(TopicPartition partition)
    {
        int topic = IndexOfTopic(partition.Topic);
        long first = topic >= 0 && _topicStarts is { } starts && topic < starts.Length ? starts[topic] : (long)Math.Max(topic, 0) << 32;
        return first + partition.Partition.Value;
    }

    // How many partitions the source's topics have, from the brokers' metadata, asked through a consumer that joins no
    // group (again every half second for up to 30 s while the brokers do not answer or a topic has no leader yet); notes
    // where each topic's partitions start among all of them.
    private int CountTopicPartitions()
    {
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(_options.CreateConsumerConfig())
            .SetLogHandler((_, message) => OnClientLog(message))
            .Build();
        using IAdminClient admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        int[] starts = new int[_options.Topics.Count];
        int partitions = 0;
        for (int t = 0; t < starts.Length; t++)
        {
            starts[t] = partitions;
            partitions += CountPartitionsOf(admin, _options.Topics[t]);
        }

        _topicStarts = starts;
        return partitions;
    }

    // How many partitions a topic has; see CountTopicPartitions.
    private int CountPartitionsOf(IAdminClient admin, string topic)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            string reason;
            try
            {
                TopicMetadata? found = admin.GetMetadata(topic, MetadataWaits).Topics.Find(m => m.Topic == topic);
                if (found is { Error.IsError: false, Partitions.Count: > 0 })
                {
                    return found.Partitions.Count;
                }

                reason = found?.Error.Reason ?? "not in the brokers' answer";
            }
            catch (KafkaException error) when (!error.Error.IsFatal)
            {
                reason = error.Error.Reason;
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) >= MetadataWaits)
            {
                throw new IOException(
                    $"kafka source '{_options.SafeText}' could not learn from the brokers {_options.BootstrapServers} how many partitions topic '{topic}' has within {MetadataWaits.TotalSeconds:0} s ({reason}); start the brokers and create the topic, or run with --parallelism 1.");
            }

            Thread.Sleep(500);
        }
    }

    [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "Kafka source {Source}: the topic partitions the group gives this process are spread evenly over {Count} partitions of the run (all of them: topic partition k to partition k mod {Count}); one consumer fetches for all of them")]
    private partial void LogOpenedForPartitions(string source, int count);

    // What partition p of the run reads: the records of its lane of the source. The source keeps the position, commits
    // and the consumer; the run asks this only for records.
    private sealed class PartitionReader(KafkaSource source, int lane) : MessageSource(source.Uri, source.Context)
    {
        public override SourceReplay Replay => source.Replay;

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => source.WaitToReadAsync(lane, cancellationToken);

        public override bool TryRead(MessageBatch batch) => source.TryRead(lane, batch);
    }
}
