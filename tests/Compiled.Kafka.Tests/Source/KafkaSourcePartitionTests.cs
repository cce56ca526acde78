using Compiled.Hosting;
using Confluent.Kafka;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// A pipeline over a <c>kafka://</c> source run on several partitions (<c>--parallelism N</c>): the topic's partitions
/// are spread over the run's partitions, each reading the records of its topic partitions, which the source's one
/// consumer fetches, on its own thread, and the batches' partials merge at each boundary. The results are one partition's (the order of records of different
/// topic partitions aside), a checkpointed run stopped and restarted, on another number of partitions, neither loses
/// nor doubles a record, and a topic of fewer partitions than asked for is read on as many.
/// </summary>
[Collection(KafkaSourceCollection.Name)]
public sealed class KafkaSourcePartitionTests(KafkaSourceFixture kafka)
{
    [Fact]
    public async Task WordCount_OfAFourPartitionTopic_OnTwoPartitions_CountsWhatOnePartitionCounts_EachPartitionReadingItsShare()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("words");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 4);
        ProduceLines(topic, 0, 2000);

        var log = new KafkaLogCapture();
        Dictionary<string, long> one = await CountWordsAsync(topic, temp.Combine("one"), parallelism: 1, lines: 2000, log: null);
        Dictionary<string, long> two = await CountWordsAsync(topic, temp.Combine("two"), parallelism: 2, lines: 2000, log);

        Assert.Equal(ExpectedCounts(0, 2000), one);
        Assert.Equal(one, two);
        Assert.Contains(log.Messages, m => m.Contains("runs on 2 partitions: the partitions of kafka://", StringComparison.Ordinal));
        Assert.Contains(log.Messages, m => m.Contains("spread evenly over 2 partitions of the run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnTwoPartitions_TopicPartitionKIsReadByPartitionKMod2_InItsOrder_EachRecordOnce()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("spread");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 4);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 4000);
        Dictionary<string, (int Partition, long Offset)> where = WhereEachValueIs(topic, 4);

        string output = temp.Combine("out");
        var options = new PipelineRunOptions { Parallelism = 2 };
        options.SourceUris["Input"] = KafkaSourceTest.SourceUri(kafka.Server, topic, KafkaSourceTest.Unique("g"), "start=earliest&prefetch=64");
        options.SinkUris["Output"] = $"file://{output}/part?suffix=txt";
        using var stop = new CancellationTokenSource();
        await using (var run = new PipelineRun(KafkaRecordsPipeline.Definition, options))
        {
            Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);
            await KafkaSourceTest.WaitUntil(() => source.Counters.Records >= 4000 || running.IsCompleted, "4000 records");
            await KafkaSourceTest.StopAsync(run, running, stop);
        }

        // The file sink writes a part per partition of the run (part-TIME-part-0000p.txt): in batch order, each part
        // holds the records of its topic partitions only, each topic partition's in offset order.
        Assert.Equal(KafkaSourceTest.EachOnce(0, 4000), KafkaSourceTest.Written(output));
        var last = new Dictionary<int, long>();
        var read = new int[2];
        foreach (string file in Directory.GetFiles(output, "part-*.txt").Order(StringComparer.Ordinal))
        {
            int partition = int.Parse(Path.GetFileNameWithoutExtension(file)[^5..], System.Globalization.CultureInfo.InvariantCulture);
            foreach (string value in File.ReadLines(file))
            {
                (int topicPartition, long offset) = where[value];
                Assert.True(topicPartition % 2 == partition, $"{value} of {topic}[{topicPartition}] was read by partition {partition} ({Path.GetFileName(file)})");
                Assert.True(offset > last.GetValueOrDefault(topicPartition, -1), $"{value} of {topic}[{topicPartition}]@{offset} came after offset {last.GetValueOrDefault(topicPartition)}");
                last[topicPartition] = offset;
                read[partition]++;
            }
        }

        Assert.All(read, count => Assert.True(count > 0, "each partition of the run read records"));
    }

    [Fact]
    public async Task Checkpointed_OnTwoPartitions_StoppedMidTopic_AndResumedOnThree_ReadsEachRecordOnce_AndCommitsTheEnds()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("parts");
        string group = KafkaSourceTest.Unique("g");
        string checkpoint = temp.Combine("checkpoint");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 4);
        for (int from = 0; from < Produced; from += 50_000)
        {
            // In runs the producer's queue holds.
            KafkaSourceTest.Produce(kafka.Server, topic, from, from + 50_000);
        }

        // A small prefetch: the first run is stopped while much of the topic is still unread.
        string uri = KafkaSourceTest.SourceUri(kafka.Server, topic, group, "start=earliest&prefetch=64");
        long first = await RunRecordsAsync(uri, temp.Combine("first"), checkpoint, parallelism: 2, atLeast: 1000);
        Assert.InRange(first, 1000, Produced - 1);

        // More records come while it is stopped; the restart, on three partitions, reads the rest and those.
        KafkaSourceTest.Produce(kafka.Server, topic, Produced, Produced + 500);
        long second = await RunRecordsAsync(uri, temp.Combine("second"), checkpoint, parallelism: 3, atLeast: Produced + 500 - first);

        Assert.Equal(Produced + 500, first + second);
        Assert.Equal(KafkaSourceTest.EachOnce(0, Produced + 500), KafkaSourceTest.Written(temp.Combine("first"), temp.Combine("second")));
        Assert.Equal(KafkaSourceTest.EndOffsets(kafka.Server, topic, 4), KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 4));
    }

    [Fact]
    public async Task EventWindows_OnTwoPartitions_OneReadingAnIdleTopicPartition_CloseAsTheEventsGo_AsOnOnePartition()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("events");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 2);

        // Every event in topic partition 0: partition 1 of the run, which reads topic partition 1, gets none.
        using (IProducer<Null, string> producer = new ProducerBuilder<Null, string>(kafka.Server.Configure(new ProducerConfig())).Build())
        {
            for (int i = 0; i < 600; i++)
            {
                producer.Produce(new TopicPartition(topic, 0), new Message<Null, string> { Value = $"{i * 100},{(i % 2 == 0 ? "ann" : "bob")}" });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        }

        // Events of 0 to 59.9 s: the watermark reaches 57.9 s, so the windows up to [40 s, 50 s) close while the run
        // goes, two users each; the stop emits [50 s, 60 s).
        List<string> one = await CountWindowsAsync(topic, temp.Combine("one"), parallelism: 1);
        List<string> two = await CountWindowsAsync(topic, temp.Combine("two"), parallelism: 2);

        Assert.Equal(12, one.Count);
        Assert.Equal(one, two);
    }

    [Fact]
    public async Task ATopicOfTwoPartitions_AskedForThree_RunsOnTwo_AndSaysWhy()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("few");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 2);
        ProduceLines(topic, 0, 500);

        var log = new KafkaLogCapture();
        Dictionary<string, long> counts = await CountWordsAsync(topic, temp.Combine("out"), parallelism: 3, lines: 500, log);

        Assert.Equal(ExpectedCounts(0, 500), counts);
        Assert.Contains(log.Messages, m => m.Contains("runs on 2 partitions rather than the 3 asked for: source kafka://", StringComparison.Ordinal)
            && m.Contains("reads 2 topic partitions", StringComparison.Ordinal));
        Assert.Contains(log.Messages, m => m.Contains("runs on 2 partitions: the partitions of kafka://", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATopicOfOnePartition_AskedForTwo_RunsOnOne_AndSaysWhy()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("single");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 1);
        ProduceLines(topic, 0, 300);

        var log = new KafkaLogCapture();
        Dictionary<string, long> counts = await CountWordsAsync(topic, temp.Combine("out"), parallelism: 2, lines: 300, log);

        Assert.Equal(ExpectedCounts(0, 300), counts);
        Assert.Contains(log.Messages, m => m.Contains("runs on one partition: source kafka://", StringComparison.Ordinal)
            && m.Contains("reads 1 topic partition (", StringComparison.Ordinal));
    }

    // How many records the checkpointed test produces first: more than its first run reads before it is stopped.
    private const int Produced = 200_000;

    // Line i: three words, of 7, 13 and 2 kinds, so that every batch holds words many lines share.
    private static string Line(int i) => $"w{i % 7} v{i % 13} {(i % 2 == 0 ? "even" : "odd")}";

    private static Dictionary<string, long> ExpectedCounts(int from, int to) =>
        Enumerable.Range(from, to - from).SelectMany(i => Line(i).Split(' '))
            .GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);

    // Where each record of the topic is, read back by a consumer of each partition.
    private Dictionary<string, (int Partition, long Offset)> WhereEachValueIs(string topic, int partitions)
    {
        var where = new Dictionary<string, (int, long)>(StringComparer.Ordinal);
        Dictionary<int, long> ends = KafkaSourceTest.EndOffsets(kafka.Server, topic, partitions);
        using IConsumer<Ignore, string> consumer = new ConsumerBuilder<Ignore, string>(kafka.Server.Configure(new ConsumerConfig { GroupId = KafkaSourceTest.Unique("where"), EnableAutoCommit = false })).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        long total = ends.Values.Sum();
        DateTime giveUp = DateTime.UtcNow.AddSeconds(60);
        while (where.Count < total)
        {
            Assert.True(DateTime.UtcNow < giveUp, $"Read {where.Count} of the {total} records of {topic} back in 60 s.");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                where[result.Message.Value] = (result.Partition.Value, result.Offset.Value);
            }
        }

        return where;
    }

    private void ProduceLines(string topic, int from, int to)
    {
        using IProducer<Null, string> producer = new ProducerBuilder<Null, string>(kafka.Server.Configure(new ProducerConfig())).Build();
        for (int i = from; i < to; i++)
        {
            producer.Produce(topic, new Message<Null, string> { Value = Line(i) });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
    }

    // Runs the word count on `parallelism` partitions, in a group of its own, until it has read `lines` lines, stops it,
    // and sums each word's counts over every batch it wrote.
    private async Task<Dictionary<string, long>> CountWordsAsync(string topic, string output, int parallelism, int lines, KafkaLogCapture? log)
    {
        var options = new PipelineRunOptions { Parallelism = parallelism };
        if (log is not null)
        {
            options.LoggerFactory = log;
        }

        options.SourceUris["Input"] = KafkaSourceTest.SourceUri(kafka.Server, topic, KafkaSourceTest.Unique("g"));
        options.SinkUris["Output"] = $"file://{output}/part?suffix=txt";
        using var stop = new CancellationTokenSource();
        await using (var run = new PipelineRun(KafkaWordCountPipeline.Definition, options))
        {
            Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);
            await KafkaSourceTest.WaitUntil(() => source.Counters.Records >= lines || running.IsCompleted, $"{lines} lines");
            await KafkaSourceTest.StopAsync(run, running, stop);
            Assert.Equal(lines, source.Counters.Records);
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach ((string line, int times) in KafkaSourceTest.Written(output))
        {
            // (word,count)
            string[] parts = line.Trim('(', ')').Split(',');
            counts[parts[0]] = counts.GetValueOrDefault(parts[0]) + (long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * times);
        }

        return counts;
    }

    // Runs the event windows on `parallelism` partitions, in a group of its own, until the ten windows that close with
    // the events are written, stops it, and returns every window written, sorted.
    private async Task<List<string>> CountWindowsAsync(string topic, string output, int parallelism)
    {
        var options = new PipelineRunOptions { Parallelism = parallelism };
        options.SourceUris["Input"] = KafkaSourceTest.SourceUri(kafka.Server, topic, KafkaSourceTest.Unique("g"));
        options.SinkUris["Output"] = $"file://{output}/part?suffix=txt";
        using var stop = new CancellationTokenSource();
        await using (var run = new PipelineRun(KafkaEventWindowPipeline.Definition, options))
        {
            Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            await KafkaSourceTest.WaitUntil(() => KafkaSourceTest.Written(output).Values.Sum() >= 10 || running.IsCompleted, "ten windows closed by event time");
            await KafkaSourceTest.StopAsync(run, running, stop);
        }

        return [.. KafkaSourceTest.Written(output).SelectMany(line => Enumerable.Repeat(line.Key, line.Value)).Order(StringComparer.Ordinal)];
    }

    // Runs the records pipeline on `parallelism` partitions with a checkpoint until its source has taken at least
    // `atLeast` records, stops it (its last batch commits and is checkpointed), and returns how many it took.
    private static async Task<long> RunRecordsAsync(string uri, string output, string checkpoint, int parallelism, long atLeast)
    {
        var options = new PipelineRunOptions { Checkpoint = checkpoint, Parallelism = parallelism };
        options.SourceUris["Input"] = uri;
        options.SinkUris["Output"] = $"file://{output}/part?suffix=txt";
        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(KafkaRecordsPipeline.Definition, options);
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records >= atLeast || running.IsCompleted, $"{atLeast} records", seconds: 120);
        await KafkaSourceTest.WaitUntil(() => source.OffsetCommits > 0 || running.IsCompleted, "a commit of offsets");
        await KafkaSourceTest.StopAsync(run, running, stop);
        return source.Counters.Records;
    }
}
