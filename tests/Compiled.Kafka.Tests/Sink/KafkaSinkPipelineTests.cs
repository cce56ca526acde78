using Compiled.Hosting;

namespace Compiled.Kafka.Tests.Sink;

/// <summary>
/// Spark's stateful word count compiled, its totals written to a Kafka topic. The <c>Default</c> URI is a
/// <c>kafka://</c> one, which the generator accepts because this project references Compiled.Kafka (whose assembly
/// declares the scheme); the run is pointed at the test's broker with <c>--sink</c>.
/// </summary>
[Pipeline(BatchInterval = "200ms")]
public static partial class KafkaSinkWordCount
{
    /// <summary>Lines of a file.</summary>
    [Source(Default = "file:input.txt")]
    public static partial Lines Input();

    /// <summary>The words of a line.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>(word, 1).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>Each word's count in the batch.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>Each word's total over every batch so far.</summary>
    [MapWithState]
    public static KeyValue<long> Total(ReadOnlySpan<byte> word, long? count, State<long> total)
    {
        long sum = total.GetValueOrDefault() + (count ?? 0);
        total.Update(sum);
        return new KeyValue<long>(word, sum);
    }

    /// <summary>A message per word and batch: key the word, value its total.</summary>
    [Sink(Default = "kafka://127.0.0.1:9092/wordcount")]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}

/// <summary>Quantities per symbol, keyed by a string: <c>symbol,quantity</c> lines summed per batch.</summary>
[Pipeline]
public static partial class KafkaSinkSymbolTotals
{
    /// <summary>Trades of a file.</summary>
    [Source(Default = "file:trades.csv")]
    public static partial Lines<(string Symbol, long Quantity)> Trades();

    /// <summary>Each symbol's quantity in the batch.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>The totals.</summary>
    [Sink(Default = "console")]
    public static partial void Totals((string Symbol, long Quantity) total);
}

/// <summary>The compiled word count writing through <c>--sink kafka://...</c> to a real Kafka 0.9 broker.</summary>
[Collection(KafkaSinkBrokerCollection.Name)]
public sealed class KafkaSinkPipelineTests(KafkaBrokerFixture kafka)
{
    [Fact]
    public async Task WordCount_SinkKafkaUri_LastMessageOfEachWordHoldsItsTotal()
    {
        using var directory = new TempDirectory("compiled-kafka-sink");
        string[] lines = [.. Enumerable.Range(0, 2000).Select(i => $"w{i % 97} w{i % 13} common w{i % 389}")];
        string input = directory.File("input.txt");
        await File.WriteAllLinesAsync(input, lines, TestContext.Current.CancellationToken);
        string topic = KafkaSinkTest.UniqueTopic("wordcount");
        await kafka.CreateTopicAsync(topic, partitions: 1);
        var errors = new StringWriter();

        int exit = await PipelineProgram.RunAsync(
            KafkaSinkWordCount.Definition,
            ["--source", "file://" + input, "--sink", kafka.SinkUri(topic), "--log-level", "warning"],
            errors,
            configure: null);

        Assert.True(exit == 0, $"The job exited {exit}: {errors}");
        Dictionary<string, long> expected = lines
            .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .GroupBy(word => word, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => (long)group.Count(), StringComparer.Ordinal);
        IReadOnlyList<(string? Key, string Value)> read = kafka.ReadAll(topic, expected.Count);

        // One partition, so the messages of a word come in batch order and the last one holds its total.
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach ((string? key, string value) in read)
        {
            last[Assert.IsType<string>(key)] = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(expected, last);
    }

    [Fact]
    public async Task UnknownOption_ExitsTwo_ListingTheKafkaSinkOptions()
    {
        var errors = new StringWriter();

        int exit = await PipelineProgram.RunAsync(
            KafkaSinkWordCount.Definition,
            ["--source", "stdin:", "--sink", "kafka://127.0.0.1:1/t?ack=all"],
            errors,
            configure: null);

        Assert.Equal(2, exit);
        Assert.Contains("unknown option 'ack'", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("retryFor", errors.ToString(), StringComparison.Ordinal);
    }
}
