namespace Compiled.Kafka.Tests.Sink;

/// <summary>
/// The at-least-once sink while the real Kafka 0.9 broker is away: down when the sink starts, or killed (SIGKILL) in the
/// middle of a run and started again seconds later. The commit waits (librdkafka keeps the records and reconnects), then
/// every record is in the topic: none lost.
/// </summary>
[Collection(KafkaSinkBrokerCollection.Name)]
public sealed class KafkaSinkOutageTests(KafkaBrokerFixture kafka) : IAsyncLifetime
{
    [Fact]
    public async Task BrokerDownAtStart_StartedSecondsLater_CommitWaitsAndEveryRecordArrives()
    {
        KafkaServer server = kafka.Server;
        string topic = KafkaSinkTest.UniqueTopic("late");
        await kafka.CreateTopicAsync(topic, partitions: 2);
        (string Word, long Count)[] records = KafkaSinkTest.KnownCounts(500);
        server.KillBroker();

        await using (var sink = KafkaSinkTest.CreateSink(kafka.SinkUri(topic, "retryFor=2m")))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            sink.BeginBatch(1000);
            KafkaSinkTest.WriteRecords(sink, records);
            Task commit = sink.CommitBatchAsync(TestContext.Current.CancellationToken).AsTask();
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
            Assert.False(commit.IsCompleted, "The commit returned while the broker was down.");

            await server.StartBrokerAgainAsync();
            await commit.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        }

        Assert.Equal(KafkaSinkTest.AsText(records), KafkaSinkTest.Sorted(kafka.ReadAll(topic, records.Length)));
    }

    [Fact]
    public async Task BrokerKilledMidStream_StartedAgain_EveryRecordOfEveryBatchArrives()
    {
        KafkaServer server = kafka.Server;
        string topic = KafkaSinkTest.UniqueTopic("outage");
        await kafka.CreateTopicAsync(topic, partitions: 2);
        (string Word, long Count)[] records = KafkaSinkTest.KnownCounts(1500);

        await using (var sink = KafkaSinkTest.CreateSink(kafka.SinkUri(topic, "retryFor=2m")))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            await KafkaSinkTest.WriteBatchAsync(sink, 1000, records.Take(500));

            server.KillBroker();
            sink.BeginBatch(2000);
            KafkaSinkTest.WriteRecords(sink, records.Skip(500).Take(500));
            Task commit = sink.CommitBatchAsync(TestContext.Current.CancellationToken).AsTask();
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
            Assert.False(commit.IsCompleted, "The commit returned while the broker was down.");
            await server.StartBrokerAgainAsync();
            await commit.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

            await KafkaSinkTest.WriteBatchAsync(sink, 3000, records.Skip(1000));
        }

        // At least once: a record whose acknowledgement was lost with the broker may be there twice; none is missing.
        IReadOnlyList<(string? Key, string Value)> read = kafka.ReadAll(topic, records.Length);
        Assert.Equal(KafkaSinkTest.AsText(records), KafkaSinkTest.Sorted(read.Distinct()));
    }

    [Fact]
    public async Task QueueFullWhileBrokerDown_WriteWaitsUntilItDrains_EveryRecordArrives()
    {
        KafkaServer server = kafka.Server;
        string topic = KafkaSinkTest.UniqueTopic("full");
        await kafka.CreateTopicAsync(topic, partitions: 1);
        (string Word, long Count)[] records = KafkaSinkTest.KnownCounts(400);
        server.KillBroker();

        await using (var sink = KafkaSinkTest.CreateSink(kafka.SinkUri(topic, "queue.buffering.max.messages=50&retryFor=2m")))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            sink.BeginBatch(1000);
            Task writing = Task.Run(() => KafkaSinkTest.WriteRecords(sink, records), TestContext.Current.CancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

            // 50 records fill the producer's queue: the batch waits in Write, so nothing more is taken in.
            Assert.False(writing.IsCompleted, "Write took 400 records into a queue of 50 while the broker was down.");

            await server.StartBrokerAgainAsync();
            await writing.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(KafkaSinkTest.AsText(records), KafkaSinkTest.Sorted(kafka.ReadAll(topic, records.Length)));
    }

    [Fact]
    public async Task BrokerDownLongerThanRetryFor_CommitFailsSayingWhatToDo()
    {
        KafkaServer server = kafka.Server;
        string topic = KafkaSinkTest.UniqueTopic("gone");
        await kafka.CreateTopicAsync(topic, partitions: 1);
        server.KillBroker();
        await using var sink = KafkaSinkTest.CreateSink(kafka.SinkUri(topic, "retryFor=3s"));
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        sink.BeginBatch(1000);
        KafkaSinkTest.WriteRecords(sink, KafkaSinkTest.KnownCounts(10));

        var error = await Assert.ThrowsAsync<IOException>(async () => await sink.CommitBatchAsync(TestContext.Current.CancellationToken));

        Assert.Contains("could not deliver 10 record(s) of batch 1000 ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("give a longer retryFor", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Each test starts with the broker up, whatever the one before left.</summary>
    public async ValueTask InitializeAsync() => await kafka.EnsureRunningAsync();

    /// <summary>And leaves it up for the next.</summary>
    public async ValueTask DisposeAsync() => await kafka.EnsureRunningAsync();
}
