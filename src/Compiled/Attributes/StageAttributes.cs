namespace Compiled;

/// <summary>
/// Base of the attributes that make a method a stage of a pipeline. A stage reads the output of the
/// stage declared above it, unless <see cref="Input"/> names another one.
/// </summary>
public abstract class StageAttribute : Attribute
{
    /// <summary>
    /// The name of the stage (method) whose output this stage reads; by default the nearest stage
    /// declared above it that is not a sink. Use <c>nameof(...)</c>. Two stages naming the same input
    /// both see every record of it.
    /// </summary>
    public string? Input { get; set; }

    /// <summary>
    /// Whether the stage's method must see the records one at a time, in the order they arrive, because it keeps state
    /// of its own between calls (a static set, a counter): <see langword="true"/> keeps the whole pipeline on one
    /// partition. Otherwise a pipeline that can be split runs its per-record stages on several partitions at once
    /// (<c>--parallelism</c>), each on a thread of its own, so their methods must be safe to call from several threads,
    /// as Spark's are (a pure function of the record is).
    /// </summary>
    public bool InOrder { get; set; }
}

/// <summary>
/// Base of the attributes of stages that call the user's method once per record (<see cref="MapAttribute"/>,
/// <see cref="FilterAttribute"/>, <see cref="FlatMapAttribute"/>, <see cref="MapValuesAttribute"/>,
/// <see cref="FlatMapValuesAttribute"/>), which can be guarded against an exception the method throws on one record.
/// </summary>
public abstract class RecordStageAttribute : StageAttribute
{
    /// <summary>
    /// What an exception the method throws on one record does: <see cref="BadRecordPolicy.Fail"/> ends the job, naming
    /// the stage and the record's source and position; <see cref="BadRecordPolicy.Skip"/> drops the record, counted
    /// under the stage and the exception's type; <see cref="BadRecordPolicy.DeadLetter"/> also writes the record to the
    /// dead-letter sink. Unset: the pipeline's <see cref="PipelineAttribute.OnError"/>, else Fail. The command line's
    /// <c>--on-error</c> overrides both.
    /// </summary>
    public BadRecordPolicy OnError { get; set; } = BadRecordPolicy.Fail;
}

/// <summary>
/// Declares a source: <c>public static partial Lines Input();</c>. The return type says how bytes are cut
/// into records (<see cref="Lines"/>: newline-delimited). The URI is bound at run time
/// (<c>--source</c>); <see cref="Default"/> is used when none is given.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class SourceAttribute : Attribute
{
    /// <summary>The URI read when the command line names none: <c>tcp://host:port</c>, <c>file:///path</c>, <c>stdin:</c>.</summary>
    public string? Default { get; set; }

    /// <summary>
    /// For a <c>Lines&lt;T&gt;</c> of a <see cref="RecordAttribute"/> struct, how this source reads each line, when it is not
    /// the format the record declares: the same struct may be read as CSV from files and as JSON lines from a topic's
    /// message values. When not written, the record's own <see cref="RecordAttribute.Format"/>.
    /// </summary>
    public RecordFormat Format { get; set; }

    /// <summary>
    /// What a line of a typed source (<c>Lines&lt;T&gt;</c>) that does not parse does: counted and skipped (the
    /// default), written to the dead-letter sink too (<see cref="BadRecordPolicy.DeadLetter"/>), or the end of the job
    /// (<see cref="BadRecordPolicy.Fail"/>). For a <see cref="RecordAttribute"/> struct, it overrides the record's
    /// <see cref="RecordAttribute.OnBadRecord"/>.
    /// </summary>
    public BadRecordPolicy OnBadRecord { get; set; } = BadRecordPolicy.Skip;
}

/// <summary>
/// One record in, one record out: <c>static TOut Name(TIn record)</c> (Spark's <c>map</c>). A method taking a
/// key and a value may follow a keyed stage.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class MapAttribute : RecordStageAttribute;

/// <summary>Keeps the records for which <c>static bool Name(T record)</c> returns <see langword="true"/> (Spark's <c>filter</c>).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class FilterAttribute : RecordStageAttribute;

/// <summary>
/// One record in, zero or more out: <c>static TEnumerable Name(TIn record)</c> where the result can be
/// <c>foreach</c>ed (Spark's <c>flatMap</c>). Return a struct or <c>ref struct</c> enumerable such as
/// <see cref="Utf8Words"/> so that nothing is allocated per record.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class FlatMapAttribute : RecordStageAttribute;

/// <summary>
/// Combines the values of each key within a batch: <c>static V Name(V a, V b)</c> over a keyed input
/// (<see cref="KeyValue{TValue}"/> or a <c>(TKey, TValue)</c> tuple). Spark's <c>reduceByKey</c>; emits one
/// record per key at the end of each batch, keys in the order they were first seen.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class ReduceByKeyAttribute : StageAttribute;

/// <summary>
/// Counts the records of each batch by the value <c>static TValue Name(TIn record)</c> returns (Spark's
/// <c>countByValue</c>); emits <c>KeyValue&lt;long&gt;</c> for byte-span values, <c>(TValue, long)</c> otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class CountByValueAttribute : StageAttribute;

/// <summary>
/// Declares a sink: <c>public static partial void Output(ReadOnlySpan&lt;byte&gt; word, long count);</c>. Its
/// parameters are the record it receives (one record, or a key and a value). The URI is bound at run time
/// (<c>--sink</c>); <see cref="Default"/> is used when none is given.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class SinkAttribute : StageAttribute
{
    /// <summary>The URI written when the command line names none: <c>console</c>, <c>file:///dir/prefix?suffix=txt</c>.</summary>
    public string? Default { get; set; }
}
