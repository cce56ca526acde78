using Compiled.Kafka.Sink;

namespace Compiled.Kafka.Tests.Sink;

/// <summary>
/// The sink's delivery handler reads only a report's error, so it has Confluent.Kafka put no record field in its
/// delivery reports (<c>dotnet.producer.delivery.report.fields=none</c>: no timestamp, headers or status copied per
/// record, no key or value kept for the report) unless the URI says otherwise; the transactional sink's marker
/// consumer is not given that producer property, which a consumer refuses.
/// </summary>
public sealed class KafkaSinkDeliveryReportConfigTests
{
    private const string Fields = "dotnet.producer.delivery.report.fields";

    [Fact]
    public void ProducerConfig_NoFieldsGiven_DeliveryReportsCarryNone()
    {
        KafkaSink sink = KafkaSinkTest.CreateSink("kafka://b1/orders");

        Assert.Equal("none", sink.Options.ProducerConfig().Get(Fields));
    }

    [Fact]
    public void ProducerConfig_FieldsGivenInTheUri_KeepsThem()
    {
        KafkaSink sink = KafkaSinkTest.CreateSink($"kafka://b1/orders?{Fields}=status");

        Assert.Equal("status", sink.Options.ProducerConfig().Get(Fields));
    }

    [Fact]
    public void MarkerConsumerConfig_FieldsGivenInTheUri_LeftOut()
    {
        KafkaSink sink = KafkaSinkTest.CreateSink($"kafka://b1/orders?transactional.id=orders-job&{Fields}=status");

        Assert.Null(sink.Options.MarkerConsumerConfig().Get(Fields));
    }
}
