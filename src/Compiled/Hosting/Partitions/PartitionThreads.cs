using System.Buffers;
using System.Runtime.ExceptionServices;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Windows;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// The partitions of a run, each reading its share of every source's input (<see cref="PartitionInput"/>: its byte
/// ranges of a source's files, or the messages of its share of a topic's partitions) on a dedicated thread and running
/// it through its fused loop: partition 0 through the job itself, partition p through the job's <see cref="JobPartition"/> p.
/// The run's loop is the coordinator: at a batch boundary it asks every partition to park (<see cref="PauseAsync"/>);
/// each finishes the buffer in hand (a record boundary) and parks; when all have, the coordinator folds the partitions'
/// partials into the job (<see cref="Merge"/>), completes the batch on the job alone, and lets them go on
/// (<see cref="Resume"/>). A partition that has read all its ranges ends; the input has ended when all have.
/// </summary>
/// <remarks>
/// <para>
/// The partitions read files a section at a time (<see cref="Compiled.Connectors.Files.PartitionedFiles.SectionOf"/>): a partition that has
/// read its part of a section waits, parked, until every partition has, and then the batch ends, so that no batch holds
/// two sections' records and each batch's records, partition by partition, are in the input's order. With one byte range
/// per partition the whole input is one section; cut into sections of a batch's bytes (<c>MaxBatchBytes</c>), the
/// partitions move through the input together, and a job's event time with them: the watermark, which follows the
/// partition furthest behind, is never more than a section behind the front, so windows close as the input goes instead
/// of at its end.
/// </para>
/// <para>
/// Per buffer (or batch of messages) a partition reads one volatile flag; the lock is taken only to park, to wait for
/// input, to end, and at the boundary. A partition with no input ready (no message has come) waits counted as parked:
/// a boundary does not wait for it, and it goes on when input comes, unless the partitions are parked by then.
/// </para>
/// </remarks>
internal sealed partial class PartitionThreads : IDisposable
{
    private readonly PipelineJob _job;
    private readonly JobPartition[] _partitions;       // [p - 1] is partition p
    private readonly JobPartition? _first;               // partition 0 kept apart from the job's state (ReadsOnDuringCompletion), or null: the job reads it
    private readonly SourceCounters[]? _firstCounters;   // [source]: partition 0's own counters when it is kept apart
    private readonly PartitionContext? _firstContext;    // partition 0's context when it is kept apart
    private readonly SourceCounters[][] _counters;      // [p - 1][source]: partition p's own counters
    private readonly PartitionContext[] _contexts;      // [p - 1]: partition p's context, with its sink buffers
    private readonly long _sinkBufferBytes;
    private readonly Action _wakeCoordinator;
    private readonly IReadOnlyList<Source> _sources;
    private readonly PartitionInput[] _inputs;
    private readonly Thread[] _threads;
    private readonly Action<int> _mapShard;
    private readonly SemaphoreSlim[] _go;
    private readonly bool[] _parked;
    private readonly bool[] _idle;                       // [p]: partition p waits for input, counted as parked
    private readonly bool[] _inputCame;                  // [p]: input came for idle partition p while the partitions were parked
    private readonly int[] _waitingFor;                  // [p]: the section partition p waits for, parked; -1 when it does not
    private readonly int[] _sectionBase;                 // [input]: the run's section number of the input's first section
    private int _section;                                // the section the partitions read now
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _attention = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _paused;
    private volatile bool _pauseRequested;
    private volatile bool _closing;
    private volatile bool _boundaryRequested;
    private volatile bool _batchFull;
    private readonly long[] _batchBytes;                 // [p]: the bytes partition p has read in the batch in flight
    private int _running;
    private int _ended;
    private bool _mergedASection;                        // the last merge was at a section's end
    private readonly List<Watermark> _mergedWatermarks = [];
    private ExceptionDispatchInfo? _failure;

    /// <summary>
    /// Creates <paramref name="count"/> partitions of <paramref name="job"/> over each source's input; starts nothing. A
    /// partition whose sink buffers hold more than <paramref name="sinkBufferBytes"/> parks and asks the coordinator for
    /// a boundary (<see cref="BoundaryRequested"/>), waking it with <paramref name="wakeCoordinator"/>. With
    /// <paramref name="readOnDuringCompletion"/>, partition 0 runs through a <see cref="JobPartition"/> of its own,
    /// merged into the job as the others are, so that the partitions may read the next section while the run's loop
    /// completes the batch of the last (<see cref="ReadsOnDuringCompletion"/>): when every input is files cut into
    /// sections, no <c>[MapWithState]</c> state is mapped in shards, and no partition writes
    /// its records to a sink's part of its own.
    /// </summary>
    public PartitionThreads(PipelineJob job, JobContext context, IReadOnlyList<Source> sources, IReadOnlyList<PartitionInput> inputs, int count, string pipeline,
        long sinkBufferBytes, Action wakeCoordinator, bool readOnDuringCompletion = false)
    {
        _job = job;
        _sources = sources;
        _inputs = [.. inputs];
        _sinkBufferBytes = sinkBufferBytes;
        _wakeCoordinator = wakeCoordinator;
        _partitions = new JobPartition[count - 1];
        _counters = new SourceCounters[count - 1][];
        _contexts = new PartitionContext[count - 1];
        try
        {
            for (int p = 1; p < count; p++)
            {
                SourceCounters[] counters = NewCounters(sources.Count);
                _counters[p - 1] = counters;
                _contexts[p - 1] = new PartitionContext(context.Framing, counters) { BadRecords = context.BadRecords, Sinks = context.Sinks, Partition = p, Partitions = count };
                _partitions[p - 1] = job.CreatePartition(_contexts[p - 1]);
                _partitions[p - 1].Index = p;
            }

            // Partition 0 apart from the job: its records reach the job's tables only at a boundary, so the job can emit
            // and commit a batch while the partitions read the next section. Not when a partition writes a sink's part of
            // its own (the next section's records would reach the sink before the batch commits), nor for state mapped in
            // shards, nor for a topic's partitions, whose offsets are committed with each batch. Dead letters of the next
            // section's records are kept apart until the batch's are written (BadRecordLedger.MarkBatchEnd).
            // Only files read a section at a time have boundaries at sections' ends to read on from.
            if (readOnDuringCompletion && count > 1 && !job.MapsStateInShards
                && _inputs.All(static input => input is FileInput) && _inputs.Any(static input => input.Sections > 1)
                && !_contexts.Any(static c => c.SinkBuffers.Any(static buffer => buffer.Part is not null)))
            {
                _firstCounters = NewCounters(sources.Count);

                // Its records for a sink are kept in a buffer, drained into the job's sink at the boundary (no part is
                // asked for).
                _firstContext = new PartitionContext(context.Framing, _firstCounters)
                {
                    BadRecords = context.BadRecords,
                    Sinks = context.Sinks,
                    Partition = 0,
                    Partitions = 1,
                };
                _first = job.CreatePartition(_firstContext);

                // Index 0: what its watermark has seen is the job's own input's, as when the job reads it.
                _first.Index = 0;
            }
        }
        catch
        {
            DisposePartitions();
            throw;
        }

        _mapShard = shard => _job.MapShard(shard, _partitions);
        _threads = new Thread[count];
        _batchBytes = new long[count];
        _go = new SemaphoreSlim[count];
        _parked = new bool[count];
        _idle = new bool[count];
        _inputCame = new bool[count];
        _waitingFor = new int[count];
        Array.Fill(_waitingFor, -1);

        // Each source's sections follow the one before's, its first one shared with the last of the input before: a
        // source read in one section adds no wait.
        _sectionBase = new int[inputs.Count];
        for (int input = 1; input < inputs.Count; input++)
        {
            _sectionBase[input] = _sectionBase[input - 1] + inputs[input - 1].Sections - 1;
        }

        for (int p = 0; p < count; p++)
        {
            int partition = p;
            _go[p] = new SemaphoreSlim(0);
            _threads[p] = new Thread(() => Run(partition))
            {
                IsBackground = true,
                Name = $"{pipeline} partition {p}",
            };
        }
    }

    // A partition's own counters, one for each source, added to the sources' at each boundary.
    private static SourceCounters[] NewCounters(int sources)
    {
        var counters = new SourceCounters[sources];
        for (int s = 0; s < sources; s++)
        {
            counters[s] = new SourceCounters();
        }

        return counters;
    }

    /// <summary>How many partitions there are.</summary>
    public int Count => _threads.Length;

    /// <summary>Completes when every partition has ended or one has failed.</summary>
    public Task Attention => _attention.Task;

    /// <summary>Whether every partition has read all its input.</summary>
    public bool AllEnded
    {
        get
        {
            lock (_gate)
            {
                return _ended == _threads.Length;
            }
        }
    }

    /// <summary>
    /// Whether a partition's sink buffers are full: it has parked, and the batch should end now, so that the merge writes
    /// them out. Cleared when the partitions go on (<see cref="Resume"/>).
    /// </summary>
    public bool BoundaryRequested => _boundaryRequested;

    /// <summary>
    /// How many bytes of input one partition reads in a batch before it asks for the boundary (the run's
    /// <c>MaxBatchBytes</c> shared out, when the files were not cut into sections of that size); <see cref="long.MaxValue"/>: no bound.
    /// </summary>
    public long BatchBytesPerPartition { get; set; } = long.MaxValue;

    /// <summary>Whether the boundary asked for (<see cref="BoundaryRequested"/>) was asked by a partition that read its share of a batch's bytes.</summary>
    public bool BatchFull => _batchFull;

    /// <summary>Whether any source's input was cut into more than one section (<see cref="PartitionInput.Sections"/>).</summary>
    public bool ReadsSections => _inputs.Any(static input => input.Sections > 1);

    /// <summary>
    /// Whether partition 0 runs apart from the job's state, so that at a section's end the partitions read the next
    /// section while the run's loop completes the batch (<see cref="MergedASection"/>, <see cref="MoveWatermarksOn"/>).
    /// </summary>
    public bool ReadsOnDuringCompletion => _first is not null;

    /// <summary>Whether the last <see cref="Merge"/> was at a section's end: every partition had read its part of the section in hand, or ended.</summary>
    public bool MergedASection => _mergedASection;

    /// <summary>Starts every partition's thread.</summary>
    public void Start()
    {
        _first?.BeginBatch(_job);

        foreach (JobPartition partition in _partitions)
        {
            partition.BeginBatch(_job);
        }

        _running = _threads.Length;
        foreach (Thread thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Throws what a partition failed with, if one did.</summary>
    public void ThrowIfFailed()
    {
        lock (_gate)
        {
            _failure?.Throw();
        }
    }

    /// <summary>Asks every partition to park after the buffer in hand; completes when none is running any more.</summary>
    public Task PauseAsync(CancellationToken abortToken)
    {
        TaskCompletionSource paused;
        lock (_gate)
        {
            paused = _paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pauseRequested = true;
            TellInputsOfBoundary();
            if (_running == 0)
            {
                paused.TrySetResult();
            }
        }

        return paused.Task.WaitAsync(abortToken);
    }

    /// <summary>
    /// With every partition parked or ended: maps each shard of a <c>[MapWithState]</c> state kept in shards, side by side
    /// (<see cref="PipelineJob.MapShard"/>), then adds each partition's counters to its source's, and folds its tables into
    /// the job's, in partition order.
    /// </summary>
    public void Merge()
    {
        if (_job.MapsStateInShards)
        {
            // Each shard of the [MapWithState] state mapped on a thread of its own, into its partition's tables.
            _job.BeginShards(_partitions);
            try
            {
                Parallel.For(0, _threads.Length, _mapShard);
            }
            catch (AggregateException error) when (error.InnerExceptions.Count > 0)
            {
                // What a stage threw, as on one partition, not wrapped by the loop that ran the shards.
                ExceptionDispatchInfo.Throw(error.InnerExceptions[0]);
            }
        }

        // At a section's end the partitions together have read the input up to it, as one partition would have: none
        // holds the job's watermark back, which moves on to the latest event time of them all, as one partition's would.
        // Input whose every boundary is as a section's end (a topic's partitions, read as they come) is always so.
        bool sectionEnded = _inputs.All(static input => input.EveryBoundaryEndsASection) || AtSectionEnd();
        _mergedASection = sectionEnded;

        // What each partition has read so far is in the batch: the files' positions are taken here, whatever is read on.
        foreach (PartitionInput input in _inputs)
        {
            if (input is FileInput file)
            {
                file.Files.MarkBoundary();
            }
        }

        bool jobEnded = _job.RangeEnded;

        // The job's watermarks the partitions merge into are noted, for MoveWatermarksOn.
        _mergedWatermarks.Clear();
        Watermark.NoteMergesInto(_mergedWatermarks);
        try
        {
            if (_first is not null)
            {
                // Partition 0 kept apart goes first, as the job's own records would be there.
                MergePartition(_first, _firstCounters!, jobEnded, sectionEnded);
            }

            for (int p = 0; p < _partitions.Length; p++)
            {
                MergePartition(_partitions[p], _counters[p], jobEnded, sectionEnded);
            }
        }
        finally
        {
            Watermark.NoteMergesInto(null);
        }
    }

    // Adds a partition's counters to its sources' and folds its tables into the job's.
    private void MergePartition(JobPartition partition, SourceCounters[] counters, bool jobEnded, bool sectionEnded)
    {
        for (int s = 0; s < _sources.Count; s++)
        {
            counters[s].MoveLoopTotalsInto(_sources[s].Counters);
        }

        bool ended = partition.HasEnded;
        _job.RangeEnded = jobEnded || sectionEnded;
        partition.HasEnded = ended || sectionEnded;
        try
        {
            partition.MergeInto(_job);
        }
        finally
        {
            partition.HasEnded = ended;
            _job.RangeEnded = jobEnded;
        }
    }

    /// <summary>
    /// After a <see cref="Merge"/>, before the partitions go on while the batch of time <paramref name="batchTime"/> is
    /// completed: moves the job's watermarks that the partitions merged into on for that batch, as the batch's completion
    /// does first (which then finds them moved), so that the partitions judge the next section's records late against the
    /// value one partition would.
    /// </summary>
    public void MoveWatermarksOn(long batchTime)
    {
        foreach (Watermark watermark in _mergedWatermarks)
        {
            watermark.Advance(batchTime, isLast: false);
        }
    }

    // Whether every partition has read its part of the section in hand: each has ended or waits for a later section.
    private bool AtSectionEnd()
    {
        lock (_gate)
        {
            for (int p = 0; p < _waitingFor.Length; p++)
            {
                if (_waitingFor[p] < 0 && !Ended(p))
                {
                    return false;
                }
            }

            return true;
        }
    }

    // Whether partition p has read all its ranges.
    private bool Ended(int p) => p > 0 ? _partitions[p - 1].HasEnded : _job.RangeEnded;

    /// <summary>Lets every parked partition go on, each having taken what it reads from the job for the next batch.</summary>
    public void Resume()
    {
        foreach (PartitionInput input in _inputs)
        {
            input.PartitionsGoOn();
        }

        if (!_closing)
        {
            _first?.BeginBatch(_job);
            foreach (JobPartition partition in _partitions)
            {
                partition.BeginBatch(_job);
            }
        }

        lock (_gate)
        {
            _pauseRequested = false;
            _boundaryRequested = false;
            _batchFull = false;
            Array.Clear(_batchBytes);
            _paused = null;
            for (int p = 0; p < _parked.Length; p++)
            {
                if (_parked[p] && (_waitingFor[p] < 0 || _closing))
                {
                    Release(p);
                }
                else if (_idle[p] && (_inputCame[p] || _closing))
                {
                    // Input came for a partition waiting for it while the partitions were parked: it is read now.
                    Wake(p);
                }
            }

            if (_running == 0 && !_closing)
            {
                // Every partition still reading has read its part of the section: the batch just ended was its last, and
                // the partitions go on with the next section any of them has a piece of.
                int next = int.MaxValue;
                foreach (int section in _waitingFor)
                {
                    if (section >= 0)
                    {
                        next = Math.Min(next, section);
                    }
                }

                if (next != int.MaxValue)
                {
                    _section = next;
                    for (int p = 0; p < _parked.Length; p++)
                    {
                        if (_waitingFor[p] == next)
                        {
                            Release(p);
                        }
                    }
                }
            }
        }
    }

    // Lets parked partition p go on (under the gate).
    private void Release(int p)
    {
        _parked[p] = false;
        _waitingFor[p] = -1;
        _running++;
        _go[p].Release();
    }

    /// <summary>Ends every partition's thread (a parked one reads nothing more) and waits for them.</summary>
    public void Close()
    {
        _closing = true;
        Resume();
        foreach (Thread thread in _threads)
        {
            // A background thread never started is Unstarted | Background: tested as a flag, not compared.
            if ((thread.ThreadState & ThreadState.Unstarted) == 0)
            {
                thread.Join();
            }
        }
    }

    /// <summary>Closes the threads, returns the partitions' buffers and closes the inputs.</summary>
    public void Dispose()
    {
        Close();
        DisposePartitions();
        foreach (SemaphoreSlim go in _go)
        {
            go.Dispose();
        }

        foreach (PartitionInput input in _inputs)
        {
            input.Dispose();
        }
    }

    private void DisposePartitions()
    {
        _first?.Dispose();
        foreach (JobPartition? partition in _partitions)
        {
            partition?.Dispose();
        }
    }
}
