using Compiled.Hosting;

namespace Compiled.Kafka.Tests.Source;

/// <summary>
/// Each Kafka record's value written as it is, one line per record, to a file per batch. The <c>Default</c> URI is a
/// <c>kafka://</c> one, which the generator accepts because this project references Compiled.Kafka (whose assembly
/// declares the scheme); a run is pointed at the test's broker and output with <c>--source</c> and <c>--sink</c>.
/// </summary>
[Pipeline(BatchInterval = "200ms")]
public static partial class KafkaRecordsPipeline
{
    /// <summary>The records' values.</summary>
    [Source(Default = "kafka://127.0.0.1:9092/records?group=records")]
    public static partial Lines Input();

    /// <summary>One line per record.</summary>
    [Sink(Default = "file:out/part")]
    public static partial void Output(ReadOnlySpan<byte> record);
}
