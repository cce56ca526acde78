using Confluent.Kafka;

namespace Compiled.Kafka.Tests;

/// <summary>
/// The broker the Kafka tests run against is a real Kafka 0.9.0.1 that Confluent.Kafka can use with the settings
/// <see cref="KafkaServer.ClientProperties"/> names: what the connector's tests take for granted, proven once.
/// </summary>
public sealed class KafkaServerTests
{
    [Fact]
    public async Task A_topic_with_four_partitions_returns_every_message_produced_to_it_also_after_the_broker_was_killed()
    {
        await using KafkaServer kafka = await KafkaServer.StartAsync();
        await kafka.CreateTopicAsync("numbers", partitions: 4);

        await ProduceAsync(kafka, "numbers", 0, 500);
        kafka.KillBroker();
        await kafka.StartBrokerAgainAsync();
        await ProduceAsync(kafka, "numbers", 500, 500);

        var config = kafka.Configure(new ConsumerConfig
        {
            GroupId = "server-test",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        });
        using IConsumer<string, string> consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Subscribe("numbers");
        var seen = new Dictionary<string, string>();
        var partitions = new HashSet<int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (seen.Count < 1000)
        {
            ConsumeResult<string, string> result = consumer.Consume(timeout.Token);
            Assert.True(seen.TryAdd(result.Message.Key, result.Message.Value), $"key {result.Message.Key} came twice");
            partitions.Add(result.Partition.Value);
        }

        consumer.Close();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => ($"k{i}", $"value {i}")).OrderBy(p => p.Item1),
            seen.Select(p => (p.Key, p.Value)).OrderBy(p => p.Key));
        Assert.Equal(4, partitions.Count);
    }

    private static async Task ProduceAsync(KafkaServer kafka, string topic, int first, int count)
    {
        using IProducer<string, string> producer = new ProducerBuilder<string, string>(kafka.Configure(new ProducerConfig())).Build();
        for (int i = first; i < first + count; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = $"k{i}", Value = $"value {i}" });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        await Task.CompletedTask;
    }
}
