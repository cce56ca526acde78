namespace Compiled;

/// <summary>
/// The number of records in each batch (Spark's <c>count</c>), emitted every batch, 0 for an empty one. Declared as a
/// partial method that takes the record and returns the count: <c>public static partial long Lines(ReadOnlySpan&lt;byte&gt; line);</c>
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class CountAttribute : StageAttribute;

/// <summary>
/// Reduces each batch's records to one (Spark's <c>reduce</c>): <c>static T Name(T a, T b)</c>. An empty batch emits nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class ReduceAttribute : StageAttribute;

/// <summary>Maps the value of each keyed record and keeps its key (Spark's <c>mapValues</c>): <c>static W Name(V value)</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class MapValuesAttribute : RecordStageAttribute;

/// <summary>
/// Maps the value of each keyed record to zero or more values, each with the record's key (Spark's
/// <c>flatMapValues</c>): <c>static TEnumerable Name(V value)</c>, where the result can be <c>foreach</c>ed.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class FlatMapValuesAttribute : RecordStageAttribute;

/// <summary>
/// Groups each batch's values by key (Spark's <c>groupByKey</c>), keys in the order first seen, values in arrival
/// order. Declared as a partial method that takes the keyed record and returns its group:
/// <c>public static partial Grouped&lt;long&gt; Clicks(ReadOnlySpan&lt;byte&gt; user, long click);</c> (or
/// <c>Grouped&lt;TKey, V&gt;</c> for a struct key).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class GroupByKeyAttribute : StageAttribute;

/// <summary>
/// Combines each batch's values per key into a combiner (Spark's <c>combineByKey</c>): the method creates a combiner
/// from a key's first value, <c>static C Name(V value)</c>; <see cref="MergeValue"/> adds a further value,
/// <c>static C MergeValue(C combiner, V value)</c>; <see cref="MergeCombiners"/> merges two combiners,
/// <c>static C MergeCombiners(C a, C b)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class CombineByKeyAttribute : StageAttribute
{
    /// <summary>The static method that adds a value to a combiner. Required.</summary>
    public string? MergeValue { get; set; }

    /// <summary>The static method that merges two combiners. Required, as in Spark, though one partition per batch never calls it.</summary>
    public string? MergeCombiners { get; set; }
}

/// <summary>
/// Base of the stages that read two streams: <see cref="StageAttribute.Input"/> and <see cref="Other"/>, both
/// declared above, both emitting at the same slide.
/// </summary>
public abstract class TwoInputStageAttribute : StageAttribute
{
    /// <summary>The second stream: the name of a stage declared above. Required.</summary>
    public string? Other { get; set; }
}

/// <summary>
/// The records of two streams of the same type, as one (Spark's <c>union</c>). Declared as a partial method that takes
/// and returns the record: <c>public static partial ReadOnlySpan&lt;byte&gt; All(ReadOnlySpan&lt;byte&gt; line);</c>
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class UnionAttribute : TwoInputStageAttribute;

/// <summary>
/// Joins two keyed streams per batch (Spark's <c>join</c>): for each key in both, every pair of a value from each,
/// mapped by <c>static R Name(K key, V left, W right)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class JoinAttribute : TwoInputStageAttribute;

/// <summary>
/// Spark's <c>leftOuterJoin</c>: every value of the left stream, paired with each right value of its key or with none:
/// <c>static R Name(K key, V left, W? right)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class LeftOuterJoinAttribute : TwoInputStageAttribute;

/// <summary>
/// Spark's <c>rightOuterJoin</c>: every value of the right stream, paired with each left value of its key or with none:
/// <c>static R Name(K key, V? left, W right)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class RightOuterJoinAttribute : TwoInputStageAttribute;

/// <summary>
/// Spark's <c>fullOuterJoin</c>: every value of either stream, paired with each value of the other side's key or with
/// none: <c>static R Name(K key, V? left, W? right)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class FullOuterJoinAttribute : TwoInputStageAttribute;

/// <summary>
/// Spark's <c>cogroup</c>: for each key of either stream, all its values from each side:
/// <c>static R Name(K key, ReadOnlySpan&lt;V&gt; left, ReadOnlySpan&lt;W&gt; right)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class CogroupAttribute : TwoInputStageAttribute;

/// <summary>
/// Hands user code a whole batch and takes back a batch (Spark's <c>transform</c>):
/// <c>static void Name(ReadOnlySpan&lt;T&gt; records, RecordBuffer&lt;U&gt; output)</c>; what it adds to the output
/// goes on down the pipeline. <c>T</c> cannot be a ref struct.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class TransformAttribute : StageAttribute;

/// <summary>
/// Hands user code a whole batch of two streams and takes back a batch (Spark's <c>transformWith</c>):
/// <c>static void Name(ReadOnlySpan&lt;T&gt; records, ReadOnlySpan&lt;U&gt; others, RecordBuffer&lt;R&gt; output)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class TransformWithAttribute : TwoInputStageAttribute;

/// <summary>
/// Hands user code each whole batch as an output of the pipeline (Spark's <c>foreachRDD</c>):
/// <c>static void Name(ReadOnlySpan&lt;T&gt; records, long batchTime)</c>, with the batch time in Unix milliseconds.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class ForEachBatchAttribute : StageAttribute;
