using System.Diagnostics;
using Compiled.Connectors;
using Compiled.Hosting;
using Compiled.Kafka.Sink;
using Compiled.Sinks;
using Compiled.Tests.Shared.Servers;
using Confluent.Kafka;

namespace Compiled.Benchmarks.Connectors;

/// <summary>
/// Kafka, on the real broker the tests start (Kafka 0.9.0.1, one partition per topic so that order and counts are
/// plain): Confluent.Kafka's producer alone against the pass-through into <c>kafka://.../topic</c> and against the
/// sink alone (its <c>Write</c> of every message, then the commit: the connector without the pipeline around it), and
/// its consumer alone against the pass-through and the word count out of <c>kafka://.../topic?group=...</c>.
/// </summary>
internal static class KafkaBenchmark
{
    public static async Task<List<Figure>> RunAsync(Settings settings)
    {
        await using KafkaServer server = await KafkaServer.StartAsync();
        byte[][] messages = Harness.Keys(settings.Records);
        byte[][] lines = Harness.WordLines(settings.Lines);
        string messageFile = Harness.WriteFile(settings, "kafka-messages.txt", messages);
        string client = KafkaServer.ClientProperties + "&session.timeout.ms=10000";

        // The consumers' input: every message and every line, produced once before the rounds.
        await server.CreateTopicAsync("messages", partitions: 1);
        await server.CreateTopicAsync("lines", partitions: 1);
        Produce(server, "messages", messages);
        Produce(server, "lines", lines);

        // The producer as issue 11's baseline uses it (no delivery handler: it never learns whether a message was
        // delivered), and as an at-least-once writer must use it: a handler told of every message's fate, reporting
        // no record fields (what the sink configures). The sink alone is measured against the latter.
        var rawProducer = new Figure("Kafka", "raw client: producer, Produce + Flush", messages.Length);
        var rawReported = new Figure("Kafka", "raw client: producer with a delivery handler, Produce + Flush", messages.Length, rawProducer);
        var sink = new Figure("Kafka", "pass-through: file → kafka sink", messages.Length, rawProducer);
        var sinkAlone = new Figure("Kafka", "kafka sink alone: Write of every message, commit", messages.Length, rawReported);
        var rawConsumer = new Figure("Kafka", "raw client: consumer, Consume until the last", messages.Length);
        var source = new Figure("Kafka", "pass-through: kafka source → file", messages.Length, rawConsumer);
        var rawLines = new Figure("Kafka", "raw client: consumer of the word count's lines", lines.Length);
        var wordCount = new Figure("Kafka", "word count: kafka source → file", lines.Length, rawLines);
        for (int round = 0; round <= settings.Rounds; round++)
        {
            string output = Path.Combine(settings.Directory, $"kafka-out-{round}");
            string group = $"bench-{round}";
            await server.CreateTopicAsync($"raw-{round}", partitions: 1);
            await server.CreateTopicAsync($"sink-{round}", partitions: 1);
            await server.CreateTopicAsync($"alone-{round}", partitions: 1);
            await server.CreateTopicAsync($"reported-{round}", partitions: 1);
            await Harness.RoundAsync(
                round,
                (rawProducer, () => Task.Run(() => Produce(server, $"raw-{round}", messages))),
                (rawReported, () => Task.Run(() => ProduceReported(server, $"reported-{round}", messages))),
                (sink, () => Harness.RunBoundedAsync(PassThrough.Definition, "file://" + messageFile, $"kafka://{server.BootstrapServers}/sink-{round}?{client}")),
                (sinkAlone, () => WriteAllAsync($"kafka://{server.BootstrapServers}/alone-{round}?{KafkaServer.ClientProperties}", messages)),
                (rawConsumer, () => Task.Run(() => Consume(server, "messages", group + "-raw", messages.Length))),
                (source, () => RunUntilAsync(PassThrough.Definition, $"kafka://{server.BootstrapServers}/messages?group={group}-source&start=earliest&{client}", $"file://{output}/pass?suffix=txt", messages.Length)),
                (rawLines, () => Task.Run(() => Consume(server, "lines", group + "-raw-lines", lines.Length))),
                (wordCount, () => RunUntilAsync(WordCount.Definition, $"kafka://{server.BootstrapServers}/lines?group={group}-words&start=earliest&{client}", $"file://{output}/words?suffix=txt", lines.Length)));
            Check(server, $"sink-{round}", messages.Length);
            Check(server, $"alone-{round}", messages.Length);
            Check(server, $"reported-{round}", messages.Length);
        }

        return [rawProducer, rawReported, sink, sinkAlone, rawConsumer, source, rawLines, wordCount];
    }

    // The sink without a pipeline: opened as a run opens it, every message written (as the pass-through's lines are,
    // as text without a key) in one batch, committed, closed.
    private static async Task WriteAllAsync(string uri, byte[][] values)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "sink");
        await using Compiled.Sinks.Sink sink = KafkaSinkFactory.Create(parsed, new SinkContext { SinkName = "Output" });
        await sink.OpenAsync(CancellationToken.None);
        sink.BeginBatch(1000);
        foreach (byte[] value in values)
        {
            sink.Write(value);
        }

        await sink.CommitBatchAsync(CancellationToken.None);
    }

    // The producer alone: every message produced (no key), then Flush until each is acknowledged.
    private static void Produce(KafkaServer server, string topic, byte[][] values)
    {
        using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(server.Configure(new ProducerConfig())).Build();
        foreach (byte[] value in values)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = value });
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        if (producer.Flush(TimeSpan.FromMinutes(2)) != 0)
        {
            throw new InvalidOperationException($"The producer did not deliver every message to {topic} within 2 minutes.");
        }
    }

    // The producer as an at-least-once writer uses it: every message produced with one delivery handler that counts
    // failures, then Flush; fails if a message was not delivered.
    private static void ProduceReported(KafkaServer server, string topic, byte[][] values)
    {
        var config = server.Configure(new ProducerConfig());
        config.Set("dotnet.producer.delivery.report.fields", "none");
        using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(config).Build();
        long failed = 0;
        Action<DeliveryReport<Null, byte[]>> onDelivered = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
        };
        foreach (byte[] value in values)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = value }, onDelivered);
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        if (producer.Flush(TimeSpan.FromMinutes(2)) != 0 || Interlocked.Read(ref failed) != 0)
        {
            throw new InvalidOperationException($"The producer did not deliver every message to {topic} within 2 minutes ({Interlocked.Read(ref failed)} failed).");
        }
    }

    // The consumer alone: a new group from the earliest offset, until it has received every message.
    private static void Consume(KafkaServer server, string topic, string group, int count)
    {
        var config = server.Configure(new ConsumerConfig { GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false });
        using IConsumer<Ignore, byte[]> consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Subscribe(topic);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        for (int received = 0; received < count; received++)
        {
            consumer.Consume(timeout.Token);
        }

        consumer.Close();
    }

    // A pipeline over the unbounded Kafka source, until its source has taken every record; timed to then.
    private static async Task<long> RunUntilAsync(PipelineDefinition definition, string source, string sink, long records)
    {
        using var stop = new CancellationTokenSource();
        var options = new PipelineRunOptions { BatchInterval = TimeSpan.FromMilliseconds(100) };
        options.SourceUris["Input"] = source;
        options.SinkUris["Output"] = sink;
        await using var run = new PipelineRun(definition, options);
        Task running = run.RunAsync(stop.Token);
        await Harness.WaitUntilAsync(() => run.Sources[0].Counters.Records >= records || running.IsCompleted, $"{source} gave {records} records");
        long ended = Stopwatch.GetTimestamp();
        await stop.CancelAsync();
        await running;
        return ended;
    }

    private static void Check(KafkaServer server, string topic, long expected)
    {
        var config = server.Configure(new ConsumerConfig { GroupId = "check-" + topic, EnableAutoCommit = false });
        using IConsumer<Ignore, byte[]> consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        WatermarkOffsets offsets = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10));
        if (offsets.High.Value != expected)
        {
            throw new InvalidOperationException($"Topic {topic} holds {offsets.High.Value} messages, not {expected}: the sink did not write every record.");
        }
    }
}
