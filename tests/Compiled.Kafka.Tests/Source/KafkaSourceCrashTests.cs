using System.Diagnostics;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// A job process with <c>--checkpoint</c> (<see cref="KafkaGroupMember"/>, a child process of the test) reading a topic
/// while records keep coming is killed with SIGKILL several times, at whatever point of its batch it is, and started
/// again: it resumes each partition at the greater of its checkpoint's offset and its group's, and the file sink's
/// two-phase commit keeps only checkpointed batches, so in the end every record is written exactly once.
/// </summary>
[Collection(KafkaSourceCollection.Name)]
public sealed class KafkaSourceCrashTests(KafkaSourceFixture kafka)
{
    private const int Total = 3000;

    [Fact]
    public async Task JobWithACheckpoint_KilledThreeTimesMidStream_WritesEveryRecordExactlyOnce()
    {
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("crash");
        string group = KafkaSourceTest.Unique("g");
        await KafkaSourceTest.CreateTopicAsync(kafka.Server, topic, partitions: 3);
        string uri = KafkaSourceTest.SourceUri(kafka.Server, topic, group);
        string output = temp.Combine("out");
        string checkpoint = temp.Combine("checkpoint");
        string log = temp.Combine("job.log");
        string stopFile = temp.Combine("job.stop");

        Task producing = Task.Run(async () =>
        {
            for (int from = 0; from < Total; from += 50)
            {
                KafkaSourceTest.Produce(kafka.Server, topic, from, from + 50);
                await Task.Delay(40, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);

        Process? job = null;
        try
        {
            for (int kill = 1; kill <= 3; kill++)
            {
                int before = KafkaSourceTest.Written(output).Count;
                job = KafkaGroupMember.Start(uri, output, stopFile, log, checkpoint);
                await KafkaSourceTest.WaitUntil(() => KafkaSourceTest.Written(output).Count > before, $"run {kill} to write a batch", 120);
                job.Kill();
                await job.WaitForExitAsync(TestContext.Current.CancellationToken);
                Assert.Equal(137, job.ExitCode);
                job.Dispose();
                job = null;
            }

            // The last run reads to the end and stops as Ctrl+C would.
            await producing.WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
            job = KafkaGroupMember.Start(uri, output, stopFile, log, checkpoint);
            await KafkaSourceTest.WaitUntil(() => KafkaSourceTest.Written(output).Count == Total, "every record to be written", 120);
            await File.WriteAllTextAsync(stopFile, "stop", TestContext.Current.CancellationToken);
            await job.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
            Assert.True(job.ExitCode == 0, $"The last run exited with {job.ExitCode}:\n{File.ReadAllText(log)}");
        }
        finally
        {
            if (job is { HasExited: false })
            {
                job.Kill();
                job.WaitForExit();
            }

            job?.Dispose();
        }

        Assert.Equal(KafkaSourceTest.EachOnce(0, Total), KafkaSourceTest.Written(output));
        Assert.Equal(KafkaSourceTest.EndOffsets(kafka.Server, topic, 3), KafkaSourceTest.CommittedOffsets(kafka.Server, topic, group, 3));
    }
}
