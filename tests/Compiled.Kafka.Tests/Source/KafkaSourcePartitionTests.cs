using Compiled.Hosting;
using Confluent.Kafka;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// A pipeline over a <c>kafka://</c> source run on several partitions (<c>--parallelism N</c>): the topic's partitions
/// are spread over the run's partitions, each read by a consumer of the group of its own on the partition's thread, and
/// the batches' partials merge at each boundary. The results are one partition's (the order of records of different
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

        // Two consumers of the group, one per partition of the run, each given topic partitions of its own.
        List<string> given = [.. log.Messages.Where(m => m.Contains(" gave this process ", StringComparison.Ordinal) && m.Contains(topic, StringComparison.Ordinal))];
        string[] last = [.. given.TakeLast(2)];
        Assert.True(given.Count >= 2, "two consumers were given partitions: " + string.Join(" | ", given));
        var shares = last.Select(m => Enumerable.Range(0, 4).Where(p => m.Contains($"{topic}[{p}]", StringComparison.Ordinal)).ToHashSet()).ToArray();
        Assert.All(shares, share => Assert.NotEmpty(share));
        Assert.Empty(shares[0].Intersect(shares[1]));
        Assert.Equal(4, shares[0].Count + shares[1].Count);
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
