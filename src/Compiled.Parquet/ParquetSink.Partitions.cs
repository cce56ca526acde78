using System.Globalization;
using Compiled.Sinks;
using Compiled.Sinks.Files;

namespace Compiled.Parquet;

/// <remarks>
/// On partitions. A run on N partitions whose sink is fed per record asks it to write in parts
/// (<see cref="WriteInParts"/>): with one batch per file (<c>batchesPerFile=1</c>, the default) each partition then fills
/// columns of its own (the generated partition gives them to its part, <see cref="PartWriter"/>), and each batch is N
/// Parquet files, <c>prefix-&lt;batch time ms&gt;-part-0000p.parquet</c>, one per partition, written side by side (a
/// thread of the pool each) and committed together at the boundary in partition order, as the <c>file</c> sink's part
/// files are. Files of several batches are not split
/// into parts: such a sink keeps the run on one partition (<see cref="WritesParts"/>).
/// </remarks>
public sealed partial class ParquetSink
{
    // -1 for a sink writing a batch's one file; on partitions, the partition whose part this sink writes (0 for the job's).
    private int _partition = -1;

    // On partitions, the job's sink's parts of partitions 1 and on; none otherwise (and in a part itself).
    private ParquetSink[] _partSinks = [];

    // A part of owner's batches: the same directory, prefix, options and commit, written by partition `partition`.
    private ParquetSink(ParquetSink owner, int partition)
        : base(owner.Uri, owner.Context)
    {
        BatchesPerFile = owner.BatchesPerFile;
        Compression = owner.Compression;
        Directory = owner.Directory;
        _prefix = owner._prefix;
        _temporaryStart = owner._temporaryStart;
        _temporaryEnd = owner._temporaryEnd;
        _options = owner._options;
        _log = owner._log;
        _commit = owner._commit;
        _partition = partition;

        // The job's sink settles the temporary files of every part at its start.
        _temporaryFilesSettled = true;
    }

    /// <summary>
    /// Whether, on partitions, the sink writes a Parquet file per partition per batch: with one batch per file
    /// (<c>batchesPerFile=1</c>). A sink whose files hold several batches keeps the run on one partition.
    /// </summary>
    public bool WritesParts => BatchesPerFile == 1;

    /// <summary>
    /// Writes each batch as <paramref name="partitions"/> Parquet files, one per partition, partition p's rows filled by
    /// its own thread into the columns of <see cref="PartWriter"/>(p); <see langword="false"/> (the run then keeps to one
    /// partition's columns) when a file holds several batches.
    /// </summary>
    /// <exception cref="InvalidOperationException">A batch is open.</exception>
    public override bool WriteInParts(int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 2);
        if (!WritesParts)
        {
            return false;
        }

        if (_partition == 0 && _partSinks.Length == partitions - 1)
        {
            // Asked again, by the next partition that writes to it.
            return true;
        }

        if (_batchOpen || _partition > 0)
        {
            throw new InvalidOperationException($"The parquet sink {Uri.Text} is asked to write in parts with a batch in progress, or as a part itself; a run asks the job's sink before its first batch.");
        }

        var parts = new ParquetSink[partitions - 1];
        for (int p = 1; p < partitions; p++)
        {
            parts[p - 1] = new ParquetSink(this, p);
        }

        _partition = 0;
        _partSinks = parts;
        return true;
    }

    /// <summary>The sink of partition <paramref name="partition"/>'s Parquet file of each batch (1 and on), once the sink writes in parts; the generated partition gives it its columns.</summary>
    public override Sink? PartWriter(int partition) =>
        partition >= 1 && partition <= _partSinks.Length ? _partSinks[partition - 1] : null;

    // The name of the file of batch batchTimeMs: its one file (partition -1), or a partition's part.
    private string FileNameOf(long batchTimeMs, int partition) => partition < 0
        ? string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{batchTimeMs}.{Extension}")
        : string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{batchTimeMs}{BatchFileNames.PartOf(partition)}.{Extension}");

    // The commit of a batch on partitions (one batch per file): every part written and flushed first (side by side), then all renamed
    // into place in partition order, so that a batch's parts appear together. With a checkpoint they were prepared before
    // it and are renamed over files of the same batch; without one, none is renamed over another run's file.
    private async Task CommitWithPartsAsync(CancellationToken cancellationToken)
    {
        ParquetSink[] all = [this, .. _partSinks];
        if (Checkpointing)
        {
            await PrepareBatchAsync(cancellationToken).ConfigureAwait(false);
            foreach (ParquetSink part in all)
            {
                _commit.Rename(part.TemporaryPathOf(part._fileTime), part.FinalPathOf(part._fileTime));
                part._prepared = false;
                part._batchOpen = false;
                part._fileOpen = false;
            }

            _commit.FlushDirectory();
            Committed(_fileTime);
            return;
        }

        await ForEveryPartAsync(static (part, token) => part.WriteAndCloseAsync(token), cancellationToken).ConfigureAwait(false);

        foreach (ParquetSink part in all)
        {
            _commit.EnsureNotPublished(part.FinalPathOf(part._fileTime));
        }

        foreach (ParquetSink part in all)
        {
            _commit.Publish(part.TemporaryPathOf(part._fileTime), part.FinalPathOf(part._fileTime));
            part._batchOpen = false;
            part._fileOpen = false;
        }

        Committed(_fileTime);
    }

    // Without a checkpoint: this sink's file of the batch written, flushed to disk and closed, not yet renamed.
    private async Task WriteAndCloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WriteBatchAsync(cancellationToken).ConfigureAwait(false);
            await FinishFileAsync(prepare: false).ConfigureAwait(false);
        }
        catch
        {
            // The run aborts the batch, which deletes the parts: none became visible.
            _fileDamaged = true;
            throw;
        }
    }

    // Runs step for this sink's file and for each part's at once, each on a thread of the pool, so that a batch's Parquet
    // files are encoded and written side by side at the boundary (a closure per part per batch, none per record).
    private Task ForEveryPartAsync(Func<ParquetSink, CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        var steps = new Task[_partSinks.Length + 1];
        steps[0] = Task.Run(() => step(this, cancellationToken), cancellationToken);
        for (int p = 0; p < _partSinks.Length; p++)
        {
            ParquetSink part = _partSinks[p];
            steps[p + 1] = Task.Run(() => step(part, cancellationToken), cancellationToken);
        }

        return Task.WhenAll(steps);
    }
}
