using System.Globalization;
using System.Text;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Compiled.Kafka;

/// <summary>
/// Reads Kafka topics through a consumer group: <c>kafka://host:port/topic[,topic2]?group=NAME</c>. Each record is one
/// message: its payload the record's value, its key the record's key (none when the record has none), its timestamp the
/// record's (0 from a broker older than 0.10, which keeps none), its position its partition and next offset.
/// </summary>
/// <remarks>
/// <para>
/// A consumer of its own, on a thread of its own, fetches up to <c>prefetch</c> records ahead of the job and takes part
/// in the group's rebalances; the job takes what it fetched at each read. The job's processes that name the same group
/// share the partitions of its topics. A partition the job is given starts at the greater of the offset the group
/// committed for it and the offset the job's checkpoint holds for it (when resumed from one); a partition with neither
/// starts at the topic's end, or its beginning with <c>start=earliest</c>.
/// </para>
/// <para>
/// <b>Offsets.</b> <c>enable.auto.commit</c> is off: offsets are committed to Kafka only once the records before them are
/// in committed output. <b>With a checkpoint</b> the source is replayable: its position is every partition's next
/// offset after the records the job took, and the checkpoint's offsets are committed to the group once the checkpoint
/// is durable (<see cref="CheckpointedAsync"/>), so lag tools see the job's progress. <b>Without a checkpoint</b> the
/// offsets of the records taken are committed once their batch is committed (<see cref="BatchCommittedAsync"/>): a crash
/// before that reads the batch's records again (at least once). A commit the brokers refuse (say during a rebalance) or
/// that is skipped because one is in flight is made again by the consumer a second later, while this process holds the
/// partitions; stopping hands the partitions back and commits the last safe offsets first. A run resumed from a
/// checkpoint and stopped before the group gave it its partitions (the group waits for a killed process's session to
/// expire) waits up to 30 s for them on stopping, so that the checkpoint's offsets reach the group; it logs a warning
/// when the group does not answer in that time.
/// </para>
/// <para>
/// <b>Rebalances.</b> When the group takes partitions away from this process, the records of those partitions fetched
/// but not yet taken are dropped (their new owner reads them), and the handover waits until the batch holding the
/// records already taken is committed (with a checkpoint: checkpointed), then commits their offsets and lets the
/// partitions go. So the new owner starts exactly after what this process counted: no record is counted twice or lost.
/// A partition lost without a handover (this process was out of the group too long) is let go at once: its records
/// after the last committed offset may be read again by the new owner.
/// </para>
/// <para>
/// <b>Brokers that are down or go away.</b> The client keeps reconnecting by itself; each error is logged, and the
/// source checks the brokers every second until they answer again (logged too). When they stay unreachable for
/// <c>retryFor</c> (5 minutes) the run fails, saying so. Offsets are only ever committed after their records are safe,
/// so nothing committed is lost.
/// </para>
/// <para>
/// <b>Cost per record.</b> The client's deserializer copies each record's key and value straight out of librdkafka's
/// memory into a buffer the source reuses (no array per record), the consumer is asked for no headers (and for topic
/// names only when it reads several topics), and the consumer's thread hands records to the job in runs of up to 1,024
/// (a quarter of <c>prefetch</c> at most), under one lock per run. Confluent.Kafka still allocates its own result objects for each record it returns
/// (<c>ConsumeResult</c>, <c>Message</c>, <c>TopicPartitionOffset</c>); the source adds nothing per record.
/// </para>
/// </remarks>
public sealed partial class KafkaSource : MessageSource
{
    // A message's position: the partition's slot (int32) and the offset after the record (int64), little-endian.
    private const int MessagePositionLength = 12;

    // How long stopping waits for the consumer to hand its partitions back (committing) and leave the group.
    private static readonly TimeSpan StopWaitsForConsumer = TimeSpan.FromSeconds(60);

    private readonly KafkaSourceOptions _options;
    private readonly ILogger _log;
    private readonly bool _commitAtCheckpoint;

    // Guards everything the consumer's thread and the run's loop share; the commit gate orders commits against handovers.
    private readonly object _gate = new();
    private readonly object _commitGate = new();
    private readonly Stack<FetchedRecords> _spare = new();
    private readonly List<PartitionState> _partitions = [];
    private readonly Dictionary<TopicPartition, PartitionState> _byPartition = [];
    private readonly Dictionary<TopicPartition, long> _resumed = [];
    private int _readyRecords;                          // in every lane
    private Exception? _failure;
    private bool _stopping;

    private Thread? _thread;
    private Task? _commitInFlight;
    private long _lastCommitTry;
    private long _commits;

    /// <summary>Creates the source; <see cref="KafkaSourceFactory"/> is how a run makes one.</summary>
    public KafkaSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
        _options = KafkaSourceOptions.Parse(uri);
        _log = context.LoggerFactory.CreateLogger<KafkaSource>();
        _commitAtCheckpoint = context.CheckpointDirectory is not null;
    }

    /// <summary>What the source reads.</summary>
    public KafkaSourceOptions Options => _options;

    /// <summary>How many times the source committed offsets to its group (after batches, checkpoints and handovers).</summary>
    public long OffsetCommits => Interlocked.Read(ref _commits);

    /// <summary>The partitions the group has given this process now.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_gate)
            {
                return [.. _partitions.Where(static p => p.Assigned).Select(static p => p.Partition)];
            }
        }
    }

    /// <inheritdoc />
    public override SourceReplay Replay => SourceReplay.Replayable;

    /// <summary>Starts the consumer the first time, then waits until it has fetched records (of the run's partition 0, when read on several).</summary>
    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => WaitToReadAsync(0, cancellationToken);

    /// <inheritdoc />
    public override bool TryRead(MessageBatch batch) => TryRead(0, batch);

    // Starts the consumer the first time, then waits until it has fetched records of the lane.
    private async ValueTask<bool> WaitToReadAsync(int lane, CancellationToken cancellationToken)
    {
        Task wait;
        lock (_gate)
        {
            ThrowIfFailed();
            Lane reading = _lanes[lane];
            if (reading.ReadyRecords > 0)
            {
                return true;
            }

            if (_thread is null)
            {
                _thread = new Thread(Poll) { IsBackground = true, Name = "kafka source " + Context.SourceName };
                _thread.Start();
            }

            reading.Readable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = reading.Readable.Task;
        }

        await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            ThrowIfFailed();
            return true;
        }
    }

    // Moves the lane's fetched records into the batch.
    private bool TryRead(int lane, MessageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        bool added = false;
        lock (_gate)
        {
            Lane reading = _lanes[lane];
            while (!batch.IsFull && reading.Ready.TryPeek(out FetchedRecords? records))
            {
                int unread = records.Unread;
                try
                {
                    added |= records.MoveTo(batch);
                }
                finally
                {
                    int moved = unread - records.Unread;
                    _readyRecords -= moved;
                    reading.ReadyRecords -= moved;
                }

                if (records.Unread == 0)
                {
                    reading.Ready.Dequeue();
                    records.Clear();
                    _spare.Push(records);
                }
            }

            if (_readyRecords <= _options.Prefetch / 2)
            {
                Monitor.PulseAll(_gate);
            }
        }

        return added;
    }

    /// <summary>Every partition's offset after the records the job took, and those of a resumed checkpoint not read since.</summary>
    public override SourcePosition GetPosition()
    {
        var offsets = new List<(TopicPartition Partition, long Offset)>();
        lock (_gate)
        {
            foreach (PartitionState partition in _partitions)
            {
                if (partition.Taken >= 0)
                {
                    offsets.Add((partition.Partition, partition.Taken));
                }
            }

            foreach (KeyValuePair<TopicPartition, long> resumed in _resumed)
            {
                if (!_byPartition.TryGetValue(resumed.Key, out PartitionState? partition) || partition.Taken < 0)
                {
                    offsets.Add((resumed.Key, resumed.Value));
                }
            }
        }

        return KafkaPosition.Write(Uri.Text, offsets);
    }

    /// <summary>Has each partition the group gives this process start no earlier than the checkpoint's offset for it.</summary>
    /// <exception cref="InvalidDataException">The position was not written by a Kafka source.</exception>
    /// <exception cref="InvalidOperationException">The source has started reading.</exception>
    public override void ResumeFrom(SourcePosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        lock (_gate)
        {
            if (_thread is not null)
            {
                throw new InvalidOperationException($"Source {Uri.Text} has started reading; give it a position before.");
            }

            foreach ((TopicPartition partition, long offset) in KafkaPosition.Read(position))
            {
                _resumed[partition] = offset;
            }
        }

        LogResumed(_options.SafeText, position.Description);
    }

    /// <summary>The checkpoint holding <paramref name="position"/> is durable: its offsets are safe, and committed to the group.</summary>
    public override async ValueTask CheckpointedAsync(SourcePosition position, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(position);
        lock (_gate)
        {
            foreach ((TopicPartition topicPartition, long offset) in KafkaPosition.Read(position))
            {
                if (_byPartition.TryGetValue(topicPartition, out PartitionState? partition) && offset > partition.Safe)
                {
                    partition.Safe = offset;
                }
            }

            Monitor.PulseAll(_gate);
        }

        await CommitSafeOffsetsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Without a checkpoint, the records taken so far are in committed output: their offsets are safe, and committed to
    /// the group, so a crash before this reads them again (at least once). With a checkpoint, <see cref="CheckpointedAsync"/> does.
    /// </summary>
    public override async ValueTask BatchCommittedAsync(CancellationToken cancellationToken)
    {
        if (_commitAtCheckpoint)
        {
            return;
        }

        lock (_gate)
        {
            foreach (PartitionState partition in _partitions)
            {
                if (partition.Assigned && partition.Taken > partition.Safe)
                {
                    partition.Safe = partition.Taken;
                }
            }

            Monitor.PulseAll(_gate);
        }

        await CommitSafeOffsetsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the consumer: it hands its partitions back to the group, committing the offsets that are safe, and leaves it.</summary>
    public override async ValueTask DisposeAsync()
    {
        Thread? thread;
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
            thread = _thread;
        }

        if (thread is not null && !await Task.Run(() => thread.Join(StopWaitsForConsumer)).ConfigureAwait(false))
        {
            LogStopSlow(_options.SafeText, (long)StopWaitsForConsumer.TotalSeconds);
        }

        Task? commit;
        lock (_gate)
        {
            commit = _commitInFlight;
        }

        if (commit is not null)
        {
            await commit.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Commits, off the run's loop, the safe offsets of the partitions this process holds that the group has not yet;
    // waits a few seconds for the answer. A commit skipped here (one in flight), refused or not answered is made again
    // a second later by the consumer's thread (CommitIfBehind): the offsets stay safe in the checkpoint or are read
    // again, never lost.
    private async ValueTask CommitSafeOffsetsAsync(CancellationToken cancellationToken)
    {
        if (StartCommit() is not { } commit)
        {
            return;
        }

        try
        {
            await commit.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogCommitSlow(_options.SafeText);
        }
    }

    // Starts a commit of the safe offsets off the calling thread, unless one is in flight or the consumer is not running.
    private Task? StartCommit()
    {
        lock (_gate)
        {
            if (_commitInFlight is { IsCompleted: false } || Volatile.Read(ref _consumer) is null)
            {
                return null;
            }

            _lastCommitTry = System.Diagnostics.Stopwatch.GetTimestamp();
            Task commit = Task.Run(CommitSafeOffsets, CancellationToken.None);
            _commitInFlight = commit;
            return commit;
        }
    }

    private void CommitSafeOffsets()
    {
        lock (_commitGate)
        {
            IConsumer<RecordBytes, RecordBytes>? consumer = Volatile.Read(ref _consumer);
            List<TopicPartitionOffset> offsets;
            lock (_gate)
            {
                offsets = [.. _partitions
                    .Where(static p => p.Assigned && p.Safe > p.Committed)
                    .Select(static p => new TopicPartitionOffset(p.Partition, new Offset(p.Safe)))];
            }

            if (consumer is null || offsets.Count == 0)
            {
                return;
            }

            Commit(consumer, offsets);
        }
    }

    // Commits offsets (under the commit gate) and notes them; a refusal is logged, not thrown: see CommitSafeOffsetsAsync.
    private void Commit(IConsumer<RecordBytes, RecordBytes> consumer, List<TopicPartitionOffset> offsets)
    {
        try
        {
            consumer.Commit(offsets);
            Interlocked.Increment(ref _commits);
            lock (_gate)
            {
                foreach (TopicPartitionOffset offset in offsets)
                {
                    if (_byPartition.TryGetValue(offset.TopicPartition, out PartitionState? partition) && offset.Offset.Value > partition.Committed)
                    {
                        partition.Committed = offset.Offset.Value;
                    }
                }
            }

            LogCommitted(_options.SafeText, _options.Group, Describe(offsets));
        }
        catch (KafkaException error) when (!error.Error.IsFatal)
        {
            LogCommitFailed(_options.SafeText, _options.Group, Describe(offsets), error.Error.Reason);
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw failure as IOException ?? new IOException(
                $"kafka source '{_options.SafeText}' failed: {failure.Message}. Check the brokers and the URI's client properties; offsets not committed are read again by the next run.", failure);
        }
    }

    private static string Describe(IEnumerable<TopicPartitionOffset> offsets) =>
        string.Join(", ", offsets.Select(static o => $"{o.Topic}[{o.Partition.Value}]@{o.Offset.Value.ToString(CultureInfo.InvariantCulture)}"));

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Kafka source {Source}: resuming from the checkpoint's offsets ({Position}); a partition starts at the greater of those and its group's committed offset")]
    private partial void LogResumed(string source, string position);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "Kafka source {Source}: committed offsets {Offsets} to group {Group}")]
    private partial void LogCommitted(string source, string group, string offsets);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "Kafka source {Source}: could not commit offsets {Offsets} to group {Group} ({Reason}); the consumer commits them again a second later while it holds their partitions, and until then the checkpoint keeps them (without one, their records may be read again)")]
    private partial void LogCommitFailed(string source, string group, string offsets, string reason);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "Kafka source {Source}: the brokers have not answered a commit of offsets within 5 s; the run goes on, and offsets the group does not have yet are committed again a second after the answer")]
    private partial void LogCommitSlow(string source);

    [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "Kafka source {Source}: the consumer did not hand its partitions back and leave its group within {Seconds} s of stopping (the brokers do not answer); offsets not committed are kept by the checkpoint, or read again by the next run")]
    private partial void LogStopSlow(string source, long seconds);

    // One partition this process has been given: where the job is in it, what is safe, what the group has.
    private sealed class PartitionState(TopicPartition partition, int slot)
    {
        public TopicPartition Partition { get; } = partition;

        // The partition's number in a message's position bytes.
        public int Slot { get; } = slot;

        public bool Assigned { get; set; }

        // The offset after the last record the job took (-1: none taken and no known start).
        public long Taken { get; set; } = -1;

        // The offset up to which records are in committed output (or a durable checkpoint).
        public long Safe { get; set; } = -1;

        // The offset the group holds for it, as far as this process knows.
        public long Committed { get; set; } = -1;

        // The offset of the next record to fetch for the job; an earlier one (fetched again) is dropped.
        public long Expected { get; set; } = -1;

        // The lane its records go to: the partition of the run that reads it (0 on one partition).
        public int Lane { get; set; }
    }
}
