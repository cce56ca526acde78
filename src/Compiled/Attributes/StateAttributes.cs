namespace Compiled;

/// <summary>
/// Keeps a state per key across batches (Spark's <c>updateStateByKey</c>): <c>static S? Name(ReadOnlySpan&lt;V&gt; values, S? state)</c>
/// over a keyed input, with <c>S</c> a struct. Every batch it is called for every key that has a state or new
/// values, even with no new values; returning <see langword="null"/> removes the key. It emits every key's state
/// every batch, keys in the order first seen. Spark's fuller form <c>static S? Name(long batchTime, K key,
/// ReadOnlySpan&lt;V&gt; values, S? state)</c> also gives the function the batch's time (Unix milliseconds) and the key.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class UpdateStateByKeyAttribute : StageAttribute
{
    /// <summary>
    /// Names a static method of the pipeline class that gives keys a state before the first batch (Spark's
    /// <c>initialRDD</c>): <c>static IEnumerable&lt;(K Key, S State)&gt; Name()</c>, with <c>string</c> keys (taken as UTF-8)
    /// where the stage's keys are byte spans. The run calls it once as it starts.
    /// </summary>
    public string? InitialState { get; set; }

    /// <summary>
    /// Gives the function the watermark of the <see cref="EventTimeAttribute"/> stage above instead of the batch's time:
    /// <c>static S? Name(long watermark, K key, ReadOnlySpan&lt;V&gt; values, S? state)</c>, called at each batch boundary
    /// once the watermark has moved on (<see cref="long.MinValue"/> before the first record, <see cref="long.MaxValue"/>
    /// in the last batch of a bounded input or a stop). A key's state can so end when event time passes a time it holds,
    /// such as an auction's expiry.
    /// </summary>
    public bool EventTime { get; set; }
}

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

    /// <summary>
    /// Names a static method of the pipeline class that gives keys a state before the first batch (Spark's
    /// <c>StateSpec.initialState</c>): <c>static IEnumerable&lt;(K Key, S State)&gt; Name()</c>, with <c>string</c> keys (taken as UTF-8)
    /// where the stage's keys are byte spans. The run calls it once as it starts; with a timeout, the first batch counts as
    /// the keys' last update.
    /// </summary>
    public string? InitialState { get; set; }
}
