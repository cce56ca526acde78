using System.Text;

namespace Compiled.Kafka.Tests.Sink;

/// <summary>The at-least-once sink against a real Kafka 0.9 broker: every record arrives, with its key and value, read back by Confluent.Kafka's consumer.</summary>
[Collection(KafkaSinkBrokerCollection.Name)]
public sealed class KafkaSinkWriteTests(KafkaBrokerFixture kafka)
{
    [Fact]
    public async Task KeyValueRecords_ThreeBatches_TopicHoldsEveryKeyWithItsValue()
    {
        string topic = KafkaSinkTest.UniqueTopic("counts");
        await kafka.CreateTopicAsync(topic, partitions: 4);
        (string Word, long Count)[] records = KafkaSinkTest.KnownCounts(3000);
        await using (var sink = KafkaSinkTest.CreateSink(kafka.SinkUri(topic, "linger.ms=5")))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            for (int batch = 0; batch < 3; batch++)
            {
                await KafkaSinkTest.WriteBatchAsync(sink, 1000 * (batch + 1), records.Skip(batch * 1000).Take(1000));
            }
        }

        IReadOnlyList<(string? Key, string Value)> read = kafka.ReadAll(topic, records.Length);

        Assert.Equal(KafkaSinkTest.AsText(records), KafkaSinkTest.Sorted(read));
    }

    [Fact]
    public async Task TextRecords_PairsAndPlainLines_PairsKeyedPlainLinesWithoutKey()
    {
        string topic = KafkaSinkTest.UniqueTopic("text");
        await kafka.CreateTopicAsync(topic, partitions: 1);
        string[] written = ["(alpha,1)", "(b,(x,y))", "just a line", "(not a pair", "{\"json\":true}", "(k,)"];
        await using (var sink = KafkaSinkTest.CreateSink(kafka.SinkUri(topic)))
        {
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            sink.BeginBatch(1000);
            foreach (string record in written)
            {
                sink.Write(Encoding.UTF8.GetBytes(record));
            }

            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
        }

        IReadOnlyList<(string? Key, string Value)> read = kafka.ReadAll(topic, written.Length);

        // One partition: the order written is the order read.
        Assert.Equal<(string?, string)>(
            [("alpha", "1"), ("b", "(x,y)"), (null, "just a line"), (null, "(not a pair"), (null, "{\"json\":true}"), ("k", "")],
            read);
    }

    [Fact]
    public async Task FormattedRecords_CsvRowsAndJsonObjects_AreWholeValuesWithoutKey()
    {
        // A CSV row that looks like a pair is still one record: with ?format= set, nothing is split into key and value.
        string topic = KafkaSinkTest.UniqueTopic("formatted");
        await kafka.CreateTopicAsync(topic, partitions: 1);
        string[] written = ["(a,b)", "word,3", "\"q,\"\"x\"\"\",7"];
        await using (var sink = KafkaSinkTest.CreateSink(kafka.SinkUri(topic, "format=csv")))
        {
            Assert.Equal(Compiled.Sinks.SinkFormat.Csv, sink.Format);
            await sink.OpenAsync(TestContext.Current.CancellationToken);
            sink.BeginBatch(1000);
            foreach (string record in written)
            {
                sink.Write(Encoding.UTF8.GetBytes(record));
            }

            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
        }

        IReadOnlyList<(string? Key, string Value)> read = kafka.ReadAll(topic, written.Length);

        Assert.Equal<(string?, string)>([(null, "(a,b)"), (null, "word,3"), (null, "\"q,\"\"x\"\"\",7")], read);
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task FormattedRecords_KeyedRecordsOfACompiledPipeline_KeepTheirKeyAsMessageKey(string format)
    {
        // The compiled word count's KeyValue<long> totals, sent as CSV rows or JSON objects: each message's key is the word.
        string[] lines = [.. Enumerable.Range(0, 300).Select(i => $"w{i % 17} common w{i % 5}")];
        Dictionary<string, string> expected = lines
            .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .GroupBy(word => word, StringComparer.Ordinal)
            .ToDictionary(
                group => group.Key,
                group => format == "csv" ? $"{group.Key},{group.Count()}" : $"{{\"key\":\"{group.Key}\",\"value\":{group.Count()}}}",
                StringComparer.Ordinal);

        Assert.Equal(expected, await LastMessageOfEachKeyAsync(KafkaSinkWordCount.Definition, lines, format, expected.Count));
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task FormattedRecords_StringKeyedPairsOfACompiledPipeline_KeepTheirKeyAsMessageKey(string format)
    {
        // A (string Symbol, long Quantity) total per symbol, sent as CSV rows or JSON objects: each message's key is the symbol.
        string[] symbols = ["AAPL", "MSFT", "日本", "BRK.B"];
        string[] lines = [.. Enumerable.Range(0, 200).Select(i => $"{symbols[i % 4]},{i}")];
        Dictionary<string, string> expected = Enumerable.Range(0, 200)
            .GroupBy(i => symbols[i % 4])
            .ToDictionary(
                group => group.Key,
                group => format == "csv" ? $"{group.Key},{group.Sum()}" : $"{{\"Symbol\":\"{group.Key}\",\"Quantity\":{group.Sum()}}}",
                StringComparer.Ordinal);

        Assert.Equal(expected, await LastMessageOfEachKeyAsync(KafkaSinkSymbolTotals.Definition, lines, format, expected.Count));
    }

    // Runs a compiled pipeline over the lines into a new one-partition topic through --sink kafka://...?format=...; the
    // messages of a key then come in batch order, and the last one of each (by message key) is returned.
    private async Task<Dictionary<string, string>> LastMessageOfEachKeyAsync(Compiled.Hosting.PipelineDefinition pipeline, string[] lines, string format, int keys)
    {
        using var directory = new TempDirectory("compiled-kafka-sink-keyed");
        string input = directory.File("input.txt");
        await File.WriteAllLinesAsync(input, lines, TestContext.Current.CancellationToken);
        string topic = KafkaSinkTest.UniqueTopic("keyed-" + format);
        await kafka.CreateTopicAsync(topic, partitions: 1);
        var errors = new StringWriter();
        int exit = await Compiled.Hosting.PipelineProgram.RunAsync(
            pipeline,
            ["--source", "file://" + input, "--sink", kafka.SinkUri(topic, "format=" + format), "--log-level", "warning"],
            errors,
            configure: null);

        Assert.True(exit == 0, $"The job exited {exit}: {errors}");
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string? key, string value) in kafka.ReadAll(topic, keys))
        {
            last[Assert.IsType<string>(key)] = value;
        }

        return last;
    }

    [Fact]
    public async Task Commit_RecordLargerThanTheBrokerTakes_FailsTheBatchSayingWhatToDo()
    {
        // The client would take 20 MB; the broker takes 1 MB (its default), and refuses the record.
        string topic = KafkaSinkTest.UniqueTopic("large");
        await kafka.CreateTopicAsync(topic, partitions: 1);
        await using var sink = KafkaSinkTest.CreateSink(kafka.SinkUri(topic, "message.max.bytes=20000000"));
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        sink.BeginBatch(1000);
        sink.Write(new byte[2_000_000]);

        var error = await Assert.ThrowsAsync<IOException>(async () => await sink.CommitBatchAsync(TestContext.Current.CancellationToken));

        Assert.Contains("could not deliver 1 record(s) of batch 1000 ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("message.max.bytes", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>A transactional sink against the real Kafka 0.9 broker, which has no transactions: the run fails at the start, saying so.</summary>
[Collection(KafkaSinkBrokerCollection.Name)]
public sealed class KafkaTransactionalSinkOnOldBrokerTests(KafkaBrokerFixture kafka)
{
    [Fact]
    public async Task Open_BrokerWithoutTransactions_FailsSayingToLeaveTransactionalIdOut()
    {
        await using var sink = KafkaSinkTest.CreateSink(kafka.SinkUri(KafkaSinkTest.UniqueTopic("old"), "transactional.id=job&retryFor=10s"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await sink.OpenAsync(TestContext.Current.CancellationToken));

        Assert.Contains("The brokers do not support transactions", error.Message, StringComparison.Ordinal);
        Assert.Contains("leave transactional.id out", error.Message, StringComparison.Ordinal);
    }
}
