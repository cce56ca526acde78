using Compiled.Checkpoints;

namespace Compiled.Windows;

/// <summary>
/// The event-time clock of an <see cref="EventTimeAttribute"/> stage: the latest event time seen minus the allowed
/// lateness, never moving back. It moves on at batch boundaries only, so the records of one batch are judged late
/// or not against the same watermark, whatever their order within the batch. A stage that several sources reach
/// (below a union of them) keeps the latest event time of each, and its watermark follows the one furthest behind,
/// as Spark's default policy for several inputs does: a source that runs behind does not see its records judged
/// late for the other's progress. Until every input has given a record the watermark waits.
/// </summary>
/// <remarks>
/// With an idle timeout (as Flink's <c>withIdleness</c>), an input that gave no record, late or not, for that long in
/// batch time is idle and no longer holds the watermark back; an input that has given none yet counts its quiet time
/// from the first batch boundary. When every input is idle, the watermark moves on with processing time: the latest
/// event time of any input, minus the lateness, plus the batch time since the last batch that had a record. Batch times
/// (not the wall clock) make it the same in a run and under the test driver. A record ends its input's idleness.
/// </remarks>
public sealed class Watermark
{
    private readonly long _lateness;
    private readonly long _idleTimeout;    // 0: an input is never idle
    private readonly InputClock[]? _each;  // per input, for a stage that several sources reach; null with one input
    private InputClock _only = InputClock.Start;
    private PartitionClock[]? _partitions;   // with partitions (MergeInto): partition p's at [p - 1]
    private bool _ownRangeEnded;             // with partitions: the job's own partition has read all its ranges

    /// <summary>Creates a watermark that trails the latest event time by <paramref name="latenessMilliseconds"/>.</summary>
    public Watermark(long latenessMilliseconds)
        : this(latenessMilliseconds, inputs: 1)
    {
    }

    /// <summary>
    /// Creates a watermark over <paramref name="inputs"/> inputs that trails the latest event time of the input
    /// furthest behind by <paramref name="latenessMilliseconds"/>; no input is ever idle.
    /// </summary>
    public Watermark(long latenessMilliseconds, int inputs)
        : this(latenessMilliseconds, inputs, idleTimeoutMilliseconds: 0)
    {
    }

    /// <summary>
    /// Creates a watermark over <paramref name="inputs"/> inputs that trails the latest event time of the input
    /// furthest behind by <paramref name="latenessMilliseconds"/>, where an input that gives no record for
    /// <paramref name="idleTimeoutMilliseconds"/> of batch time is idle (0: never).
    /// </summary>
    public Watermark(long latenessMilliseconds, int inputs, long idleTimeoutMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(latenessMilliseconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(idleTimeoutMilliseconds);
        _lateness = latenessMilliseconds;
        _idleTimeout = idleTimeoutMilliseconds;
        if (inputs > 1)
        {
            _each = new InputClock[inputs];
            _each.AsSpan().Fill(InputClock.Start);
        }
    }

    /// <summary>The watermark in Unix milliseconds: no record older than this is expected any more.</summary>
    public long Value { get; private set; } = long.MinValue;

    /// <summary>The allowed lateness, in milliseconds.</summary>
    public long Lateness => _lateness;

    /// <summary>How long an input may give no record before it is idle, in milliseconds; 0: never idle.</summary>
    public long IdleTimeout => _idleTimeout;

    /// <summary>The number of inputs whose event times the watermark follows.</summary>
    public int Inputs => _each?.Length ?? 1;

    // Every input's clock: the one field, or the array.
    private Span<InputClock> Clocks => _each is null ? new Span<InputClock>(ref _only) : _each;

    /// <summary>
    /// The latest event time seen on input <paramref name="input"/> (<see cref="long.MinValue"/> before its first record):
    /// with <see cref="Value"/> and <see cref="LastActiveAt"/>, the whole state, for a checkpoint to capture.
    /// </summary>
    public long LatestOf(int input) => Clock(input).Latest;

    /// <summary>
    /// The batch time from which input <paramref name="input"/>'s quiet time counts: the last batch boundary at which
    /// it had given a record, or the first boundary if it has given none (<see cref="long.MinValue"/> before it).
    /// </summary>
    public long LastActiveAt(int input) => Clock(input).ActiveAt;

    /// <summary>
    /// Puts back a state captured with <see cref="Value"/> and <see cref="LatestOf"/>: the watermark and the latest
    /// event time of each input. The inputs' quiet times count afresh from the next batch boundary, as in a new run.
    /// </summary>
    public void Restore(long value, ReadOnlySpan<long> latestOfEachInput)
    {
        CheckOnePerInput(latestOfEachInput.Length, "latest time(s)", nameof(latestOfEachInput));
        Value = value;
        Span<InputClock> clocks = Clocks;
        for (int i = 0; i < clocks.Length; i++)
        {
            clocks[i] = InputClock.Start with { Latest = latestOfEachInput[i] };
        }
    }

    /// <summary>
    /// Puts back a state captured with <see cref="Value"/>, <see cref="LatestOf"/> and <see cref="LastActiveAt"/>: the
    /// watermark, the latest event time of each input and the batch time each input's quiet time counts from.
    /// </summary>
    public void Restore(long value, ReadOnlySpan<long> latestOfEachInput, ReadOnlySpan<long> lastActiveOfEachInput)
    {
        CheckOnePerInput(lastActiveOfEachInput.Length, "last-active time(s)", nameof(lastActiveOfEachInput));
        Restore(value, latestOfEachInput);
        Span<InputClock> clocks = Clocks;
        for (int i = 0; i < clocks.Length; i++)
        {
            clocks[i].ActiveAt = lastActiveOfEachInput[i];
        }
    }

    /// <summary>
    /// Writes the whole state into a checkpoint section, between batches: the number of inputs, the lateness and the idle
    /// timeout (to check them on restore), the watermark, then per input its latest event time, the batch time its quiet
    /// time counts from, and whether it gave a record since the last boundary.
    /// </summary>
    public void WriteCheckpoint(ref CheckpointWriter.Section section)
    {
        section.WriteCount((uint)Inputs);
        section.WriteUnmanaged(_lateness);
        section.WriteUnmanaged(_idleTimeout);
        section.WriteUnmanaged(Value);
        foreach (InputClock clock in Clocks)
        {
            section.WriteUnmanaged(clock.Latest);
            section.WriteUnmanaged(clock.ActiveAt);
            section.WriteUnmanaged(clock.GaveRecord ? (byte)1 : (byte)0);
        }
    }

    /// <summary>
    /// Restores what <see cref="WriteCheckpoint"/> wrote into this new watermark of the same inputs, lateness and idle
    /// timeout, which then moves on as the written one would have. A malformed section throws and leaves it new.
    /// </summary>
    /// <exception cref="InvalidOperationException">The watermark has moved or seen a record.</exception>
    /// <exception cref="CheckpointCorruptException">The section is malformed or of a watermark with other settings.</exception>
    public void ReadCheckpoint(ref CheckpointReader.Section section)
    {
        Span<InputClock> clocks = Clocks;
        bool isNew = Value == long.MinValue;
        foreach (InputClock clock in clocks)
        {
            isNew &= clock.Latest == long.MinValue && clock.ActiveAt == long.MinValue && !clock.GaveRecord;
        }

        if (!isNew)
        {
            throw new InvalidOperationException("A checkpoint is restored only into a new watermark: this one has already seen a record or moved. Restore before the first batch.");
        }

        ulong inputs = section.ReadCount();
        long lateness = section.ReadUnmanaged<long>();
        long idleTimeout = section.ReadUnmanaged<long>();
        if (inputs != (ulong)Inputs || lateness != _lateness || idleTimeout != _idleTimeout)
        {
            throw section.Malformed(
                $"holds a watermark of {inputs} input(s), a lateness of {lateness} ms and an idle timeout of {idleTimeout} ms, but the watermark restoring it has {Inputs}, {_lateness} ms and {_idleTimeout} ms");
        }

        long value = section.ReadUnmanaged<long>();
        var staged = new InputClock[clocks.Length];
        for (int i = 0; i < staged.Length; i++)
        {
            staged[i].Latest = section.ReadUnmanaged<long>();
            staged[i].ActiveAt = section.ReadUnmanaged<long>();
            staged[i].GaveRecord = section.ReadUnmanaged<byte>() switch
            {
                0 => false,
                1 => true,
                _ => throw section.Malformed("has an input whose record flag is neither 0 nor 1"),
            };
        }

        staged.CopyTo(clocks);
        Value = value;
    }

    /// <summary>Whether a record of event time <paramref name="time"/> is late: older than the watermark.</summary>
    public bool IsLate(long time) => time < Value;

    /// <summary>Notes a record's event time (a stage with one input), late or not: the input is not idle.</summary>
    public void Observe(long time)
    {
        if (time > _only.Latest)
        {
            _only.Latest = time;
        }

        _only.GaveRecord = true;
    }

    /// <summary>Notes the event time of a record of input <paramref name="input"/> (a stage with several inputs), late or not.</summary>
    public void Observe(int input, long time)
    {
        InputClock[] each = _each ?? throw new InvalidOperationException("This watermark has one input; call Observe(time).");
        ref InputClock clock = ref each[input];
        if (time > clock.Latest)
        {
            clock.Latest = time;
        }

        clock.GaveRecord = true;
    }

    /// <summary>
    /// Takes the value of <paramref name="leader"/> (between batches): the watermark of one more partition of a job,
    /// which judges its records late against the job's watermark, as the job's own loop does.
    /// </summary>
    public void Follow(Watermark leader)
    {
        ArgumentNullException.ThrowIfNull(leader);
        Value = leader.Value;
    }

    /// <summary>
    /// Hands <paramref name="into"/>, the job's watermark, what this one of partition <paramref name="partition"/> has seen
    /// (between batches, before the job's moves on). With partitions, the input's latest event time is that of the
    /// partition furthest behind, as Flink's watermark of parallel source instances is: each partition reads its own range
    /// of the input, far ahead of or behind the others in event time, so the front of one must not make the records of
    /// another late. A partition that has read all its ranges (<paramref name="ended"/>, and the job's own,
    /// <paramref name="jobRangeEnded"/>) holds nothing back; nor does any at the end of a section, when the partitions
    /// together have read the input up to it (the run passes every one as ended then). A watermark of one input only.
    /// Partition 0 is the job's own, when the run keeps it apart from the job's state: what it has seen is the job's own
    /// input's, as if the job had read it, and <paramref name="ended"/> says whether it has read all its ranges.
    /// </summary>
    /// <exception cref="InvalidOperationException">Either watermark follows several inputs.</exception>
    public void MergeInto(Watermark into, int partition, bool ended, bool jobRangeEnded)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        if (_each is not null || into._each is not null)
        {
            throw new InvalidOperationException("Only a watermark of one input merges into another; a stage that several sources reach runs on one partition.");
        }

        if (partition == 0)
        {
            // The job's own partition, kept apart: its clock is the job's own.
            into._only.Latest = Math.Max(into._only.Latest, _only.Latest);
            into._ownRangeEnded = ended;
            MergeActivityInto(into);
            return;
        }

        if (into._partitions is null || into._partitions.Length < partition)
        {
            PartitionClock[] grown = new PartitionClock[partition];
            into._partitions?.CopyTo(grown, 0);
            for (int p = into._partitions?.Length ?? 0; p < grown.Length; p++)
            {
                grown[p].Latest = long.MinValue;
            }

            into._partitions = grown;
        }

        ref PartitionClock clock = ref into._partitions[partition - 1];
        clock.Latest = Math.Max(clock.Latest, _only.Latest);
        clock.Ended = ended;
        into._ownRangeEnded = jobRangeEnded;
        MergeActivityInto(into);
    }

    // A record of any partition shows the input is not idle; the job's watermark is noted as merged into (NoteMergesInto).
    private void MergeActivityInto(Watermark into)
    {
        if (_only.GaveRecord)
        {
            into._only.GaveRecord = true;
            _only.GaveRecord = false;
        }

        if (t_mergedInto is { } merged && !merged.Contains(into))
        {
            merged.Add(into);
        }
    }

    // The job's watermarks partitions merged into on this thread, noted while the run merges them (NoteMergesInto).
    [ThreadStatic]
    private static List<Watermark>? t_mergedInto;

    /// <summary>
    /// Notes in <paramref name="merged"/> each watermark a partition's merges into on this thread from now on
    /// (<see cref="MergeInto"/>), until called with <see langword="null"/>: the run moves them on at a boundary before the
    /// partitions read on while the batch completes.
    /// </summary>
    internal static void NoteMergesInto(List<Watermark>? merged) => t_mergedInto = merged;

    // With partitions (MergeInto): the latest event time of the partition furthest behind of those still reading, the
    // job's own included; of all of them once every one has ended.
    private long PartitionedLatest()
    {
        long behind = long.MaxValue;
        long front = _only.Latest;
        bool reading = false;
        if (!_ownRangeEnded)
        {
            behind = _only.Latest;
            reading = true;
        }

        foreach (PartitionClock clock in _partitions!)
        {
            front = Math.Max(front, clock.Latest);
            if (!clock.Ended)
            {
                behind = Math.Min(behind, clock.Latest);
                reading = true;
            }
        }

        return reading ? behind : front;
    }

    /// <summary>
    /// Moves the watermark on at the boundary of the batch of time <paramref name="batchTime"/> (Unix ms): to the latest
    /// event time of the input furthest behind among those not idle, minus the lateness; when every input is idle, on
    /// from the latest event time by the batch time since the last record. At the last batch of a run
    /// (<paramref name="isLast"/>) past every window, so that all of them are emitted.
    /// </summary>
    public void Advance(long batchTime, bool isLast)
    {
        if (isLast)
        {
            Value = long.MaxValue;
            return;
        }

        long behind = long.MaxValue;        // the latest event time of the input furthest behind, of those not idle
        bool anyActive = false;
        long front = long.MinValue;         // the latest event time of any input
        long lastRecord = long.MinValue;    // the last batch that had a record of an input that has given one
        foreach (ref InputClock clock in Clocks)
        {
            if (clock.GaveRecord || clock.ActiveAt == long.MinValue)
            {
                clock.ActiveAt = batchTime;
                clock.GaveRecord = false;
            }

            // With partitions (one input only), the input's latest event time is the partitions' furthest behind.
            long latest = _partitions is null ? clock.Latest : PartitionedLatest();
            if (_idleTimeout == 0 || batchTime - clock.ActiveAt < _idleTimeout)
            {
                anyActive = true;
                behind = Math.Min(behind, latest);
            }

            if (latest != long.MinValue)
            {
                front = Math.Max(front, latest);
                lastRecord = Math.Max(lastRecord, clock.ActiveAt);
            }
        }

        long next;
        if (anyActive)
        {
            if (behind == long.MinValue)
            {
                return;  // an input that is not idle has given no record yet: wait for it
            }

            next = behind - _lateness;
        }
        else
        {
            if (front == long.MinValue)
            {
                return;  // no record at all yet
            }

            long quiet = Math.Max(0, batchTime - lastRecord);
            next = front - _lateness;
            next = next > long.MaxValue - quiet ? long.MaxValue : next + quiet;
        }

        if (next > Value)
        {
            Value = next;
        }
    }

    private ref InputClock Clock(int input)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(input);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(input, Inputs);
        return ref _each is null ? ref _only : ref _each[input];
    }

    private void CheckOnePerInput(int given, string what, string parameter)
    {
        if (given != Inputs)
        {
            throw new ArgumentException($"This watermark follows {Inputs} input(s) but {given} {what} were given; give one per input, as the watermark's state view returned them.", parameter);
        }
    }

    // With partitions: one more partition's latest event time, and whether it has read all its ranges.
    private struct PartitionClock
    {
        public long Latest;
        public bool Ended;
    }

    // One input's part of the watermark.
    private struct InputClock
    {
        public static readonly InputClock Start = new() { Latest = long.MinValue, ActiveAt = long.MinValue };

        public long Latest;       // the latest event time seen
        public long ActiveAt;     // the batch time its quiet time counts from
        public bool GaveRecord;   // a record since the last batch boundary
    }
}

/// <summary>Combines two values of a key (the generated code implements it with the user's reduce method, as a struct).</summary>
/// <typeparam name="T">The value type.</typeparam>
public interface IReducer<T>
{
    /// <summary>Combines <paramref name="a"/> and <paramref name="b"/>.</summary>
    T Reduce(T a, T b);
}
