namespace Compiled;

/// <summary>
/// Keeps a state per key across batches (Spark's <c>updateStateByKey</c>): <c>static S? Name(ReadOnlySpan&lt;V&gt; values, S? state)</c>
/// over a keyed input, with <c>S</c> a struct. Every batch it is called for every key that has a state or new
/// values, even with no new values; returning <see langword="null"/> removes the key. It emits every key's state
/// every batch, keys in the order first seen.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class UpdateStateByKeyAttribute : StageAttribute;

/// <summary>
/// Maps each keyed record with a state per key (Spark's <c>mapWithState</c>):
/// <c>static TOut Name(TKey key, V? value, State&lt;S&gt; state)</c>, called once per record of the batch, in
/// order, only for keys with new data; the state is read, updated or removed through <see cref="State{TState}"/>.
/// Returning <c>TOut?</c> (a nullable struct) emits nothing for <see langword="null"/>, like Spark's <c>Option</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class MapWithStateAttribute : StageAttribute
{
    /// <summary>
    /// Removes a key idle this long (<c>30s</c>, a multiple of the batch interval), calling the function once more
    /// for it with no value and <see cref="State{TState}.IsTimingOut"/> set, so it can emit a final value. Checked
    /// every batch (Spark checks only when it checkpoints the state, so its timeouts come later).
    /// </summary>
    public string? Timeout { get; set; }
}
