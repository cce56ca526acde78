using Compiled.Connectors;
using Compiled.Hosting;
using Compiled.Sinks;

namespace Compiled.Batching;

/// <summary>
/// The batch protocol, written once for a run and for the test driver: <see cref="Begin"/> asks the job which sinks
/// receive the batch and begins those sinks and the job's batch; records then go through the job; <see cref="CompleteAsync"/>
/// has the job emit what the batch aggregated (<see cref="PipelineJob.CompleteBatch"/>), commits the sinks that
/// received it, and produces the batch's <see cref="BatchProgress"/>. <see cref="Abort"/> drops a batch that failed.
/// </summary>
/// <remarks>
/// One batch is in flight at a time, and every call comes from the one thread that drives the job. A batch's number
/// is its time ÷ the batch interval, so batch times must be multiples of the interval.
/// </remarks>
public sealed class BatchCoordinator
{
    private readonly PipelineJob _job;
    private readonly Sink[] _sinks;
    private readonly SourceCounters[] _counters;
    private readonly JobMetrics _metrics;
    private readonly BadRecordLedger _badRecords;
    private readonly TimeProvider _time;
    private readonly long _intervalMs;
    private readonly bool[] _receives;
    private readonly bool[] _committed;  // the sinks that have committed the batch in flight
    private readonly long[] _recordsAtBegin;
    private readonly IBatchCheckpoint? _checkpoint;
    private BatchInfo _current;
    private bool _durable;  // the batch in flight's checkpoint is written: it is done, whatever fails after
    private bool _inBatch;
    private long _bytesAtBegin;
    private long _skippedAtBegin;
    private long _unreadableAtBegin;
    private long _malformedAtBegin;
    private long _partialAtBegin;
    private long _lateAtBegin;
    private BatchProgress? _last;

    /// <summary>Coordinates the batches of <paramref name="job"/>, created from <paramref name="context"/>.</summary>
    /// <param name="job">The job, created by <see cref="PipelineDefinition.CreateJob"/> from <paramref name="context"/>.</param>
    /// <param name="context">What the job is bound to: its sinks, its sources' counters, its metrics and the batch interval.</param>
    /// <param name="time">What durations are measured with; the system clock by default.</param>
    /// <param name="checkpoint">
    /// The job's checkpoint, or <see langword="null"/> when it keeps none. With one, each batch's transactional sinks
    /// prepare, the checkpoint is written, and then they commit (see <see cref="CompleteAsync"/>).
    /// </param>
    public BatchCoordinator(PipelineJob job, JobContext context, TimeProvider? time = null, IBatchCheckpoint? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        _intervalMs = (long)context.BatchInterval.TotalMilliseconds;
        if (_intervalMs < 1)
        {
            throw new ArgumentException($"The context's batch interval is {context.BatchInterval}; create the job with PipelineDefinition.CreateJob, which fills in the pipeline's interval, before coordinating its batches.", nameof(context));
        }

        _job = job;
        _sinks = [.. context.Sinks];
        _counters = [.. context.Counters];
        _metrics = context.Metrics;
        _badRecords = context.BadRecords;
        _time = time ?? TimeProvider.System;
        _receives = new bool[_sinks.Length];
        _committed = new bool[_sinks.Length];
        _checkpoint = checkpoint;
        _recordsAtBegin = new long[_counters.Length];
    }

    /// <summary>The batch interval: a batch's time is a multiple of it, and its number is its time ÷ it.</summary>
    public TimeSpan BatchInterval => TimeSpan.FromMilliseconds(_intervalMs);

    /// <summary>Whether a batch has begun and not yet completed or been aborted.</summary>
    public bool InBatch => _inBatch;

    /// <summary>The batch in flight, or the last one begun.</summary>
    public BatchInfo Current => _current;

    /// <summary>Batches committed so far.</summary>
    public long BatchesCompleted { get; private set; }

    /// <summary>The progress of the last batch committed, or <see langword="null"/> before the first.</summary>
    public BatchProgress? LastProgress => Volatile.Read(ref _last);

    /// <summary>Raised after each batch is committed, on the thread that drives the job, with the batch's progress.</summary>
    public event Action<BatchProgress>? BatchCommitted;

    /// <summary>Whether sink <paramref name="sink"/> (0-based, in declaration order) received the batch in flight.</summary>
    public bool Receives(int sink) => _inBatch && _receives[sink];

    /// <summary>
    /// Begins the batch whose time is <paramref name="batchTime"/>: the sinks the job says receive it begin it, then the
    /// job does. Its number is <paramref name="batchTime"/> ÷ the batch interval.
    /// </summary>
    /// <exception cref="InvalidOperationException">A batch is already in flight.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchTime"/> is not a positive multiple of the batch interval.</exception>
    public BatchInfo Begin(long batchTime)
    {
        if (_inBatch)
        {
            throw new InvalidOperationException($"Batch {_current.Time} ms is still in flight; complete or abort it before beginning batch {batchTime} ms.");
        }

        if (batchTime <= 0 || batchTime % _intervalMs != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchTime), batchTime, $"A batch time must be a positive multiple of the batch interval ({_intervalMs} ms), so that its number is its time ÷ the interval.");
        }

        var batch = new BatchInfo(batchTime / _intervalMs, batchTime);
        for (int i = 0; i < _counters.Length; i++)
        {
            _recordsAtBegin[i] = _counters[i].Records;
        }

        _bytesAtBegin = Total(static c => c.Bytes);
        _skippedAtBegin = Total(static c => c.OversizeSkipped);
        _unreadableAtBegin = Total(static c => c.UnreadableSkipped);
        _malformedAtBegin = Total(static c => c.Malformed);
        _partialAtBegin = Total(static c => c.PartialRecords);
        _lateAtBegin = _metrics.LateRecords;
        for (int i = 0; i < _sinks.Length; i++)
        {
            _receives[i] = _job.ReceivesBatch(i, batch);
        }

        _current = batch;
        _inBatch = true;
        _durable = false;
        Array.Clear(_committed);
        for (int i = 0; i < _sinks.Length; i++)
        {
            if (_receives[i])
            {
                _sinks[i].BeginBatch(batchTime);
            }
        }

        _job.BeginBatch(batch);
        return batch;
    }

    /// <summary>
    /// Completes the batch in flight, which ended for <paramref name="end"/>: if it ends the run, the sinks the job now
    /// says receive it and did not yet begin it; the job emits what it aggregated, the sinks that received it commit it, and its progress is returned (and kept in <see cref="LastProgress"/>, and raised in
    /// <see cref="BatchCommitted"/>). If the job or a sink throws, the batch stays in flight: <see cref="Abort"/> it.
    /// </summary>
    /// <remarks>
    /// With a checkpoint, the sinks commit in two rounds around it: the at-least-once and idempotent sinks commit, the
    /// transactional ones prepare (<see cref="Sink.PrepareBatchAsync"/>); the checkpoint is written; then the
    /// transactional sinks commit, and the checkpoint is told the batch is done
    /// (<see cref="IBatchCheckpoint.CompletedAsync"/>). Once the checkpoint is written the batch is done: a failure
    /// after it leaves what the transactional sinks prepared for the restart to finish.
    /// </remarks>
    /// <exception cref="InvalidOperationException">No batch is in flight.</exception>
    public async ValueTask<BatchProgress> CompleteAsync(BatchEnd end, CancellationToken cancellationToken = default)
    {
        if (!_inBatch)
        {
            throw new InvalidOperationException("No batch is in flight; begin one before completing it.");
        }

        BatchInfo batch = _current with { End = end };
        _current = batch;
        if (end != BatchEnd.Running)
        {
            // The run's last batch may reach sinks its beginning did not: at the end of a bounded input every window
            // with records not reported emits once more, between two of its slides.
            for (int i = 0; i < _sinks.Length; i++)
            {
                if (!_receives[i] && _job.ReceivesBatch(i, batch))
                {
                    _receives[i] = true;
                    _sinks[i].BeginBatch(batch.Time);
                }
            }
        }

        long started = _time.GetTimestamp();
        _job.CompleteBatch(batch);
        TimeSpan processing = _time.GetElapsedTime(started);

        // The batch's dead letters reach the disk before any sink commits and before the checkpoint: a crash after the
        // commit cannot lose them (a crash before it reads the batch again and writes them again).
        _badRecords.FlushDeadLetters();
        long committing = _time.GetTimestamp();
        for (int i = 0; i < _sinks.Length; i++)
        {
            if (!_receives[i])
            {
                continue;
            }

            if (_checkpoint is not null && _sinks[i].Guarantee == SinkGuarantee.Transactional)
            {
                await _sinks[i].PrepareBatchAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _sinks[i].CommitBatchAsync(cancellationToken).ConfigureAwait(false);
                _committed[i] = true;
            }
        }

        if (_checkpoint is not null)
        {
            await _checkpoint.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            _durable = true;
            for (int i = 0; i < _sinks.Length; i++)
            {
                if (_receives[i] && !_committed[i])
                {
                    await _sinks[i].CommitBatchAsync(cancellationToken).ConfigureAwait(false);
                    _committed[i] = true;
                }
            }

            await _checkpoint.CompletedAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        TimeSpan commit = _time.GetElapsedTime(committing);
        _inBatch = false;
        BatchesCompleted++;
        long[] recordsIn = new long[_counters.Length];
        for (int i = 0; i < recordsIn.Length; i++)
        {
            recordsIn[i] = _counters[i].Records - _recordsAtBegin[i];
        }

        IReadOnlyList<BadRecordCount> badRecords = _badRecords.TakeBatchCounts(out long deadLetters);
        var progress = new BatchProgress(
            batch.Index,
            batch.Time,
            end,
            recordsIn,
            Total(static c => c.Bytes) - _bytesAtBegin,
            Total(static c => c.OversizeSkipped) - _skippedAtBegin,
            Total(static c => c.Malformed) - _malformedAtBegin,
            _metrics.LateRecords - _lateAtBegin,
            processing,
            commit,
            Total(static c => c.UnreadableSkipped) - _unreadableAtBegin)
        {
            PartialRecords = Total(static c => c.PartialRecords) - _partialAtBegin,
            BadRecords = badRecords,
            DeadLetterRequests = deadLetters,
        };
        Volatile.Write(ref _last, progress);
        BatchCommitted?.Invoke(progress);
        return progress;
    }

    /// <summary>
    /// Drops the batch in flight: every sink that began it and has not committed it discards what it has of it, so
    /// nothing more of it becomes visible. A sink that did not receive the batch, or had committed it before another
    /// sink's commit failed, is left alone; so is every sink once the batch's checkpoint is written (what a
    /// transactional sink prepared is finished by the restart). A sink whose discarding fails with an I/O error is passed to
    /// <paramref name="onSinkFailed"/> and the others are still aborted; without it, the error is thrown. With no batch
    /// in flight it does nothing.
    /// </summary>
    public void Abort(Action<Sink, Exception>? onSinkFailed = null)
    {
        if (!_inBatch)
        {
            return;
        }

        _inBatch = false;
        if (_durable)
        {
            return;
        }

        _badRecords.DiscardDeadLetters();

        AbortSinks(_sinks.Where((_, i) => _receives[i] && !_committed[i]), onSinkFailed);
    }

    // Also used by a run that fails before its job exists (a sink that cannot open): no batch has begun, and each
    // sink is still told to discard whatever it holds.
    internal static void AbortSinks(IEnumerable<Sink> sinks, Action<Sink, Exception>? onSinkFailed)
    {
        foreach (Sink sink in sinks)
        {
            try
            {
                sink.AbortBatch();
            }
            catch (Exception error) when (onSinkFailed is not null && error is IOException or UnauthorizedAccessException)
            {
                onSinkFailed(sink, error);
            }
        }
    }

    /// <summary>How many bytes of input the batch in flight has read so far, on the job's own loop (partitions' counts join at the boundary).</summary>
    public long BytesThisBatch => Total(static c => c.Bytes) - _bytesAtBegin;

    private long Total(Func<SourceCounters, long> counter)
    {
        long total = 0;
        foreach (SourceCounters counters in _counters)
        {
            total += counter(counters);
        }

        return total;
    }
}

/// <summary>
/// The checkpoint a <see cref="BatchCoordinator"/> writes at the end of each batch, between the sinks' two rounds of
/// commits (see <see cref="BatchCoordinator.CompleteAsync"/>).
/// </summary>
public interface IBatchCheckpoint
{
    /// <summary>
    /// Writes the checkpoint of <paramref name="batch"/> durably: the job's state after it and each source's position
    /// after it. When it returns, a crash resumes after the batch.
    /// </summary>
    ValueTask WriteAsync(BatchInfo batch, CancellationToken cancellationToken);

    /// <summary>Called when every sink has committed <paramref name="batch"/>: the sources can let go of what came before it.</summary>
    ValueTask CompletedAsync(BatchInfo batch, CancellationToken cancellationToken);
}
