namespace Compiled;

/// <summary>
/// The state of one key in a <see cref="MapWithStateAttribute"/> function (Spark's <c>State</c>): whether it
/// exists, its value, and the means to update or remove it. A view of the key's entry in the pipeline's state
/// table, valid only during the call.
/// </summary>
/// <typeparam name="TState">The state: a struct.</typeparam>
public readonly ref struct State<TState>
    where TState : struct
{
    private readonly ref StateEntry<TState> _entry;

    /// <summary>Wraps a key's entry (the generated code does this).</summary>
    public State(ref StateEntry<TState> entry, bool isTimingOut)
    {
        _entry = ref entry;
        IsTimingOut = isTimingOut;
    }

    /// <summary>Whether the key has a state.</summary>
    public bool Exists => _entry.Exists;

    /// <summary>Whether the key is being removed for having been idle longer than the timeout: the last call for it.</summary>
    public bool IsTimingOut { get; }

    /// <summary>The state.</summary>
    /// <exception cref="InvalidOperationException">There is none; test <see cref="Exists"/> or use <see cref="GetValueOrDefault"/>.</exception>
    public TState Value => _entry.Exists
        ? _entry.Value
        : throw new InvalidOperationException("The key has no state; test State.Exists first, or use State.GetValueOrDefault.");

    /// <summary>The state, or <paramref name="fallback"/> if there is none.</summary>
    public TState GetValueOrDefault(TState fallback = default) => _entry.Exists ? _entry.Value : fallback;

    /// <summary>Sets the key's state.</summary>
    /// <exception cref="InvalidOperationException">The key is timing out: its state is removed after this call.</exception>
    public void Update(TState value)
    {
        if (IsTimingOut)
        {
            throw new InvalidOperationException("The state of a key that is timing out cannot be updated: it is removed after this call. Test State.IsTimingOut first.");
        }

        _entry.Value = value;
        _entry.Exists = true;
    }

    /// <summary>Removes the key's state.</summary>
    /// <exception cref="InvalidOperationException">The key is timing out: it is removed anyway.</exception>
    public void Remove()
    {
        if (IsTimingOut)
        {
            throw new InvalidOperationException("A key that is timing out is removed after this call; it cannot be removed again. Test State.IsTimingOut first.");
        }

        _entry.Value = default;
        _entry.Exists = false;
    }
}

/// <summary>One key's entry in a <see cref="MapWithStateAttribute"/> stage's state table (used by generated code).</summary>
/// <typeparam name="TState">The state.</typeparam>
public struct StateEntry<TState>
    where TState : struct
{
    /// <summary>The state, when <see cref="Exists"/>.</summary>
    public TState Value;

    /// <summary>Whether the key has a state.</summary>
    public bool Exists;

    /// <summary>The batch (its index) in which the key last received data, for the timeout.</summary>
    public long UpdatedBatch;
}

/// <summary>One key's entry in an <see cref="UpdateStateByKeyAttribute"/> stage's table (used by generated code).</summary>
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
