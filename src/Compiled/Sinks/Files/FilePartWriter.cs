namespace Compiled.Sinks.Files;

/// <summary>
/// What one more partition of a run on partitions writes its records of the <c>file</c> sink to: its own part file of
/// each batch (<c>prefix-&lt;batch time ms&gt;-part-0000p.suffix</c>), written on the partition's thread as records come.
/// The job's <see cref="FileSink"/> begins, prepares, commits and aborts every part with its own, at the boundary while
/// the partitions are parked: this writer only writes.
/// </summary>
internal sealed class FilePartWriter : Sink
{
    private readonly BatchFile _file;

    /// <summary>The writer of <paramref name="file"/>, a part of <paramref name="sink"/>'s batches.</summary>
    public FilePartWriter(FileSink sink, BatchFile file)
        : base(sink)
    {
        _file = file;
    }

    /// <summary>Appends the record and a <c>\n</c> to the partition's part file of the batch.</summary>
    public override void Write(ReadOnlySpan<byte> record) => _file.Write(record);

    /// <summary>Never called: the job's sink begins every part of its batch.</summary>
    public override void BeginBatch(long batchTimeMs) =>
        throw new InvalidOperationException("A partition's part of the file sink is begun by the job's file sink, not on its own.");

    /// <summary>Never called: the job's sink commits every part of its batch.</summary>
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) =>
        ValueTask.FromException(new InvalidOperationException("A partition's part of the file sink is committed by the job's file sink, not on its own."));
}
