using Compiled.Connectors;
using Confluent.Kafka;

namespace Compiled.Kafka.Tests.Source;

/// <summary>What a <c>kafka://</c> source URI says, and what it may not: checked when the source is created, before any broker is asked.</summary>
[Collection(KafkaSourceCollection.Name)]
public sealed class KafkaSourceUriTests
{
    [Fact]
    public async Task FullUri_NamesBrokersTopicsGroupStartAndPassesClientPropertiesThrough()
    {
        await using KafkaSource source = KafkaSourceTest.CreateSource(
            "kafka://b1:9093,b2/orders,refunds?group=billing&start=earliest&prefetch=100&retryFor=30s&api.version.request=false&session.timeout.ms=10000");
        KafkaSourceOptions options = source.Options;

        Assert.Equal("b1:9093,b2:9092", options.BootstrapServers);
        Assert.Equal(["orders", "refunds"], options.Topics);
        Assert.Equal("billing", options.Group);
        Assert.Equal(KafkaSourceStart.Earliest, options.Start);
        Assert.Equal(100, options.Prefetch);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RetryFor);

        ConsumerConfig config = options.CreateConsumerConfig();
        Assert.Equal("false", config.Get("api.version.request"));
        Assert.Equal(10000, config.SessionTimeoutMs);
        Assert.Equal("billing", config.GroupId);
        Assert.False(config.EnableAutoCommit);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
    }

    [Fact]
    public async Task Defaults_StartAtTheEnd_Prefetch4096_RetryForFiveMinutes()
    {
        await using KafkaSource source = KafkaSourceTest.CreateSource("kafka://127.0.0.1/events?group=g");
        Assert.Equal(KafkaSourceStart.Latest, source.Options.Start);
        Assert.Equal(4096, source.Options.Prefetch);
        Assert.Equal(TimeSpan.FromMinutes(5), source.Options.RetryFor);
        Assert.Equal(AutoOffsetReset.Latest, source.Options.CreateConsumerConfig().AutoOffsetReset);
        Assert.True(source.Replay.IsReplayable);
    }

    [Theory]
    [InlineData("kafka://127.0.0.1:9092/events", "?group=NAME")]
    [InlineData("kafka://127.0.0.1:9092?group=g", "names no topic")]
    [InlineData("kafka:///events?group=g", "names no broker")]
    [InlineData("kafka://127.0.0.1/bad topic?group=g", "which Kafka does not allow")]
    [InlineData("kafka://127.0.0.1/events?group=g&start=middle", "earliest")]
    [InlineData("kafka://127.0.0.1/events?group=g&enable.auto.commit=true", "sets itself")]
    [InlineData("kafka://127.0.0.1/events?group=g&group.id=other", "sets itself")]
    [InlineData("kafka://127.0.0.1/events?group=g&dotnet.consumer.consume.result.fields=all", "sets itself")]
    [InlineData("kafka://127.0.0.1/events?group=g&partition=3", "unknown option 'partition'")]
    public void InvalidUri_IsRefused_SayingWhatToWrite(string uri, string expected)
    {
        var e = Assert.Throws<ConnectorUriException>(() => KafkaSourceTest.CreateSource(uri));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARefusedUri_NeverShowsThePassword()
    {
        var e = Assert.Throws<ConnectorUriException>(() =>
            KafkaSourceTest.CreateSource("kafka://127.0.0.1/events?sasl.username=job&sasl.password=hunter2"));
        Assert.Contains("?group=NAME", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APositionFromAnotherKindOfSource_IsRefused_SayingToStartFromANewCheckpoint()
    {
        await using KafkaSource source = KafkaSourceTest.CreateSource("kafka://127.0.0.1/events?group=g");
        var e = Assert.Throws<InvalidDataException>(() => source.ResumeFrom(new Checkpoints.SourcePosition("1700000000000-0"u8, "redis entry")));
        Assert.Contains("new checkpoint directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APosition_IsReadBackAsTheSameOffsets()
    {
        await using KafkaSource first = KafkaSourceTest.CreateSource("kafka://127.0.0.1/events?group=g");
        Checkpoints.SourcePosition empty = first.GetPosition();
        Assert.EndsWith("before any record", empty.Description, StringComparison.Ordinal);

        var written = KafkaPosition.Write("kafka://127.0.0.1/events", [(new TopicPartition("events", 1), 42L), (new TopicPartition("events", 0), 7L)]);
        Assert.Equal("kafka://127.0.0.1/events at events[0]@7, events[1]@42", written.Description);
        await using KafkaSource second = KafkaSourceTest.CreateSource("kafka://127.0.0.1/events?group=g");
        second.ResumeFrom(written);
        Assert.Equal(written, second.GetPosition());
    }
}
