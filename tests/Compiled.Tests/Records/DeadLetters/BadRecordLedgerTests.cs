using Compiled.Connectors;

namespace Compiled.Tests.Records.DeadLetters;

/// <summary>A batch's bad-record counts when its end is marked before they are taken, as while a run's partitions read the next batch's input.</summary>
public class BadRecordLedgerTests
{
    [Fact]
    public void AfterTheBatchEndIsMarked_ASourcesRefusalsCountInTheNextBatch_AndTheBoundarysInTheBatchCompleting()
    {
        var ledger = new BadRecordLedger();
        BadRecordSource input = ledger.ForSource("in", new SourceCounters());
        input.Refuse(BadRecordPolicy.Skip, BadRecordReason.WrongFieldCount, null, "two fields, three expected", "a,b"u8);
        ledger.MarkBatchEnd();

        // Read on while the batch completes: the next batch's. A stage at the boundary, run by the completion: this batch's.
        input.Refuse(BadRecordPolicy.Skip, BadRecordReason.WrongFieldCount, null, "one field, three expected", "a"u8);
        ledger.Batch.Refuse(BadRecordPolicy.Skip, BadRecordReason.WrongFieldCount, null, "refused at the boundary", "b"u8);

        IReadOnlyList<BadRecordCount> first = ledger.TakeBatchCounts(out long firstLetters);
        IReadOnlyList<BadRecordCount> second = ledger.TakeBatchCounts(out long secondLetters);

        Assert.Equal([("in", 1L), (BadRecordLedger.BatchSource, 1L)], first.Select(static c => (c.Source, c.Count)));
        Assert.Equal([("in", 1L)], second.Select(static c => (c.Source, c.Count)));
        Assert.Equal(0, firstLetters + secondLetters);
        Assert.Equal(3, ledger.Totals.Sum(static c => c.Count));
    }
}
