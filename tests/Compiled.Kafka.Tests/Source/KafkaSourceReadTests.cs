using System.Buffers.Binary;
using System.Text;
using Compiled.Connectors.Messages;
using Compiled.Framing;
using Compiled.Hosting;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// A real Kafka 0.9 broker's topic read by the Kafka source: by itself (every record's value, key and position), and
/// by the compiled <see cref="KafkaRecordsPipeline"/>, which writes every record it takes to a file, so a record that
/// appears once in the files was read once, and one missing was lost.
/// </summary>
[Collection(KafkaSourceCollection.Name)]
public sealed class KafkaSourceReadTests(KafkaSourceFixture kafka)
{
    [Fact]
    public async Task KnownTopic_ReadByTheSource_GivesEveryRecordsValueKeyAndNextOffset_InEachPartitionsOrder()
    {
        string topic = KafkaSourceTest.Unique("known");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 4);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 300);

        await using KafkaSource source = KafkaSourceTest.CreateSource(KafkaSourceTest.SourceUri(kafka.Server, topic, KafkaSourceTest.Unique("g")));
        using MessageBatch batch = source.CreateBatch();
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var lastOffset = new Dictionary<int, long>();
        while (values.Count < 300)
        {
            Assert.True(await source.WaitToReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
            batch.Clear();
            source.TryRead(batch);
            for (int i = 0; i < batch.Count; i++)
            {
                Message message = batch[i];
                string value = Encoding.UTF8.GetString(message.Payload);
                Assert.True(values.TryAdd(value, message.HasKey ? Encoding.UTF8.GetString(message.Key) : null), $"{value} came twice");
                Assert.Equal(0, message.Timestamp);   // Kafka 0.9 keeps no timestamps.

                // The position: the partition's slot, then the offset after the record, one more than the last in its partition.
                int slot = BinaryPrimitives.ReadInt32LittleEndian(message.Position);
                long next = BinaryPrimitives.ReadInt64LittleEndian(message.Position[4..]);
                Assert.Equal(lastOffset.GetValueOrDefault(slot) + 1, next);
                lastOffset[slot] = next;
            }
        }

        Assert.Equal(
            Enumerable.Range(0, 300).ToDictionary(KafkaSourceTest.Value, i => i % 3 == 0 ? $"k{i}" : null),
            values);
        Assert.Equal(4, lastOffset.Count);
        Assert.Equal(300, lastOffset.Values.Sum());
        Assert.Equal(4, source.Assignment.Count);

        // The position names every partition at its next offset, as the checkpoint keeps it.
        string position = source.GetPosition().Description;
        Dictionary<int, long> ends = KafkaSourceTest.EndOffsets(kafka.Server, topic, 4);
        foreach ((int partition, long end) in ends)
        {
            Assert.Contains($"{topic}[{partition}]@{end}", position, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KnownTopic_ReadByACompiledPipeline_WritesEveryRecordOnce_AndCommitsEachPartitionsEndToTheGroup()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("pipeline");
        string group = KafkaSourceTest.Unique("g");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 4);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 1000);

        using var stop = new CancellationTokenSource();
        await using PipelineRun run = KafkaSourceTest.Run(KafkaSourceTest.SourceUri(kafka.Server, topic, group), temp.Combine("out"));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records == 1000, "the first 1,000 records");

        // More while it runs: read as they come.
        KafkaSourceTest.Produce(kafka.Server, topic, 1000, 1500);
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records == 1500, "500 more records");
        await KafkaSourceTest.WaitUntil(() => source.OffsetCommits > 0, "a commit of offsets");
        await KafkaSourceTest.StopAsync(run, running, stop);

        Assert.Equal(KafkaSourceTest.EachOnce(0, 1500), KafkaSourceTest.Written(temp.Combine("out")));

        // Lag tools see the job's progress: the group's committed offsets are each partition's end.
        Assert.Equal(KafkaSourceTest.EndOffsets(kafka.Server, topic, 4), KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 4));
    }

    [Fact]
    public async Task RecordLongerThanMaxRecordBytes_IsSkippedWithOnOversizeSkip_AndCounted()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("oversize");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 1);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 10);
        using (var producer = new Confluent.Kafka.ProducerBuilder<Confluent.Kafka.Null, string>(kafka.Server.Configure(new Confluent.Kafka.ProducerConfig())).Build())
        {
            producer.Produce(topic, new Confluent.Kafka.Message<Confluent.Kafka.Null, string> { Value = new string('x', 100) });
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        }

        KafkaSourceTest.Produce(kafka.Server, topic, 10, 20);
        using var stop = new CancellationTokenSource();
        string uri = KafkaSourceTest.SourceUri(kafka.Server, topic, KafkaSourceTest.Unique("g"), "start=earliest&maxRecordBytes=50&onOversize=skip");
        await using PipelineRun run = KafkaSourceTest.Run(uri, temp.Combine("out"));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records == 20, "the 20 records that fit");
        await KafkaSourceTest.StopAsync(run, running, stop);

        Assert.Equal(1, source.Counters.OversizeSkipped);
        Assert.Equal(KafkaSourceTest.EachOnce(0, 20), KafkaSourceTest.Written(temp.Combine("out")));
        Assert.Equal(OversizePolicy.Skip, source.Framing.Oversize);
    }
}
