using System.Diagnostics;
using System.Globalization;
using Compiled.Sinks;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Compiled.Kafka.Sink;

/// <summary>
/// Exactly-once output with a checkpoint: a two-phase commit in which the checkpoint directory holds the prepared batch
/// and a Kafka transaction makes its records and a marker of the batch's time visible together.
/// </summary>
/// <remarks>
/// <para>
/// A transactional sink keeps the records of the batch (nothing is sent while the batch runs).
/// <see cref="PrepareBatchAsync"/> writes them to a file in the checkpoint directory and flushes it to the disk: the
/// batch is durable and not visible. The run then writes its checkpoint. <see cref="CommitBatchAsync"/> sends the
/// records in one transaction of the producer registered under <c>transactional.id</c>, together with the batch's time
/// as the offset the consumer group <c>compiled-sink-&lt;transactional.id&gt;</c> commits (on partition 0 of the topic,
/// through <c>SendOffsetsToTransaction</c>), commits the transaction, and deletes the file.
/// </para>
/// <para>
/// A restart (<see cref="RecoverAsync"/>, given the checkpointed batch's time) first registers the producer again,
/// which makes the brokers abort a transaction the crash left open. A prepared file of a batch after the checkpoint is
/// deleted: its input is read again. A file of the checkpointed batch (or an earlier one) is a batch whose checkpoint
/// is durable: if the marker group's committed offset is at or after its time, its transaction committed and the file
/// is deleted; otherwise its records are sent again, in a new transaction, from the file. Each batch therefore reaches a
/// <c>read_committed</c> consumer exactly once, whichever step a crash interrupts.
/// </para>
/// <para>
/// Without a checkpoint the run does not prepare: each commit is one transaction (a batch is all or nothing for a
/// <c>read_committed</c> consumer), and a crash reads the input again as an at-least-once sink does. A second job
/// running with the same <c>transactional.id</c> fences the first: the first fails with a message that says so.
/// </para>
/// </remarks>
public sealed partial class KafkaSink
{
    private const string PreparedSuffix = ".prepared";

    private IConsumer<byte[], byte[]>? _markerConsumer;

    // Whether the prepared batches of earlier runs have been dealt with: by RecoverAsync, or by the first batch of a run
    // that starts without a checkpoint (whose earlier run stopped before its first checkpoint).
    private bool _earlierRunsDone;

    /// <summary>
    /// Transactional with a checkpoint: writes the batch's records to a file in the checkpoint directory, flushed to
    /// the disk, so that a restart after the checkpoint can send them. Nothing reaches Kafka yet. An empty batch needs
    /// neither a file nor a transaction.
    /// </summary>
    public override ValueTask PrepareBatchAsync(CancellationToken cancellationToken)
    {
        // An empty batch has nothing to make visible: no file, no transaction.
        if (_options.Transactional && _records.Count > 0 && PreparedDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            _records.WriteTo(PreparedPath(directory, _batchTime), _batchTime);
            _prepared = true;
        }

        return default;
    }

    /// <summary>
    /// Finishes what a crash left: registers the producer again (the brokers abort a transaction left open), deletes
    /// the prepared batches after <paramref name="checkpointedBatchTime"/>, and sends again, each in a transaction, the
    /// prepared batches at or before it whose marker says they did not commit.
    /// </summary>
    public override async ValueTask RecoverAsync(long checkpointedBatchTime, CancellationToken cancellationToken)
    {
        _earlierRunsDone = true;
        if (!_options.Transactional || PreparedDirectory is not { } directory || !Directory.Exists(directory))
        {
            return;
        }

        foreach (string temporary in Directory.EnumerateFiles(directory, "*.tmp"))
        {
            File.Delete(temporary);
        }

        var prepared = new SortedDictionary<long, string>();
        foreach (string file in Directory.EnumerateFiles(directory, "batch-*" + PreparedSuffix))
        {
            string name = Path.GetFileName(file);
            string time = name["batch-".Length..^PreparedSuffix.Length];
            if (long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out long batchTime))
            {
                prepared[batchTime] = file;
            }
        }

        foreach ((long batchTime, string file) in prepared)
        {
            if (batchTime > checkpointedBatchTime)
            {
                LogDroppedPrepared(_options.SafeText, batchTime, checkpointedBatchTime);
                File.Delete(file);
                continue;
            }

            long committedUpTo = await ReadMarkerAsync(cancellationToken).ConfigureAwait(false);
            if (committedUpTo >= batchTime)
            {
                LogAlreadyCommitted(_options.SafeText, batchTime, committedUpTo);
            }
            else
            {
                long readTime = _records.ReadFrom(file);
                LogRecommitting(_options.SafeText, readTime, _records.Count, committedUpTo);
                await RunTransactionAsync(readTime, cancellationToken).ConfigureAwait(false);
                _records.Clear();
            }

            File.Delete(file);
        }
    }

    // A run without a checkpoint to resume from: every batch prepared by an earlier run is read again, so none is sent.
    private void DropEarlierRuns()
    {
        _earlierRunsDone = true;
        if (!_options.Transactional || PreparedDirectory is not { } directory || !Directory.Exists(directory))
        {
            return;
        }

        foreach (string file in Directory.EnumerateFiles(directory))
        {
            if (file.EndsWith(PreparedSuffix, StringComparison.Ordinal))
            {
                LogDroppedUncheckpointed(_options.SafeText, Path.GetFileName(file));
            }

            File.Delete(file);
        }
    }

    /// <summary>The time of the last batch whose transaction committed, as the marker group's offset says; -1 when none.</summary>
    internal async Task<long> ReadMarkerAsync(CancellationToken cancellationToken)
    {
        IConsumer<byte[], byte[]> consumer = _markerConsumer ?? throw new InvalidOperationException("The kafka sink is not open.");
        var partition = new TopicPartition(_topic, 0);
        return await WithRetriesAsync(
            () =>
            {
                List<TopicPartitionOffset> committed;
                try
                {
                    committed = consumer.Committed([partition], TimeSpan.FromSeconds(10));
                }
                catch (TopicPartitionOffsetException error) when (error.Results.All(r => r.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition))
                {
                    // The topic does not exist yet (a first batch prepared, never sent): no batch committed to it.
                    return -1;
                }

                Offset offset = committed.Count == 0 ? Offset.Unset : committed[0].Offset;
                return offset.IsSpecial ? -1 : offset.Value;
            },
            "read the offset of group '" + _options.MarkerGroup + "' from",
            cancellationToken).ConfigureAwait(false);
    }

    // The checkpoint's folder for this sink's prepared batches, or null when the run keeps no checkpoint.
    private string? PreparedDirectory => Context.CheckpointDirectory is { } checkpoint
        ? Path.Combine(checkpoint, "kafka-sink", FileSafe(Context.SinkName.Length > 0 ? Context.SinkName : "sink"))
        : null;

    private static string PreparedPath(string directory, long batchTime) =>
        Path.Combine(directory, "batch-" + batchTime.ToString(CultureInfo.InvariantCulture) + PreparedSuffix);

    private static string FileSafe(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    private async Task OpenTransactionalAsync(CancellationToken cancellationToken)
    {
        _markerConsumer = new ConsumerBuilder<byte[], byte[]>(_options.MarkerConsumerConfig())
            .SetLogHandler((_, message) => LogClient(LevelOf(message.Level), _options.SafeText, message.Facility, message.Message))
            .SetErrorHandler((_, error) => LogClientError(_options.SafeText, error.Code.ToString(), error.Reason))
            .Build();
        IProducer<byte[], byte[]> producer = _producer!;
        await WithRetriesAsync(
            () =>
            {
                producer.InitTransactions(TimeSpan.FromSeconds(10));
                return 0;
            },
            "register transactional.id '" + _options.TransactionalId + "' with",
            cancellationToken).ConfigureAwait(false);
    }

    // Commit of a transactional sink: the prepared (or, without a checkpoint, the kept) batch in one transaction.
    private async ValueTask CommitTransactionalAsync(CancellationToken cancellationToken)
    {
        if (_records.Count > 0)
        {
            await RunTransactionAsync(_batchTime, cancellationToken).ConfigureAwait(false);
        }

        if (_prepared && PreparedDirectory is { } directory)
        {
            File.Delete(PreparedPath(directory, _batchTime));
        }

        _prepared = false;
        _records.Clear();
    }

    // Sends the kept records and the marker of batchTime in one transaction and commits it. A transaction that fails
    // in a way another try can cure is aborted and run again from the kept records, with backoff, for up to retryFor.
    private async Task RunTransactionAsync(long batchTime, CancellationToken cancellationToken)
    {
        IProducer<byte[], byte[]> producer = _producer ?? throw new InvalidOperationException("The kafka sink is not open; a run opens it before the first batch.");
        IConsumerGroupMetadata marker = _markerConsumer!.ConsumerGroupMetadata;
        long started = Stopwatch.GetTimestamp();
        TimeSpan delay = FirstDelay;
        for (int attempt = 1; ; attempt++)
        {
            bool committing = false;
            try
            {
                producer.BeginTransaction();
                for (int i = 0; i < _records.Count; i++)
                {
                    Produce(_records.Key(i), _records.HasKey(i), _records.Value(i));
                }

                await WaitForDeliveriesAsync("the transaction of batch " + batchTime + " ms", cancellationToken).ConfigureAwait(false);
                if (Interlocked.Exchange(ref _failed, 0) > 0)
                {
                    Error failure = _firstFailure!;
                    _firstFailure = null;
                    throw new KafkaException(failure);
                }

                await Task.Run(
                    () => producer.SendOffsetsToTransaction([new TopicPartitionOffset(_topic, 0, batchTime)], marker, TimeSpan.FromSeconds(30)),
                    cancellationToken).ConfigureAwait(false);
                committing = true;
                await CommitWithRetriesAsync(producer, cancellationToken).ConfigureAwait(false);
                if (attempt > 1)
                {
                    LogTransactionDone(_options.SafeText, batchTime, attempt);
                }

                return;
            }
            catch (KafkaException error) when (error.Error.IsFatal || IsFenced(error.Error))
            {
                throw Fatal(error, batchTime);
            }
            catch (KafkaException error)
            {
                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                if (elapsed >= _options.RetryFor)
                {
                    throw new IOException(
                        $"kafka sink '{_options.SafeText}' could not commit the transaction of batch {batchTime} ms for {elapsed.TotalSeconds:0} s ({attempt} tries; last: {error.Error.Code}, {error.Error.Reason}). {Advice(error.Error)} The batch is not committed; with --checkpoint a restart commits it.",
                        error);
                }

                LogTransactionRetry(error, _options.SafeText, batchTime, attempt, committing ? "commit" : "send", error.Error.Code.ToString(), error.Error.Reason, (long)delay.TotalMilliseconds);
                await AbortQuietlyAsync(producer).ConfigureAwait(false);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestDelay.Ticks));
            }
        }
    }

    // CommitTransaction may be called again after an error librdkafka marks retriable; any other error aborts.
    private async Task CommitWithRetriesAsync(IProducer<byte[], byte[]> producer, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                await Task.Run(() => producer.CommitTransaction(TimeSpan.FromSeconds(30)), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (KafkaRetriableException) when (Stopwatch.GetElapsedTime(started) < _options.RetryFor)
            {
                await Task.Delay(FirstDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task AbortQuietlyAsync(IProducer<byte[], byte[]> producer)
    {
        try
        {
            await Task.Run(() => producer.AbortTransaction(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
        }
        catch (KafkaException error) when (!error.Error.IsFatal)
        {
            // No transaction was open, or the abort itself must wait for the brokers: the next BeginTransaction says.
            LogAbortFailed(_options.SafeText, error.Error.Reason);
        }
    }

    private async Task<T> WithRetriesAsync<T>(Func<T> operation, string what, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        TimeSpan delay = FirstDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await Task.Run(operation, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException error) when (error.Error.IsFatal || IsFenced(error.Error) || error.Error.Code == ErrorCode.Local_UnsupportedFeature)
            {
                throw Fatal(error, null);
            }
            catch (KafkaException error)
            {
                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                if (elapsed >= _options.RetryFor)
                {
                    throw new IOException(
                        $"kafka sink '{_options.SafeText}' could not {what} the brokers for {elapsed.TotalSeconds:0} s ({attempt} tries; last: {error.Error.Code}, {error.Error.Reason}); start them, or give a longer retryFor.",
                        error);
                }

                LogRetrying(_options.SafeText, what, attempt, error.Error.Reason, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestDelay.Ticks));
            }
        }
    }

    private static bool IsFenced(Error error) =>
        error.Code is ErrorCode.Local_Fenced or ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.TransactionalIdAuthorizationFailed;

    private InvalidOperationException Fatal(KafkaException error, long? batchTime)
    {
        string batch = batchTime is { } time ? $" (batch {time} ms is not committed)" : "";
        string advice = IsFenced(error.Error)
            ? $"Another producer registered transactional.id '{_options.TransactionalId}' after this one, so the brokers fenced this one: a second instance of the job runs, or another job uses the same transactional.id. Stop the other instance, or give each job its own transactional.id."
            : error.Error.Code == ErrorCode.Local_UnsupportedFeature || error.Error.Code == ErrorCode.UnsupportedVersion
                ? "The brokers do not support transactions (Kafka 0.11 or later does): leave transactional.id out for an at-least-once sink."
                : "The producer cannot go on; check the brokers' log, then restart the job (with --checkpoint it finishes the batch).";
        return new InvalidOperationException(
            $"kafka sink '{_options.SafeText}' failed{batch}: {error.Error.Code} ({error.Error.Reason}). {advice}", error);
    }

    private void DisposeMarkerConsumer()
    {
        if (_markerConsumer is not null)
        {
            _markerConsumer.Close();
            _markerConsumer.Dispose();
            _markerConsumer = null;
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Kafka sink {Sink}: dropped prepared batch {BatchTime} ms, after the checkpointed batch {Checkpointed} ms: its input is read again")]
    private partial void LogDroppedPrepared(string sink, long batchTime, long checkpointed);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "Kafka sink {Sink}: dropped prepared batch {File}: the run starts without a checkpoint of it, so its input is read again")]
    private partial void LogDroppedUncheckpointed(string sink, string file);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Kafka sink {Sink}: prepared batch {BatchTime} ms had committed (the marker group is at {Marker} ms)")]
    private partial void LogAlreadyCommitted(string sink, long batchTime, long marker);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Kafka sink {Sink}: prepared batch {BatchTime} ms ({Count} records) had not committed (the marker group is at {Marker} ms); sending it again from the checkpoint directory")]
    private partial void LogRecommitting(string sink, long batchTime, int count, long marker);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Kafka sink {Sink}: the transaction of batch {BatchTime} ms failed at try {Attempt} ({Stage}: {Code}, {Reason}); aborted, trying again in {DelayMs} ms")]
    private partial void LogTransactionRetry(Exception error, string sink, long batchTime, int attempt, string stage, string code, string reason, long delayMs);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "Kafka sink {Sink}: the transaction of batch {BatchTime} ms committed at try {Attempt}")]
    private partial void LogTransactionDone(string sink, long batchTime, int attempt);

    [LoggerMessage(EventId = 15, Level = LogLevel.Debug, Message = "Kafka sink {Sink}: abort: {Reason}")]
    private partial void LogAbortFailed(string sink, string reason);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Kafka sink {Sink}: could not {What} the brokers (try {Attempt}: {Reason}); trying again in {DelayMs} ms")]
    private partial void LogRetrying(string sink, string what, int attempt, string reason, long delayMs);
}
