using Compiled.Hosting;

namespace Compiled.Batching;

/// <summary>
/// What one committed batch did, like a row of Spark's streaming statistics: which batch it was, the records and
/// bytes that came in during it, how long the boundary took, and why the batch ended.
/// </summary>
/// <param name="Number">The batch's number: its time ÷ the batch interval (<see cref="BatchInfo.Index"/>).</param>
/// <param name="Time">The batch time: the end of its interval, in Unix milliseconds.</param>
/// <param name="End">Why the batch ended: the run goes on, its input ended, or it was stopped.</param>
/// <param name="RecordsIn">The records each source delivered during the batch, in declaration order.</param>
/// <param name="Bytes">The bytes all sources delivered during the batch.</param>
/// <param name="OversizeSkipped">Records longer than their source's limit that were dropped during the batch.</param>
/// <param name="Malformed">Lines that did not parse as their source's records and were skipped during the batch.</param>
/// <param name="LateRecords">Records behind an event-time stage's watermark during the batch.</param>
/// <param name="ProcessingDuration">How long the job took at the boundary to emit what the batch aggregated (<see cref="PipelineJob.CompleteBatch"/>).</param>
/// <param name="CommitDuration">How long the sinks that received the batch took to commit it.</param>
/// <param name="UnreadableSkipped">Files that a source watching a pattern or a directory could not read for want of permission, and skipped, during the batch.</param>
public sealed record BatchProgress(
    long Number,
    long Time,
    BatchEnd End,
    IReadOnlyList<long> RecordsIn,
    long Bytes,
    long OversizeSkipped,
    long Malformed,
    long LateRecords,
    TimeSpan ProcessingDuration,
    TimeSpan CommitDuration,
    long UnreadableSkipped = 0)
{
    /// <summary>Records cut short by the end of their connection during the batch, kept or dropped as their source says (<c>onPartial</c>).</summary>
    public long PartialRecords { get; init; }

    /// <summary>
    /// The records refused during the batch, per source, stage or field, and reason: a source's parser's refusals (their
    /// total is <see cref="Malformed"/>) and the records a guarded stage threw on. Empty when there were none.
    /// </summary>
    public IReadOnlyList<BadRecordCount> BadRecords { get; init; } = [];

    /// <summary>
    /// How many of <see cref="BadRecords"/> asked for a dead letter (their policy is <see cref="BadRecordPolicy.DeadLetter"/>),
    /// whether or not the run has a dead-letter sink to take them; the rest were skipped by their policy.
    /// </summary>
    public long DeadLetterRequests { get; init; }

    /// <summary>The records all sources delivered during the batch.</summary>
    public long Records
    {
        get
        {
            long total = 0;
            foreach (long records in RecordsIn)
            {
                total += records;
            }

            return total;
        }
    }
}
