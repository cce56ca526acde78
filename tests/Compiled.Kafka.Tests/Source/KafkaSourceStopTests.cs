using System.Diagnostics;
using Compiled.Hosting;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// What a job commits to its group when it stops: a run resumed from a checkpoint that is ahead of its group (the run
/// before died between its checkpoint and its Kafka commit) and is stopped before the group gave it its partitions
/// (the group waits for a killed process's session to expire) still commits the checkpoint's offsets before it leaves.
/// </summary>
[Collection(KafkaSourceCollection.Name)]
public sealed class KafkaSourceStopTests(KafkaSourceFixture kafka)
{
    [Fact]
    public async Task ResumedRunStoppedBeforeItsAssignment_CommitsTheCheckpointsOffsetsToTheGroup()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("stop");
        string other = KafkaSourceTest.Unique("other");
        string group = KafkaSourceTest.Unique("g");
        string checkpoint = temp.Combine("checkpoint");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 2);
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, other, partitions: 1);
        KafkaSourceTest.Produce(kafka.Server, topic, 0, 100);
        string uri = KafkaSourceTest.SourceUri(kafka.Server, topic, group);

        // The first run checkpoints all 100 records; then the group is put back to 0, as if it had died before its commit.
        using (var stop = new CancellationTokenSource())
        {
            await using PipelineRun first = KafkaSourceTest.Run(uri, temp.Combine("first"), checkpoint);
            Task running = first.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            KafkaSource source = Assert.IsType<KafkaSource>(first.Sources[0]);
            await KafkaSourceTest.WaitUntil(() => source.Counters.Records >= 100 && source.OffsetCommits > 0, "100 records and a commit of offsets");
            await KafkaSourceTest.StopAsync(first, running, stop);
        }

        KafkaSourceTest.Commit(kafka.Server, topic, group, new() { [0] = 0, [1] = 0 });

        // A process of the same group (reading another topic) is killed while it is a member: until its session expires,
        // the group gives no one partitions.
        string memberLog = temp.Combine("member.log");
        using (Process member = KafkaGroupMember.Start(KafkaSourceTest.SourceUri(kafka.Server, other, group), temp.Combine("member"), temp.Combine("member.stop"), memberLog))
        {
            try
            {
                await KafkaSourceTest.WaitUntil(() => File.Exists(memberLog) && ReadShared(memberLog).Contains("gave this process", StringComparison.Ordinal), "the member to be given its partition", 120);
            }
            finally
            {
                member.Kill();
                await member.WaitForExitAsync(TestContext.Current.CancellationToken);
            }
        }

        // The second run resumes from the checkpoint, has nothing to read, and is stopped as soon as it has subscribed.
        var log = new KafkaLogCapture();
        using (var stop = new CancellationTokenSource())
        {
            await using PipelineRun second = KafkaSourceTest.Run(uri, temp.Combine("second"), checkpoint, log);
            Task running = second.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            KafkaSource source = Assert.IsType<KafkaSource>(second.Sources[0]);
            await KafkaSourceTest.WaitUntil(() => log.Messages.Any(m => m.Contains("subscribed to", StringComparison.Ordinal)), "the second run to subscribe");
            Assert.Empty(source.Assignment);
            await KafkaSourceTest.StopAsync(second, running, stop);
            Assert.Equal(0, source.Counters.Records);
        }

        Assert.Equal(KafkaSourceTest.EachOnce(0, 100), KafkaSourceTest.Written(temp.Combine("first")));
        Assert.Equal(KafkaSourceTest.EndOffsets(kafka.Server, topic, 2), KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 2));
        Assert.Contains(log.Messages, m => m.Contains("stopping before group", StringComparison.Ordinal));
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
