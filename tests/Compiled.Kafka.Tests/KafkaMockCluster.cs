using System.Diagnostics;
using Confluent.Kafka;

namespace Compiled.Kafka.Tests;

/// <summary>
/// A TEST DOUBLE, not a Kafka broker: librdkafka's built-in mock cluster (<c>test.mock.num.brokers=3</c>), hosted by a
/// client of the test process, its three mock brokers listening on real loopback ports, so that clients of the test and
/// of child processes connect to it as to brokers. It speaks the modern protocol that the real broker of the tests
/// (Kafka 0.9) lacks, including the transactional producer's requests (InitProducerId, AddPartitionsToTxn,
/// TxnOffsetCommit, EndTxn), and creates topics as they are first used.
/// </summary>
/// <remarks>
/// What the double does not do, measured with librdkafka 2.16 (Confluent.Kafka 2.16.0): it answers the transactional
/// requests without their effect. A <c>read_committed</c> consumer sees records of a transaction before it commits and
/// after it aborts; offsets sent to a transaction (<c>SendOffsetsToTransaction</c>) are not stored (a group reads none
/// back); a second producer registering the same <c>transactional.id</c> does not fence the first. So a test on it
/// proves what the sink does (which records it sends in which transaction, what it keeps in the checkpoint directory,
/// what a restart sends again), not what a broker makes visible. The cluster lives as long as this object, so it
/// survives a child process that is killed.
/// </remarks>
public sealed class KafkaMockCluster : IDisposable
{
    private readonly IProducer<byte[], byte[]> _host;

    private KafkaMockCluster(IProducer<byte[], byte[]> host, string bootstrapServers)
    {
        _host = host;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The mock brokers' loopback addresses, <c>127.0.0.1:port,...</c>, as librdkafka's <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>The brokers as a <c>kafka://</c> URI's authority (the same text: <c>host:port,host:port</c>).</summary>
    public string Authority => BootstrapServers;

    /// <summary>Starts a mock cluster of three brokers and reads their addresses from the client's log (facility <c>MOCK</c>).</summary>
    public static KafkaMockCluster Start()
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var config = new ProducerConfig { BootstrapServers = "127.0.0.1:1" };
        config.Set("test.mock.num.brokers", "3");
        IProducer<byte[], byte[]> host = new ProducerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, message) =>
            {
                const string Marker = "replaced with ";
                int at = message.Message.IndexOf(Marker, StringComparison.Ordinal);
                if (message.Facility == "MOCK" && at >= 0)
                {
                    found.TrySetResult(message.Message[(at + Marker.Length)..].Trim());
                }
            })
            .Build();
        if (!found.Task.Wait(TimeSpan.FromSeconds(30)))
        {
            host.Dispose();
            throw new InvalidOperationException("librdkafka's mock cluster did not log its brokers' addresses (facility MOCK) within 30 s.");
        }

        return new KafkaMockCluster(host, found.Task.Result);
    }

    /// <summary>Every record of <paramref name="topic"/> a <c>read_committed</c> consumer reads (see the remarks: on this double, every record sent).</summary>
    public IReadOnlyList<(string? Key, string Value)> ReadAll(string topic, int expectedAtLeast, TimeSpan? idle = null) =>
        Sink.KafkaTopicReader.ReadAll(new ConsumerConfig { BootstrapServers = BootstrapServers }, topic, expectedAtLeast, idle);

    /// <summary>Stops the mock brokers.</summary>
    public void Dispose() => _host.Dispose();
}
