namespace Compiled;

/// <summary>
/// A <see cref="MapWithStateAttribute"/> function as a struct function object: the generated code implements it
/// with a struct that calls the stage's static method, so a <see cref="MapWithStateStore{TKey, TValue, TState, TOutput, TKeys, TFunction}"/>
/// calls the user's method directly and the JIT inlines it.
/// </summary>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TValue">The value of a record.</typeparam>
/// <typeparam name="TState">The state kept per key.</typeparam>
/// <typeparam name="TOutput">What a call emits.</typeparam>
public interface IMapWithStateFunction<TKey, TValue, TState, TOutput>
    where TKey : allows ref struct
    where TValue : struct
    where TState : struct
    where TOutput : allows ref struct
{
    /// <summary>Calls the function for a record's key and value, or with no value when the key is timing out.</summary>
    static abstract TOutput Map(TKey key, TValue? value, State<TState> state);
}

/// <summary>
/// An <see cref="UpdateStateByKeyAttribute"/> function as a struct function object (see
/// <see cref="IMapWithStateFunction{TKey, TValue, TState, TOutput}"/>): Spark's <c>(time, key, values, state)</c> form,
/// which the generated struct narrows to the form the stage's method takes.
/// </summary>
/// <typeparam name="TKey">The key: a struct, or a byte span.</typeparam>
/// <typeparam name="TValue">The value of a record.</typeparam>
/// <typeparam name="TState">The state kept per key.</typeparam>
public interface IUpdateStateFunction<TKey, TValue, TState>
    where TKey : allows ref struct
    where TState : struct
{
    /// <summary>
    /// The key's new state from its values of the batch (in arrival order, perhaps none) and its state (null when it has
    /// none); null removes the key.
    /// </summary>
    static abstract TState? Update(long batchTime, TKey key, ReadOnlySpan<TValue> values, TState? state);
}

/// <summary>A key and its state, as a state store lists them between batches.</summary>
/// <typeparam name="TKey">The key: a struct, or a byte span (valid until the next batch).</typeparam>
/// <typeparam name="TState">The state.</typeparam>
public readonly ref struct KeyedState<TKey, TState>
    where TKey : allows ref struct
    where TState : struct
{
    /// <summary>Pairs a key with its state.</summary>
    public KeyedState(TKey key, TState state, long? updatedBatch = null)
    {
        Key = key;
        State = state;
        UpdatedBatch = updatedBatch;
    }

    /// <summary>The key.</summary>
    public TKey Key { get; }

    /// <summary>The key's state.</summary>
    public TState State { get; }

    /// <summary>
    /// For a <see cref="MapWithStateAttribute"/> store, the number of the batch in which the key last received a record
    /// (what its timeout counts from); null for a key put in before the end of the batch being filled, which counts as
    /// updated in that batch, and for an <see cref="UpdateStateByKeyAttribute"/> store, which has no timeout.
    /// </summary>
    public long? UpdatedBatch { get; }
}
