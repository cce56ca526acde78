namespace Compiled;

/// <summary>
/// The state of one key in a <see cref="MapWithStateAttribute"/> function (Spark's <c>State</c>): whether it
/// exists, its value, and the means to update or remove it. A view of the key's entry in the stage's state
/// store, valid only during the call.
/// </summary>
/// <remarks>
/// As strict as Spark's: a state that is timing out cannot be updated or removed, and a state removed in this call
/// cannot be updated or removed again in it. <see cref="IsUpdated"/> and <see cref="IsRemoved"/> say what this call
/// did so far.
/// </remarks>
/// <typeparam name="TState">The state: a struct.</typeparam>
public readonly ref struct State<TState>
    where TState : struct
{
    private readonly ref StateEntry<TState> _entry;

    /// <summary>Wraps a key's entry for one call of the function; what the call did so far starts afresh.</summary>
    public State(ref StateEntry<TState> entry, bool isTimingOut)
    {
        _entry = ref entry;
        entry.Call = StateCall.None;
        IsTimingOut = isTimingOut;
    }

    /// <summary>Whether the key has a state.</summary>
    public bool Exists => _entry.Exists;

    /// <summary>Whether the key is being removed for having been idle longer than the timeout: the last call for it.</summary>
    public bool IsTimingOut { get; }

    /// <summary>Whether this call has set the state with <see cref="Update"/> (and not removed it since).</summary>
    public bool IsUpdated => _entry.Call == StateCall.Updated;

    /// <summary>Whether this call has removed the state with <see cref="Remove"/>.</summary>
    public bool IsRemoved => _entry.Call == StateCall.Removed;

    /// <summary>The state.</summary>
    /// <exception cref="InvalidOperationException">There is none; test <see cref="Exists"/> or use <see cref="GetValueOrDefault"/>.</exception>
    public TState Value => _entry.Exists
        ? _entry.Value
        : throw new InvalidOperationException("The key has no state; test State.Exists first, or use State.GetValueOrDefault.");

    /// <summary>The state, or <paramref name="fallback"/> if there is none.</summary>
    public TState GetValueOrDefault(TState fallback = default) => _entry.Exists ? _entry.Value : fallback;

    /// <summary>Sets the key's state.</summary>
    /// <exception cref="InvalidOperationException">
    /// The key is timing out (its state is removed after this call), or this call has already removed the state.
    /// </exception>
    public void Update(TState value)
    {
        if (IsTimingOut)
        {
            throw new InvalidOperationException("The state of a key that is timing out cannot be updated: it is removed after this call. Test State.IsTimingOut first.");
        }

        if (_entry.Call == StateCall.Removed)
        {
            throw new InvalidOperationException("The state cannot be updated after it has been removed in the same call. Decide first, then call either State.Update or State.Remove once; test State.IsRemoved if the code cannot tell.");
        }

        _entry.Value = value;
        _entry.Exists = true;
        _entry.Call = StateCall.Updated;
    }

    /// <summary>Removes the key's state.</summary>
    /// <exception cref="InvalidOperationException">
    /// The key is timing out (it is removed anyway), or this call has already removed the state.
    /// </exception>
    public void Remove()
    {
        if (IsTimingOut)
        {
            throw new InvalidOperationException("A key that is timing out is removed after this call; it cannot be removed again. Test State.IsTimingOut first.");
        }

        if (_entry.Call == StateCall.Removed)
        {
            throw new InvalidOperationException("The state has already been removed in this call; remove it once. Test State.IsRemoved if the code cannot tell.");
        }

        _entry.Value = default;
        _entry.Exists = false;
        _entry.Call = StateCall.Removed;
    }
}

/// <summary>What one call of a <see cref="MapWithStateAttribute"/> function did to its key's state so far.</summary>
internal enum StateCall : byte
{
    /// <summary>Neither updated nor removed it.</summary>
    None,

    /// <summary>Updated it (<see cref="State{TState}.Update"/>).</summary>
    Updated,

    /// <summary>Removed it (<see cref="State{TState}.Remove"/>).</summary>
    Removed,
}

/// <summary>One key's entry in a <see cref="MapWithStateAttribute"/> stage's <see cref="MapWithStateStore{TKey, TValue, TState, TOutput, TKeys, TFunction}"/>.</summary>
/// <typeparam name="TState">The state.</typeparam>
public struct StateEntry<TState>
    where TState : struct
{
    /// <summary>The state, when <see cref="Exists"/>.</summary>
    public TState Value;

    /// <summary>Whether the key has a state.</summary>
    public bool Exists;

    /// <summary>The number of the batch in which the key last received a record (and kept its state), for the timeout.</summary>
    public long UpdatedBatch;

    /// <summary>
    /// Whether the key received a record in the batch being filled and kept its state: the store stamps it with the
    /// batch's number at the batch's end, since the number is known only then.
    /// </summary>
    internal bool UpdatedThisBatch;

    /// <summary>What the current call of the function did to the state (read by <see cref="State{TState}"/>).</summary>
    internal StateCall Call;
}

/// <summary>One key's entry in an <see cref="UpdateStateByKeyAttribute"/> stage's <see cref="UpdateStateStore{TKey, TValue, TState, TKeys, TFunction}"/>.</summary>
/// <typeparam name="TState">The state.</typeparam>
public struct UpdateEntry<TState>
    where TState : struct
{
    /// <summary>The state, when <see cref="HasState"/>.</summary>
    public TState State;

    /// <summary>Whether the key has a state.</summary>
    public bool HasState;

    /// <summary>The values the key received in this batch.</summary>
    public ValueList Values;
}
