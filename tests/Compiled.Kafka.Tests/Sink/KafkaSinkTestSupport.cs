using Compiled.Connectors;
using Compiled.Kafka.Sink;
using Compiled.Sinks;
using Confluent.Kafka;

namespace Compiled.Kafka.Tests.Sink;

/// <summary>
/// The sink's tests against the real broker share one (<see cref="KafkaBrokerFixture"/>) and run one at a time: a
/// broker and its ZooKeeper are two JVMs, and several pairs starting at once on a shared machine slow each other into
/// ZooKeeper session timeouts. The outage tests kill this broker and start it again.
/// </summary>
[CollectionDefinition(Name)]
public sealed class KafkaSinkBrokerCollection : ICollectionFixture<KafkaBrokerFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Kafka sink broker";
}

/// <summary>One real Kafka 0.9 broker for the sink's tests; each test writes to a topic of its own.</summary>
public sealed class KafkaBrokerFixture : IAsyncLifetime
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

    /// <summary>
    /// Creates <paramref name="topic"/> through the server (<see cref="KafkaServer.CreateTopicAsync"/>) and waits for a
    /// leader of each partition. librdkafka now and then fails to parse the 0.9 broker's metadata of a topic being
    /// created ("Not enough room in tmpabuf", Local_BadMsg); the topic is created by then, so the wait goes on here.
    /// </summary>
    public async Task CreateTopicAsync(string topic, int partitions)
    {
        try
        {
            await Server.CreateTopicAsync(topic, partitions);
        }
        catch (KafkaException error) when (error.Error.Code == ErrorCode.Local_BadMsg)
        {
            using IAdminClient admin = new AdminClientBuilder(Server.Configure(new AdminClientConfig())).Build();
            var giveUp = System.Diagnostics.Stopwatch.StartNew();
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
                catch (KafkaException again) when (again.Error.Code == ErrorCode.Local_BadMsg && giveUp.Elapsed < TimeSpan.FromSeconds(60))
                {
                    // The same parse failure: ask again.
                }

                Assert.True(giveUp.Elapsed < TimeSpan.FromSeconds(60), $"Topic '{topic}' had no leader for each of its {partitions} partitions within 60 s.");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Starts the broker again if a test left it killed.</summary>
    public async Task EnsureRunningAsync()
    {
        if (!Server.IsRunning)
        {
            await Server.StartBrokerAgainAsync();
        }
    }

    /// <summary>A <c>kafka://</c> sink URI for <paramref name="topic"/> on this broker, with the 0.9 settings and <paramref name="options"/>.</summary>
    public string SinkUri(string topic, string options = "") =>
        $"kafka://{Server.BootstrapServers}/{topic}?{KafkaServer.ClientProperties}{(options.Length > 0 ? "&" + options : "")}";

    /// <summary>Every record of <paramref name="topic"/>, read through Confluent.Kafka's consumer.</summary>
    public IReadOnlyList<(string? Key, string Value)> ReadAll(string topic, int expectedAtLeast) =>
        KafkaTopicReader.ReadAll(Server.Configure(new ConsumerConfig()), topic, expectedAtLeast);
}

/// <summary>Creating sinks and data for the tests.</summary>
internal static class KafkaSinkTest
{
    /// <summary>A topic name no other test uses.</summary>
    public static string UniqueTopic(string what) => $"{what}-{Guid.NewGuid():N}"[..Math.Min(what.Length + 13, 200)];

    /// <summary>Creates a sink through the connector's factory, as a run does, and checks its options were all read.</summary>
    public static KafkaSink CreateSink(string uri, string? checkpointDirectory = null, string sinkName = "Output")
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "sink");
        Compiled.Sinks.Sink sink = KafkaSinkFactory.Create(parsed, new SinkContext { SinkName = sinkName, CheckpointDirectory = checkpointDirectory });
        parsed.ThrowIfUnknownOptions();
        return Assert.IsType<KafkaSink>(sink);
    }

    /// <summary>The word counts of a known data set: <paramref name="words"/> words, each with a count of its own.</summary>
    public static (string Word, long Count)[] KnownCounts(int words = 1000, int first = 0) =>
        [.. Enumerable.Range(first, words).Select(i => ($"word{i}", (long)((i * 7919) % 1000) + 1))];

    /// <summary>Writes one batch of keyed records (<c>KeyValue&lt;long&gt;</c>, as a compiled stage hands them) and commits it.</summary>
    public static async Task WriteBatchAsync(KafkaSink sink, long batchTime, IEnumerable<(string Word, long Count)> records)
    {
        sink.BeginBatch(batchTime);
        WriteRecords(sink, records);
        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Writes keyed records into the current batch.</summary>
    public static void WriteRecords(KafkaSink sink, IEnumerable<(string Word, long Count)> records)
    {
        foreach ((string word, long count) in records)
        {
            sink.Write(new KeyValue<long>(System.Text.Encoding.UTF8.GetBytes(word), count));
        }
    }

    /// <summary>The records as (key, value) text, sorted, to compare with what a topic holds.</summary>
    public static List<(string? Key, string Value)> AsText(IEnumerable<(string Word, long Count)> records) =>
        [.. records.Select(r => ((string?)r.Word, r.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))).OrderBy(r => r.Item1, StringComparer.Ordinal)];

    /// <summary>Sorted by key then value, for comparing.</summary>
    public static List<(string? Key, string Value)> Sorted(IEnumerable<(string? Key, string Value)> records) =>
        [.. records.OrderBy(r => r.Key, StringComparer.Ordinal).ThenBy(r => r.Value, StringComparer.Ordinal)];
}

/// <summary>A temporary directory of a test, deleted with everything in it at the end.</summary>
internal sealed class TempDirectory : IDisposable
{
    /// <summary>Creates a directory under the system's temporary one, named <paramref name="prefix"/> and a random part.</summary>
    public TempDirectory(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>A path in the directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file a moment longer; the system cleans its temporary directory.
        }
    }
}
