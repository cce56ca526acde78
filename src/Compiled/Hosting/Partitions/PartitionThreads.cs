using System.Buffers;
using System.Runtime.ExceptionServices;
using Compiled.Connectors;
using Compiled.Connectors.Files;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// The partitions of a run, each reading its byte range of every file on a dedicated thread and running it through
/// its fused loop: partition 0 through the job itself, partition p through the job's <see cref="JobPartition"/> p.
/// The run's loop is the coordinator: at a batch boundary it asks every partition to park (<see cref="PauseAsync"/>);
/// each finishes the buffer in hand (a record boundary) and parks; when all have, the coordinator folds the partitions'
/// partials into the job (<see cref="Merge"/>), completes the batch on the job alone, and lets them go on
/// (<see cref="Resume"/>). A partition that has read all its ranges ends; the input has ended when all have.
/// </summary>
/// <remarks>
/// <para>
/// The partitions read the input a section at a time (<see cref="PartitionedFiles.SectionOf"/>): a partition that has
/// read its part of a section waits, parked, until every partition has, and then the batch ends, so that no batch holds
/// two sections' records and each batch's records, partition by partition, are in the input's order. With one byte range
/// per partition the whole input is one section; cut into sections of a batch's bytes (<c>MaxBatchBytes</c>), the
/// partitions move through the input together, and a job's event time with them: the watermark, which follows the
/// partition furthest behind, is never more than a section behind the front, so windows close as the input goes instead
/// of at its end.
/// </para>
/// <para>
/// Per buffer a partition reads one volatile flag; the lock is taken only to park, to end, and at the boundary. Files
/// are read with <see cref="RandomAccess"/> at offsets into one reused buffer per partition: no task, no pipe, no
/// thread-pool hop per read.
/// </para>
/// </remarks>
internal sealed class PartitionThreads : IDisposable
{
    // The first size of a partition's read buffer; it doubles while one record does not fit.
    private const int BufferBytes = 256 * 1024;

    private readonly PipelineJob _job;
    private readonly JobPartition[] _partitions;       // [p - 1] is partition p
    private readonly SourceCounters[][] _counters;      // [p - 1][source]: partition p's own counters
    private readonly PartitionContext[] _contexts;      // [p - 1]: partition p's context, with its sink buffers
    private readonly long _sinkBufferBytes;
    private readonly Action _wakeCoordinator;
    private readonly IReadOnlyList<Source> _sources;
    private readonly IReadOnlyList<FileSet> _files;
    private readonly Thread[] _threads;
    private readonly Action<int> _mapShard;
    private readonly SemaphoreSlim[] _go;
    private readonly bool[] _parked;
    private readonly int[] _waitingFor;                  // [p]: the section partition p waits for, parked; -1 when it does not
    private readonly int[] _sectionBase;                 // [set]: the run's section number of the set's first section
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
    private ExceptionDispatchInfo? _failure;

    /// <summary>
    /// Creates <paramref name="count"/> partitions of <paramref name="job"/> over each source's files; starts nothing. A
    /// partition whose sink buffers hold more than <paramref name="sinkBufferBytes"/> parks and asks the coordinator for
    /// a boundary (<see cref="BoundaryRequested"/>), waking it with <paramref name="wakeCoordinator"/>.
    /// </summary>
    public PartitionThreads(PipelineJob job, JobContext context, IReadOnlyList<Source> sources, IReadOnlyList<FileSet> files, int count, string pipeline,
        long sinkBufferBytes, Action wakeCoordinator)
    {
        _job = job;
        _sources = sources;
        _files = files;
        _sinkBufferBytes = sinkBufferBytes;
        _wakeCoordinator = wakeCoordinator;
        _partitions = new JobPartition[count - 1];
        _counters = new SourceCounters[count - 1][];
        _contexts = new PartitionContext[count - 1];
        try
        {
            for (int p = 1; p < count; p++)
            {
                SourceCounters[] counters = new SourceCounters[sources.Count];
                for (int s = 0; s < counters.Length; s++)
                {
                    counters[s] = new SourceCounters();
                }

                _counters[p - 1] = counters;
                _contexts[p - 1] = new PartitionContext(context.Framing, counters) { BadRecords = context.BadRecords, Sinks = context.Sinks, Partition = p, Partitions = count };
                _partitions[p - 1] = job.CreatePartition(_contexts[p - 1]);
                _partitions[p - 1].Index = p;
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
        _waitingFor = new int[count];
        Array.Fill(_waitingFor, -1);

        // Each source's sections follow the one before's, its first one shared with the last of the set before: a source
        // read in one section adds no wait.
        _sectionBase = new int[files.Count];
        for (int set = 1; set < files.Count; set++)
        {
            _sectionBase[set] = _sectionBase[set - 1] + files[set - 1].Files.Sections - 1;
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

    /// <summary>How many partitions there are.</summary>
    public int Count => _threads.Length;

    /// <summary>Completes when every partition has ended or one has failed.</summary>
    public Task Attention => _attention.Task;

    /// <summary>Whether every partition has read all its ranges.</summary>
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

    /// <summary>Whether any source's files were cut into more than one section (<see cref="PartitionedFiles.Sections"/>).</summary>
    public bool ReadsSections => _files.Any(static set => set.Files.Sections > 1);

    /// <summary>Starts every partition's thread.</summary>
    public void Start()
    {
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
        bool sectionEnded = AtSectionEnd();
        bool jobEnded = _job.RangeEnded;
        for (int p = 0; p < _partitions.Length; p++)
        {
            for (int s = 0; s < _sources.Count; s++)
            {
                _counters[p][s].MoveLoopTotalsInto(_sources[s].Counters);
            }

            bool ended = _partitions[p].HasEnded;
            _job.RangeEnded = jobEnded || sectionEnded;
            _partitions[p].HasEnded = ended || sectionEnded;
            try
            {
                _partitions[p].MergeInto(_job);
            }
            finally
            {
                _partitions[p].HasEnded = ended;
                _job.RangeEnded = jobEnded;
            }
        }
    }

    // Whether every partition has read its part of the section in hand: each has ended or waits for a later section.
    private bool AtSectionEnd()
    {
        lock (_gate)
        {
            for (int p = 0; p < _waitingFor.Length; p++)
            {
                bool ended = p == 0 ? _job.RangeEnded : _partitions[p - 1].HasEnded;
                if (_waitingFor[p] < 0 && !ended)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Lets every parked partition go on, each having taken what it reads from the job for the next batch.</summary>
    public void Resume()
    {
        if (!_closing)
        {
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
            if (thread.ThreadState != ThreadState.Unstarted)
            {
                thread.Join();
            }
        }
    }

    /// <summary>Closes the threads, returns the partitions' buffers and closes the files.</summary>
    public void Dispose()
    {
        Close();
        DisposePartitions();
        foreach (SemaphoreSlim go in _go)
        {
            go.Dispose();
        }

        foreach (FileSet set in _files)
        {
            set.Files.Dispose();
        }
    }

    private void DisposePartitions()
    {
        foreach (JobPartition? partition in _partitions)
        {
            partition?.Dispose();
        }
    }

    // A partition's thread: its range of every source's files, piece by piece in file order; then it ends.
    private void Run(int partition)
    {
        var reads = new PositionedReadBuffer(BufferBytes);
        try
        {
            foreach (FileSet set in _files)
            {
                IReadOnlyList<(int File, long Start, long End)> work = set.Files.WorkOf(partition);
                for (int piece = 0; piece < work.Count; piece++)
                {
                    if (!AwaitSection(partition, _sectionBase[set.Source] + set.Files.SectionOf(partition, piece)))
                    {
                        return;
                    }

                    (int file, long start, long end) = work[piece];
                    PartitionedFile read = set.Files.Files[file];
                    if (partition == 0)
                    {
                        // At its offset: from a file's start as on one partition, a section's part or a resumed range further in.
                        _job.BeginStream(set.Source, read.Path, start);
                    }
                    else
                    {
                        _partitions[partition - 1].BeginStream(set.Source, read.Path, start);
                    }

                    reads.Clear();
                    if (!ReadRange(partition, set, piece, read.Handle, start, end, reads))
                    {
                        return;
                    }
                }
            }
        }
        catch (Exception error)
        {
            lock (_gate)
            {
                _failure ??= ExceptionDispatchInfo.Capture(error);
            }

            _closing = true;
        }
        finally
        {
            reads.Return();
            End(partition);
        }
    }

    // Reads [start, end) of one file, piece `piece` of the partition's work in `set`, into the buffer and runs it through
    // the partition's loop, the unconsumed tail of a buffer (a record not yet whole) moved to its front before the next
    // read, and notes how far the records run through reach (the source's position at a boundary). Parks between
    // buffers when asked. Returns false when the run is closing.
    private bool ReadRange(int partition, FileSet set, int piece, SafeFileHandle file, long start, long end, PositionedReadBuffer reads)
    {
        int source = set.Source;
        long offset = start;
        while (true)
        {
            // One record longer than the buffer doubles it; the framer drops or refuses it past its limit, so this stays bounded.
            int read = reads.Fill(file, offset, end - offset);
            offset += read;
            bool batchFull = BatchBytesPerPartition != long.MaxValue && (_batchBytes[partition] += read) >= BatchBytesPerPartition;

            // A file that became shorter than its ranges ends where it ends.
            bool completed = offset >= end || read == 0;
            ReadOnlySequence<byte> sequence = reads.Unconsumed;
            SequencePosition consumed = partition == 0
                ? _job.Process(source, sequence, completed)
                : _partitions[partition - 1].Process(source, sequence, completed);
            reads.ConsumeTo(reads.Start + (int)sequence.Slice(sequence.Start, consumed).Length);
            set.Files.Consumed(partition, piece, offset - reads.Count);
            if (batchFull)
            {
                _batchFull = true;
                RequestBoundary();
            }
            else if ((partition == 0 ? _job.KeptBytes : _contexts[partition - 1].BufferedBytes) > _sinkBufferBytes)
            {
                RequestBoundary();
            }

            if (_pauseRequested)
            {
                Park(partition);
            }

            if (_closing)
            {
                return false;
            }

            if (completed)
            {
                return true;
            }
        }
    }

    // A partition's sink buffers are full: every partition is asked to park, as at a boundary the coordinator asks for,
    // and the coordinator is woken to end the batch. The caller parks next.
    private void RequestBoundary()
    {
        lock (_gate)
        {
            _boundaryRequested = true;
            _pauseRequested = true;
        }

        _wakeCoordinator();
    }

    // Before a piece of `section`: a partition ahead of the others parks until every partition has read its part of the
    // sections before, and a boundary has ended the batch. The last to get there asks for the boundary. False when the
    // run is closing.
    private bool AwaitSection(int partition, int section)
    {
        bool askBoundary = false;
        lock (_gate)
        {
            if (section <= _section || _closing)
            {
                return !_closing;
            }

            _waitingFor[partition] = section;
            _parked[partition] = true;
            if (--_running == 0)
            {
                askBoundary = SectionEnded();
            }
        }

        if (askBoundary)
        {
            _wakeCoordinator();
        }

        _go[partition].Wait();
        return !_closing;
    }

    // Under the gate, with no partition running: the partitions parked for a boundary hand over, or, with none, every
    // one still reading waits for a later section and a boundary is asked for (true: the caller wakes the coordinator).
    private bool SectionEnded()
    {
        _paused?.TrySetResult();
        if (_pauseRequested || _ended == _threads.Length)
        {
            return false;
        }

        _boundaryRequested = true;
        _batchFull = true;
        _pauseRequested = true;
        return true;
    }

    private void Park(int partition)
    {
        lock (_gate)
        {
            if (!_pauseRequested)
            {
                return;
            }

            _parked[partition] = true;
            if (--_running == 0)
            {
                _paused?.TrySetResult();
            }
        }

        _go[partition].Wait();
    }

    private void End(int partition)
    {
        bool askBoundary = false;
        lock (_gate)
        {
            if (partition == 0)
            {
                _job.RangeEnded = true;
            }
            else
            {
                _partitions[partition - 1].HasEnded = true;
            }

            _ended++;
            if (--_running == 0 && SectionEnded())
            {
                askBoundary = true;
            }

            if (_ended == _threads.Length || _failure is not null)
            {
                _attention.TrySetResult();
            }
        }

        if (askBoundary)
        {
            _wakeCoordinator();
        }
    }
}

/// <summary>The files of one source that partitions read, with each partition's pieces of them and its progress.</summary>
/// <param name="Source">The source's index, in declaration order.</param>
/// <param name="Files">The files and the partitions' pieces, as the source opened and split them.</param>
internal sealed record FileSet(int Source, PartitionedFiles Files);
