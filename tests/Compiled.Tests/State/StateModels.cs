namespace Compiled.Tests.State;

// Reference models of the two stateful stages, written from Spark's code and Compiled's documentation, stepped one
// batch at a time with a Dictionary of states. They share nothing with the generator or the runtime: the tests
// compare what a pipeline emits under the test driver with what these predict.

/// <summary>
/// updateStateByKey as Spark's <c>StateDStream.compute</c> does it: each batch, cogroup the batch's values with the
/// previous states and call the update function once for every key that has a state or new values (an empty
/// sequence when it has none); a <c>None</c> result drops the key. Compiled adds an order: the values of a key in
/// the order they arrived, and keys in the order they were first seen (kept keys first, in their order; then the
/// batch's new keys in arrival order; a key that was removed and comes back is new again).
/// </summary>
internal sealed class UpdateStateModel<TKey, TValue, TState>(Func<TKey, TValue[], TState?, TState?> update, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
    where TState : struct
{
    private readonly IEqualityComparer<TKey> _comparer = comparer ?? EqualityComparer<TKey>.Default;
    private List<(TKey Key, TState State)> _states = [];

    /// <summary>The calls of the last step: key, values, state before.</summary>
    public List<(TKey Key, TValue[] Values, TState? State)> Calls { get; } = [];

    /// <summary>The keys that have a state, with it, in order.</summary>
    public IReadOnlyList<(TKey Key, TState State)> States => _states;

    /// <summary>Gives a key a state before the next step (Spark's initial state); a key put twice keeps the last.</summary>
    public void Put(TKey key, TState state)
    {
        int index = _states.FindIndex(s => _comparer.Equals(s.Key, key));
        if (index >= 0)
        {
            _states[index] = (key, state);
        }
        else
        {
            _states.Add((key, state));
        }
    }

    /// <summary>Runs one batch and returns what the stage emits: every key's state, in order.</summary>
    public List<(TKey Key, TState State)> Step(IEnumerable<(TKey Key, TValue Value)> batch)
    {
        var values = new Dictionary<TKey, List<TValue>>(_comparer);
        var arrival = new List<TKey>();
        foreach ((TKey key, TValue value) in batch)
        {
            if (!values.TryGetValue(key, out List<TValue>? list))
            {
                values[key] = list = [];
                arrival.Add(key);
            }

            list.Add(value);
        }

        var previous = new Dictionary<TKey, TState>(_comparer);
        foreach ((TKey key, TState state) in _states)
        {
            previous[key] = state;
        }

        List<TKey> visit = [.. _states.Select(s => s.Key), .. arrival.Where(k => !previous.ContainsKey(k))];
        Calls.Clear();
        var next = new List<(TKey, TState)>();
        foreach (TKey key in visit)
        {
            TValue[] keyValues = values.TryGetValue(key, out List<TValue>? list) ? [.. list] : [];
            TState? before = previous.TryGetValue(key, out TState state) ? state : null;
            Calls.Add((key, keyValues, before));
            if (update(key, keyValues, before) is { } after)
            {
                next.Add((key, after));
            }
        }

        _states = next;
        return [.. next];
    }
}

/// <summary>The model of <see cref="Compiled.State{TState}"/>: Spark's <c>StateImpl</c>, as far as Compiled follows it.</summary>
internal sealed class ModelState<TState>
    where TState : struct
{
    public bool Exists { get; private set; }

    public TState Value => Exists ? _value : throw new InvalidOperationException("no state");

    public bool IsTimingOut { get; private set; }

    private TState _value;

    public TState GetValueOrDefault(TState fallback = default) => Exists ? _value : fallback;

    public void Update(TState value)
    {
        if (IsTimingOut)
        {
            throw new InvalidOperationException("timing out");
        }

        _value = value;
        Exists = true;
    }

    public void Remove()
    {
        if (IsTimingOut)
        {
            throw new InvalidOperationException("timing out");
        }

        _value = default;
        Exists = false;
    }

    public void Wrap(TState? state, bool timingOut)
    {
        Exists = state.HasValue;
        _value = state.GetValueOrDefault();
        IsTimingOut = timingOut;
    }
}

/// <summary>
/// mapWithState as Spark's <c>MapWithStateRDDRecord.updateRecordWithData</c> does it: per record, in order, the
/// function sees the state as the previous record left it; a removed state leaves the map; a state that exists
/// after the call is stored with the batch's time whenever a timeout is set (updated or not). Then the keys whose
/// update batch u satisfies u &lt; k − timeout/interval (Spark: update time &lt; batch time − timeout) get one last
/// call each, timing out, and leave. Compiled scans for timeouts every batch; Spark only when it checkpoints the
/// state (every 10 batches by default), so in Spark the same calls come at the next checkpoint batch.
/// </summary>
internal sealed class MapWithStateModel<TKey, TValue, TState, TOut>(
    Func<TKey, TValue?, ModelState<TState>, TOut?> map,
    long? timeoutBatches,
    IEqualityComparer<TKey>? comparer = null,
    long firstBatch = 1)
    where TKey : notnull
    where TValue : struct
    where TState : struct
    where TOut : struct
{
    private readonly Dictionary<TKey, (TState State, long Updated)> _states = new(comparer ?? EqualityComparer<TKey>.Default);
    private long _batch = firstBatch - 1;

    /// <summary>The keys that have a state, with it and the number of the batch that last updated it.</summary>
    public IReadOnlyDictionary<TKey, (TState State, long Updated)> States => _states;

    /// <summary>Gives a key a state before the next step (Spark's initial state): it counts as updated in that batch.</summary>
    public void Put(TKey key, TState state) => _states[key] = (state, _batch + 1);

    /// <summary>
    /// Runs the next batch (numbered from <c>firstBatch</c> on): what the calls for the batch's records emit, in record order, and what the last
    /// calls of the keys that time out emit (Spark gives these in no particular order).
    /// </summary>
    public (List<TOut> Records, List<TOut> TimedOut) Step(IEnumerable<(TKey Key, TValue Value)> batch)
    {
        _batch++;
        var records = new List<TOut>();
        var state = new ModelState<TState>();
        foreach ((TKey key, TValue value) in batch)
        {
            state.Wrap(_states.TryGetValue(key, out var entry) ? entry.State : null, timingOut: false);
            TOut? output = map(key, value, state);
            if (state.Exists)
            {
                _states[key] = (state.Value, _batch);
            }
            else
            {
                _states.Remove(key);
            }

            if (output is { } emitted)
            {
                records.Add(emitted);
            }
        }

        var timedOut = new List<TOut>();
        if (timeoutBatches is { } timeout)
        {
            foreach ((TKey key, (TState value, long updated)) in _states.ToList())
            {
                if (updated < _batch - timeout)
                {
                    state.Wrap(value, timingOut: true);
                    if (map(key, null, state) is { } emitted)
                    {
                        timedOut.Add(emitted);
                    }

                    _states.Remove(key);
                }
            }
        }

        return (records, timedOut);
    }
}

/// <summary>Compares a batch of a mapWithState sink with the model's prediction.</summary>
internal static class MapWithStateAssert
{
    /// <summary>
    /// The batch must hold the records' outputs in record order, then the timed-out keys' outputs in any order
    /// (compared sorted by <paramref name="order"/>).
    /// </summary>
    public static void BatchEqual<TOut, TOrder>(
        (List<TOut> Records, List<TOut> TimedOut) expected,
        IReadOnlyList<TOut> actual,
        Func<TOut, TOrder> order,
        string where)
    {
        List<TOut> expectedAll = [.. expected.Records, .. expected.TimedOut.OrderBy(order)];
        List<TOut> actualAll = [.. actual.Take(expected.Records.Count), .. actual.Skip(expected.Records.Count).OrderBy(order)];
        Assert.True(
            expectedAll.SequenceEqual(actualAll),
            $"{where}: expected [{string.Join(", ", expectedAll)}] (records, then time-outs in any order), got [{string.Join(", ", actual)}]");
    }
}
