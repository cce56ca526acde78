using Compiled.Hosting;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// Where a restarted job starts in each partition: without a checkpoint, at its group's committed offsets (only the
/// records produced since are read); with one, at the greater of the checkpoint's offset and the group's, so a crash
/// between the checkpoint and the Kafka commit reads nothing twice, and progress another process of the group made
/// meanwhile is not read again.
/// </summary>
[Collection(KafkaSourceCollection.Name)]
public sealed class KafkaSourceResumeTests(KafkaSourceFixture kafka)
{
    [Fact]
    public async Task WithoutACheckpoint_ARestartedJobResumesFromTheGroupsCommittedOffsets_ReadingOnlyTheNewRecords()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("resume");
        string group = KafkaSourceTest.Unique("g");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 4);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 200);
        string uri = KafkaSourceTest.SourceUri(kafka.Server, topic, group);

        await RunUntilAsync(uri, temp.Combine("first"), checkpoint: null, records: 200);
        Assert.Equal(KafkaSourceTest.EndOffsets(kafka.Server, topic, 4), KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 4));

        // Stopped; 150 more come; the next start reads those and only those.
        KafkaSourceTest.Produce(kafka.Server, topic, 200, 350);
        await RunUntilAsync(uri, temp.Combine("second"), checkpoint: null, records: 150);

        Assert.Equal(KafkaSourceTest.EachOnce(0, 200), KafkaSourceTest.Written(temp.Combine("first")));
        Assert.Equal(KafkaSourceTest.EachOnce(200, 350), KafkaSourceTest.Written(temp.Combine("second")));
        Assert.Equal(KafkaSourceTest.EndOffsets(kafka.Server, topic, 4), KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 4));
    }

    [Fact]
    public async Task WithACheckpoint_EachPartitionStartsAtTheGreaterOfTheCheckpointsOffsetAndTheGroups()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("checkpointed");
        string group = KafkaSourceTest.Unique("g");
        string checkpoint = temp.Combine("checkpoint");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 2);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 100);
        string uri = KafkaSourceTest.SourceUri(kafka.Server, topic, group);

        // The first run checkpoints its offsets, then commits them to the group.
        await RunUntilAsync(uri, temp.Combine("first"), checkpoint, records: 100);
        Dictionary<int, long> checkpointed = KafkaSourceTest.EndOffsets(kafka.Server, topic, 2);
        Assert.Equal(checkpointed, KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 2));

        // As if the process had died after its checkpoint and before its Kafka commit: the group is behind the checkpoint.
        KafkaSourceTest.Commit(kafka.Server, topic, group, new() { [0] = 0, [1] = 0 });
        KafkaSourceTest.Produce(kafka.Server, topic, 100, 130);
        await RunUntilAsync(uri, temp.Combine("second"), checkpoint, records: 30);

        // Another process of the group counted 20 more and committed them while this one was down: the group is ahead.
        KafkaSourceTest.Produce(kafka.Server, topic, 130, 150);
        KafkaSourceTest.Commit(kafka.Server, topic, group, KafkaSourceTest.EndOffsets(kafka.Server, topic, 2));
        KafkaSourceTest.Produce(kafka.Server, topic, 150, 160);
        await RunUntilAsync(uri, temp.Combine("third"), checkpoint, records: 10);

        Assert.Equal(KafkaSourceTest.EachOnce(0, 100), KafkaSourceTest.Written(temp.Combine("first")));
        Assert.Equal(KafkaSourceTest.EachOnce(100, 130), KafkaSourceTest.Written(temp.Combine("second")));
        Assert.Equal(KafkaSourceTest.EachOnce(150, 160), KafkaSourceTest.Written(temp.Combine("third")));
        Assert.Equal(KafkaSourceTest.EndOffsets(kafka.Server, topic, 2), KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 2));
    }

    // Runs the records pipeline until its source has taken `records` records, then stops it (its last batch commits),
    // and checks it took no more.
    private static async Task RunUntilAsync(string uri, string output, string? checkpoint, int records)
    {
        using var stop = new CancellationTokenSource();
        await using PipelineRun run = KafkaSourceTest.Run(uri, output, checkpoint);
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records >= records, $"{records} records");
        await KafkaSourceTest.WaitUntil(() => run.BatchesCompleted >= 1 && source.OffsetCommits > 0, "a batch and a commit of offsets");
        await KafkaSourceTest.StopAsync(run, running, stop);
        Assert.Equal(records, source.Counters.Records);
    }
}
