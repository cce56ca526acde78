using System.IO.Pipelines;
using Compiled.Batching;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting.Partitions;
using Compiled.Internal;
using Compiled.Sinks;
using Compiled.Sinks.Console;
using Microsoft.Extensions.Logging;

namespace Compiled.Hosting;

/// <summary>
/// One run of a compiled pipeline, like Spark's <c>StreamingContext</c>: binds its sources and sinks, cuts
/// time into batches of the batch interval, feeds every record through the generated loop, and commits
/// each batch to the sinks. <see cref="RunAsync"/> returns when a bounded input is exhausted (after its last
/// batch) or when stopped; a stop finishes the batch in flight and commits it at once, under its batch time.
/// </summary>
/// <remarks>
/// All of a run's work happens in one logical thread: the read loop. The batch timer and a stop request
/// only set a flag and wake the loop (cancelling a pending read with <see cref="PipeReader.CancelPendingRead"/>),
/// so the generated job never needs a lock. A batch's time is the end of its interval in Unix
/// milliseconds, a multiple of the interval, as in Spark; its number is its time ÷ the interval. The run
/// orchestrates: its binding (<c>PipelineBinding</c>) binds the URIs, its source lanes (<c>SourceLanes</c>) read the sources,
/// <see cref="BatchClock"/> says when a batch is due, and <see cref="BatchCoordinator"/> begins, completes and
/// commits each batch.
/// </remarks>
public sealed partial class PipelineRun : IAsyncDisposable
{
    private readonly PipelineDefinition _definition;
    private readonly PipelineBinding _binding;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly int _parallelism;
    private readonly bool _parallelismIsSet;
    private readonly long _partitionSinkBufferBytes;
    private readonly long? _maxBatchBytes;

    private readonly Lock _wakeGate = new();
    private TaskCompletionSource _wake = NewSignal();
    private volatile bool _stopping;
    private int _started;
    private int _state;
    private bool _disposed;

    private BatchClock? _clock;
    private BatchCoordinator? _coordinator;
    private readonly RunCheckpoint? _checkpoint;
    private readonly BadRecordLedger _badRecords;

    /// <summary>Binds <paramref name="definition"/>'s sources and sinks to the URIs in <paramref name="options"/> (or their defaults).</summary>
    /// <exception cref="ConnectorUriException">A URI is missing, malformed, of an unknown scheme, or has a bad option.</exception>
    /// <exception cref="BatchIntervalException">The batch interval does not divide a window of the pipeline, or is longer than a timer waits.</exception>
    /// <exception cref="CheckpointRefusedException">
    /// The run keeps a checkpoint and cannot resume from it: the pipeline's state cannot be written, the directory cannot
    /// be used, its newest checkpoint is damaged or of another pipeline or of another state layout, or a source cannot
    /// resume from its saved position.
    /// </exception>
    public PipelineRun(PipelineDefinition definition, PipelineRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        options ??= new PipelineRunOptions();
        _definition = definition;
        _time = options.TimeProvider;
        _parallelism = options.Parallelism;
        _partitionSinkBufferBytes = options.PartitionSinkBufferBytes;
        _maxBatchBytes = options.MaxBatchBytes;
        _parallelismIsSet = options.ParallelismIsSet;
        _log = options.LoggerFactory.CreateLogger("Compiled." + definition.Name);
        BatchInterval = options.BatchInterval ?? definition.BatchInterval;
        if ((long)BatchInterval.TotalMilliseconds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), BatchInterval, $"The batch interval must be at least 1 ms, and {BatchInterval} was given; set PipelineRunOptions.BatchInterval (--batch-interval on the command line) to 1 ms or more, or leave it unset for the pipeline's declared interval.");
        }

        if ((long)BatchInterval.TotalMilliseconds > DurationText.MaxTimerMilliseconds)
        {
            // A [Pipeline(BatchInterval)] reaches here without the command line's check; the batch timer could not wait that long.
            throw new BatchIntervalException(
                $"the batch interval {DurationText.Format(BatchInterval)} is too long; give {DurationText.TimerRange} " +
                "with --batch-interval or PipelineRunOptions.BatchInterval, or declare a shorter one");
        }

        definition.CheckBatchInterval(BatchInterval);
        string? checkpoint = options.Checkpoint ?? definition.Checkpoint;
        string? checkpointPath = null;
        if (checkpoint is not null)
        {
            if (definition.CheckpointProblems.Count > 0)
            {
                throw new CheckpointRefusedException(
                    $"pipeline '{definition.Name}' cannot keep a checkpoint: {string.Join("; ", definition.CheckpointProblems)}");
            }

            if (checkpoint.Length == 0)
            {
                throw new CheckpointRefusedException("the checkpoint directory is empty; give a directory path (--checkpoint DIR)");
            }

            checkpointPath = Path.GetFullPath(checkpoint, options.CurrentDirectory ?? Environment.CurrentDirectory);
        }

        string? deadLetters = DeadLetterPath(options, checkpointPath);
        _badRecords = new BadRecordLedger(deadLetters is null ? null : new DeadLetterWriter(deadLetters), options.OnError);
        _binding = PipelineBinding.Bind(definition, options, BatchInterval, checkpointPath);
        for (int i = 0; i < _binding.Sources.Length; i++)
        {
            // A source URI's onBadRecord: the policy of that source's records that do not parse, whatever the pipeline declares.
            if (_binding.Sources[i].OnBadRecord is { } policy)
            {
                _badRecords.UseSourcePolicy(definition.Sources[i].Name, policy);
            }
        }

        if (checkpointPath is not null)
        {
            try
            {
                _checkpoint = new RunCheckpoint(definition, definition.StateLayout.For(BatchInterval), checkpoint!, checkpointPath, _binding.Sources, _log);
            }
            catch
            {
                _binding.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }
    }

    /// <summary>The dead-letter file's full path, or <see langword="null"/> when the run has no dead-letter sink.</summary>
    public string? DeadLetterFile => _badRecords.DeadLetters?.Path;

    /// <summary>Every bad record the run counted so far, per source, stage or field, and reason.</summary>
    public IReadOnlyList<BadRecordCount> BadRecords => _badRecords.Totals;

    // The dead-letter file: the one given (a path or a file:// URI), else dead-letters.jsonl in the checkpoint directory.
    private static string? DeadLetterPath(PipelineRunOptions options, string? checkpointPath)
    {
        string? given = options.DeadLetters;
        if (given is null)
        {
            return checkpointPath is null ? null : Path.Combine(checkpointPath, "dead-letters.jsonl");
        }

        if (given.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(given, UriKind.Absolute, out Uri? uri) || !uri.IsFile)
            {
                throw new ConnectorUriException(given, "dead-letter", $"--dead-letters '{given}' is not a file URI; write file:///path/dead-letters.jsonl or a plain path");
            }

            given = uri.LocalPath;
        }

        return Path.GetFullPath(given, options.CurrentDirectory ?? Environment.CurrentDirectory);
    }

    /// <summary>The checkpoint directory's full path, or <see langword="null"/> when the run keeps no checkpoint.</summary>
    public string? CheckpointDirectory => _checkpoint?.Path;

    /// <summary>The pipeline this run runs.</summary>
    public PipelineDefinition Definition => _definition;

    /// <summary>The batch interval in force.</summary>
    public TimeSpan BatchInterval { get; }

    /// <summary>The bound sources, in declaration order.</summary>
    public IReadOnlyList<Source> Sources => _binding.Sources;

    /// <summary>The bound sinks, in declaration order.</summary>
    public IReadOnlyList<Sink> Sinks => _binding.Sinks;

    /// <summary>Batches committed so far.</summary>
    public long BatchesCompleted => Volatile.Read(ref _coordinator)?.BatchesCompleted ?? 0;

    /// <summary>The progress of the last batch committed (its number, time, records per source, durations, why it ended), or <see langword="null"/> before the first.</summary>
    public BatchProgress? LastProgress => Volatile.Read(ref _coordinator)?.LastProgress;

    /// <summary>
    /// Raised after each batch is committed and logged, with its progress. It is raised on the run's loop: a handler
    /// should be quick, and one that throws fails the run.
    /// </summary>
    public event Action<BatchProgress>? BatchCommitted;

    /// <summary>Where the run is in its life; a host can report it, and a test can wait for it.</summary>
    public PipelineRunState State => (PipelineRunState)Volatile.Read(ref _state);

    /// <summary>
    /// Runs until a bounded input is exhausted, <paramref name="stoppingToken"/> asks for a graceful stop (the
    /// batch in flight is finished and committed), or <paramref name="abortToken"/> asks to abandon the run at
    /// once (<see cref="OperationCanceledException"/>). A run runs once.
    /// </summary>
    /// <exception cref="PipelineFailedException">A source, an operator or a sink failed; the batch in flight was not committed.</exception>
    public async Task RunAsync(CancellationToken stoppingToken = default, CancellationToken abortToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A PipelineRun runs once; create another one to run the pipeline again.");
        }

        Volatile.Write(ref _state, (int)PipelineRunState.Running);
        LogStarting(_definition.Name, DurationText.Format(BatchInterval), string.Join(", ", _binding.Sources.Select(s => s.Uri.Text)), string.Join(", ", _binding.Sinks.Select(s => s.Uri.Text)));
        try
        {
            foreach (Sink sink in _binding.Sinks)
            {
                await sink.OpenAsync(abortToken).ConfigureAwait(false);
            }

            if (_checkpoint is { Saved: { } saved })
            {
                foreach (Sink sink in _binding.Sinks)
                {
                    await sink.RecoverAsync(saved.BatchTime, abortToken).ConfigureAwait(false);
                }
            }

            _checkpoint?.LogGuarantees(_binding.Sinks);
            var context = new JobContext(_binding.Framing, _binding.Counters, _binding.Sinks, BatchInterval) { BadRecords = _badRecords };
            using PipelineJob job = _definition.CreateJob(context);
            WarnOfNowhereForDeadLetters();
            _checkpoint?.Attach(job);
            Volatile.Write(ref _coordinator, new BatchCoordinator(job, context, _time, _checkpoint));
            using var clock = new BatchClock(_time, BatchInterval, WakeLoop);
            _clock = clock;
            using CancellationTokenRegistration stop = stoppingToken.Register(static state => ((PipelineRun)state!).OnStopRequested(), this);

            // Every source's streams are read side by side, one after another per source, until all have ended or
            // the run stops; the job sees one buffer at a time, on this loop only. On several partitions, each reads its
            // byte ranges on its own thread and this loop only coordinates the batch boundaries. The partitions are
            // created before the first batch begins: a sink they write to that writes a part per partition
            // (Sink.WriteInParts) learns it then, and names the batch's files so.
            (int partitions, string? onePartition) = PlanPartitions(job);
            if (onePartition is not null && _parallelismIsSet)
            {
                LogOnePartition(_definition.Name, onePartition);
            }
            else if (onePartition is not null)
            {
                LogOnePartitionByDefault(_definition.Name, onePartition);
            }

            PartitionThreads? threads = partitions > 1 ? CreatePartitions(job, context, partitions) : null;
            try
            {
                StartBatch(FirstBatchTime(clock));
            }
            catch
            {
                threads?.Dispose();
                throw;
            }

            BatchEnd end = threads is not null
                ? await ReadPartitionsAsync(threads, abortToken).ConfigureAwait(false)
                : await ReadSourcesAsync(job, abortToken).ConfigureAwait(false);
            if (_stopping)
            {
                LogStopping(_definition.Name, BatchTime);
            }

            // The last batch holds what was read since the last boundary, and is labelled with its batch time, the
            // end of its interval. It is committed at once, at the end of the input as on a stop: a bounded job
            // (a file, stdin) ends when its input does, not up to a whole interval later, and whoever stops a job
            // (Ctrl+C, a supervisor's SIGTERM) does not wait for it either. Its label may so lie ahead of the clock;
            // FirstBatchTime keeps a run started again soon after from reusing it.
            Volatile.Write(ref _state, (int)PipelineRunState.Finishing);
            await CompleteBatchAsync(end, abortToken).ConfigureAwait(false);
            Volatile.Write(ref _state, (int)PipelineRunState.Completed);
            long batches = BatchesCompleted;
            long records = Total(static c => c.Records);
            LogStopped(_definition.Name, batches, Noun.For(batches, "batch", "batches"), records, Noun.Records(records));
        }
        catch (OperationCanceledException) when (abortToken.IsCancellationRequested)
        {
            Volatile.Write(ref _state, (int)PipelineRunState.Failed);
            AbortSinks();
            LogAborted(_definition.Name, BatchTime);
            throw;
        }
        catch (Exception thrown) when (thrown is not PipelineFailedException)
        {
            // A stage that threw on a record under Fail: the error names the stage and where the record was.
            Exception error = _badRecords.Explain(thrown);
            Volatile.Write(ref _state, (int)PipelineRunState.Failed);
            AbortSinks();
            if (error is StandardOutputException)
            {
                // A closed or full standard output is how a job printing to a pipe ends (| head), not a fault of
                // the code: one line says why, without a stack trace.
                LogOutputFailed(_definition.Name, BatchTime, error.Message);
            }
            else
            {
                LogFailed(error, _definition.Name, BatchTime);
            }

            throw new PipelineFailedException(_definition.Name, BatchTime, error);
        }
        finally
        {
            _clock = null;
            _checkpoint?.Dispose();
            _badRecords.Dispose();
            await _binding.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A stage whose policy is DeadLetter in a run with nowhere to write dead letters: said once, at the start.
    private void WarnOfNowhereForDeadLetters()
    {
        if (_badRecords.DeadLetters is null && _badRecords.Stages.Any(static s => s.Policy == BadRecordPolicy.DeadLetter))
        {
            LogNoDeadLetterSink(_definition.Name, string.Join(", ", _badRecords.Stages.Where(static s => s.Policy == BadRecordPolicy.DeadLetter).Select(static s => s.Name)));
        }
    }

    /// <summary>Releases the sources and sinks if the run never ran.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_disposed && _started == 0)
        {
            _checkpoint?.Dispose();
            await _binding.DisposeAsync().ConfigureAwait(false);
        }

        _disposed = true;
    }

    // The time of the batch in flight (or the last one begun); 0 before the first.
    private long BatchTime => _coordinator?.Current.Time ?? 0;

    // The run's first batch: the end of the interval it starts in, and after the batch its checkpoint holds and the
    // newest batch a sink finds already written, so that a restart soon after a stop or the end of a bounded input (whose
    // last batch is committed at once under the end of its interval) never labels a batch with a time already used.
    private long FirstBatchTime(BatchClock clock)
    {
        long first = clock.FirstBatchTime();
        long after = _checkpoint?.Saved?.BatchTime ?? 0;
        foreach (Sink sink in _binding.Sinks)
        {
            after = Math.Max(after, sink.LastCommittedBatchTime ?? 0);
        }

        long interval = clock.IntervalMilliseconds;
        return Math.Max(first, (after / interval + 1) * interval);
    }

    // The loop of a run: reads every source side by side, and completes batches on time in between. Returns why
    // it ended, when every source has ended or the run is stopping; a stop still processes what each source had
    // already read.
    private async Task<BatchEnd> ReadSourcesAsync(PipelineJob job, CancellationToken abortToken)
    {
        var lanes = new SourceLanes(_binding.Sources, job, _definition.Name, _log, abortToken);
        bool ended = false;  // by a stop or the end of every source, not by a failure
        bool advanced = true; // whether the sources had their turn since the last batch was completed
        try
        {
            while (true)
            {
                Task wake = ArmWake();

                // A stop comes first: the batch in flight, due or not, is the run's last. With a checkpoint, a stop
                // suspends the run: windows and sessions stay open in the checkpoint.
                if (_stopping)
                {
                    ended = true;
                    return _checkpoint is null ? BatchEnd.Stop : BatchEnd.Suspend;
                }

                // A batch due, or one that has read MaxBatchBytes, is completed once the sources have had a turn since the
                // last one: a job whose batches take longer than the interval to complete still reads between them,
                // rather than completing empty ones.
                bool full = _maxBatchBytes is long most && _coordinator!.BytesThisBatch >= most;
                if ((_clock!.IsDue || full) && advanced)
                {
                    if (full && !_clock.IsDue)
                    {
                        LogBatchFull(_definition.Name, BatchTime, _maxBatchBytes!.Value);
                    }

                    await CompleteBatchAsync(BatchEnd.Running, abortToken).ConfigureAwait(false);
                    advanced = false;
                    continue;
                }

                (bool open, bool progressed) = await lanes.AdvanceAsync(abortToken).ConfigureAwait(false);
                advanced = true;
                if (!open)
                {
                    ended = true;
                    return BatchEnd.EndOfInput;
                }

                // Nothing to read: wait for a source or the clock, unless a batch is due already (its wake may have come
                // before this turn's; it is completed at the top of the loop).
                if (!progressed && !_clock.IsDue)
                {
                    await lanes.WhenAnyAsync(wake).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await lanes.CloseAsync(processRead: ended, abortToken).ConfigureAwait(false);
        }
    }

    // Begins the batch at batchTime and has the clock mark it due when its time comes.
    private void StartBatch(long batchTime)
    {
        _coordinator!.Begin(batchTime);
        _clock!.Schedule(batchTime);
    }

    // Completes the batch (the job emits, the sinks that receive it commit), logs its progress, and, unless it is
    // the last, starts the next batch.
    private async Task CompleteBatchAsync(BatchEnd end, CancellationToken abortToken)
    {
        _clock!.ClearDue();
        BatchProgress progress = await _coordinator!.CompleteAsync(end, abortToken).ConfigureAwait(false);
        foreach (Source source in _binding.Sources)
        {
            await source.BatchCommittedAsync(abortToken).ConfigureAwait(false);
        }

        LogBatchCompleted(progress.Time, progress.Records, Noun.Records(progress.Records), progress.Bytes, Noun.Bytes(progress.Bytes), (progress.ProcessingDuration + progress.CommitDuration).TotalMilliseconds);
        if (progress.LateRecords > 0)
        {
            LogLate(progress.Time, progress.LateRecords, Noun.Records(progress.LateRecords));
        }

        // Lines a source's parser refused are in the bad-record counts below, per source, field and reason; any other
        // malformed line (none today, but a connector may count its own) is said here.
        long unexplained = progress.Malformed == 0 ? 0
            : progress.Malformed - progress.BadRecords.Where(static c => c.Stage is null && c.Source != BadRecordLedger.BatchSource).Sum(static c => c.Count);
        if (unexplained > 0)
        {
            LogMalformed(progress.Time, unexplained, Noun.For(unexplained, "line", "lines"), string.Join(", ", _definition.Sources.Zip(_binding.Sources, (d, s) => $"{s.Uri.Text} ({d.Format})")));
        }

        if (progress.BadRecords.Count > 0)
        {
            long refused = progress.BadRecords.Sum(static c => c.Count);
            LogBadRecords(progress.Time, refused, Noun.Records(refused), string.Join(", ", progress.BadRecords), BadRecordsOutcome(refused, progress.DeadLetterRequests));
        }

        if (progress.OversizeSkipped > 0)
        {
            // Dropped input is never silent: the log says how much, where, and how to keep it instead.
            LogOversizeSkipped(progress.Time, progress.OversizeSkipped, Noun.Records(progress.OversizeSkipped), string.Join(", ", _binding.Sources.Select(s => $"{s.Uri.Text} (maxRecordBytes={s.Framing.MaxRecordBytes})")));
        }

        if (progress.PartialRecords > 0)
        {
            // A connection that ended mid-line: the record is not what its producer meant to send, kept or not.
            LogPartial(progress.Time, progress.PartialRecords, Noun.Records(progress.PartialRecords), string.Join(", ", _binding.Sources
                .Where(static s => s.Framing.Partial != PartialRecordPolicy.LastLine)
                .Select(static s => $"{s.Uri.Text} ({(s.Framing.Partial == PartialRecordPolicy.Keep ? "kept" : "dropped")})")));
        }

        bool running = end == BatchEnd.Running;
        if (running && _clock.IsFallingBehind(progress.Time, out long late))
        {
            LogFallingBehind(progress.Time, late, DurationText.Format(BatchInterval));
        }

        BatchCommitted?.Invoke(progress);
        if (running)
        {
            StartBatch(progress.Time + _clock.IntervalMilliseconds);
        }
    }

    private void OnStopRequested()
    {
        _stopping = true;
        WakeLoop();
    }

    // Wakes the loop wherever it waits (for reads or streams, with the wake signal among them). Called by the batch
    // clock when a batch is due, and on a stop; the caller has set its flag first, and the lock orders that write
    // before the loop's next look at the flags.
    private void WakeLoop()
    {
        lock (_wakeGate)
        {
            _wake.TrySetResult();
        }
    }

    // Returns a signal that WakeLoop completes. Callers check their flags after arming it: a flag set before
    // the arming is seen by that check (the lock is a full fence), and one set after it completes the signal.
    private Task ArmWake()
    {
        lock (_wakeGate)
        {
            if (_wake.Task.IsCompleted)
            {
                _wake = NewSignal();
            }

            return _wake.Task;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Every sink discards the batch in flight; one that cannot is logged, and the others are still told.
    private void AbortSinks()
    {
        Action<Sink, Exception> failed = (sink, error) => LogSinkAbortFailed(error, sink.Uri.Text);
        if (_coordinator is { } coordinator)
        {
            coordinator.Abort(failed);
        }
        else
        {
            BatchCoordinator.AbortSinks(_binding.Sinks, failed);
        }
    }

    private long Total(Func<SourceCounters, long> counter)
    {
        long total = 0;
        foreach (Source source in _binding.Sources)
        {
            total += counter(source.Counters);
        }

        return total;
    }

    // What became of a batch's refused records: skipped by their policy, or sent as dead letters, where there is a sink
    // for them; the advice to give one only when a record asked for a dead letter.
    private string BadRecordsOutcome(long refused, long deadLetters)
    {
        long skipped = refused - deadLetters;
        if (deadLetters == 0)
        {
            return "skipped by their policy (skip): counted, not kept";
        }

        string skips = skipped == 0 ? "" : $"{skipped} skipped by their policy (skip); ";
        return _badRecords.DeadLetters is { } letters
            ? $"{skips}{deadLetters} dead {Noun.For(deadLetters, "letter goes", "letters go")} to {letters.Path}"
            : $"{skips}{deadLetters} whose policy is dead-letter counted and skipped, since the run has no dead-letter sink; give --dead-letters FILE (or --checkpoint DIR) to keep them";
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Pipeline {Pipeline} starting: batch interval {Interval}, reading {Sources}, writing {Sinks}")]
    private partial void LogStarting(string pipeline, string interval, string sources, string sinks);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Batch {BatchTime} ms committed: {Records} {RecordNoun}, {Bytes} {ByteNoun}; emitting and committing took {Milliseconds:F1} ms")]
    private partial void LogBatchCompleted(long batchTime, long records, string recordNoun, long bytes, string byteNoun, double milliseconds);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Batch {BatchTime} ms had {Late} late {RecordNoun}, older than the watermark: a late record goes to the late sink where the event-time stage names one, and is dropped otherwise; raise Lateness to keep such records")]
    private partial void LogLate(long batchTime, long late, string recordNoun);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Batch {BatchTime} ms skipped {Malformed} {LineNoun} that did not parse as the records of {Sources}; fix the input or declare the source as Lines to see the lines as they are")]
    private partial void LogMalformed(long batchTime, long malformed, string lineNoun, string sources);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Batch {BatchTime} ms refused {Refused} bad {RecordNoun} (source [stage].field reason count): {Counts}; {DeadLetters}")]
    private partial void LogBadRecords(long batchTime, long refused, string recordNoun, string counts, string deadLetters);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Pipeline {Pipeline} has no dead-letter sink, so stages {Stages} (OnError = DeadLetter) count and skip the records they throw on; give --dead-letters FILE (or --checkpoint DIR) to keep them")]
    private partial void LogNoDeadLetterSink(string pipeline, string stages);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Batch {BatchTime} ms dropped {Skipped} {RecordNoun} longer than the limit of {Sources}; raise maxRecordBytes on the source URI to keep such records")]
    private partial void LogOversizeSkipped(long batchTime, long skipped, string recordNoun, string sources);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "Batch {BatchTime} ms had {Partial} {RecordNoun} cut short by the end of its connection (the bytes after the last line end) from {Sources}; onPartial=skip on the source URI drops such records, onPartial=keep keeps them")]
    private partial void LogPartial(long batchTime, long partial, string recordNoun, string sources);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Batch {BatchTime} ms was committed {Late} ms after its time, more than the batch interval of {Interval}: the job is falling behind its input")]
    private partial void LogFallingBehind(long batchTime, long late, string interval);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Pipeline {Pipeline}: stop requested; reading stopped, batch {BatchTime} ms is committed now")]
    private partial void LogStopping(string pipeline, long batchTime);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Pipeline {Pipeline} stopped after {Batches} {BatchNoun} and {Records} {RecordNoun}")]
    private partial void LogStopped(string pipeline, long batches, string batchNoun, long records, string recordNoun);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Pipeline {Pipeline} aborted in batch {BatchTime} ms; that batch was not committed")]
    private partial void LogAborted(string pipeline, long batchTime);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Pipeline {Pipeline} failed in batch {BatchTime} ms; that batch was not committed")]
    private partial void LogFailed(Exception error, string pipeline, long batchTime);

    [LoggerMessage(EventId = 19, Level = LogLevel.Error, Message = "Pipeline {Pipeline} failed in batch {BatchTime} ms; that batch was not committed: {Reason}")]
    private partial void LogOutputFailed(string pipeline, long batchTime, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Sink {Sink} could not discard its uncommitted batch")]
    private partial void LogSinkAbortFailed(Exception error, string sink);
}

/// <summary>Where a <see cref="PipelineRun"/> is in its life.</summary>
public enum PipelineRunState
{
    /// <summary><see cref="PipelineRun.RunAsync"/> has not been called.</summary>
    NotStarted,

    /// <summary>Reading its input and committing batches.</summary>
    Running,

    /// <summary>The input ended or a stop was asked for: nothing more is read, and the last batch is committed, at once.</summary>
    Finishing,

    /// <summary>The last batch was committed.</summary>
    Completed,

    /// <summary>The run failed or was abandoned; the batch in flight was not committed.</summary>
    Failed,
}

/// <summary>A pipeline run failed: a source, an operator or a sink threw. The batch in flight was not committed.</summary>
public sealed class PipelineFailedException : Exception
{
    /// <summary>Creates the exception for <paramref name="pipeline"/>'s batch <paramref name="batchTime"/>.</summary>
    public PipelineFailedException(string pipeline, long batchTime, Exception cause)
        : base($"Pipeline '{pipeline}' failed in batch {batchTime} ms: {cause.Message}", cause)
    {
        Pipeline = pipeline;
        BatchTime = batchTime;
    }

    /// <summary>The pipeline's name.</summary>
    public string Pipeline { get; }

    /// <summary>The time of the batch that failed (Unix milliseconds).</summary>
    public long BatchTime { get; }
}
