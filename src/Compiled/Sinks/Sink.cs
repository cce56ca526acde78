using Compiled.Connectors;

namespace Compiled.Sinks;

/// <summary>
/// Where a pipeline's output goes. The driver calls <see cref="BeginBatch"/> when a batch starts,
/// <see cref="Write(ReadOnlySpan{byte})"/> for each output record of the batch (as the fused loop produces it, or at the batch
/// boundary for aggregated stages), and <see cref="CommitBatchAsync"/> when the batch is complete; a sink
/// makes a batch visible only at commit (the console prints it, a file is renamed into place). Calls never overlap and
/// come in that order; on several partitions the records partition 0 writes as they arrive come from its thread, the
/// rest from the run's loop, which hands over between them with every partition parked.
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

    /// <summary>
    /// Creates a sink that stands in for <paramref name="target"/> on another thread (a partition's buffer of its records):
    /// the same URI and context, and the same <see cref="Format"/> and <see cref="KeepsKeys"/>, so that the generated code
    /// renders a record for it exactly as for the target.
    /// </summary>
    private protected Sink(Sink target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Uri = target.Uri;
        Context = target.Context;
        Format = target.Format;
        KeepsKeys = target.KeepsKeys;
    }

    /// <summary>The URI the sink was created from.</summary>
    public ConnectorUri Uri { get; }

    /// <summary>What the sink was given to work with.</summary>
    protected SinkContext Context { get; }

    /// <summary>
    /// How the generated code renders each record for this sink: as text (<c>(key,value)</c>, the default), as a CSV row
    /// or as a JSON object. A sink that takes records as text reads it from its URI's <c>format</c> option by calling
    /// <see cref="TakeFormat"/>; a sink that does not (one that keeps keys and values apart) leaves it
    /// <see cref="SinkFormat.Text"/>, and its URI refuses the option as unknown.
    /// </summary>
    public SinkFormat Format { get; private set; }

    /// <summary>
    /// Whether the sink keeps a record's key apart from the record (<see cref="Write(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    /// overridden, as Kafka's message key): only then does the generated code render a pair's key as text of its own
    /// before the row; for any other sink the key is in the row only. Set in the sink's constructor; fixed for the run.
    /// </summary>
    public bool KeepsKeys { get; protected set; }

    /// <summary>The CSV header row of the sink's records (column names, without a line end), empty until the job gives it; see <see cref="UseCsvHeader"/>.</summary>
    protected ReadOnlySpan<byte> CsvHeader => _csvHeader;

    private byte[] _csvHeader = [];

    /// <summary>
    /// Reads the URI's <c>format</c> option: <c>text</c> (the default), <c>csv</c> or <c>json</c>. Sinks that take records
    /// as text call it in their constructor.
    /// </summary>
    protected void TakeFormat() => Format = Uri.TakeEnum("format", SinkFormat.Text);

    /// <summary>
    /// Gives a sink of <see cref="SinkFormat.Csv"/> the header row of its records (the generated job does this once,
    /// when it is created). A sink that writes files starts each file with it; one that writes a message per record
    /// ignores it.
    /// </summary>
    public void UseCsvHeader(ReadOnlySpan<byte> header) => _csvHeader = header.ToArray();

    /// <summary>Connects or prepares; called once before the first batch.</summary>
    public virtual ValueTask OpenAsync(CancellationToken cancellationToken) => default;

    /// <summary>Starts the batch whose time is <paramref name="batchTimeMs"/> (Unix milliseconds, the batch's end).</summary>
    public abstract void BeginBatch(long batchTimeMs);

    /// <summary>Writes one record of the current batch, rendered as UTF-8 text without a line terminator.</summary>
    public abstract void Write(ReadOnlySpan<byte> record);

    /// <summary>
    /// Writes one record of the current batch rendered as a CSV row or a JSON object (<see cref="Format"/>), with the
    /// record's key as UTF-8 bytes: the generated code calls it for a keyed record, a <c>KeyValue&lt;V&gt;</c> (its key's
    /// bytes) or a pair (its key's text when the sink <see cref="KeepsKeys"/>, else empty). A sink that keeps keys apart
    /// from records (Kafka's message key) overrides it; by default the key is ignored and the record written as
    /// <see cref="Write(ReadOnlySpan{byte})"/> writes it.
    /// </summary>
    public virtual void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record) => Write(record);

    /// <summary>
    /// What the sink guarantees about a batch replayed after a crash when the run keeps a checkpoint: see
    /// <see cref="SinkGuarantee"/>. <see cref="SinkGuarantee.AtLeastOnce"/> unless a sink says more.
    /// </summary>
    public virtual SinkGuarantee Guarantee => SinkGuarantee.AtLeastOnce;

    /// <summary>
    /// The first phase of a two-phase commit, called only on a <see cref="SinkGuarantee.Transactional"/> sink of a run
    /// that keeps a checkpoint: makes the current batch durable but not yet visible (a file written and flushed to
    /// disk under a temporary name, a transaction prepared). The run then writes its checkpoint, and
    /// <see cref="CommitBatchAsync"/> makes the batch visible. Does nothing by default.
    /// </summary>
    public virtual ValueTask PrepareBatchAsync(CancellationToken cancellationToken) => default;

    /// <summary>
    /// Makes the current batch visible: print it, flush it, rename it into place. A
    /// <see cref="SinkGuarantee.Transactional"/> sink of a run that keeps a checkpoint is committed after
    /// <see cref="PrepareBatchAsync"/> and after the checkpoint of the batch is durable; every other sink is committed
    /// before the checkpoint is written.
    /// </summary>
    public abstract ValueTask CommitBatchAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called once after <see cref="OpenAsync"/> and before the first batch, when the run resumes from a checkpoint
    /// whose last batch has time <paramref name="checkpointedBatchTime"/>: a transactional sink finishes what it
    /// prepared for that batch or an earlier one (the checkpoint is durable, so the batch is done), and aborts what it
    /// prepared for a later one (its input is read again after the restart). Does nothing by default.
    /// </summary>
    public virtual ValueTask RecoverAsync(long checkpointedBatchTime, CancellationToken cancellationToken) => default;

    /// <summary>
    /// The time of the latest batch this sink finds already committed at its destination when it opens (a file sink's
    /// newest batch file), or <see langword="null"/> when it cannot tell. A run begins after it, so that a restart
    /// within one batch interval of a stop does not write the same batch twice. Read after <see cref="OpenAsync"/>.
    /// </summary>
    public virtual long? LastCommittedBatchTime => null;

    /// <summary>
    /// Asks the sink, before the first batch of a run on <paramref name="partitions"/> partitions (more than one), by each
    /// partition whose fused loop writes to it (so possibly more than once, always with the same count), whether it
    /// writes each batch as one part per partition, each part written by its partition's thread as records
    /// come (the <c>file</c> sink's part files): then partition 0 writes its part through this sink, partition p through
    /// <see cref="PartWriter"/>(p), and the sink begins, commits and aborts every part of a batch with its own. A sink
    /// that does not (the default, <see langword="false"/>) is written from one thread only: the records of partitions
    /// 1 and on wait in a buffer of each until the batch boundary.
    /// </summary>
    public virtual bool WriteInParts(int partitions) => false;

    /// <summary>
    /// What partition <paramref name="partition"/> (1 and on) writes its records to, once the sink said it writes in parts
    /// (<see cref="WriteInParts"/>); <see langword="null"/> otherwise. Called before the partition's thread starts.
    /// </summary>
    public virtual Sink? PartWriter(int partition) => null;

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

/// <summary>What a sink guarantees for the batches of a run that keeps a checkpoint, when a crash replays a batch's input.</summary>
public enum SinkGuarantee
{
    /// <summary>
    /// Every record reaches the sink at least once: what a batch wrote before a crash is written again when its input
    /// is read again after the restart (the console prints it twice). The sink commits before the checkpoint is written.
    /// </summary>
    AtLeastOnce,

    /// <summary>
    /// Writing a batch again leaves the destination as writing it once did (an upsert by key, a file named for its
    /// batch). The sink commits before the checkpoint is written.
    /// </summary>
    Idempotent,

    /// <summary>
    /// Exactly once, by a two-phase commit: the sink prepares the batch (<see cref="Sink.PrepareBatchAsync"/>), the run
    /// writes its checkpoint, then the sink commits; on restart it finishes or aborts what it prepared
    /// (<see cref="Sink.RecoverAsync"/>).
    /// </summary>
    Transactional,
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

    /// <summary>The run's checkpoint directory, or <see langword="null"/> when it keeps none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>The sink's declared name in its pipeline.</summary>
    public string SinkName { get; init; } = "";

    /// <summary>
    /// Whether the sink shares standard output with another <c>console</c> sink of its pipeline: then the console sink
    /// labels each batch it prints with its name (<c>-- Alerts --</c>), so the blocks can be told apart.
    /// </summary>
    public bool SharesConsole { get; init; }
}
