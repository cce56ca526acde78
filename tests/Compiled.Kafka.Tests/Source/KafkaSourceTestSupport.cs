using System.Collections.Concurrent;
using Compiled.Connectors;
using Compiled.Hosting;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// The Kafka source's tests run one after another, on one broker (<see cref="KafkaSourceFixture"/>; the outage tests
/// start their own, one at a time), and not while other tests of this project run: a broker and its ZooKeeper are two
/// JVMs, and several pairs busy at once on a small machine keep each other from answering in time (ZooKeeper sessions
/// expire, topics wait long for their leaders).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KafkaSourceCollection : ICollectionFixture<KafkaSourceFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Kafka source";
}

/// <summary>One Kafka broker for the Kafka source's tests; each test reads topics and groups of its own.</summary>
public sealed class KafkaSourceFixture : IAsyncLifetime
{
    private KafkaServer? _server;

    /// <summary>The broker.</summary>
    internal KafkaServer Server => _server ?? throw new InvalidOperationException("The fixture is not started.");

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => _server = await KafkaServer.StartAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Producing known records, running the records pipeline, and reading back what it wrote and committed.</summary>
internal static class KafkaSourceTest
{
    /// <summary>A topic or group name no other test uses.</summary>
    public static string Unique(string what) => $"{what}-{Guid.NewGuid():N}"[..(what.Length + 13)];

    /// <summary>
    /// A source URI for <paramref name="topic"/> on <paramref name="kafka"/> in <paramref name="group"/>, with the
    /// client properties the 0.9 broker needs and a short session timeout (the broker's limit is 30 s).
    /// </summary>
    public static string SourceUri(KafkaServer kafka, string topic, string group, string more = "start=earliest") =>
        $"kafka://{kafka.BootstrapServers}/{topic}?group={group}&{more}&{KafkaServer.ClientProperties}&session.timeout.ms=6000";

    /// <summary>
    /// Creates <paramref name="topic"/> and waits until each partition has a leader. librdkafka 2.x sometimes cannot parse
    /// a 0.9 broker's metadata answer for a topic whose partitions are still being given leaders ("Local: Bad message
    /// format", logged as "Not enough room in tmpabuf"); that answer is asked for again until the leaders are there.
    /// </summary>
    public static async Task CreateTopicAsync(KafkaServer kafka, string topic, int partitions)
    {
        try
        {
            await kafka.CreateTopicAsync(topic, partitions);
            return;
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_BadMsg)
        {
            // The topic is created; only the wait for its leaders failed.
        }

        using IAdminClient admin = new AdminClientBuilder(kafka.Configure(new AdminClientConfig())).Build();
        DateTime giveUp = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                TopicMetadata? found = admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.Find(t => t.Topic == topic);
                if (found is { Error.IsError: false } && found.Partitions.Count == partitions && found.Partitions.TrueForAll(p => p.Leader >= 0))
                {
                    return;
                }
            }
            catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_BadMsg)
            {
                // As above: asked again.
            }

            Assert.True(DateTime.UtcNow < giveUp, $"Topic '{topic}' had no leader for each of its {partitions} partitions within 60 s.");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The value of record <paramref name="i"/>: <c>r{i}</c>; every third record has the key <c>k{i}</c>, the others none.</summary>
    public static string Value(int i) => $"r{i}";

    /// <summary>Produces records <paramref name="from"/> to <paramref name="to"/> (exclusive), spread over the partitions by key or at random.</summary>
    public static void Produce(KafkaServer kafka, string topic, int from, int to)
    {
        using IProducer<string?, string> producer = new ProducerBuilder<string?, string>(kafka.Configure(new ProducerConfig())).Build();
        for (int i = from; i < to; i++)
        {
            producer.Produce(topic, new Message<string?, string> { Key = i % 3 == 0 ? $"k{i}" : null, Value = Value(i) });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
    }

    /// <summary>A run of <see cref="KafkaRecordsPipeline"/> on the real clock (or <paramref name="clock"/>) from <paramref name="source"/> to files under <paramref name="output"/>.</summary>
    public static PipelineRun Run(string source, string output, string? checkpoint = null, ILoggerFactory? log = null, TimeProvider? clock = null)
    {
        var options = new PipelineRunOptions { Checkpoint = checkpoint, TimeProvider = clock ?? TimeProvider.System };
        if (log is not null)
        {
            options.LoggerFactory = log;
        }

        options.SourceUris["Input"] = source;
        options.SinkUris["Output"] = $"file://{output}/part?suffix=txt";
        return new PipelineRun(KafkaRecordsPipeline.Definition, options);
    }

    /// <summary>Every line of every batch file under <paramref name="directories"/>, counted.</summary>
    public static Dictionary<string, int> Written(params string[] directories)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string directory in directories.Where(Directory.Exists))
        {
            foreach (string file in Directory.GetFiles(directory, "part-*.txt"))
            {
                foreach (string line in File.ReadAllLines(file))
                {
                    counts[line] = counts.GetValueOrDefault(line) + 1;
                }
            }
        }

        return counts;
    }

    /// <summary>Records <paramref name="from"/> to <paramref name="to"/> (exclusive), each once.</summary>
    public static Dictionary<string, int> EachOnce(int from, int to) =>
        Enumerable.Range(from, to - from).ToDictionary(Value, _ => 1, StringComparer.Ordinal);

    /// <summary>The offsets <paramref name="group"/> has committed for the partitions of <paramref name="topic"/>, read through Kafka's own client, by partition.</summary>
    public static Dictionary<int, long> CommittedOffsets(KafkaServer kafka, string topic, string group, int partitions)
    {
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(kafka.Configure(new ConsumerConfig { GroupId = group, EnableAutoCommit = false })).Build();
        List<TopicPartitionOffset> committed = consumer.Committed(
            [.. Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p))], TimeSpan.FromSeconds(30));
        return committed.ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
    }

    /// <summary>Each partition's end (the offset after its last record), by partition.</summary>
    public static Dictionary<int, long> EndOffsets(KafkaServer kafka, string topic, int partitions)
    {
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(kafka.Configure(new ConsumerConfig { GroupId = "ends" })).Build();
        return Enumerable.Range(0, partitions).ToDictionary(
            p => p, p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30)).High.Value);
    }

    /// <summary>Has <paramref name="group"/> commit <paramref name="offsets"/> (by partition), as another member of the group would.</summary>
    public static void Commit(KafkaServer kafka, string topic, string group, Dictionary<int, long> offsets)
    {
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(kafka.Configure(new ConsumerConfig { GroupId = group, EnableAutoCommit = false })).Build();
        consumer.Commit([.. offsets.Select(o => new TopicPartitionOffset(topic, o.Key, o.Value))]);
    }

    /// <summary>Stops a run (as Ctrl+C does: the last batch commits) and waits for it to end.</summary>
    public static async Task StopAsync(PipelineRun run, Task running, CancellationTokenSource stop)
    {
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
        Assert.Equal(PipelineRunState.Completed, run.State);
    }

    /// <summary>Waits up to <paramref name="seconds"/> for <paramref name="condition"/>, failing with <paramref name="what"/>.</summary>
    public static async Task WaitUntil(Func<bool> condition, string what, int seconds = 60)
    {
        DateTime giveUp = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, $"Waited {seconds} s for {what}.");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Creates a source through the connector's factory, as a run does, and checks its options were all read.</summary>
    public static KafkaSource CreateSource(string uri, SourceContext? context = null)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "source");
        Connectors.Source source = KafkaSourceFactory.Create(parsed, context ?? new SourceContext { SourceName = "Input" });
        parsed.ThrowIfUnknownOptions();
        return Assert.IsType<KafkaSource>(source);
    }
}

/// <summary>A temporary directory for a test's output and checkpoint, deleted at the end.</summary>
internal sealed class KafkaScratch : IDisposable
{
    /// <summary>The directory.</summary>
    public string Path { get; } = Directory.CreateTempSubdirectory("compiled-ksource-").FullName;

    /// <summary>A path inside it.</summary>
    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Every message logged, from every category.</summary>
internal sealed class KafkaLogCapture : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IEnumerable<string> Messages => _messages;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _messages.Enqueue(formatter(state, exception));

    public void Dispose()
    {
    }
}
