namespace Compiled;

/// <summary>
/// A stage threw on one record and its policy is <see cref="BadRecordPolicy.Fail"/>: says which stage, which source,
/// where in it the record was (stream, byte offset, line), and how to keep the job running instead. The stage's
/// exception is the <see cref="Exception.InnerException"/>, with its stack trace.
/// </summary>
public sealed class StageFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stage">The stage (method) that threw.</param>
    /// <param name="kind">The stage's attribute: <c>Map</c>, <c>Filter</c>, <c>FlatMap</c>.</param>
    /// <param name="source">The source the record came from.</param>
    /// <param name="position">Where the record was in its source, as <see cref="BadRecordSource.Describe"/> writes it.</param>
    /// <param name="cause">What the stage threw.</param>
    public StageFailedException(string stage, string kind, string source, string position, Exception cause)
        : base($"Stage {stage} threw {cause.GetType().Name} on the record of source {source} {position}: {cause.Message} "
            + $"Fix the stage or the input, or declare [{kind}(OnError = BadRecordPolicy.Skip)] (or DeadLetter) on {stage}, "
            + "or run with --on-error skip (or dead-letter), to count such records and go on.", cause)
    {
        Stage = stage;
        SourceName = source;
        Position = position;
    }

    /// <summary>The stage that threw.</summary>
    public string Stage { get; }

    /// <summary>The source the record came from.</summary>
    public string SourceName { get; }

    /// <summary>Where the record was: <c>at byte 1234 (line 17) of /data/trades.csv</c>.</summary>
    public string Position { get; }
}
