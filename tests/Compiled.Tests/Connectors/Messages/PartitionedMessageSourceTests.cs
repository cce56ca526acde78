namespace Compiled.Tests.Connectors.Messages;

/// <summary>
/// A message source of partitions of its own (<see cref="PartitionedMemorySource"/>, as a Kafka topic is) on a run of
/// several partitions: its partitions are spread over the run's, each run's partition reads its share on its own thread
/// into its own tables, the partials merge at the boundary, and the run ends when every share has ended. The output is
/// one partition's; a source of fewer partitions than asked for is read on as many, and says so.
/// </summary>
public class PartitionedMessageSourceTests
{
    [Fact]
    public async Task WordCount_OverFourSourcePartitions_OnTwoPartitions_CountsWhatOnePartitionCounts_EachReadingItsShare()
    {
        MemoryMessageLog log = MemoryMessageLog.Create();
        for (int i = 0; i < 1000; i++)
        {
            log.Append($"w{i % 7} v{i % 13} {(i % 2 == 0 ? "even" : "odd")}");
        }

        (string[] one, _, _) = await CountAsync(log, sourcePartitions: 4, parallelism: 1);
        (string[] two, PartitionedMemorySource source, string logged) = await CountAsync(log, sourcePartitions: 4, parallelism: 2);

        Assert.Equal(one, two);
        Assert.Contains("(even,500)", two);
        Assert.Contains("runs on 2 partitions: the partitions of memparts:", logged, StringComparison.Ordinal);
        Assert.Equal(1000, source.Counters.Records);

        // Source partition k (message i in partition i mod 4) was read by the run's partition k mod 2.
        IReadOnlyDictionary<int, int> takenBy = source.TakenBy;
        Assert.Equal(1000, takenBy.Count);
        Assert.All(takenBy, taken => Assert.Equal(taken.Key % 4 % 2, taken.Value));
    }

    [Fact]
    public async Task ASourceOfThreePartitions_AskedForFour_RunsOnThree_AndSaysWhy()
    {
        MemoryMessageLog log = MemoryMessageLog.Create();
        for (int i = 0; i < 300; i++)
        {
            log.Append(i % 3 == 0 ? "apple pear" : "apple");
        }

        (string[] counts, PartitionedMemorySource source, string logged) = await CountAsync(log, sourcePartitions: 3, parallelism: 4);

        Assert.Equal(["(apple,300)", "(pear,100)"], counts);
        Assert.Contains("runs on 3 partitions rather than the 4 asked for: source memparts:", logged, StringComparison.Ordinal);
        Assert.Equal([0, 1, 2], source.TakenBy.Values.Distinct().Order());
    }

    // Runs the word count over the log read as a source of `sourcePartitions` partitions, on `parallelism` partitions, as
    // one batch, and returns its sorted output, the source, and the log.
    private static Task<(string[] Counts, PartitionedMemorySource Source, string Log)> CountAsync(MemoryMessageLog log, int sourcePartitions, int parallelism) =>
        MessageWordCount.RunAsync<PartitionedMemorySource>($"memparts:{log.Name}?partitions={sourcePartitions}", parallelism, logDebug: true);

    [Fact]
    public void ASourceThatClaimsPartitionsButOpensNone_SaysWhatToOverride()
    {
        var source = new ClaimsPartitions(Compiled.Connectors.ConnectorUri.Parse("memq:claims", "source"), new Compiled.Connectors.SourceContext());

        NotSupportedException refused = Assert.Throws<NotSupportedException>(() => source.OpenForPartitions(2));

        Assert.Contains("memq:claims", refused.Message, StringComparison.Ordinal);
        Assert.Contains("overrides OpenForPartitions", refused.Message, StringComparison.Ordinal);
        Assert.Contains("leave HasPartitionsOfItsOwn false", refused.Message, StringComparison.Ordinal);
    }

    // A source that says it has partitions of its own and leaves OpenForPartitions as the base class has it.
    private sealed class ClaimsPartitions(Compiled.Connectors.ConnectorUri uri, Compiled.Connectors.SourceContext context)
        : Compiled.Connectors.Messages.MessageSource(uri, context)
    {
        public override bool HasPartitionsOfItsOwn => true;

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(false);

        public override bool TryRead(Compiled.Connectors.Messages.MessageBatch batch) => false;
    }
}
