namespace Compiled.Testing;

/// <summary>
/// The state of one <see cref="UpdateStateByKeyAttribute"/> or <see cref="MapWithStateAttribute"/> stage under a test
/// driver: the initial state a test gives it (Spark's <c>initialRDD</c> and <c>StateSpec.initialState</c>), and the
/// whole state after each batch (Spark's <c>stateSnapshots()</c>).
/// </summary>
/// <typeparam name="TKey">The key as a test gives and compares it: <see cref="string"/> for byte keys (UTF-8), the key itself otherwise.</typeparam>
/// <typeparam name="TState">The state.</typeparam>
public sealed class TestState<TKey, TState>
    where TState : struct
{
    private readonly List<(TKey Key, TState State)> _initial = [];
    private readonly List<OutputBatch<(TKey Key, TState State)>> _snapshots = [];
    private bool _started;

    /// <summary>
    /// Gives keys a state before the first batch, as if a record of the first batch had set it (with a timeout, the
    /// first batch counts as their last update). A key given twice keeps the later state. Returns this, to chain.
    /// </summary>
    /// <exception cref="InvalidOperationException">A batch has run already.</exception>
    public TestState<TKey, TState> Initial(params (TKey Key, TState State)[] states)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (_started)
        {
            throw new InvalidOperationException("The initial state goes in before the first batch, and a batch has run already: give it before calling Run or RunToEnd.");
        }

        _initial.AddRange(states);
        return this;
    }

    /// <summary>
    /// The whole state after each batch run so far: every key that has a state, with it, in the order the stage keeps
    /// its keys (the order they came).
    /// </summary>
    public IReadOnlyList<OutputBatch<(TKey Key, TState State)>> Snapshots => _snapshots;

    /// <summary>The initial states, taken once as the first batch begins (the generated driver calls this).</summary>
    public IReadOnlyList<(TKey Key, TState State)> TakeInitial()
    {
        _started = true;
        return _initial;
    }

    /// <summary>Records the whole state after the batch of time <paramref name="time"/> (the generated driver calls this).</summary>
    public void AddSnapshot(long time, IReadOnlyList<(TKey Key, TState State)> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        _started = true;
        _snapshots.Add(new OutputBatch<(TKey Key, TState State)>(time, states));
    }
}
