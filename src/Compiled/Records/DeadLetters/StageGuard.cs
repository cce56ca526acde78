using System.Runtime.CompilerServices;

namespace Compiled;

/// <summary>
/// The policy of one stage for an exception its method throws on one record, and where it reports one. The generated loop
/// wraps the stage's call in <c>try { ... } catch (Exception e) when (guard.Caught(source, record, e)) { ... }</c>: under
/// <see cref="BadRecordPolicy.Skip"/> and <see cref="BadRecordPolicy.DeadLetter"/> the record is counted (and written
/// to the dead-letter sink) and the loop goes on with the next one; under <see cref="BadRecordPolicy.Fail"/> the filter
/// says no, so the exception goes on up untouched, and the run's error names the stage and the record's position.
/// </summary>
/// <remarks>
/// Only what the stage's own method throws is caught: the stages below it run outside its <c>try</c>, and sinks, state
/// and checkpoints are never guarded; their exceptions end the job.
/// </remarks>
public sealed class StageGuard
{
    private readonly BadRecordLedger _ledger;

    internal StageGuard(BadRecordLedger ledger, string name, string kind, BadRecordPolicy policy)
    {
        _ledger = ledger;
        Name = name;
        Kind = kind;
        Policy = policy;
    }

    /// <summary>The stage's name.</summary>
    public string Name { get; }

    /// <summary>The stage's attribute: <c>Map</c>, <c>Filter</c>, <c>FlatMap</c>.</summary>
    public string Kind { get; }

    /// <summary>The policy in force: the stage's, the pipeline's, or the run's <c>--on-error</c>.</summary>
    public BadRecordPolicy Policy { get; }

    /// <summary>
    /// Decides what <paramref name="error"/>, thrown by the stage on the record <paramref name="record"/> of
    /// <paramref name="source"/>, does: <see langword="true"/> when it was counted (and written as a dead letter) and the
    /// record is dropped; <see langword="false"/> to let it end the job. Called from an exception filter, before the stack
    /// unwinds.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool Caught(BadRecordSource source, ReadOnlySpan<byte> record, Exception error)
    {
        if (Policy == BadRecordPolicy.Fail || error is OutOfMemoryException or InsufficientExecutionStackException)
        {
            _ledger.Failed(this, source, error);
            return false;
        }

        source.StageRefused(this, error, record, Policy == BadRecordPolicy.DeadLetter);
        return true;
    }

    /// <summary>
    /// As <see cref="Caught(BadRecordSource, ReadOnlySpan{byte}, Exception)"/>, for a stage at the batch boundary (below a
    /// keyed stage), whose record is one of the batch's reduced records: it has no raw bytes or position, and is counted
    /// under the source <see cref="BadRecordLedger.BatchSource"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool Caught(Exception error) => Caught(_ledger.Batch, default, error);
}
