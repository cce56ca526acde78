using System.Diagnostics;
using Confluent.Kafka;

namespace Compiled.Kafka.Tests.Sink;

/// <summary>Reads a topic from its start through Confluent.Kafka's consumer, as the tests' independent check of what a sink wrote.</summary>
public static class KafkaTopicReader
{
    /// <summary>
    /// Reads every partition of <paramref name="topic"/> from the start, in a group of its own, until at least
    /// <paramref name="expectedAtLeast"/> records have come and then nothing more for <paramref name="idle"/> (2 s), or a
    /// minute has passed; returns the records as UTF-8 text, key <see langword="null"/> when a record has none.
    /// </summary>
    public static IReadOnlyList<(string? Key, string Value)> ReadAll(ConsumerConfig config, string topic, int expectedAtLeast, TimeSpan? idle = null)
    {
        config.GroupId = "test-reader-" + Guid.NewGuid().ToString("N");
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.EnableAutoCommit = false;
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        config.AllowAutoCreateTopics = true;
        var records = new List<(string?, string)>();
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Subscribe(topic);
        TimeSpan quiet = idle ?? TimeSpan.FromSeconds(2);
        var deadline = Stopwatch.StartNew();
        var sinceLast = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(1) && (records.Count < expectedAtLeast || sinceLast.Elapsed < quiet))
        {
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            }
            catch (ConsumeException error) when (error.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic)
            {
                // Nothing was written to the topic yet; the consumer asked for it to be created and reads it once it is.
                continue;
            }

            if (result is null || result.IsPartitionEOF || result.Message is null)
            {
                continue;
            }

            records.Add((result.Message.Key is null ? null : System.Text.Encoding.UTF8.GetString(result.Message.Key), System.Text.Encoding.UTF8.GetString(result.Message.Value)));
            sinceLast.Restart();
        }

        consumer.Close();
        return records;
    }
}
