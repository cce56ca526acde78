using System.Collections.Concurrent;
using Confluent.Kafka;
using Compiled.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// A rebalance while the job holds records of a partition in a batch not yet committed: the job's clock is a fake one,
/// so the batch commits only when the test moves it. Another consumer joining the group must not get the partitions
/// until that batch is committed and its offsets with it; then it starts right after them.
/// </summary>
[Collection(KafkaSourceCollection.Name)]
public sealed class KafkaSourceRebalanceTests(KafkaSourceFixture kafka)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    [Fact]
    public async Task PartitionsTakenBackMidBatch_AreHandedOverOnlyOnceTheBatchCommitted_AndTheNewOwnerStartsAfterIt()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("rebalance");
        string group = KafkaSourceTest.Unique("g");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 2);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 100);

        var clock = new FakeTimeProvider(Start);
        var logged = new KafkaLogCapture();
        using var stop = new CancellationTokenSource();
        string uri = KafkaSourceTest.SourceUri(kafka.Server, topic, group).Replace("session.timeout.ms=6000", "session.timeout.ms=30000", StringComparison.Ordinal);
        await using PipelineRun run = KafkaSourceTest.Run(uri, temp.Combine("out"), log: logged, clock: clock);
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records == 100, "the job to take the 100 records");

        // Another consumer joins the group while the job's batch of 100 records is not committed.
        var other = new OtherConsumer(kafka.Server, topic, group);
        try
        {
            await KafkaSourceTest.WaitUntil(() => logged.Messages.Any(m => m.Contains("takes back", StringComparison.Ordinal)), "the group to take the partitions back");
            Assert.Empty(other.Values);
            Assert.Empty(other.Assignment);
            Assert.All(KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 2).Values, offset => Assert.True(offset < 0, "an offset was committed before its batch"));

            // The batch's time comes: it commits, then its offsets, then the partitions go.
            clock.Advance(TimeSpan.FromMilliseconds(200));
            await KafkaSourceTest.WaitUntil(() => run.BatchesCompleted >= 1 && other.Assignment.Count > 0, "the other consumer to be given a partition");
            Assert.Equal(KafkaSourceTest.EachOnce(0, 100), KafkaSourceTest.Written(temp.Combine("out")));

            // New records: each is read by whichever of the two holds its partition now, and by it only.
            KafkaSourceTest.Produce(kafka.Server, topic, 100, 200);
            await KafkaSourceTest.WaitUntil(() => source.Counters.Records + other.Values.Count >= 200, "the 100 new records to be read");
            await stop.CancelAsync();
            await run.FinishAsync(clock, running);
            Assert.Equal(PipelineRunState.Completed, run.State);
        }
        finally
        {
            other.Dispose();
        }

        AssertEachReadOnceByEither(temp.Combine("out"), other.Values);
    }

    [Fact]
    public async Task OnTwoPartitions_PartitionsTakenBackMidBatch_AreHandedOverOnlyOnceTheBatchCommitted_AndEachRecordIsReadOnce()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("rebalance-parts");
        string group = KafkaSourceTest.Unique("g");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 4);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 100);

        var clock = new FakeTimeProvider(Start);
        var logged = new KafkaLogCapture();
        using var stop = new CancellationTokenSource();
        string uri = KafkaSourceTest.SourceUri(kafka.Server, topic, group).Replace("session.timeout.ms=6000", "session.timeout.ms=30000", StringComparison.Ordinal);
        var options = new PipelineRunOptions { TimeProvider = clock, Parallelism = 2, LoggerFactory = logged };
        options.SourceUris["Input"] = uri;
        options.SinkUris["Output"] = $"file://{temp.Combine("out")}/part?suffix=txt";
        await using var run = new PipelineRun(KafkaRecordsPipeline.Definition, options);
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);

        // The two partitions of the run take the 100 records, each its topic partitions', in the batch not yet committed
        // (partition 1's records are counted into the source at the boundary; the position says what was taken).
        Dictionary<int, long> ends = KafkaSourceTest.EndOffsets(kafka.Server, topic, 4);
        await KafkaSourceTest.WaitUntil(
            () => ends.All(end => source.GetPosition().Description.Contains($"{topic}[{end.Key}]@{end.Value}", StringComparison.Ordinal)),
            "the job to take the 100 records");

        var other = new OtherConsumer(kafka.Server, topic, group);
        try
        {
            await KafkaSourceTest.WaitUntil(() => logged.Messages.Any(m => m.Contains("takes back", StringComparison.Ordinal)), "the group to take partitions back");
            Assert.Empty(other.Values);
            Assert.Empty(other.Assignment);
            Assert.All(KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 4).Values, offset => Assert.True(offset < 0, "an offset was committed before its batch"));

            // The batch's time comes: the partitions park, merge, the batch commits, then its offsets, then the handover.
            clock.Advance(TimeSpan.FromMilliseconds(200));
            await KafkaSourceTest.WaitUntil(() => run.BatchesCompleted >= 1 && other.Assignment.Count > 0, "the other consumer to be given partitions");
            Assert.Equal(KafkaSourceTest.EachOnce(0, 100), KafkaSourceTest.Written(temp.Combine("out")));

            // New records: each read by whichever of the two holds its partition now, and by it only.
            KafkaSourceTest.Produce(kafka.Server, topic, 100, 200);
            await KafkaSourceTest.WaitUntil(
                () =>
                {
                    clock.Advance(TimeSpan.FromMilliseconds(200));
                    return source.Counters.Records + other.Values.Count >= 200;
                },
                "the 100 new records to be read");
            await stop.CancelAsync();
            await run.FinishAsync(clock, running);
            Assert.Equal(PipelineRunState.Completed, run.State);
        }
        finally
        {
            other.Dispose();
        }

        AssertEachReadOnceByEither(temp.Combine("out"), other.Values);
    }

    [Fact]
    public async Task OnTwoPartitions_WithAnotherMemberAssigningRoundRobin_ThePartitionsTheRunKeepsAreSpreadOverBoth()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("spread-rr");
        string group = KafkaSourceTest.Unique("g");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 4);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 100);

        using var stop = new CancellationTokenSource();
        var options = new PipelineRunOptions { Parallelism = 2 };
        options.SourceUris["Input"] = KafkaSourceTest.SourceUri(kafka.Server, topic, group);
        options.SinkUris["Output"] = $"file://{temp.Combine("out")}/part?suffix=txt";
        await using var run = new PipelineRun(KafkaRecordsPipeline.Definition, options);
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records >= 100, "the job to read the first 100 records");

        // A member that assigns round robin only: the run keeps two of the four partitions, both even or both odd, which
        // k mod 2 would put on one partition of the run; they are spread over both.
        var other = new OtherConsumer(kafka.Server, topic, group, PartitionAssignmentStrategy.RoundRobin);
        try
        {
            await KafkaSourceTest.WaitUntil(() => other.Assignment.Count == 2 && source.Assignment.Count == 2, "the group to give each member two partitions");
            KafkaSourceTest.Produce(kafka.Server, topic, 100, 500);
            await KafkaSourceTest.WaitUntil(() => source.Counters.Records + other.Values.Count >= 500, "the 400 new records to be read");
            await KafkaSourceTest.StopAsync(run, running, stop);
        }
        finally
        {
            other.Dispose();
        }

        Dictionary<string, int> everything = KafkaSourceTest.Written(temp.Combine("out"));
        foreach (string value in other.Values)
        {
            everything[value] = everything.GetValueOrDefault(value) + 1;
        }

        Assert.Equal(KafkaSourceTest.EachOnce(0, 500), everything);

        // The run's records of the new ones came from both partitions' part files (part-TIME-part-0000p.txt).
        var parts = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(temp.Combine("out"), "part-*.txt"))
        {
            if (File.ReadLines(file).Any(value => int.Parse(value.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) >= 100))
            {
                parts.Add(Path.GetFileNameWithoutExtension(file)[^10..]);
            }
        }

        Assert.Equal(["part-00000", "part-00001"], parts.Order(StringComparer.Ordinal));
    }

    // A plain Confluent.Kafka consumer in the same group, polling on a thread of its own, starting at the earliest
    // record of a partition with no committed offset (so one the job did not commit would show up again here).
    private sealed class OtherConsumer : IDisposable
    {
        private readonly IConsumer<Ignore, string> _consumer;
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private volatile List<TopicPartition> _assignment = [];

        public OtherConsumer(KafkaServer kafka, string topic, string group, PartitionAssignmentStrategy? strategy = null)
        {
            _consumer = new ConsumerBuilder<Ignore, string>(kafka.Configure(new ConsumerConfig
            {
                GroupId = group,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                EnableAutoCommit = false,
                PartitionAssignmentStrategy = strategy,
            }))
                .SetPartitionsAssignedHandler((_, partitions) => _assignment = partitions)
                .SetPartitionsRevokedHandler((_, _) => _assignment = [])
                .Build();
            _consumer.Subscribe(topic);
            _thread = new Thread(Poll) { IsBackground = true };
            _thread.Start();
        }

        public ConcurrentQueue<string> Values { get; } = new();

        public IReadOnlyList<TopicPartition> Assignment => _assignment;

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _consumer.Close();
            _consumer.Dispose();
            _stop.Dispose();
        }

        private void Poll()
        {
            while (!_stop.IsCancellationRequested)
            {
                if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
                {
                    Values.Enqueue(result.Message.Value);
                }
            }
        }
    }

    // Every record of 0 to 199 written by the run or read by the other member, each once, and the other read some.
    private static void AssertEachReadOnceByEither(string output, IReadOnlyCollection<string> otherValues)
    {
        Dictionary<string, int> everything = KafkaSourceTest.Written(output);
        foreach (string value in otherValues)
        {
            everything[value] = everything.GetValueOrDefault(value) + 1;
        }

        Assert.Equal(KafkaSourceTest.EachOnce(0, 200), everything);
        Assert.NotEmpty(otherValues);
    }
}
