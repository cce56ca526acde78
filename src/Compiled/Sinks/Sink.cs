using Compiled.Connectors;

namespace Compiled.Sinks;

/// <summary>
/// Where a pipeline's output goes. The driver calls <see cref="BeginBatch"/> when a batch starts,
/// <see cref="Write"/> for each output record of the batch (as the fused loop produces it, or at the batch
/// boundary for aggregated stages), and <see cref="CommitBatchAsync"/> when the batch is complete; a sink
/// makes a batch visible only at commit (the console prints it, a file is renamed into place). All calls
/// come from one thread, in that order.
/// </summary>
public abstract class Sink : IAsyncDisposable
{
    /// <summary>Creates a sink for <paramref name="uri"/>.</summary>
    protected Sink(ConnectorUri uri, SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(context);
        Uri = uri;
        Context = context;
    }

    /// <summary>The URI the sink was created from.</summary>
    public ConnectorUri Uri { get; }

    /// <summary>What the sink was given to work with.</summary>
    protected SinkContext Context { get; }

    /// <summary>Connects or prepares; called once before the first batch.</summary>
    public virtual ValueTask OpenAsync(CancellationToken cancellationToken) => default;

    /// <summary>Starts the batch whose time is <paramref name="batchTimeMs"/> (Unix milliseconds, the batch's end).</summary>
    public abstract void BeginBatch(long batchTimeMs);

    /// <summary>Writes one record of the current batch, rendered as UTF-8 text without a line terminator.</summary>
    public abstract void Write(ReadOnlySpan<byte> record);

    /// <summary>Makes the current batch visible: print it, flush it, rename it into place.</summary>
    public abstract ValueTask CommitBatchAsync(CancellationToken cancellationToken);

    /// <summary>Drops the current batch without making it visible (the job failed in it).</summary>
    public virtual void AbortBatch()
    {
    }

    /// <summary>Releases the sink. A batch begun but not committed is aborted.</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return default;
    }
}

/// <summary>What a sink connector is given to work with.</summary>
public sealed class SinkContext
{
    /// <summary>Where the <c>console</c> sink writes: the process's standard output unless a test gives another stream.</summary>
    public Func<Stream> OpenStandardOutput { get; init; } = Console.StandardOutput.Open;

    /// <summary>The directory that relative <c>file:</c> paths are resolved against.</summary>
    public string CurrentDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>Where sinks log.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
}
