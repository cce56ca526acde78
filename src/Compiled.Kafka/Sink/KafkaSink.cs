using System.Buffers.Text;
using System.Diagnostics;
using Compiled.Connectors;
using Compiled.Sinks;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Compiled.Kafka.Sink;

/// <summary>
/// Writes a pipeline's records to a Kafka topic: <c>kafka://host:port/topic</c>. A keyed record's key is the message
/// key and its value the message value, as text (the value the file sink writes: <c>(word,3)</c> is sent as key
/// <c>word</c>, value <c>3</c>); any other record is sent as its text, without a key. With <c>?format=csv</c> or
/// <c>?format=json</c> each record is sent as one CSV row or one JSON object, as the message value; a
/// <c>KeyValue&lt;V&gt;</c> record keeps its key as the message key, any other record (a pair too) is sent without a key.
/// </summary>
/// <remarks>
/// <para>
/// <b>At-least-once</b> (no <c>transactional.id</c>). Each record is handed to the producer as the batch computes it
/// (pipelined: librdkafka batches and sends in the background, after <c>linger.ms</c>), with one delivery handler for
/// every record; the commit waits until every record of the batch is acknowledged and fails the batch if any was not.
/// With a checkpoint the commit comes before the checkpoint, so a crash in between writes the batch again on restart:
/// records can be doubled, never lost. When the producer's queue is full (<c>queue.buffering.max.messages</c>,
/// <c>queue.buffering.max.kbytes</c>) the sink waits for it to drain: memory stays bounded and the run, its sources
/// with it, slows to the brokers' pace.
/// </para>
/// <para>
/// <b>Exactly-once</b> (with <c>transactional.id</c> and a checkpoint): see <see cref="PrepareBatchAsync"/>,
/// <see cref="CommitBatchAsync"/> and <see cref="RecoverAsync"/>.
/// </para>
/// <para>
/// <b>Brokers that are down.</b> librdkafka reconnects with backoff and keeps each record until it is delivered or
/// <c>retryFor</c> (5 minutes; librdkafka's <c>message.timeout.ms</c>, or <c>transaction.timeout.ms</c>) has passed;
/// the commit waits meanwhile, logging every few seconds what it waits for, and then fails the batch.
/// </para>
/// </remarks>
public sealed partial class KafkaSink : Compiled.Sinks.Sink, IRecordWriter<KeyValue<long>>, IRecordWriter<KeyValue<int>>
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WaitLogEvery = TimeSpan.FromSeconds(5);

    private readonly KafkaSinkOptions _options;
    private readonly ILogger _log;
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivered;
    private readonly KafkaBatchRecords _records = new();
    private readonly string _topic;

    // What Produce is handed for every record, reused: the topic and partition (any), one message whose key and value
    // are set per record, its empty headers, and the arrays of the record's key and value (see ProducerArrays).
    private readonly TopicPartition _topicPartition;
    private readonly Message<byte[], byte[]> _message = new() { Headers = new Headers() };
    private readonly ProducerArrays _keyArrays = new();
    private readonly ProducerArrays _valueArrays = new();

    private IProducer<byte[], byte[]>? _producer;
    private long _batchTime;
    private bool _prepared;

    // Counted by the delivery handler, on the producer's thread.
    private long _produced;
    private long _delivered;
    private long _failed;
    private Error? _firstFailure;

    /// <summary>Creates a sink from its options; <see cref="KafkaSinkFactory"/> is how a run makes one.</summary>
    public KafkaSink(KafkaSinkOptions options, SinkContext context)
        : base((options ?? throw new ArgumentNullException(nameof(options))).Uri, context)
    {
        _options = options;
        _topic = options.Topic;
        _topicPartition = new TopicPartition(_topic, Partition.Any);
        _log = context.LoggerFactory.CreateLogger<KafkaSink>();
        _onDelivered = OnDelivered;
        TakeFormat();
        KeepsKeys = true;
    }

    /// <summary>What the sink writes to.</summary>
    public KafkaSinkOptions Options => _options;

    /// <summary>
    /// <see cref="SinkGuarantee.Transactional"/> with a <c>transactional.id</c> (exactly once with a checkpoint);
    /// otherwise <see cref="SinkGuarantee.AtLeastOnce"/>: a batch acknowledged by Kafka before a crash is written again
    /// when its input is read again, and Kafka has no key to overwrite it by.
    /// </summary>
    public override SinkGuarantee Guarantee => _options.Transactional ? SinkGuarantee.Transactional : SinkGuarantee.AtLeastOnce;

    /// <summary>The records of the current batch kept for its transaction (0 for an at-least-once sink, which sends them at once).</summary>
    public int PendingRecords => _records.Count;

    /// <summary>Creates the producer; a transactional one also registers its <c>transactional.id</c>, waiting for the brokers.</summary>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        ProducerConfig config = _options.ProducerConfig();
        _producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, message) => LogClient(LevelOf(message.Level), _options.SafeText, message.Facility, message.Message))
            .SetErrorHandler((_, error) => LogClientError(_options.SafeText, error.Code.ToString(), error.Reason))
            .Build();
        if (_options.Transactional)
        {
            await OpenTransactionalAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override void BeginBatch(long batchTimeMs)
    {
        if (!_earlierRunsDone)
        {
            DropEarlierRuns();
        }

        _batchTime = batchTimeMs;
        _prepared = false;
        _records.Clear();
    }

    /// <summary>
    /// Sends a record given as its text: a pair <c>(key,value)</c> as key and value, anything else as a value without a
    /// key. A CSV row or a JSON object (<c>?format=csv</c>, <c>?format=json</c>) is the whole message value, without a
    /// header row (each message is one record, read on its own) and, given this way, without a key.
    /// </summary>
    public override void Write(ReadOnlySpan<byte> record)
    {
        int comma = Format == SinkFormat.Text ? PairText.CommaIndex(record) : -1;
        if (comma < 0)
        {
            Send(default, hasKey: false, record);
        }
        else
        {
            Send(record[1..comma], hasKey: true, record[(comma + 1)..^1]);
        }
    }

    /// <summary>
    /// Sends a keyed record rendered as a CSV row or a JSON object (<c>?format=csv</c>, <c>?format=json</c>): the key's
    /// bytes as the message key, the row or object (which holds the key too) as the whole message value.
    /// </summary>
    public override void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record) => Send(key, hasKey: true, record);

    /// <summary>Sends a keyed record: the key's bytes as the message key, the number's text as the value.</summary>
    public void Write(KeyValue<long> record)
    {
        Span<byte> text = stackalloc byte[20];
        Utf8Formatter.TryFormat(record.Value, text, out int length);
        Send(record.Key, hasKey: true, text[..length]);
    }

    /// <summary>Sends a keyed record: the key's bytes as the message key, the number's text as the value.</summary>
    public void Write(KeyValue<int> record)
    {
        Span<byte> text = stackalloc byte[11];
        Utf8Formatter.TryFormat(record.Value, text, out int length);
        Send(record.Key, hasKey: true, text[..length]);
    }

    /// <summary>
    /// At-least-once: waits until every record of the batch is acknowledged, and fails the batch if one was not.
    /// Transactional: writes the batch in one transaction, see <see cref="CommitTransactionalAsync"/>.
    /// </summary>
    public override async ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        if (_options.Transactional)
        {
            await CommitTransactionalAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await WaitForDeliveriesAsync("batch " + _batchTime + " ms", cancellationToken).ConfigureAwait(false);
        long failed = Interlocked.Exchange(ref _failed, 0);
        if (failed > 0)
        {
            Error error = _firstFailure!;
            _firstFailure = null;
            throw new IOException(
                $"kafka sink '{_options.SafeText}' could not deliver {failed} record(s) of batch {_batchTime} ms to topic '{_topic}': {error.Code} ({error.Reason}). {Advice(error)} The batch is not committed; with --checkpoint a restart writes it again.");
        }
    }

    /// <summary>
    /// Drops the current batch. Records an at-least-once sink already handed to the producer may still reach the topic
    /// (a restart with a checkpoint writes them again); a transactional sink's batch was not sent.
    /// </summary>
    public override void AbortBatch()
    {
        _records.Clear();
        _prepared = false;
    }

    /// <summary>Closes the producer; records it still holds are given a few seconds to be delivered.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (_producer is not null)
        {
            IProducer<byte[], byte[]> producer = _producer;
            _producer = null;
            await Task.Run(() =>
            {
                if (!_options.Transactional)
                {
                    producer.Flush(TimeSpan.FromSeconds(5));
                }

                producer.Dispose();
            }).ConfigureAwait(false);
        }

        DisposeMarkerConsumer();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Send(ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value)
    {
        if (_options.Transactional)
        {
            _records.Add(key, hasKey, value);
            return;
        }

        Produce(key, hasKey, value);
    }

    // Hands one record to the producer, which copies its bytes before it returns; while its queue is full, waits for
    // it to drain (the run's backpressure). Allocates no array and no message: see ProducerArrays.
    private void Produce(ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value)
    {
        IProducer<byte[], byte[]> producer = _producer ?? throw new InvalidOperationException("The kafka sink is not open; a run opens it before the first batch.");
        Message<byte[], byte[]> message = _message;
        message.Key = hasKey ? _keyArrays.Holding(key) : null!;
        message.Value = _valueArrays.Holding(value);
        long waitingSince = 0;
        while (true)
        {
            try
            {
                producer.Produce(_topicPartition, message, _onDelivered);
                _produced++;
                return;
            }
            catch (ProduceException<byte[], byte[]> full) when (full.Error.Code == ErrorCode.Local_QueueFull)
            {
                if (waitingSince == 0)
                {
                    waitingSince = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetElapsedTime(waitingSince) > _options.RetryFor + TimeSpan.FromSeconds(30))
                {
                    throw new IOException(
                        $"kafka sink '{_options.SafeText}': the producer's queue stayed full for {Stopwatch.GetElapsedTime(waitingSince).TotalSeconds:0} s; the brokers take no records. Check that they run, or give a longer retryFor.",
                        full);
                }

                // The producer's own thread serves the delivery reports that make room; the run waits here until it
                // has served some (Poll returns then, as the raw client's loop does), for at most 50 ms.
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    private void OnDelivered(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.CompareExchange(ref _firstFailure, report.Error, null);
            Interlocked.Increment(ref _failed);
        }

        Interlocked.Increment(ref _delivered);
    }

    // Waits until every record handed to the producer is acknowledged or failed, logging what it waits for.
    private Task WaitForDeliveriesAsync(string what, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _delivered) == _produced)
        {
            return Task.CompletedTask;
        }

        return Task.Run(
            () =>
            {
                IProducer<byte[], byte[]> producer = _producer!;
                long started = Stopwatch.GetTimestamp();
                TimeSpan nextLog = WaitLogEvery;
                while (Volatile.Read(ref _delivered) < _produced)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    producer.Flush(TimeSpan.FromMilliseconds(500));
                    TimeSpan waited = Stopwatch.GetElapsedTime(started);
                    if (waited >= nextLog && Volatile.Read(ref _delivered) < _produced)
                    {
                        LogWaiting(_options.SafeText, _produced - Volatile.Read(ref _delivered), what, (long)waited.TotalSeconds, (long)_options.RetryFor.TotalSeconds);
                        nextLog += WaitLogEvery;
                    }
                }
            },
            cancellationToken);
    }

    private static string Advice(Error error) => error.Code switch
    {
        ErrorCode.Local_MsgTimedOut => "The brokers did not take the records within retryFor: start them, or give a longer retryFor.",
        ErrorCode.Local_UnknownTopic or ErrorCode.UnknownTopicOrPart => "Create the topic, or let the brokers create topics (auto.create.topics.enable=true).",
        ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge => "A record is larger than the brokers take: raise their message.max.bytes, or write smaller records.",
        ErrorCode.TopicAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed => "Give the sink's user the right to write to the topic.",
        _ => "Check the brokers' log.",
    };

    private static LogLevel LevelOf(SyslogLevel level) => level switch
    {
        <= SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    [LoggerMessage(EventId = 1, Message = "Kafka sink {Sink}: [{Facility}] {Text}")]
    private partial void LogClient(LogLevel level, string sink, string facility, string text);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Kafka sink {Sink}: {Code} ({Reason}); the client keeps trying")]
    private partial void LogClientError(string sink, string code, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Kafka sink {Sink}: waiting for {Count} record(s) of {What} to be acknowledged, for {Seconds} s of at most {RetryFor} s (retryFor)")]
    private partial void LogWaiting(string sink, long count, string what, long seconds, long retryFor);
}
