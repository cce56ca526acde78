using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Internal;
using Compiled.Sinks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compiled.Hosting;

/// <summary>Where a run's sources and sinks point, and what it runs with. Every setting has a default.</summary>
public sealed class PipelineRunOptions
{
    /// <summary>Overrides the pipeline's declared batch interval.</summary>
    public TimeSpan? BatchInterval { get; set; }

    /// <summary>Source URIs by source name; a source not named here reads its declared default.</summary>
    public IDictionary<string, string> SourceUris { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Sink URIs by sink name; a sink not named here writes to its declared default.</summary>
    public IDictionary<string, string> SinkUris { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The clock batches are cut by. Tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the run logs.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Opens what <c>stdin:</c> reads; the process's standard input by default.</summary>
    public Func<Stream>? OpenStandardInput { get; set; }

    /// <summary>Opens what the <c>console</c> sink writes to; the process's standard output by default.</summary>
    public Func<Stream>? OpenStandardOutput { get; set; }

    /// <summary>The directory relative <c>file:</c> paths are resolved against; the current directory by default.</summary>
    public string? CurrentDirectory { get; set; }
}

/// <summary>
/// One run of a compiled pipeline, like Spark's <c>StreamingContext</c>: binds its sources and sinks, cuts
/// time into batches of the batch interval, feeds every record through the generated loop, and commits
/// each batch to the sinks. <see cref="RunAsync"/> returns when a bounded input is exhausted (after its last
/// batch) or when stopped; a stop finishes the batch in flight and commits it.
/// </summary>
/// <remarks>
/// All of a run's work happens in one logical thread: the read loop. The batch timer and a stop request
/// only set a flag and wake the loop (cancelling a pending read with <see cref="PipeReader.CancelPendingRead"/>),
/// so the generated job never needs a lock. A batch's time is the end of its interval in Unix
/// milliseconds, a multiple of the interval, as in Spark.
/// </remarks>
public sealed partial class PipelineRun : IAsyncDisposable
{
    private readonly PipelineDefinition _definition;
    private readonly Source[] _sources;
    private readonly Sink[] _sinks;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly long _intervalMs;

    private readonly Lock _wakeGate = new();
    private TaskCompletionSource _wake = NewSignal();
    private volatile bool _batchDue;
    private volatile bool _stopping;
    private int _started;
    private int _state;
    private bool _disposed;

    private ITimer? _timer;
    private long _batchTime;
    private long _batchIndex;
    private long _batchRecords;
    private long _batchBytes;
    private long _batchSkipped;
    private long _batchMalformed;
    private long _batchLate;
    private JobMetrics? _metrics;

    /// <summary>Binds <paramref name="definition"/>'s sources and sinks to the URIs in <paramref name="options"/> (or their defaults).</summary>
    /// <exception cref="ConnectorUriException">A URI is missing, malformed, of an unknown scheme, or has a bad option.</exception>
    /// <exception cref="BatchIntervalException">The batch interval does not divide a window of the pipeline.</exception>
    public PipelineRun(PipelineDefinition definition, PipelineRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        options ??= new PipelineRunOptions();
        _definition = definition;
        _time = options.TimeProvider;
        _log = options.LoggerFactory.CreateLogger("Compiled." + definition.Name);
        BatchInterval = options.BatchInterval ?? definition.BatchInterval;
        _intervalMs = (long)BatchInterval.TotalMilliseconds;
        if (_intervalMs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), BatchInterval, "The batch interval must be at least 1 ms.");
        }

        definition.CheckBatchInterval(BatchInterval);

        foreach (string name in options.SourceUris.Keys.Concat(options.SinkUris.Keys))
        {
            if (!definition.Sources.Any(s => s.Name == name) && !definition.Sinks.Any(s => s.Name == name))
            {
                throw new ConnectorUriException(name, "source", $"pipeline '{definition.Name}' has no source or sink named '{name}'; it has {DescribeNames(definition)}");
            }
        }

        string directory = options.CurrentDirectory ?? Environment.CurrentDirectory;
        var sourceContext = new SourceContext
        {
            TimeProvider = _time,
            LoggerFactory = options.LoggerFactory,
            BatchInterval = BatchInterval,
            OpenStandardInput = options.OpenStandardInput ?? Console.OpenStandardInput,
            CurrentDirectory = directory,
        };
        var sinkContext = new SinkContext
        {
            OpenStandardOutput = options.OpenStandardOutput ?? Console.OpenStandardOutput,
            CurrentDirectory = directory,
            LoggerFactory = options.LoggerFactory,
        };

        var sources = new List<Source>();
        var sinks = new List<Sink>();
        try
        {
            foreach (SourceDeclaration declared in definition.Sources)
            {
                string uri = Bind(options.SourceUris, declared.Name, declared.DefaultUri, "source");
                sources.Add(ConnectorRegistry.CreateSource(uri, sourceContext));
            }

            foreach (SinkDeclaration declared in definition.Sinks)
            {
                string uri = Bind(options.SinkUris, declared.Name, declared.DefaultUri, "sink");
                sinks.Add(ConnectorRegistry.CreateSink(uri, sinkContext));
            }
        }
        catch
        {
            foreach (Source source in sources)
            {
                source.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            foreach (Sink sink in sinks)
            {
                sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }

        _sources = sources.ToArray();
        _sinks = sinks.ToArray();
    }

    /// <summary>The pipeline this run runs.</summary>
    public PipelineDefinition Definition => _definition;

    /// <summary>The batch interval in force.</summary>
    public TimeSpan BatchInterval { get; }

    /// <summary>The bound sources, in declaration order.</summary>
    public IReadOnlyList<Source> Sources => _sources;

    /// <summary>The bound sinks, in declaration order.</summary>
    public IReadOnlyList<Sink> Sinks => _sinks;

    /// <summary>Batches committed so far.</summary>
    public long BatchesCompleted { get; private set; }

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
        var framing = _sources.Select(s => s.Framing).ToArray();
        var counters = _sources.Select(s => s.Counters).ToArray();
        LogStarting(_definition.Name, DurationText.Format(BatchInterval), string.Join(", ", _sources.Select(s => s.Uri.Text)), string.Join(", ", _sinks.Select(s => s.Uri.Text)));
        try
        {
            foreach (Sink sink in _sinks)
            {
                await sink.OpenAsync(abortToken).ConfigureAwait(false);
            }

            var context = new JobContext(framing, counters, _sinks, BatchInterval);
            _metrics = context.Metrics;
            using PipelineJob job = _definition.CreateJob(context);
            using ITimer timer = _time.CreateTimer(static state => ((PipelineRun)state!).OnBatchDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer = timer;
            using CancellationTokenRegistration stop = stoppingToken.Register(static state => ((PipelineRun)state!).OnStopRequested(), this);

            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            StartBatch(((now / _intervalMs) + 1) * _intervalMs);

            // Every source's streams are read side by side, one after another per source, until all have ended or
            // the run stops; the job sees one buffer at a time, on this loop only.
            await ReadSourcesAsync(job, abortToken).ConfigureAwait(false);
            if (_stopping)
            {
                LogStopping(_definition.Name, _batchTime);
            }

            // The last batch holds what was read since the last boundary. It is committed when its time comes,
            // as every batch is, so that its label is never in the future: a run started right after this one
            // cannot reuse it, and a file sink never overwrites another run's output.
            Volatile.Write(ref _state, (int)PipelineRunState.Finishing);
            await WaitForBatchTimeAsync(abortToken).ConfigureAwait(false);
            await CompleteBatchAsync(job, startNext: false, abortToken).ConfigureAwait(false);
            Volatile.Write(ref _state, (int)PipelineRunState.Completed);
            LogStopped(_definition.Name, BatchesCompleted, Total(static c => c.Records));
        }
        catch (OperationCanceledException) when (abortToken.IsCancellationRequested)
        {
            Volatile.Write(ref _state, (int)PipelineRunState.Failed);
            AbortSinks();
            LogAborted(_definition.Name, _batchTime);
            throw;
        }
        catch (Exception error) when (error is not PipelineFailedException)
        {
            Volatile.Write(ref _state, (int)PipelineRunState.Failed);
            AbortSinks();
            LogFailed(error, _definition.Name, _batchTime);
            throw new PipelineFailedException(_definition.Name, _batchTime, error);
        }
        finally
        {
            _timer = null;
            await DisposeConnectorsAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Releases the sources and sinks if the run never ran.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_disposed && _started == 0)
        {
            await DisposeConnectorsAsync().ConfigureAwait(false);
        }

        _disposed = true;
    }

    // The loop of a run: waits for each source's next stream, reads each stream to its end, frames and processes
    // every buffer, and completes batches on time in between. Returns when every source has ended or the run is
    // stopping; a stop still processes what each source had already read.
    private async Task ReadSourcesAsync(PipelineJob job, CancellationToken abortToken)
    {
        var lanes = new Lane[_sources.Length];
        for (int i = 0; i < lanes.Length; i++)
        {
            lanes[i] = new Lane(i, _sources[i]);
        }

        using var acquire = CancellationTokenSource.CreateLinkedTokenSource(abortToken);
        var pending = new List<Task>(lanes.Length + 1);
        bool ended = false;  // by a stop or the end of every source, not by a failure
        try
        {
            while (true)
            {
                Task wake = ArmWake();
                if (_batchDue)
                {
                    await CompleteBatchAsync(job, startNext: true, abortToken).ConfigureAwait(false);
                    continue;
                }

                if (_stopping)
                {
                    ended = true;
                    return;
                }

                bool progressed = false;
                bool open = false;
                foreach (Lane lane in lanes)
                {
                    if (lane.Ended)
                    {
                        continue;
                    }

                    open = true;
                    progressed |= await AdvanceAsync(job, lane, acquire.Token, abortToken).ConfigureAwait(false);
                }

                if (!open)
                {
                    ended = true;
                    return;
                }

                if (!progressed)
                {
                    pending.Clear();
                    pending.Add(wake);
                    foreach (Lane lane in lanes)
                    {
                        if (lane.Next is { } next)
                        {
                            pending.Add(next);
                        }
                        else if (lane.Read is { } read)
                        {
                            pending.Add(read);
                        }
                    }

                    await Task.WhenAny(pending).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await acquire.CancelAsync().ConfigureAwait(false);
            // Every lane is closed, whatever another lane's closing throws; the first such error is raised after,
            // unless the loop's own exception is already on its way.
            Exception? closeError = null;
            foreach (Lane lane in lanes)
            {
                try
                {
                    await CloseLaneAsync(job, lane, processRead: ended, abortToken).ConfigureAwait(false);
                }
                catch (Exception error) when (closeError is null)
                {
                    closeError = error;
                }
                catch (Exception)
                {
                    // A later lane's error: the first one is raised.
                }
            }

            if (ended && closeError is not null)
            {
                ExceptionDispatchInfo.Throw(closeError);
            }
        }
    }

    // One step of one source: takes its next stream if one has come, or processes a buffer if a read has completed,
    // and starts the next wait. Returns whether anything happened.
    private async ValueTask<bool> AdvanceAsync(PipelineJob job, Lane lane, CancellationToken acquireToken, CancellationToken abortToken)
    {
        if (lane.Stream is null)
        {
            lane.Next ??= lane.Source.NextStreamAsync(acquireToken).AsTask();
            if (!lane.Next.IsCompleted)
            {
                return false;
            }

            Task<SourceStream?> next = lane.Next;
            lane.Next = null;
            SourceStream? stream = await next.ConfigureAwait(false);
            if (stream is null)
            {
                lane.Ended = true;
                SourceCounters counters = lane.Source.Counters;
                LogInputEnded(_definition.Name, lane.Source.Uri.Text, counters.Records, counters.Bytes, counters.OversizeSkipped);
                return true;
            }

            lane.Source.Counters.Streams++;
            LogStreamOpened(lane.Source.Uri.Text, stream.Name);
            lane.Stream = stream;
            job.BeginStream(lane.Index, stream.Name);
            return true;
        }

        ReadResult result;
        if (lane.Read is { } read)
        {
            if (!read.IsCompleted)
            {
                return false;
            }

            lane.Read = null;
            result = await read.ConfigureAwait(false);
        }
        else
        {
            // Most reads of a busy source complete at once: those are taken as they are, without a Task.
            ValueTask<ReadResult> next = lane.Stream.Reader.ReadAsync(abortToken);
            if (!next.IsCompleted)
            {
                lane.Read = next.AsTask();
                return false;
            }

            result = await next.ConfigureAwait(false);
        }

        await ProcessAsync(job, lane, result).ConfigureAwait(false);
        return true;
    }

    // Frames and processes one buffer of a source's stream; at the stream's end, releases it.
    private async ValueTask ProcessAsync(PipelineJob job, Lane lane, ReadResult result)
    {
        SourceStream stream = lane.Stream!;
        ReadOnlySequence<byte> buffer = result.Buffer;
        SequencePosition consumed = buffer.Start;
        try
        {
            consumed = job.Process(lane.Index, buffer, result.IsCompleted);
        }
        finally
        {
            stream.Reader.AdvanceTo(consumed, buffer.End);
        }

        LogConsumed(stream.Name, lane.Source.Counters.Bytes);
        if (result.IsCompleted)
        {
            LogStreamEnded(lane.Source.Uri.Text, stream.Name);
            lane.Stream = null;
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    // At the end of the reading loop: a wait for a stream is given up (a stream that came anyway is closed), a read
    // in flight is cut short and, unless the run failed, what it had read is still processed; the stream is closed.
    private async ValueTask CloseLaneAsync(PipelineJob job, Lane lane, bool processRead, CancellationToken abortToken)
    {
        if (lane.Next is { } next)
        {
            lane.Next = null;
            SourceStream? late = null;
            try
            {
                late = await next.ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException || !processRead)
            {
                // The wait for a connection or a file was cut short by the stop, as asked; or the run is failing
                // already, and that failure is the one to report.
            }

            if (late is not null)
            {
                await late.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (lane.Stream is not { } stream)
        {
            return;
        }

        if (lane.Read is { } read)
        {
            lane.Read = null;
            stream.Reader.CancelPendingRead();
            ReadResult result;
            try
            {
                result = await read.ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or IOException)
            {
                result = default;
            }

            if (processRead && (result.Buffer.Length > 0 || result.IsCompleted))
            {
                await ProcessAsync(job, lane, result).ConfigureAwait(false);
            }
        }

        if (lane.Stream is { } open)
        {
            lane.Stream = null;
            await open.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A source as the reading loop sees it: waiting for its next stream, or reading one, or ended.
    private sealed class Lane(int index, Source source)
    {
        public int Index { get; } = index;

        public Source Source { get; } = source;

        public Task<SourceStream?>? Next { get; set; }

        public SourceStream? Stream { get; set; }

        public Task<ReadResult>? Read { get; set; }

        public bool Ended { get; set; }
    }

    private void StartBatch(long batchTime)
    {
        _batchTime = batchTime;
        _batchIndex++;
        _batchRecords = Total(static c => c.Records);
        _batchBytes = Total(static c => c.Bytes);
        _batchSkipped = Total(static c => c.OversizeSkipped);
        _batchMalformed = Total(static c => c.Malformed);
        _batchLate = _metrics?.LateRecords ?? 0;
        for (int i = 0; i < _sinks.Length; i++)
        {
            if (_definition.Sinks[i].ReceivesBatch(_batchIndex, BatchInterval))
            {
                _sinks[i].BeginBatch(batchTime);
            }
        }

        // Never more than one interval away, so that a wall clock stepped back does not stall the run.
        long due = Math.Clamp(batchTime - _time.GetUtcNow().ToUnixTimeMilliseconds(), 0, _intervalMs);
        _timer!.Change(TimeSpan.FromMilliseconds(due), Timeout.InfiniteTimeSpan);
    }

    // Waits until the current batch's time has come (the timer sets the flag), or the run is abandoned.
    private async Task WaitForBatchTimeAsync(CancellationToken abortToken)
    {
        while (true)
        {
            Task wake = ArmWake();
            if (_batchDue)
            {
                return;
            }

            await wake.WaitAsync(abortToken).ConfigureAwait(false);
        }
    }

    // Emits the batch's aggregates, commits every sink, and (unless it is the last) starts the next batch.
    private async Task CompleteBatchAsync(PipelineJob job, bool startNext, CancellationToken abortToken)
    {
        _batchDue = false;
        long started = Stopwatch.GetTimestamp();
        job.CompleteBatch(new BatchInfo(_batchIndex, _batchTime, IsLast: !startNext));
        for (int i = 0; i < _sinks.Length; i++)
        {
            if (_definition.Sinks[i].ReceivesBatch(_batchIndex, BatchInterval))
            {
                await _sinks[i].CommitBatchAsync(abortToken).ConfigureAwait(false);
            }
        }

        BatchesCompleted++;
        long records = Total(static c => c.Records) - _batchRecords;
        long bytes = Total(static c => c.Bytes) - _batchBytes;
        long skipped = Total(static c => c.OversizeSkipped) - _batchSkipped;
        LogBatchCompleted(_batchTime, records, bytes, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        long lateRecords = (_metrics?.LateRecords ?? 0) - _batchLate;
        if (lateRecords > 0)
        {
            LogLate(_batchTime, lateRecords);
        }

        long malformed = Total(static c => c.Malformed) - _batchMalformed;
        if (malformed > 0)
        {
            LogMalformed(_batchTime, malformed, string.Join(", ", _definition.Sources.Zip(_sources, (d, s) => $"{s.Uri.Text} ({d.Format})")));
        }

        if (skipped > 0)
        {
            // Dropped input is never silent: the log says how much, where, and how to keep it instead.
            LogOversizeSkipped(_batchTime, skipped, string.Join(", ", _sources.Select(s => $"{s.Uri.Text} (maxRecordBytes={s.Framing.MaxRecordBytes})")));
        }
        long late = _time.GetUtcNow().ToUnixTimeMilliseconds() - _batchTime;
        if (startNext && late > _intervalMs)
        {
            LogFallingBehind(_batchTime, late, DurationText.Format(BatchInterval));
        }

        if (startNext)
        {
            StartBatch(_batchTime + _intervalMs);
        }
    }

    private void OnBatchDue()
    {
        _batchDue = true;
        WakeLoop();
    }

    private void OnStopRequested()
    {
        _stopping = true;
        WakeLoop();
    }

    // Wakes the loop wherever it waits (for reads or streams, with the wake signal among them).
    // The caller has set its flag first; the lock orders that write before the loop's next look at the flags.
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

    private void AbortSinks()
    {
        foreach (Sink sink in _sinks)
        {
            try
            {
                sink.AbortBatch();
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                LogSinkAbortFailed(error, sink.Uri.Text);
            }
        }
    }

    private async ValueTask DisposeConnectorsAsync()
    {
        foreach (Source source in _sources)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }

        foreach (Sink sink in _sinks)
        {
            await sink.DisposeAsync().ConfigureAwait(false);
        }
    }

    private long Total(Func<SourceCounters, long> counter)
    {
        long total = 0;
        foreach (Source source in _sources)
        {
            total += counter(source.Counters);
        }

        return total;
    }

    private static string Bind(IDictionary<string, string> uris, string name, string? defaultUri, string role)
    {
        if (uris.TryGetValue(name, out string? uri))
        {
            return uri;
        }

        return defaultUri ?? throw new ConnectorUriException(name, role,
            $"{role} '{name}' has no default URI; bind one with --{role} {name}=URI");
    }

    private static string DescribeNames(PipelineDefinition definition) =>
        $"sources {string.Join(", ", definition.Sources.Select(s => s.Name))} and sinks {string.Join(", ", definition.Sinks.Select(s => s.Name))}";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Pipeline {Pipeline} starting: batch interval {Interval}, reading {Sources}, writing {Sinks}")]
    private partial void LogStarting(string pipeline, string interval, string sources, string sinks);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Source}: reading {Stream}")]
    private partial void LogStreamOpened(string source, string stream);

    [LoggerMessage(EventId = 3, Level = LogLevel.Trace, Message = "{Stream}: {Bytes} bytes consumed in all")]
    private partial void LogConsumed(string stream, long bytes);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "{Source}: {Stream} ended")]
    private partial void LogStreamEnded(string source, string stream);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Batch {BatchTime} ms committed: {Records} records, {Bytes} bytes; emitting and committing took {Milliseconds:F1} ms")]
    private partial void LogBatchCompleted(long batchTime, long records, long bytes, double milliseconds);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Batch {BatchTime} ms had {Late} late records, older than the watermark: they went to the late sink where the event-time stage names one, and were dropped otherwise; raise Lateness to keep them")]
    private partial void LogLate(long batchTime, long late);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Batch {BatchTime} ms skipped {Malformed} lines that did not parse as the records of {Sources}; fix the input or declare the source as Lines to see the lines as they are")]
    private partial void LogMalformed(long batchTime, long malformed, string sources);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Batch {BatchTime} ms dropped {Skipped} records longer than the limit of {Sources}; raise maxRecordBytes on the source URI to keep them")]
    private partial void LogOversizeSkipped(long batchTime, long skipped, string sources);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Batch {BatchTime} ms was committed {Late} ms after its time, more than the batch interval of {Interval}: the job is falling behind its input")]
    private partial void LogFallingBehind(long batchTime, long late, string interval);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Pipeline {Pipeline}: input {Source} ended after {Records} records ({Bytes} bytes, {Skipped} oversize records skipped); the last batch is committed at its time once every source has ended")]
    private partial void LogInputEnded(string pipeline, string source, long records, long bytes, long skipped);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Pipeline {Pipeline}: stop requested; reading stopped, batch {BatchTime} ms will be committed at its time")]
    private partial void LogStopping(string pipeline, long batchTime);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Pipeline {Pipeline} stopped after {Batches} batches and {Records} records")]
    private partial void LogStopped(string pipeline, long batches, long records);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Pipeline {Pipeline} aborted in batch {BatchTime} ms; that batch was not committed")]
    private partial void LogAborted(string pipeline, long batchTime);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Pipeline {Pipeline} failed in batch {BatchTime} ms; that batch was not committed")]
    private partial void LogFailed(Exception error, string pipeline, long batchTime);

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

    /// <summary>The input ended or a stop was asked for: nothing more is read, and the last batch waits for its time to be committed.</summary>
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
