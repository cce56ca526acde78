using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Compiled.Kafka;

// The consumer's side of the source: a thread of its own polls the consumer, fetches records ahead of the job into a
// bounded queue, and takes part in the group's rebalances (which the client runs inside Consume, on this thread).
public sealed partial class KafkaSource
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CommitAgainAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StopWaitsForGroup = TimeSpan.FromSeconds(30);

    private IConsumer<RecordBytes, RecordBytes>? _consumer;

    // While the brokers are unreachable: since when (Stopwatch ticks; 0 while they answer) and the last check.
    private long _downSince;
    private long _lastProbe;

    // Whether the group has given this process its partitions (possibly none) since it subscribed.
    private bool _assignedOnce;

    // The consumer's thread's own: the deserializer, which copies each record into the run being filled (of the one lane)
    // or, with a lane per partition of the run, into a run that stages it until its partition, so its lane, is known;
    // and the partitions of each topic by number (a cache of _byPartition, whose entries are never removed).
    private RecordBytesDeserializer? _deserializer;
    private FetchedRecords? _staging;
    private PartitionState?[][] _partitionsByTopic = [];

    private void Poll()
    {
        try
        {
            foreach (Lane lane in _lanes)
            {
                lane.Filling = new FetchedRecords(RunRecords);
            }

            _staging = _lanes.Length > 1 ? new FetchedRecords(1) : null;
            _deserializer = new RecordBytesDeserializer(_staging ?? _lanes[0].Filling!);
            IConsumer<RecordBytes, RecordBytes> consumer = new ConsumerBuilder<RecordBytes, RecordBytes>(_options.CreateConsumerConfig())
                .SetKeyDeserializer(_deserializer)
                .SetValueDeserializer(_deserializer)
                .SetErrorHandler((_, error) => OnError(error))
                .SetLogHandler((_, message) => OnClientLog(message))
                .SetPartitionsAssignedHandler(OnAssigned)
                .SetPartitionsRevokedHandler((c, partitions) => Release(c, [.. partitions.Select(static p => p.TopicPartition)], lost: false))
                .SetPartitionsLostHandler((c, partitions) => Release(c, [.. partitions.Select(static p => p.TopicPartition)], lost: true))
                .Build();
            try
            {
                Volatile.Write(ref _consumer, consumer);
                consumer.Subscribe(_options.Topics);
                LogSubscribed(_options.SafeText, string.Join(", ", _options.Topics), _options.Group);
                int runRecords = Math.Clamp(_options.Prefetch / 4, 1, RunRecords);
                while (!WaitWhileFull(runRecords))
                {
                    // The first record of a run is waited for; the next ones are taken while the client has them at once.
                    ConsumeResult<RecordBytes, RecordBytes>? result;
                    try
                    {
                        _staging?.Clear();
                        result = consumer.Consume(Filled() ? TimeSpan.Zero : PollTimeout);
                    }
                    catch (ConsumeException error) when (!error.Error.IsFatal)
                    {
                        OnError(error.Error);
                        continue;
                    }

                    if (result is null || result.IsPartitionEOF)
                    {
                        if (Filled())
                        {
                            HandOverAll();
                        }
                        else
                        {
                            CommitIfBehind();
                            CheckBrokers(consumer);
                        }

                        continue;
                    }

                    if (PartitionOf(result.Topic, result.Partition.Value) is not { } partition)
                    {
                        continue;
                    }

                    // Into the run of the lane of the record's partition: as the deserializer copied it, or copied from
                    // where it was staged.
                    Timestamp timestamp = result.Message.Timestamp;
                    long time = timestamp.Type == TimestampType.NotAvailable ? 0 : timestamp.UnixTimestampMs;
                    Lane lane = _lanes[partition.Lane];
                    FetchedRecords filling = lane.Filling!;
                    if (_staging is { } staged)
                    {
                        filling.AddCopy(partition, result.Offset.Value, time, staged, result.Message.Key, result.Message.Value);
                    }
                    else
                    {
                        filling.Add(partition, result.Offset.Value, time, result.Message.Key, result.Message.Value);
                    }

                    if (filling.Count >= runRecords || filling.IsFull)
                    {
                        HandOver(lane);
                    }
                }

                AwaitGroupBeforeStop(consumer);

                // Hands the partitions back (the revoke handler commits what is safe) and leaves the group.
                lock (_commitGate)
                {
                    Volatile.Write(ref _consumer, null);
                }

                consumer.Close();
            }
            finally
            {
                consumer.Dispose();
            }
        }
        catch (Exception error)
        {
            Fail(error);
        }
    }

    // Safe offsets of partitions this process holds that the group does not have yet (a commit refused, say during a
    // rebalance, or skipped because one was in flight) are committed again, off this thread, a second after the last try.
    private void CommitIfBehind()
    {
        lock (_gate)
        {
            if (_failure is not null || Stopwatch.GetElapsedTime(_lastCommitTry) < CommitAgainAfter
                || !_partitions.Exists(static p => p.Assigned && p.Safe > p.Committed))
            {
                return;
            }
        }

        StartCommit();
    }

    // A run resumed from a checkpoint and stopped before the group gave it its partitions (it waits, say, for a killed
    // process's session to expire) holds safe offsets the group may not have: the checkpoint's. Before leaving, it waits
    // (at most StopWaitsForGroup) for the group's answer, so that the handover commits them.
    private void AwaitGroupBeforeStop(IConsumer<RecordBytes, RecordBytes> consumer)
    {
        lock (_gate)
        {
            if (_assignedOnce || _resumed.Count == 0 || _failure is not null)
            {
                return;
            }
        }

        LogStopWaitsForGroup(_options.SafeText, _options.Group, (long)StopWaitsForGroup.TotalSeconds);
        long started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < StopWaitsForGroup)
        {
            lock (_gate)
            {
                if (_assignedOnce || _failure is not null)
                {
                    return;
                }
            }

            try
            {
                // Records fetched now are not handed to the job, which has stopped reading.
                consumer.Consume(PollTimeout);
                _staging?.Clear();
                foreach (Lane lane in _lanes)
                {
                    lane.Filling!.Clear();
                }
            }
            catch (ConsumeException error) when (!error.Error.IsFatal)
            {
                OnError(error.Error);
            }
        }

        LogStopGaveUpOnGroup(_options.SafeText, _options.Group, (long)StopWaitsForGroup.TotalSeconds);
    }

    // Waits while the records the job has still to take leave no room for a run of runRecords more within prefetch;
    // returns whether the source is stopping.
    private bool WaitWhileFull(int runRecords)
    {
        lock (_gate)
        {
            while (!_stopping && _failure is null && _readyRecords + runRecords > _options.Prefetch)
            {
                Monitor.Wait(_gate, PollTimeout);
            }

            return _stopping || _failure is not null;
        }
    }

    // Whether a lane's run being filled holds records.
    private bool Filled()
    {
        foreach (Lane lane in _lanes)
        {
            if (lane.Filling!.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    // Hands every lane's run being filled that holds records to the job (see HandOver).
    private void HandOverAll()
    {
        foreach (Lane lane in _lanes)
        {
            if (lane.Filling!.Count > 0)
            {
                HandOver(lane);
            }
        }
    }

    // Hands a lane's run being filled to the job, keeping only the records of partitions this process still holds that
    // the job does not have yet, and starts the lane's next run (one the job has emptied, when there is one).
    private void HandOver(Lane lane)
    {
        lock (_gate)
        {
            _readyRecords += lane.HandOver(lane.Filling!);
            lane.Filling ??= _spare.TryPop(out FetchedRecords? spare) ? spare : null;
        }

        lane.Filling ??= new FetchedRecords(RunRecords);
        if (_staging is null)
        {
            _deserializer!.Into = lane.Filling;
        }

        BrokersAnswered();
        CommitIfBehind();
    }

    // The partition a record came from, found on the consumer's thread without the gate (from a cache after the first
    // record): the topic is named only when the source reads several (see KafkaSourceOptions.CreateConsumerConfig).
    // Null for a partition this process never held.
    private PartitionState? PartitionOf(string? topic, int number)
    {
        int index = topic is null ? 0 : IndexOfTopic(topic);
        if (index >= 0 && index < _partitionsByTopic.Length && number >= 0
            && number < _partitionsByTopic[index].Length && _partitionsByTopic[index][number] is { } known)
        {
            return known;
        }

        PartitionState? partition;
        lock (_gate)
        {
            partition = _byPartition.GetValueOrDefault(new TopicPartition(topic ?? _options.Topics[0], new Partition(number)));
        }

        if (partition is not null && index >= 0 && number >= 0)
        {
            if (_partitionsByTopic.Length < _options.Topics.Count)
            {
                int had = _partitionsByTopic.Length;
                Array.Resize(ref _partitionsByTopic, _options.Topics.Count);
                Array.Fill(_partitionsByTopic, [], had, _partitionsByTopic.Length - had);
            }

            if (number >= _partitionsByTopic[index].Length)
            {
                Array.Resize(ref _partitionsByTopic[index], number + 1);
            }

            _partitionsByTopic[index][number] = partition;
        }

        return partition;
    }

    private int IndexOfTopic(string topic)
    {
        IReadOnlyList<string> topics = _options.Topics;
        for (int i = 0; i < topics.Count; i++)
        {
            if (string.Equals(topics[i], topic, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    // The group gives this process partitions: each starts at the greater of the group's committed offset and the
    // checkpoint's, or, with neither, where start= says.
    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<RecordBytes, RecordBytes> consumer, List<TopicPartition> partitions)
    {
        List<TopicPartitionOffset> committed = CommittedOffsets(consumer, partitions);
        var starts = new List<TopicPartitionOffset>(partitions.Count);
        lock (_gate)
        {
            _assignedOnce = true;
            var given = new List<PartitionState>(partitions.Count);
            foreach (TopicPartition topicPartition in partitions)
            {
                long inGroup = committed.Find(c => c.TopicPartition == topicPartition) is { Offset.Value: >= 0 } c ? c.Offset.Value : -1;
                long inCheckpoint = _resumed.TryGetValue(topicPartition, out long resumed) ? resumed : -1;
                if (!_byPartition.TryGetValue(topicPartition, out PartitionState? partition))
                {
                    partition = new PartitionState(topicPartition, _partitions.Count);
                    _partitions.Add(partition);
                    _byPartition.Add(topicPartition, partition);
                }

                // A partition this process had before (given back after a rebalance, or after one that the brokers' outage
                // kept from committing) goes on after what the job took of it: those records are in its output.
                long start = Math.Max(Math.Max(inGroup, inCheckpoint), partition.Taken);

                // Records of it the job took and that are not yet safe (it was lost without a handover, and given back):
                // it keeps its lane, so that its records stay in order within the batch in flight.
                if (partition.Taken <= partition.Safe || partition.Taken < 0)
                {
                    given.Add(partition);
                }

                partition.Assigned = true;
                partition.Taken = start;
                partition.Safe = Math.Max(Math.Max(inGroup, inCheckpoint), partition.Safe);
                partition.Committed = inGroup;
                partition.Expected = start;
                starts.Add(new TopicPartitionOffset(topicPartition, start >= 0 ? new Offset(start) : Offset.Unset));
            }

            SpreadOverLanes(given);
        }

        string fresh = _options.Start == KafkaSourceStart.Earliest ? "from its beginning" : "from its end";
        LogAssigned(_options.SafeText, _options.Group, string.Join(", ", starts.Select(s =>
            s.Offset == Offset.Unset ? $"{s.Topic}[{s.Partition.Value}] {fresh}" : $"{s.Topic}[{s.Partition.Value}]@{s.Offset.Value}")));
        BrokersAnswered();
        return starts;
    }

    // The group's committed offsets for partitions, asked again while the brokers do not answer.
    private List<TopicPartitionOffset> CommittedOffsets(IConsumer<RecordBytes, RecordBytes> consumer, List<TopicPartition> partitions)
    {
        long started = Stopwatch.GetTimestamp();
        TimeSpan delay = TimeSpan.FromMilliseconds(100);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return consumer.Committed(partitions, TimeSpan.FromSeconds(10));
            }
            catch (KafkaException error) when (!error.Error.IsFatal && !Volatile.Read(ref _stopping))
            {
                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                if (elapsed >= _options.RetryFor)
                {
                    throw new IOException(
                        $"kafka source '{_options.SafeText}' could not read group '{_options.Group}''s committed offsets for {elapsed.TotalSeconds:0} s ({attempt} tries; last: {error.Error.Reason}). Start the brokers, or give a longer retryFor.", error);
                }

                LogRetrying(_options.SafeText, "read the group's committed offsets", attempt, (long)delay.TotalMilliseconds, error.Error.Reason);
                Thread.Sleep(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    // The group takes partitions away (a rebalance, or the consumer closing): records of theirs fetched and not taken
    // are dropped; unless they were lost (no handover possible), the handover waits until the records the job took are
    // in committed output, commits their offsets, and only then lets them go.
    private void Release(IConsumer<RecordBytes, RecordBytes> consumer, List<TopicPartition> partitions, bool lost)
    {
        List<PartitionState> released;
        bool waited = false;
        lock (_gate)
        {
            released = [.. partitions.Select(p => _byPartition.GetValueOrDefault(p)).OfType<PartitionState>()];

            // The runs being filled too: this is the consumer's thread (the client calls its handlers inside Consume).
            foreach (Lane lane in _lanes)
            {
                _readyRecords -= lane.Drop(released);
            }

            while (!lost && !_stopping && _failure is null && released.Exists(static p => p.Taken > p.Safe))
            {
                if (!waited)
                {
                    waited = true;
                    LogHandoverWaits(_options.SafeText, _options.Group, string.Join(", ", released.Select(static p => $"{p.Partition.Topic}[{p.Partition.Partition.Value}]")));
                }

                Monitor.Wait(_gate, PollTimeout);
            }
        }

        lock (_commitGate)
        {
            if (!lost)
            {
                List<TopicPartitionOffset> offsets = [];
                lock (_gate)
                {
                    offsets.AddRange(released.Where(static p => p.Safe > p.Committed).Select(static p => new TopicPartitionOffset(p.Partition, new Offset(p.Safe))));
                }

                if (offsets.Count > 0)
                {
                    Commit(consumer, offsets);
                }
            }

            lock (_gate)
            {
                foreach (PartitionState partition in released)
                {
                    partition.Assigned = false;
                    partition.Expected = -1;
                }
            }
        }

        string names = string.Join(", ", released.Select(static p => $"{p.Partition.Topic}[{p.Partition.Partition.Value}]@{p.Safe}"));
        if (lost)
        {
            LogLost(_options.SafeText, _options.Group, names);
        }
        else
        {
            LogReleased(_options.SafeText, _options.Group, names, waited ? " once the batch holding their records committed" : "");
        }
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            Fail(new KafkaException(error));
            return;
        }

        LogClientError(_options.SafeText, error.Code.ToString(), error.Reason);
        if (error.Code is ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Transport or ErrorCode.BrokerNotAvailable or ErrorCode.Local_Resolve)
        {
            long now = Stopwatch.GetTimestamp();
            Interlocked.CompareExchange(ref _downSince, now, 0);
        }
    }

    // While the brokers have been unreachable, asks them for metadata every second: an answer ends the outage (logged);
    // no answer for retryFor fails the run.
    private void CheckBrokers(IConsumer<RecordBytes, RecordBytes> consumer)
    {
        long downSince = Interlocked.Read(ref _downSince);
        if (downSince == 0 || Stopwatch.GetElapsedTime(_lastProbe) < ProbeEvery)
        {
            return;
        }

        _lastProbe = Stopwatch.GetTimestamp();
        try
        {
            using IAdminClient admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            admin.GetMetadata(TimeSpan.FromSeconds(2));
            BrokersAnswered();
        }
        catch (KafkaException error)
        {
            TimeSpan down = Stopwatch.GetElapsedTime(downSince);
            if (down >= _options.RetryFor)
            {
                throw new IOException(
                    $"kafka source '{_options.SafeText}' could not reach the brokers {_options.BootstrapServers} for {down.TotalSeconds:0} s (last: {error.Error.Reason}). Start the brokers, or give a longer retryFor; offsets not committed are read again by the next run.", error);
            }

            LogStillDown(_options.SafeText, (long)down.TotalSeconds, error.Error.Reason);
        }
    }

    private void BrokersAnswered()
    {
        long downSince = Interlocked.Exchange(ref _downSince, 0);
        if (downSince != 0)
        {
            LogReached(_options.SafeText, (long)Stopwatch.GetElapsedTime(downSince).TotalSeconds);
        }
    }

    private void OnClientLog(LogMessage message)
    {
        LogLevel level = message.Level switch
        {
            <= SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        LogClient(level, _options.SafeText, message.Facility, message.Message);
    }

    private void Fail(Exception error)
    {
        lock (_gate)
        {
            _failure ??= error;
            Monitor.PulseAll(_gate);
            foreach (Lane lane in _lanes)
            {
                lane.Wake();
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Kafka source {Source}: subscribed to {Topics} in group {Group}")]
    private partial void LogSubscribed(string source, string topics, string group);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Kafka source {Source}: group {Group} gave this process {Partitions}")]
    private partial void LogAssigned(string source, string group, string partitions);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Kafka source {Source}: handed {Partitions} back to group {Group}{When}")]
    private partial void LogReleased(string source, string group, string partitions, string when);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Kafka source {Source}: group {Group} takes back {Partitions}; they are handed over once the batch holding the records taken from them is committed")]
    private partial void LogHandoverWaits(string source, string group, string partitions);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Kafka source {Source}: group {Group} lost {Partitions} without a handover (this process was out of the group too long); their records after the group's committed offsets may be read again by their new owner")]
    private partial void LogLost(string source, string group, string partitions);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Kafka source {Source}: {Code}: {Reason}; the client keeps trying")]
    private partial void LogClientError(string source, string code, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Kafka source {Source}: the brokers have not answered for {Seconds} s ({Reason}); trying again every second")]
    private partial void LogStillDown(string source, long seconds, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Kafka source {Source}: the brokers answer again, after {Seconds} s")]
    private partial void LogReached(string source, long seconds);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Kafka source {Source}: could not {What} (try {Attempt}: {Reason}); trying again in {DelayMs} ms")]
    private partial void LogRetrying(string source, string what, int attempt, long delayMs, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Kafka source {Source}: stopping before group {Group} gave this process its partitions; waiting up to {Seconds} s for them, to commit the checkpoint's offsets when handing them back")]
    private partial void LogStopWaitsForGroup(string source, string group, long seconds);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Kafka source {Source}: group {Group} gave this process no partitions within {Seconds} s of stopping; the checkpoint's offsets were not committed to the group (the next run resumes from the checkpoint; lag tools show the group behind until then)")]
    private partial void LogStopGaveUpOnGroup(string source, string group, long seconds);

    [LoggerMessage(EventId = 9, Message = "Kafka source {Source}: client [{Facility}] {Text}")]
    private partial void LogClient(LogLevel level, string source, string facility, string text);
}
