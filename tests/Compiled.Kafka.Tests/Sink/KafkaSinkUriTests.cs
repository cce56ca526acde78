using Compiled.Connectors;
using Compiled.Kafka.Sink;
using Compiled.Sinks;

namespace Compiled.Kafka.Tests.Sink;

/// <summary>What a <c>kafka://</c> sink URI says: brokers, one topic, <c>retryFor</c>, client properties passed through; what it refuses and why.</summary>
public sealed class KafkaSinkUriTests
{
    [Fact]
    public void Parse_BrokersTopicAndProperties_PassesThePropertiesToTheProducer()
    {
        KafkaSink sink = KafkaSinkTest.CreateSink("kafka://b1:9093,b2/orders?acks=all&linger.ms=5&compression.type=lz4&retryFor=30s");

        Assert.Equal("b1:9093,b2:9092", sink.Options.BootstrapServers);
        Assert.Equal("orders", sink.Options.Topic);
        Assert.Equal(TimeSpan.FromSeconds(30), sink.Options.RetryFor);
        Assert.False(sink.Options.Transactional);
        Assert.Equal(SinkGuarantee.AtLeastOnce, sink.Guarantee);
        var config = sink.Options.ProducerConfig();
        Assert.Equal("all", config.Get("acks"));
        Assert.Equal("5", config.Get("linger.ms"));
        Assert.Equal("lz4", config.Get("compression.type"));
        Assert.Equal("30000", config.Get("message.timeout.ms"));
    }

    [Fact]
    public void Parse_MessageTimeoutGiven_KeepsItOverRetryFor()
    {
        KafkaSink sink = KafkaSinkTest.CreateSink("kafka://b1/orders?message.timeout.ms=1234");

        Assert.Equal("1234", sink.Options.ProducerConfig().Get("message.timeout.ms"));
    }

    [Fact]
    public void Parse_TransactionalId_MakesTheSinkTransactionalWithItsMarkerGroup()
    {
        KafkaSink sink = KafkaSinkTest.CreateSink("kafka://b1/orders?transactional.id=orders-job&retryFor=2m");

        Assert.True(sink.Options.Transactional);
        Assert.Equal(SinkGuarantee.Transactional, sink.Guarantee);
        Assert.Equal("compiled-sink-orders-job", sink.Options.MarkerGroup);
        var config = sink.Options.ProducerConfig();
        Assert.Equal("orders-job", config.Get("transactional.id"));
        Assert.Equal("120000", config.Get("transaction.timeout.ms"));
        var marker = sink.Options.MarkerConsumerConfig();
        Assert.Equal("compiled-sink-orders-job", marker.GroupId);
        Assert.Null(marker.Get("transactional.id"));
    }

    [Fact]
    public void Parse_Password_IsKeptOutOfTheTextMessagesShow()
    {
        KafkaSink sink = KafkaSinkTest.CreateSink("kafka://b1/orders?sasl.username=app&sasl.password=hunter2&security.protocol=sasl_plaintext&sasl.mechanisms=PLAIN");

        Assert.DoesNotContain("hunter2", sink.Options.SafeText, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", sink.Uri.Text, StringComparison.Ordinal);
        Assert.Equal("hunter2", sink.Options.ProducerConfig().Get("sasl.password"));
    }

    [Theory]
    [InlineData("kafka:///orders", "names no broker")]
    [InlineData("kafka://b1", "names no topic")]
    [InlineData("kafka://b1/a,b", "names 2 topics (a, b); a sink writes to one")]
    [InlineData("kafka://b1/bad$name", "which Kafka does not allow")]
    [InlineData("kafka://b1/orders?transactional.id=", "'transactional.id' of sink URI")]
    [InlineData("kafka://b1/orders?retryFor=0s", "retryFor=0s")]
    [InlineData("kafka://b1/orders?acks=most", "write acks=all")]
    [InlineData("kafka://b1/orders?acks=all&tranzactional=true", "unknown option 'tranzactional'")]
    public void Parse_BadUri_SaysWhatIsWrongAndWhatToWrite(string uri, string expected)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "sink");

        var error = Assert.Throws<ConnectorUriException>(() =>
        {
            KafkaSinkFactory.Create(parsed, new SinkContext());
            parsed.ThrowIfUnknownOptions();
        });

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
