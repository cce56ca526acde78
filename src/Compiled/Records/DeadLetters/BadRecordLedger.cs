using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled;

/// <summary>
/// The bad records of a run, in one place: every record a source's parser refused or a stage threw on is counted here
/// per source, stage or field, and reason, and, under <see cref="BadRecordPolicy.DeadLetter"/>, written to the run's
/// dead-letter sink. Sources and stages reach it through their <see cref="BadRecordSource"/> and
/// <see cref="StageGuard"/>, made by <see cref="ForSource"/> and <see cref="ForStage"/> when the job is created.
/// </summary>
/// <remarks>
/// Only bad records reach it, so it takes a lock rather than making the per-record path pay for thread safety: the
/// partitions of a run may refuse records at the same time. The batch coordinator takes each batch's counts
/// (<see cref="TakeBatchCounts(out long)"/>) and flushes its dead letters (<see cref="FlushDeadLetters"/>) before the batch's
/// checkpoint is written.
/// </remarks>
public sealed class BadRecordLedger : IDisposable
{
    private readonly Lock _gate = new();
    private readonly DeadLetterWriter? _deadLetters;
    private readonly Dictionary<(string Source, string? Stage, string? Field, string Reason), int> _index = new();
    private readonly List<BadRecordCount> _places = [];  // each place's source, stage, field and reason (Count unused)
    private readonly List<long> _totals = [];           // each place's count: a refusal adds one, allocating nothing
    private readonly List<long> _atBatchStart = [];
    private readonly List<long> _atBatchEnd = [];       // each place's count when the batch in flight had all its records (MarkBatchEnd)
    private bool _batchEndMarked;
    private long _deadLetterAsks;                       // refused records whose policy is DeadLetter, delivered or not
    private long _deadLetterAsksAtBatchStart;
    private long _deadLetterAsksAtBatchEnd;
    private Exception? _failure;
    private string? _failureText;

    /// <summary>A ledger with no dead-letter sink, whose stages keep their declared policies: what a job gets by default.</summary>
    public BadRecordLedger()
    {
    }

    /// <summary>Creates a run's ledger.</summary>
    /// <param name="deadLetters">Where dead letters go; <see langword="null"/> for nowhere (DeadLetter then counts and skips).</param>
    /// <param name="stagePolicy">The policy every guarded stage takes whatever it declares (<c>--on-error</c>); <see langword="null"/> to keep theirs.</param>
    public BadRecordLedger(DeadLetterWriter? deadLetters, BadRecordPolicy? stagePolicy = null)
    {
        _deadLetters = deadLetters;
        StagePolicy = stagePolicy;
    }

    /// <summary>The source name the records of a stage at the batch boundary are counted under: they are the batch's, not one source's.</summary>
    public const string BatchSource = "(batch)";

    // The refusal point of the batch boundary's stages.
    internal BadRecordSource Batch => _batch ??= new BadRecordSource(this, BatchSource, new SourceCounters(), null, null);

    private BadRecordSource? _batch;

    /// <summary>The dead-letter sink, or <see langword="null"/> when the run has none.</summary>
    public DeadLetterWriter? DeadLetters => _deadLetters;

    /// <summary>The policy that overrides every stage's declared one (<c>--on-error</c>), or <see langword="null"/>.</summary>
    public BadRecordPolicy? StagePolicy { get; }

    /// <summary>Records whose policy is DeadLetter but that had no dead-letter sink to go to: counted and skipped.</summary>
    public long Undelivered { get; private set; }

    /// <summary>Every stage guarded against exceptions on one record, with its policy in force, in the order the job made them.</summary>
    public IReadOnlyList<StageGuard> Stages => _stages;

    private readonly List<StageGuard> _stages = [];

    /// <summary>The refusal point of source <paramref name="name"/>: where its parser reports a bad record (the generated job calls this).</summary>
    /// <param name="name">The source's name.</param>
    /// <param name="counters">The source's counters: a refused record counts as <see cref="SourceCounters.Malformed"/>.</param>
    /// <param name="framer">The source's framer, which knows the stream and the byte offset of the record being read.</param>
    public BadRecordSource ForSource(string name, SourceCounters counters, LineFramer? framer = null)
    {
        lock (_gate)
        {
            return new(this, name, counters, framer, _sourcePolicies.TryGetValue(name, out BadRecordPolicy policy) ? policy : null);
        }
    }

    /// <summary>
    /// Makes <paramref name="policy"/> the policy of source <paramref name="source"/>'s records that do not parse, whatever
    /// the pipeline declares (its URI's <c>onBadRecord</c>); the run calls this before the job is created.
    /// </summary>
    public void UseSourcePolicy(string source, BadRecordPolicy policy)
    {
        lock (_gate)
        {
            _sourcePolicies[source] = policy;
        }
    }

    private readonly Dictionary<string, BadRecordPolicy> _sourcePolicies = new(StringComparer.Ordinal);

    /// <summary>The guard of stage <paramref name="stage"/> (the generated job calls this).</summary>
    /// <param name="stage">The stage's name.</param>
    /// <param name="kind">Its attribute: <c>Map</c>, <c>Filter</c>, <c>FlatMap</c>.</param>
    /// <param name="declared">Its declared policy (its own, else the pipeline's).</param>
    public StageGuard ForStage(string stage, string kind, BadRecordPolicy declared)
    {
        lock (_gate)
        {
            // Every partition of a run asks for the same stage's guard: they share it.
            foreach (StageGuard existing in _stages)
            {
                if (existing.Name == stage)
                {
                    return existing;
                }
            }

            var guard = new StageGuard(this, stage, kind, StagePolicy ?? declared);
            _stages.Add(guard);
            return guard;
        }
    }

    /// <summary>Every count since the ledger was created, in the order each was first seen.</summary>
    public IReadOnlyList<BadRecordCount> Totals
    {
        get
        {
            lock (_gate)
            {
                return [.. _places.Select((place, i) => place with { Count = _totals[i] })];
            }
        }
    }

    /// <summary>
    /// The counts since the last call (the batch's), in the order each was first seen, empty when there were none; and
    /// <paramref name="deadLetters"/>, how many of them asked for a dead letter (their policy is
    /// <see cref="BadRecordPolicy.DeadLetter"/>), whether or not a dead-letter sink took them. The rest were skipped by
    /// their policy (<see cref="BadRecordPolicy.Skip"/>).
    /// </summary>
    public IReadOnlyList<BadRecordCount> TakeBatchCounts(out long deadLetters)
    {
        lock (_gate)
        {
            // After MarkBatchEnd, the batch's counts stop at the mark: what was refused since is the next batch's.
            long asks = _batchEndMarked ? _deadLetterAsksAtBatchEnd : _deadLetterAsks;
            deadLetters = asks - _deadLetterAsksAtBatchStart;
            _deadLetterAsksAtBatchStart = asks;
            List<BadRecordCount>? batch = null;
            for (int i = 0; i < _totals.Count; i++)
            {
                long end = !_batchEndMarked ? _totals[i] : i < _atBatchEnd.Count ? _atBatchEnd[i] : _atBatchStart[i];
                long count = end - _atBatchStart[i];
                if (count > 0)
                {
                    (batch ??= []).Add(_places[i] with { Count = count });
                    _atBatchStart[i] = end;
                }
            }

            _batchEndMarked = false;
            return batch is null ? [] : batch;
        }
    }

    /// <summary>
    /// The batch in flight has all its records: what is refused from here on is counted in the next batch, although the
    /// batch's counts are taken later (<see cref="TakeBatchCounts(out long)"/>), and its dead letters are written with the
    /// next batch's (<see cref="DeadLetterWriter.Mark"/>), as when a run's partitions read the next batch's input while the
    /// batch completes.
    /// </summary>
    internal void MarkBatchEnd()
    {
        lock (_gate)
        {
            _atBatchEnd.Clear();
            _atBatchEnd.AddRange(_totals);
            _deadLetterAsksAtBatchEnd = _deadLetterAsks;
            _batchEndMarked = true;
            _deadLetters?.Mark();
        }
    }

    /// <summary>Writes the batch's dead letters to the sink and flushes them to disk: called at the batch's end, before its checkpoint.</summary>
    public void FlushDeadLetters()
    {
        lock (_gate)
        {
            _deadLetters?.Flush();
        }
    }

    /// <summary>Drops the dead letters of a batch that failed: the batch is not committed, and a restart reads its records again.</summary>
    public void DiscardDeadLetters()
    {
        lock (_gate)
        {
            _deadLetters?.Discard();
        }
    }

    /// <summary>
    /// The error a run reports for <paramref name="error"/>: when it is what a stage threw on a record under
    /// <see cref="BadRecordPolicy.Fail"/> (or wraps it), a <see cref="StageFailedException"/> naming the stage, the source and
    /// the record's position; otherwise <paramref name="error"/> itself.
    /// </summary>
    public Exception Explain(Exception error)
    {
        lock (_gate)
        {
            for (Exception? e = error; e is not null; e = e.InnerException)
            {
                if (ReferenceEquals(e, _failure) && _failureText is not null)
                {
                    return new StageFailedException(_failedStage!.Name, _failedStage.Kind, _failedSource!, _failureText, e);
                }
            }
        }

        return error;
    }

    private StageGuard? _failedStage;
    private string? _failedSource;

    /// <summary>Releases the dead-letter sink.</summary>
    public void Dispose() => _deadLetters?.Dispose();

    // One bad record: counted, and written to the dead-letter sink under DeadLetter when there is one.
    internal void Refused(BadRecordSource source, string? stage, string? field, string reason, string message, ReadOnlySpan<byte> record, bool deadLetter)
    {
        lock (_gate)
        {
            var key = (source.Name, stage, field, reason);
            if (!_index.TryGetValue(key, out int at))
            {
                at = _totals.Count;
                _index[key] = at;
                _places.Add(new BadRecordCount(source.Name, stage, field, reason, 0));
                _totals.Add(0);
                _atBatchStart.Add(0);
            }

            _totals[at]++;
            if (deadLetter)
            {
                _deadLetterAsks++;
            }

            if (_batchEndMarked && ReferenceEquals(source, _batch))
            {
                // A stage at the batch boundary runs while the batch completes, after its end was marked: its record is
                // the batch's.
                while (_atBatchEnd.Count <= at)
                {
                    _atBatchEnd.Add(_atBatchStart[_atBatchEnd.Count]);
                }

                _atBatchEnd[at]++;
                _deadLetterAsksAtBatchEnd += deadLetter ? 1 : 0;
            }

            if (deadLetter && _deadLetters is not null)
            {
                _deadLetters.Add(source.Name, source.Stream, source.Offset, source.Line, source.MessagePosition, stage, field, reason, message, record, boundaryStage: ReferenceEquals(source, _batch));
            }
            else if (deadLetter)
            {
                Undelivered++;
            }
        }
    }

    // A stage threw under Fail: remembered, so that the run's error can name the stage and the record's position.
    internal void Failed(StageGuard stage, BadRecordSource source, Exception error)
    {
        string position = source.Describe();
        lock (_gate)
        {
            _failure = error;
            _failureText = position;
            _failedStage = stage;
            _failedSource = source.Name;
        }
    }
}
