namespace Compiled;

/// <summary>
/// Base of the attributes of windowed stages: a window covers the last <see cref="Length"/> of batches and
/// emits every <see cref="Slide"/>. Both are durations (<c>30s</c>, <c>1m</c>) that must be multiples of the batch
/// interval, and of the slide of a windowed stage above; the first emission comes at the first slide, with
/// a window that is only partly filled, as in Spark.
/// </summary>
public abstract class WindowedStageAttribute : StageAttribute
{
    /// <summary>How much time the window covers: <c>30s</c>. Required.</summary>
    public string? Length { get; set; }

    /// <summary>How often the window emits: <c>10s</c>. By default the slide of its input, as in Spark: every batch, unless a windowed stage above slides slower.</summary>
    public string? Slide { get; set; }
}

/// <summary>
/// The records of the last <see cref="WindowedStageAttribute.Length"/>, every slide (Spark's <c>window</c>).
/// Declared as a partial method that takes and returns the record: <c>public static partial ReadOnlySpan&lt;byte&gt; Recent(ReadOnlySpan&lt;byte&gt; line);</c>
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class WindowAttribute : WindowedStageAttribute;

/// <summary>
/// Combines the values of each key over the window (Spark's <c>reduceByKeyAndWindow</c>): <c>static V Name(V a, V b)</c>
/// over a keyed input. With <see cref="Inverse"/> the window is updated from the batch that enters and the batch
/// that leaves instead of being merged again; keys whose value fell to zero are kept unless <see cref="Filter"/>
/// drops them.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class ReduceByKeyAndWindowAttribute : WindowedStageAttribute
{
    /// <summary>A static method of the pipeline, <c>static V Inverse(V a, V b)</c>, that undoes the reduce: <c>a - b</c> for a sum.</summary>
    public string? Inverse { get; set; }

    /// <summary>With <see cref="Inverse"/>: a static method, <c>static bool Keep(K key, V value)</c>, that drops keys when it returns <see langword="false"/> (e.g. zero counts).</summary>
    public string? Filter { get; set; }
}

/// <summary>
/// Reduces every record of the window to one (Spark's <c>reduceByWindow</c>): <c>static T Name(T a, T b)</c>. Emits
/// nothing for an empty window; with <see cref="Inverse"/>, it emits every slide once the first record came.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class ReduceByWindowAttribute : WindowedStageAttribute
{
    /// <summary>A static method of the pipeline, <c>static T Inverse(T a, T b)</c>, that undoes the reduce.</summary>
    public string? Inverse { get; set; }
}

/// <summary>
/// The number of records in the window, every slide (Spark's <c>countByWindow</c>). Declared as a partial method
/// that takes the record and returns the count: <c>public static partial long Requests(ReadOnlySpan&lt;byte&gt; line);</c>
/// As in Spark, it emits every slide once the first record came, 0 included.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class CountByWindowAttribute : WindowedStageAttribute;

/// <summary>
/// Counts the records of the window by the value <c>static TValue Name(TIn record)</c> returns (Spark's
/// <c>countByValueAndWindow</c>); values whose count fell to zero are dropped.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class CountByValueAndWindowAttribute : WindowedStageAttribute;
