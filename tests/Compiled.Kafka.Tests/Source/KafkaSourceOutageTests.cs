using Compiled.Hosting;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// The broker a topic is read from is down when the job starts, or is killed in the middle of a run and started again
/// seconds later: the client keeps reconnecting, the source logs the outage and the brokers' return, the run keeps
/// going, and every record is written once. Each test has a broker of its own, since it kills it.
/// </summary>
[Collection(KafkaSourceCollection.Name)]
public sealed class KafkaSourceOutageTests
{
    [Fact]
    public async Task BrokerDownAtStart_TheRunWaitsForIt_LoggingTheOutage_ThenReadsEveryRecordOnce()
    {
        await using KafkaServer kafka = await KafkaServer.StartAsync();
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("down");
        string group = KafkaSourceTest.Unique("g");
        await KafkaSourceTest.CreateTopicAsync(kafka, topic, partitions: 2);
        KafkaSourceTest.Produce(kafka, topic, 0, 100);
        kafka.KillBroker();

        var logged = new KafkaLogCapture();
        using var stop = new CancellationTokenSource();
        await using PipelineRun run = KafkaSourceTest.Run(KafkaSourceTest.SourceUri(kafka, topic, group, "start=earliest&retryFor=2m"), temp.Combine("out"), log: logged);
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);
        await KafkaSourceTest.WaitUntil(() => logged.Messages.Any(m => m.Contains("Kafka source", StringComparison.Ordinal) && m.Contains("have not answered", StringComparison.Ordinal)),
            "the source to log that the brokers do not answer");
        Assert.Equal(PipelineRunState.Running, run.State);
        Assert.Equal(0, source.Counters.Records);

        await kafka.StartBrokerAgainAsync();
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records == 100, "the 100 records once the broker is up", 120);
        KafkaSourceTest.Produce(kafka, topic, 100, 150);
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records == 150, "50 more records", 120);
        await KafkaSourceTest.StopAsync(run, running, stop);

        Assert.Equal(KafkaSourceTest.EachOnce(0, 150), KafkaSourceTest.Written(temp.Combine("out")));
        Assert.Contains(logged.Messages, m => m.Contains("Kafka source", StringComparison.Ordinal) && m.Contains("answer again", StringComparison.Ordinal));
        Assert.Equal(KafkaSourceTest.EndOffsets(kafka, topic, 2), KafkaSourceTest.CommittedOffsets(kafka, topic, group, 2));
    }

    [Fact]
    public async Task BrokerKilledMidStream_AndStartedAgain_TheRunGoesOn_EveryRecordWrittenOnce()
    {
        await using KafkaServer kafka = await KafkaServer.StartAsync();
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("killed");
        string group = KafkaSourceTest.Unique("g");
        await KafkaSourceTest.CreateTopicAsync(kafka, topic, partitions: 2);
        KafkaSourceTest.Produce(kafka, topic, 0, 100);

        var logged = new KafkaLogCapture();
        using var stop = new CancellationTokenSource();
        await using PipelineRun run = KafkaSourceTest.Run(KafkaSourceTest.SourceUri(kafka, topic, group, "start=earliest&retryFor=2m"), temp.Combine("out"), log: logged);
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        KafkaSource source = Assert.IsType<KafkaSource>(run.Sources[0]);
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records == 100, "the first 100 records");
        await KafkaSourceTest.WaitUntil(() => source.OffsetCommits > 0, "a commit of offsets");

        // The broker dies while the source waits for more; seconds later it is back, and more records come.
        kafka.KillBroker();
        await KafkaSourceTest.WaitUntil(() => logged.Messages.Any(m => m.Contains("Kafka source", StringComparison.Ordinal) && m.Contains("keeps trying", StringComparison.Ordinal)),
            "the source to log the lost broker");
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.Equal(PipelineRunState.Running, run.State);
        await kafka.StartBrokerAgainAsync();
        KafkaSourceTest.Produce(kafka, topic, 100, 200);
        await KafkaSourceTest.WaitUntil(() => source.Counters.Records >= 200, "100 more records after the restart", 120);
        await KafkaSourceTest.StopAsync(run, running, stop);

        Assert.Equal(KafkaSourceTest.EachOnce(0, 200), KafkaSourceTest.Written(temp.Combine("out")));
        Assert.Equal(200, source.Counters.Records);
        Assert.Equal(KafkaSourceTest.EndOffsets(kafka, topic, 2), KafkaSourceTest.CommittedOffsets(kafka, topic, group, 2));
    }

    [Fact]
    public async Task BrokersUnreachableLongerThanRetryFor_TheRunFails_SayingWhatToDo()
    {
        await using KafkaServer kafka = await KafkaServer.StartAsync();
        using var temp = new KafkaScratch();
        string topic = KafkaSourceTest.Unique("gone");
        await KafkaSourceTest.CreateTopicAsync(kafka, topic, partitions: 1);
        kafka.KillBroker();

        await using PipelineRun run = KafkaSourceTest.Run(KafkaSourceTest.SourceUri(kafka, topic, KafkaSourceTest.Unique("g"), "retryFor=3s"), temp.Combine("out"));
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => run.RunAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken));

        string message = error.ToString();
        Assert.Contains("could not reach the brokers", message, StringComparison.Ordinal);
        Assert.Contains("longer retryFor", message, StringComparison.Ordinal);
        Assert.Equal(PipelineRunState.Failed, run.State);
    }
}
