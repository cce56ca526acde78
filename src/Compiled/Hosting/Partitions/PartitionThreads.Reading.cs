using System.Buffers;
using System.Runtime.ExceptionServices;
using Compiled.Connectors;
using Compiled.Connectors.Messages;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// What a partition's own thread calls: its share of every source's input read through its fused loop, the count of
/// what it read, and parking, for a boundary, for a section's end, or while it waits for input. The coordinator's side
/// (start, pause, merge, resume, close) is in PartitionThreads.cs.
/// </summary>
internal sealed partial class PartitionThreads
{
    // A partition's thread: its share of every source's input, source by source; then it ends.
    private void Run(int partition)
    {
        try
        {
            foreach (PartitionInput input in _inputs)
            {
                if (!input.Read(partition, this))
                {
                    return;
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
            End(partition);
        }
    }

    /// <summary>Starts a stream of <paramref name="source"/> in <paramref name="partition"/>'s loop: a byte range of a file, beginning <paramref name="offset"/> bytes into it.</summary>
    public void BeginStream(int partition, int source, string name, long offset)
    {
        if (PartitionOf(partition) is { } own)
        {
            own.BeginStream(source, name, offset);
        }
        else
        {
            _job.BeginStream(source, name, offset);
        }
    }

    /// <summary>The counters <paramref name="partition"/>'s records of <paramref name="source"/> count into: the source's own for partition 0 read by the job, the partition's (added to the source's at each boundary) for the others.</summary>
    public SourceCounters CountersOf(int partition, int source) => partition > 0 ? _counters[partition - 1][source] : _firstCounters?[source] ?? _sources[source].Counters;

    /// <summary>Whether the partitions read a message source's partitions rather than files.</summary>
    public bool ReadsMessages => _inputs.Any(static input => input is MessageInput);

    /// <summary>Runs the whole records of <paramref name="buffer"/> through <paramref name="partition"/>'s loop of <paramref name="source"/>; returns how far it was consumed.</summary>
    public SequencePosition Process(int partition, int source, in ReadOnlySequence<byte> buffer, bool completed) =>
        PartitionOf(partition) is { } own ? own.Process(source, buffer, completed) : _job.Process(source, buffer, completed);

    /// <summary>Runs every message of <paramref name="batch"/> through <paramref name="partition"/>'s loop of <paramref name="source"/>.</summary>
    public void ProcessMessages(int partition, int source, MessageBatch batch)
    {
        if (PartitionOf(partition) is { } own)
        {
            own.ProcessMessages(source, batch);
        }
        else
        {
            _job.ProcessMessages(source, batch);
        }
    }

    // Partition p's loop when it is a partition of its own (every p > 0, and 0 when kept apart from the job's state);
    // null when the job's own loop reads partition 0.
    private JobPartition? PartitionOf(int partition) => partition > 0 ? _partitions[partition - 1] : _first;

    /// <summary>
    /// After <paramref name="partition"/> ran a piece of input of <paramref name="bytes"/> bytes through its loop: asks for
    /// a boundary when it has read its share of a batch's bytes or its sink buffers are full, parks when a boundary is
    /// asked for, and returns <see langword="false"/> when the run is closing.
    /// </summary>
    public bool AfterRead(int partition, long bytes)
    {
        CountRead(partition, bytes);
        if (_pauseRequested)
        {
            Park(partition);
        }

        return !_closing;
    }

    /// <summary>
    /// After <paramref name="partition"/> ran a piece of input of <paramref name="bytes"/> bytes through its loop: asks for
    /// a boundary when it has read its share of a batch's bytes or its sink buffers are full, as <see cref="AfterRead"/>
    /// does, but does not park: an input that deals pieces to the partitions (<see cref="StreamInput"/>) has each run
    /// what it was dealt first, and parks it with <see cref="ParkForBoundary"/>. Returns <see langword="false"/> when the run is closing.
    /// </summary>
    public bool CountRead(int partition, long bytes)
    {
        bool batchFull = BatchBytesPerPartition != long.MaxValue && (_batchBytes[partition] += bytes) >= BatchBytesPerPartition;
        if (batchFull)
        {
            _batchFull = true;
            RequestBoundary();
        }
        else if (((partition > 0 ? _contexts[partition - 1] : _firstContext)?.BufferedBytes ?? _job.KeptBytes) > _sinkBufferBytes)
        {
            RequestBoundary();
        }

        return !_closing;
    }

    /// <summary>
    /// <paramref name="partition"/> has run everything it was dealt before a boundary was asked for: it parks until the
    /// partitions go on (at once when no boundary is asked for). Returns <see langword="false"/> when the run is closing.
    /// </summary>
    public bool ParkForBoundary(int partition)
    {
        if (_pauseRequested)
        {
            Park(partition);
        }

        return !_closing;
    }

    /// <summary>Whether the run is closing: a partition reads nothing more.</summary>
    public bool Closing => _closing;

    /// <summary>
    /// <paramref name="partition"/> has no input ready: it waits, counted as parked (a boundary need not wait for it),
    /// until <paramref name="ready"/> completes and the partitions are not parked, or the partitions go on after a
    /// boundary, or the run closes (<see langword="false"/>).
    /// </summary>
    public bool AwaitInput(int partition, Task ready)
    {
        lock (_gate)
        {
            if (_closing || ready.IsCompleted)
            {
                return !_closing;
            }

            _idle[partition] = true;
            if (--_running == 0 && _pauseRequested)
            {
                _paused?.TrySetResult();
            }
        }

        // Input that comes while the partitions are parked is looked at when they go on (Resume).
        ready.ContinueWith(static (_, state) => ((PartitionWake)state!).Wake(), new PartitionWake(this, partition), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _go[partition].Wait();
        return !_closing;
    }

    // Input came for a partition waiting for it: it goes on, unless the partitions are parked for a boundary, when it
    // goes on with them (Resume).
    private void InputCame(int partition)
    {
        lock (_gate)
        {
            if (!_pauseRequested || _closing)
            {
                Wake(partition);
            }
            else if (_idle[partition])
            {
                _inputCame[partition] = true;
            }
        }
    }

    // Lets a partition waiting for input go on (under the gate); nothing when it does not wait.
    private void Wake(int partition)
    {
        if (_idle[partition])
        {
            _idle[partition] = false;
            _inputCame[partition] = false;
            _running++;
            _go[partition].Release();
        }
    }

    // Which partition a continuation of its input's wait wakes.
    private sealed class PartitionWake(PartitionThreads threads, int partition)
    {
        public void Wake() => threads.InputCame(partition);
    }

    // A partition's sink buffers are full: every partition is asked to park, as at a boundary the coordinator asks for,
    // and the coordinator is woken to end the batch. The caller parks next.
    private void RequestBoundary()
    {
        lock (_gate)
        {
            _boundaryRequested = true;
            _pauseRequested = true;
            TellInputsOfBoundary();
        }

        _wakeCoordinator();
    }

    /// <summary>
    /// Before a piece of <paramref name="input"/>'s section <paramref name="section"/>: a partition ahead of the others
    /// parks until every partition has read its part of the sections before, and a boundary has ended the batch. The last
    /// to get there asks for the boundary. False when the run is closing.
    /// </summary>
    public bool AwaitSection(int partition, PartitionInput input, int section)
    {
        section += _sectionBase[Array.IndexOf(_inputs, input)];
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
        TellInputsOfBoundary();
        return true;
    }

    // Under the gate, a boundary just asked for: an input that deals to the partitions stops dealing.
    private void TellInputsOfBoundary()
    {
        foreach (PartitionInput input in _inputs)
        {
            input.BoundaryAsked();
        }
    }

    // Parks a partition until the partitions go on; not once the run is closing: Close has released the partitions
    // parked before it, and one that asks for a boundary after (its buffer over a limit) would wait for good.
    private void Park(int partition)
    {
        lock (_gate)
        {
            if (!_pauseRequested || _closing)
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
            if (partition > 0)
            {
                _partitions[partition - 1].HasEnded = true;
            }
            else
            {
                // Partition 0's end is the job's, kept apart or not.
                _job.RangeEnded = true;
                _first?.HasEnded = true;
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
