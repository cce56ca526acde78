namespace Compiled.Kafka.Tests.Sink;

/// <summary>
/// The transactional sink's two phases, on librdkafka's mock cluster — a TEST DOUBLE (see <see cref="KafkaMockCluster"/>:
/// it answers the transactional requests without making records invisible until a commit). What is proven here is
/// the sink's own part: a prepared batch is only in the checkpoint directory, a commit sends it whole, and a restart
/// sends a prepared batch whose checkpoint is durable once and drops one whose checkpoint is not.
/// </summary>
public sealed class KafkaTransactionalSinkTests : IDisposable
{
    private readonly KafkaMockCluster _cluster = KafkaMockCluster.Start();
    private readonly TempDirectory _checkpoint = new("compiled-kafka-checkpoint");

    [Fact]
    public async Task Prepare_BatchOnlyInTheCheckpointDirectory_CommitSendsEveryRecordOnce()
    {
        string topic = KafkaSinkTest.UniqueTopic("tx");
        (string Word, long Count)[] records = KafkaSinkTest.KnownCounts(1000);
        await using var sink = CreateSink(topic, "job-a");
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        sink.BeginBatch(1000);
        KafkaSinkTest.WriteRecords(sink, records);

        await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);

        Assert.True(File.Exists(PreparedFile(1000)), "The prepared batch is not in the checkpoint directory.");
        Assert.Empty(_cluster.ReadAll(topic, expectedAtLeast: 0));

        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);

        Assert.False(File.Exists(PreparedFile(1000)), "The committed batch's file is still there.");
        Assert.Equal(KafkaSinkTest.AsText(records), KafkaSinkTest.Sorted(_cluster.ReadAll(topic, records.Length)));
    }

    [Fact]
    public async Task Restart_BatchPreparedAndCheckpointedButNotCommitted_SentOnceFromTheFile()
    {
        string topic = KafkaSinkTest.UniqueTopic("tx-recover");
        (string Word, long Count)[] first = KafkaSinkTest.KnownCounts(400);
        (string Word, long Count)[] second = KafkaSinkTest.KnownCounts(300, first: 400);
        await using (var crashed = CreateSink(topic, "job-b"))
        {
            await crashed.OpenAsync(TestContext.Current.CancellationToken);
            crashed.BeginBatch(1000);
            KafkaSinkTest.WriteRecords(crashed, first);
            await crashed.PrepareBatchAsync(TestContext.Current.CancellationToken);

            // The run wrote the checkpoint of batch 1000 and stopped before the commit.
        }

        await using (var restarted = CreateSink(topic, "job-b"))
        {
            await restarted.OpenAsync(TestContext.Current.CancellationToken);
            await restarted.RecoverAsync(1000, TestContext.Current.CancellationToken);
            Assert.False(File.Exists(PreparedFile(1000)), "The recovered batch's file is still there.");
            await KafkaSinkTest.WriteBatchAsync(restarted, 1200, second);
        }

        Assert.Equal(KafkaSinkTest.AsText([.. first, .. second]), KafkaSinkTest.Sorted(_cluster.ReadAll(topic, first.Length + second.Length)));
    }

    [Fact]
    public async Task Restart_BatchPreparedButNotCheckpointed_DroppedForItsInputIsReadAgain()
    {
        string topic = KafkaSinkTest.UniqueTopic("tx-drop");
        await using (var crashed = CreateSink(topic, "job-c"))
        {
            await crashed.OpenAsync(TestContext.Current.CancellationToken);
            crashed.BeginBatch(2000);
            KafkaSinkTest.WriteRecords(crashed, KafkaSinkTest.KnownCounts(100));
            await crashed.PrepareBatchAsync(TestContext.Current.CancellationToken);

            // The run stopped before the checkpoint of batch 2000: the checkpoint is of batch 1000.
        }

        await using (var restarted = CreateSink(topic, "job-c"))
        {
            await restarted.OpenAsync(TestContext.Current.CancellationToken);
            await restarted.RecoverAsync(1000, TestContext.Current.CancellationToken);
        }

        Assert.False(File.Exists(PreparedFile(2000)), "The batch after the checkpoint was not dropped.");
        Assert.Empty(_cluster.ReadAll(topic, expectedAtLeast: 0));
    }

    [Fact]
    public async Task WithoutCheckpoint_EachCommitIsOneTransactionOfTheWholeBatch()
    {
        string topic = KafkaSinkTest.UniqueTopic("tx-plain");
        (string Word, long Count)[] records = KafkaSinkTest.KnownCounts(600);
        await using (var sink = KafkaSinkTest.CreateSink($"kafka://{_cluster.Authority}/{topic}?transactional.id=job-d"))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            await KafkaSinkTest.WriteBatchAsync(sink, 1000, records.Take(300));
            await KafkaSinkTest.WriteBatchAsync(sink, 2000, records.Skip(300));
        }

        Assert.Equal(KafkaSinkTest.AsText(records), KafkaSinkTest.Sorted(_cluster.ReadAll(topic, records.Length)));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _cluster.Dispose();
        _checkpoint.Dispose();
    }

    private Compiled.Kafka.Sink.KafkaSink CreateSink(string topic, string transactionalId) =>
        KafkaSinkTest.CreateSink($"kafka://{_cluster.Authority}/{topic}?transactional.id={transactionalId}", _checkpoint.Path);

    private string PreparedFile(long batchTime) => Path.Combine(_checkpoint.Path, "kafka-sink", "Output", $"batch-{batchTime}.prepared");
}
