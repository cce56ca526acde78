using Compiled.Batching;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;

namespace Compiled.Testing;

/// <summary>
/// Runs a compiled pipeline batch by batch on a virtual clock, like Spark's <c>testOperation</c> or Kafka
/// Streams' <c>TopologyTestDriver</c>: no sockets, no files, no sleeps. Batch k (1-based) is at time
/// k × the batch interval, so its number (time ÷ interval, as in a run) is k (after a <see cref="Restore"/> of the
/// checkpoint of batch c, the driver's batch k is batch c + k); the records a test gives for batch k
/// are pushed through the same generated loop a real run uses, and each sink's output is kept, batch by batch, with
/// its time. A batch that fails ends the driver, as it ends a run.
/// </summary>
/// <remarks>
/// The generator writes a <c>TestDriver</c> class into every pipeline with a typed input per source and a typed
/// output per sink: <c>var test = new WordCount.TestDriver(); test.Input.Batch("a b", "a"); test.Run();</c>,
/// then <c>test.Output.Batches</c>.
/// </remarks>
public abstract class PipelineTestDriver : IDisposable
{
    private readonly PipelineJob _job;
    private readonly Sink[] _sinks;
    private readonly long _intervalMs;
    private readonly BatchCoordinator _coordinator;
    private readonly PipelineDefinition _definition;
    private long _firstBatch;         // the batch a restored checkpoint holds: this driver's batches follow it
    private Exception? _failure;      // what failed a batch; the job's state is then part-way through it

    /// <summary>Creates the driver's job over <paramref name="sinks"/> (the generated driver passes its captures).</summary>
    /// <exception cref="BatchIntervalException"><paramref name="batchInterval"/> does not divide a window of the pipeline.</exception>
    protected PipelineTestDriver(PipelineDefinition definition, TimeSpan? batchInterval, IReadOnlyList<Sink> sinks)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(sinks);
        BatchInterval = batchInterval ?? definition.BatchInterval;
        _intervalMs = (long)BatchInterval.TotalMilliseconds;
        if (_intervalMs < 1 || BatchInterval.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchInterval), BatchInterval, "The batch interval must be a whole number of milliseconds, at least 1.");
        }

        _sinks = [.. sinks];
        _definition = definition;
        Counters = definition.Sources.Select(_ => new SourceCounters()).ToArray();
        var context = new JobContext(definition.Sources.Select(_ => FramingOptions.Default).ToArray(), Counters, _sinks, BatchInterval);
        Metrics = context.Metrics;
        _job = definition.CreateJob(context);
        _coordinator = new BatchCoordinator(_job, context);
    }

    /// <summary>The batch interval: batch k is at k × this.</summary>
    public TimeSpan BatchInterval { get; }

    /// <summary>The number of batches run so far.</summary>
    public long BatchesRun { get; private set; }

    /// <summary>The progress of the last batch run (its number, time, records per source, durations, why it ended), or <see langword="null"/> before the first.</summary>
    public BatchProgress? LastProgress => _coordinator.LastProgress;

    /// <summary>Raised after each batch is committed, with its progress.</summary>
    public event Action<BatchProgress>? BatchCommitted
    {
        add => _coordinator.BatchCommitted += value;
        remove => _coordinator.BatchCommitted -= value;
    }

    /// <summary>Each source's counters (records, malformed lines), in declaration order.</summary>
    public IReadOnlyList<SourceCounters> Counters { get; }

    /// <summary>The job's counts: late records.</summary>
    public JobMetrics Metrics { get; }

    /// <summary>The generated job the driver runs.</summary>
    protected PipelineJob Job => _job;

    /// <summary>The captures standing in for the pipeline's sinks, in declaration order.</summary>
    protected IReadOnlyList<Sink> Sinks => _sinks;

    /// <summary>The number of batches the longest input holds.</summary>
    protected abstract int InputBatchCount { get; }

    /// <summary>
    /// Runs batches: by default every batch given to the inputs that has not run yet; or
    /// <paramref name="batches"/> more (inputs with no batch left contribute empty batches), for example to let
    /// a window slide past the last input. Can be called again after feeding more input.
    /// </summary>
    /// <exception cref="InvalidOperationException">An earlier batch failed.</exception>
    public void Run(int? batches = null)
    {
        ThrowIfFailed();
        long count = batches ?? Math.Max(0, InputBatchCount - BatchesRun);
        ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(batches));
        for (long i = 0; i < count; i++)
        {
            RunBatch(isLast: false);
        }
    }

    /// <summary>
    /// Runs the batches given to the inputs that have not run yet, the last of them as the end of the input, as when
    /// a file ends: event-time windows still open are emitted. With no batch left to run, runs one empty last batch.
    /// </summary>
    /// <exception cref="InvalidOperationException">An earlier batch failed.</exception>
    public void RunToEnd()
    {
        ThrowIfFailed();
        long count = Math.Max(1, InputBatchCount - BatchesRun);
        for (long i = 0; i < count; i++)
        {
            RunBatch(isLast: i == count - 1);
        }
    }

    /// <summary>
    /// Takes a checkpoint of the job after the batches run so far, as a run writes one after each batch: the bytes of a
    /// checkpoint file with the state of every stateful stage (no source positions: the driver's inputs are the test's).
    /// Give them to <see cref="Restore"/> on a new driver to go on from here, as a restarted job does.
    /// </summary>
    /// <exception cref="InvalidOperationException">An earlier batch failed.</exception>
    /// <exception cref="NotSupportedException">The pipeline keeps state a checkpoint cannot write (<see cref="PipelineDefinition.CheckpointProblems"/>).</exception>
    public byte[] Checkpoint()
    {
        ThrowIfFailed();
        if (_definition.CheckpointProblems.Count > 0)
        {
            throw new NotSupportedException($"Pipeline '{_definition.Name}' cannot keep a checkpoint: {string.Join("; ", _definition.CheckpointProblems)}");
        }

        long batch = _firstBatch + BatchesRun;
        using var writer = new CheckpointWriter();
        JobCheckpoint.Write(writer, _definition.Name, _definition.StateLayout.For(BatchInterval), new BatchInfo(batch, batch * _intervalMs), [], _job);
        return writer.WrittenFile.ToArray();
    }

    /// <summary>
    /// Restores a checkpoint <see cref="Checkpoint"/> took, before this driver's first batch: every stateful stage's
    /// state is as it was, and this driver's first batch is the one after the checkpoint's (its number and time follow
    /// on). The inputs given to this driver are its own batches: the first is the batch after the checkpoint.
    /// </summary>
    /// <exception cref="InvalidOperationException">This driver has run a batch already.</exception>
    /// <exception cref="CheckpointCorruptException">The bytes are not a whole checkpoint of this pipeline.</exception>
    /// <exception cref="CheckpointIncompatibleException">The checkpoint holds state in another layout (another pipeline version or batch interval).</exception>
    public void Restore(byte[] checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ThrowIfFailed();
        if (BatchesRun != 0 || _firstBatch != 0)
        {
            throw new InvalidOperationException("A checkpoint is restored into a new driver, before its first batch; create a new driver and restore into it.");
        }

        using CheckpointReader reader = CheckpointReader.FromBytes(checkpoint, "the checkpoint given to Restore", _definition.Name);
        SavedRun saved = JobCheckpoint.Read(reader, _definition.StateLayout.For(BatchInterval), "the checkpoint given to Restore");
        _job.ReadState(reader);
        _firstBatch = saved.BatchNumber;
    }

    /// <summary>Releases the job's pooled buffers.</summary>
    public void Dispose()
    {
        _job.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Pushes every source's records of batch <paramref name="index"/> (0-based) through the job.</summary>
    protected abstract void Push(int index);

    /// <summary>Called after each batch has completed and its sinks have committed (the generated driver takes the state stages' snapshots here).</summary>
    /// <param name="time">The batch's time.</param>
    protected virtual void BatchCompleted(long time)
    {
    }

    // One batch, by the protocol a run follows: the coordinator begins it (the sinks the job says receive it, then the
    // job), every source's records go through the loop, and the coordinator completes it (the job emits, those sinks
    // commit). A failure drops the batch from every sink and ends the driver, as it ends a run: the job's state stages
    // are left part-way through the batch (a store's end-of-batch sweep stops at the key whose call threw).
    private void RunBatch(bool isLast)
    {
        long index = BatchesRun + 1;
        long time = (_firstBatch + index) * _intervalMs;
        try
        {
            _coordinator.Begin(time);
            Push((int)(index - 1));
            _coordinator.CompleteAsync(isLast ? BatchEnd.EndOfInput : BatchEnd.Running).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception error)
        {
            _failure = error;
            _coordinator.Abort();
            throw;
        }

        BatchesRun = index;
        BatchCompleted(time);
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException($"Batch {BatchesRun + 1} failed ({_failure.GetType().Name}: {_failure.Message}), leaving the pipeline's state part-way through it, so no further batch can run on this driver: create a new driver for the next scenario.", _failure);
        }
    }
}
