using Compiled.Connectors;
using Compiled.Tests.Connectors;

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

    [Fact]
    public void AfterTheBatchEndIsMarked_ASourcesLettersAreWrittenWithTheNextBatch_AndTheBoundarysWithTheBatchCompleting()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("dead-letters.jsonl");
        using var ledger = new BadRecordLedger(new DeadLetterWriter(path));
        BadRecordSource input = ledger.ForSource("in", new SourceCounters());
        input.Refuse(BadRecordPolicy.DeadLetter, BadRecordReason.WrongFieldCount, null, "two fields, three expected", "first"u8);
        ledger.MarkBatchEnd();
        input.Refuse(BadRecordPolicy.DeadLetter, BadRecordReason.WrongFieldCount, null, "one field, three expected", "next"u8);
        ledger.Batch.Refuse(BadRecordPolicy.DeadLetter, BadRecordReason.WrongFieldCount, null, "refused at the boundary", "boundary"u8);

        ledger.FlushDeadLetters();
        Assert.Equal(["first", "boundary"], Records(path));

        // The next batch's letter is written at the next flush; a letter refused after the flush joins it.
        input.Refuse(BadRecordPolicy.DeadLetter, BadRecordReason.WrongFieldCount, null, "one field, three expected", "later"u8);
        ledger.FlushDeadLetters();
        Assert.Equal(["first", "boundary", "next", "later"], Records(path));

        // A batch that fails drops its letters and those of the next batch's records read so far.
        input.Refuse(BadRecordPolicy.DeadLetter, BadRecordReason.WrongFieldCount, null, "two fields, three expected", "failed"u8);
        ledger.MarkBatchEnd();
        input.Refuse(BadRecordPolicy.DeadLetter, BadRecordReason.WrongFieldCount, null, "two fields, three expected", "after"u8);
        ledger.DiscardDeadLetters();
        ledger.FlushDeadLetters();
        Assert.Equal(["first", "boundary", "next", "later"], Records(path));
    }

    // The records of the letters in the file, in order.
    private static List<string> Records(string path) =>
        [.. File.ReadAllLines(path).Select(static letter => System.Text.Json.JsonDocument.Parse(letter).RootElement.GetProperty("record").GetString()!)];
}
