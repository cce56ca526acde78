using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using Compiled.Connectors;
using Compiled.Internal;
using Compiled.Parquet.Columns;
using Compiled.Sinks;
using Compiled.Sinks.Files;
using Microsoft.Extensions.Logging;
using Parquet;

namespace Compiled.Parquet;

/// <summary>
/// The <c>parquet</c> sink: <c>parquet:///dir/prefix</c> writes each batch's records as a Parquet file
/// <c>dir/prefix-&lt;batch time ms&gt;.parquet</c>, with one column per field of the record (named as the CSV writer names its
/// header) — the form a data lake ingests. Committed as the <c>file</c> sink commits its text files: written under a
/// hidden temporary name, flushed to disk and renamed into place, so a reader sees a whole file or none.
/// </summary>
/// <remarks>
/// <para>
/// The sink takes typed rows, not text: the generated job of a project that references this package writes a
/// <see cref="ParquetColumns"/> class for each sink's record type and hands it over when it binds the sink
/// (<see cref="UseColumns"/>); each record's members are appended to typed column buffers, and at the commit the
/// buffers are written as one row group.
/// </para>
/// <para>
/// Options: <c>batchesPerFile</c> (1): with N above 1 a file holds N batches, one row group each, and is renamed into
/// place after the Nth (named for its first batch's time; a run that stops finishes the file it has); without a
/// checkpoint the file is kept open across them, with one the batches are parts until the Nth (below).
/// <c>compression</c> (<c>snappy</c>, <c>gzip</c>, <c>zstd</c>, <c>none</c> or <c>uncompressed</c>).
/// </para>
/// <para>
/// <b>With a checkpoint</b> the sink is <see cref="SinkGuarantee.Transactional"/> as the <c>file</c> sink is: a batch's
/// file is written and flushed to disk under its temporary name (prepare), the run writes its checkpoint, then the file
/// is renamed into place (commit); a restart renames a prepared file of a checkpointed batch into place and deletes a
/// later one, whose input is read again; a file of the same batch already there is this job's own and is replaced.
/// With <c>batchesPerFile</c> above 1 each batch is prepared as a hidden part file of its own
/// (<c>.prefix-&lt;first batch&gt;.parquet.&lt;batch&gt;.part</c>), kept once committed, and the Nth commit merges the parts' row
/// groups into the file (<c>ParquetSink.Parts.cs</c>); a restart keeps the parts of checkpointed batches and
/// continues their file. Without a checkpoint a crash loses the batches of the file still open (never visible), and the
/// next run deletes its temporary file.
/// </para>
/// </remarks>
public sealed partial class ParquetSink : Sink
{
    /// <summary>The extension of the sink's files.</summary>
    public const string Extension = "parquet";

    private readonly string _prefix;
    private readonly string _temporaryStart;
    private readonly string _temporaryEnd;
    private readonly ParquetOptions _options;
    private readonly ILogger _log;
    private readonly PreparedFileCommit _commit;

    private ParquetColumns? _columns;

    // The batch in progress, between BeginBatch and its commit or abort.
    private bool _batchOpen;
    private long _batchTime;
    private bool _prepared;

    // The file being written: its first batch's time, its stream and writer (null until its first row group), how many
    // batches it holds, and whether a failed write left it unusable.
    private long _fileTime;
    private bool _fileOpen;
    private FileStream? _stream;
    private ParquetWriter? _writer;
    private int _batchesInFile;
    private bool _fileDamaged;

    private bool _temporaryFilesSettled;
    private long? _lastCommitted;

    /// <summary>Creates the sink for <paramref name="uri"/>: <c>parquet:///dir/prefix</c> with <c>batchesPerFile</c> and <c>compression</c>; checks that its directory can be written.</summary>
    /// <exception cref="ConnectorUriException">The URI has no prefix, an option is unknown or out of range, or the directory cannot be written.</exception>
    public ParquetSink(ConnectorUri uri, SinkContext context)
        : base(uri, context)
    {
        BatchesPerFile = uri.TakeInt32("batchesPerFile", 1, minimum: 1);
        Compression = uri.TakeEnum("compression", ParquetCompression.Snappy);
        BatchFileTarget target = BatchFileTarget.Parse(uri, "parquet", "", "." + Extension, context.CurrentDirectory);
        Directory = target.Directory;
        _prefix = target.Prefix;
        _temporaryStart = "." + _prefix + "-";
        _temporaryEnd = "." + Extension + ".tmp";
        _options = new ParquetOptions { CompressionMethod = MethodOf(Compression) };
        _log = context.LoggerFactory.CreateLogger<ParquetSink>();
        _commit = new PreparedFileCommit("parquet", uri.Text, Directory);

        // Deleted when closed; a probe a dead process left is a temporary file of batch time 0, which the next start deletes.
        target.CheckWritable(TemporaryNameOf(0));
    }

    /// <summary>The absolute directory the files are written to.</summary>
    public string Directory { get; }

    /// <summary>How many batches each file holds (<c>batchesPerFile</c>, 1 by default).</summary>
    public int BatchesPerFile { get; }

    /// <summary>The codec of the column chunks (<c>compression</c>).</summary>
    public ParquetCompression Compression { get; }

    /// <summary>The columns the job gave (<see cref="UseColumns"/>), or <see langword="null"/> before.</summary>
    public ParquetColumns? Columns => _columns;

    /// <summary>Exactly once with a checkpoint, by a two-phase commit, as the <c>file</c> sink.</summary>
    public override SinkGuarantee Guarantee => SinkGuarantee.Transactional;

    /// <inheritdoc />
    public override long? LastCommittedBatchTime => _lastCommitted;

    private bool Checkpointing => Context.CheckpointDirectory is not null;

    /// <summary>
    /// Gives the sink the columns of its records; the generated job calls it once, when it binds the sink, and then appends
    /// each record of a batch to <paramref name="columns"/> itself.
    /// </summary>
    public void UseColumns(ParquetColumns columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns;
    }

    /// <summary>
    /// The file name of the file whose first batch is <paramref name="batchTimeMs"/>: <c>prefix-&lt;batchTimeMs&gt;.parquet</c>;
    /// on partitions, this sink's part of it: <c>prefix-&lt;batchTimeMs&gt;-part-0000p.parquet</c>.
    /// </summary>
    public string FileNameOf(long batchTimeMs) => FileNameOf(batchTimeMs, _partition);

    /// <summary>Creates the directory if it is missing, finds its newest file, and without a checkpoint deletes the temporary files of earlier runs.</summary>
    public override ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        System.IO.Directory.CreateDirectory(Directory);
        _lastCommitted = BatchFileNames.Newest(Directory, _prefix, "." + Extension);
        if (!Checkpointing)
        {
            SettleTemporaryFiles(keepUpTo: null);
            _temporaryFilesSettled = true;
        }

        return default;
    }

    /// <summary>Renames into place the prepared file of each batch at or before <paramref name="checkpointedBatchTime"/>, and deletes later ones.</summary>
    public override async ValueTask RecoverAsync(long checkpointedBatchTime, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SettleTemporaryFiles(keepUpTo: checkpointedBatchTime);
        await RecoverPartsAsync(checkpointedBatchTime, cancellationToken).ConfigureAwait(false);
        _temporaryFilesSettled = true;
    }

    /// <summary>Begins a batch: its rows start empty; a new file starts with it unless one is open (<c>batchesPerFile</c>).</summary>
    public override void BeginBatch(long batchTimeMs)
    {
        if (_batchOpen)
        {
            throw new InvalidOperationException($"The parquet sink {Uri.Text} already has batch {_batchTime} in progress; commit or abort it before beginning another.");
        }

        if (_columns is null)
        {
            ThrowNoColumns();
        }

        if (!_temporaryFilesSettled)
        {
            // A run with a checkpoint that resumes from none: every temporary file left is a batch whose input is read again.
            _temporaryFilesSettled = true;
            SettleTemporaryFiles(keepUpTo: null);
        }

        if (!_fileOpen)
        {
            _fileOpen = true;
            _fileTime = batchTimeMs;
            _batchesInFile = 0;
            _fileDamaged = false;
        }

        _columns.Clear();
        _batchTime = batchTimeMs;
        _batchOpen = true;
        _prepared = false;
        foreach (ParquetSink part in _partSinks)
        {
            part.BeginBatch(batchTimeMs);
        }
    }

    /// <summary>Refuses a record as text: the parquet sink takes the typed rows the generated job appends to its <see cref="Columns"/>.</summary>
    public override void Write(ReadOnlySpan<byte> record) => ThrowNoColumns();

    /// <summary>With a checkpoint: writes the batch's file, flushes it to disk and closes it under its temporary name.</summary>
    public override async ValueTask PrepareBatchAsync(CancellationToken cancellationToken)
    {
        if (!_batchOpen)
        {
            ThrowNoBatch();
        }

        if (_prepared)
        {
            return;
        }

        if (_partSinks.Length > 0)
        {
            // On partitions, every part of the batch is encoded and written at once.
            await ForEveryPartAsync(static (part, token) => part.PrepareFileAsync(token), cancellationToken).ConfigureAwait(false);
            return;
        }

        await PrepareFileAsync(cancellationToken).ConfigureAwait(false);
    }

    // This sink's file of the batch written, flushed to disk and closed under its temporary name.
    private async Task PrepareFileAsync(CancellationToken cancellationToken)
    {
        if (_prepared)
        {
            return;
        }

        await WriteBatchAsync(cancellationToken).ConfigureAwait(false);
        await FinishFileAsync(prepare: true).ConfigureAwait(false);
        _prepared = true;
    }

    /// <summary>
    /// Writes the batch's rows as a row group; when the file holds <see cref="BatchesPerFile"/> batches (or with a
    /// checkpoint, after <see cref="PrepareBatchAsync"/>), finishes it and renames it into place.
    /// </summary>
    public override async ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        if (!_batchOpen)
        {
            ThrowNoBatch();
        }

        // Files a restart found whole in parts (also of a run with more batches per file than this one's).
        await MergePendingAsync(cancellationToken).ConfigureAwait(false);
        if (_partSinks.Length > 0)
        {
            await CommitWithPartsAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (Grouped)
        {
            await CommitPartAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (Checkpointing)
        {
            await PrepareBatchAsync(cancellationToken).ConfigureAwait(false);
            _commit.CommitPrepared(TemporaryPathOf(_fileTime), FinalPathOf(_fileTime));
            _prepared = false;
            _batchOpen = false;
            _fileOpen = false;
            Committed(_fileTime);
            return;
        }

        await WriteBatchAsync(cancellationToken).ConfigureAwait(false);
        _batchesInFile++;
        _batchOpen = false;
        if (_batchesInFile >= BatchesPerFile)
        {
            try
            {
                await PublishFileAsync().ConfigureAwait(false);
            }
            catch
            {
                // The run aborts the batch, which deletes the file: it never became visible.
                _fileDamaged = true;
                throw;
            }
        }
    }

    /// <summary>Drops the batch's rows. A file left unusable by a failed write is deleted, with the batches it held (logged).</summary>
    public override void AbortBatch()
    {
        foreach (ParquetSink part in _partSinks)
        {
            part.AbortBatch();
        }

        _columns?.Clear();
        bool prepared = _prepared;
        _batchOpen = false;
        _prepared = false;
        if (!_fileOpen)
        {
            return;
        }

        if (Grouped)
        {
            AbortPart(prepared);
            return;
        }

        if (_fileDamaged || prepared || (_stream is not null && (Checkpointing || _batchesInFile == 0)))
        {
            DiscardFile();
        }
        else if (Checkpointing || _batchesInFile == 0)
        {
            // Nothing was written for it yet: the next batch starts the file afresh.
            _fileOpen = false;
        }
    }

    /// <summary>
    /// Finishes and renames into place a file of committed batches still open (<c>batchesPerFile</c> above 1), drops a batch
    /// not committed, and keeps a prepared file for the next start's <see cref="RecoverAsync"/>.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        foreach (ParquetSink part in _partSinks)
        {
            await part.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            if (_prepared)
            {
                // Its checkpoint may be durable: the next start decides. (Preparing closed the file already.)
                _fileOpen = false;
            }
            else if (Grouped)
            {
                await DisposeGroupAsync().ConfigureAwait(false);
            }
            else
            {
                if (_batchOpen)
                {
                    AbortBatch();
                }

                if (_columns is not null)
                {
                    await MergePendingAsync(CancellationToken.None).ConfigureAwait(false);
                }

                if (_fileOpen && _batchesInFile > 0 && !_fileDamaged)
                {
                    await PublishFileAsync().ConfigureAwait(false);
                }
                else if (_fileOpen)
                {
                    DiscardFile();
                }
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            LogFileNotFinished(error, Uri.Text, Grouped ? MergePathOf(_fileTime) : TemporaryPathOf(_fileTime));
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Opens the file at its first batch, and writes the batch's rows as one row group (none for an empty batch).
    private async Task WriteBatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_writer is null)
            {
                string temporary = Grouped ? PartPathOf(_fileTime, _batchTime) : TemporaryPathOf(_fileTime);
                System.IO.Directory.CreateDirectory(Directory);
                _stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 64 * 1024);
                _writer = await ParquetWriter.CreateAsync(_columns!.Schema, _stream, _options, append: false, cancellationToken).ConfigureAwait(false);
            }

            if (_columns!.RowCount > 0)
            {
                await _columns.WriteRowGroupAsync(_writer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            _fileDamaged = true;
            throw;
        }
    }

    // Writes the footer, flushes the file to disk and closes it, and, when prepared for a checkpoint's commit, makes its
    // directory entry durable.
    private async Task FinishFileAsync(bool prepare)
    {
        if (_writer is null)
        {
            // A file no batch wrote to (a failed first write is damaged, not here): an empty one, with the schema.
            await WriteBatchAsync(CancellationToken.None).ConfigureAwait(false);
        }

        // The stream is forgotten only once prepared: should the footer or the flush fail, the abort closes and deletes it.
        ParquetWriter writer = _writer!;
        _writer = null;
        await writer.DisposeAsync().ConfigureAwait(false);
        if (prepare)
        {
            _commit.Prepare(_stream!);
        }
        else
        {
            PreparedFileCommit.FlushAndClose(_stream!);
        }

        _stream = null;
    }

    // Without a checkpoint: the finished file flushed to disk and renamed into place, never over another run's file, as
    // the file sink publishes a batch's file; no directory is flushed, since no checkpoint relies on the entry.
    private async Task PublishFileAsync()
    {
        await FinishFileAsync(prepare: false).ConfigureAwait(false);
        _commit.Publish(TemporaryPathOf(_fileTime), FinalPathOf(_fileTime));
        _fileOpen = false;
        Committed(_fileTime);
    }

    private void DiscardFile()
    {
        int lost = _batchesInFile;
        _fileOpen = false;
        _batchesInFile = 0;
        try
        {
            _writer = null;
            _stream?.Dispose();
            _stream = null;
        }
        finally
        {
            File.Delete(TemporaryPathOf(_fileTime));
        }

        if (lost > 0)
        {
            LogFileDiscarded(Uri.Text, FinalPathOf(_fileTime), lost);
        }
    }

    private void Committed(long fileTime)
    {
        if (!(fileTime <= _lastCommitted))
        {
            _lastCommitted = fileTime;
        }
    }

    private string FinalPathOf(long batchTime) => Path.Join(Directory, FileNameOf(batchTime));

    private string TemporaryPathOf(long batchTime) => Path.Join(Directory, TemporaryNameOf(batchTime));

    // The hidden name a file is written under until it is renamed into place: .prefix-<batchTimeMs>.parquet.tmp.
    private string TemporaryNameOf(long batchTime) => "." + FileNameOf(batchTime) + ".tmp";

    private static CompressionMethod MethodOf(ParquetCompression compression) => compression switch
    {
        ParquetCompression.Gzip => CompressionMethod.Gzip,
        ParquetCompression.Zstd => CompressionMethod.Zstd,
        ParquetCompression.None or ParquetCompression.Uncompressed => CompressionMethod.None,
        _ => CompressionMethod.Snappy,
    };

    // The temporary files earlier runs left: those of a batch at or before keepUpTo are renamed into place (prepared
    // before a durable checkpoint), the rest deleted. Time 0 is the writability probe's, which no batch has.
    private void SettleTemporaryFiles(long? keepUpTo)
    {
        (int recovered, _) = BatchFileNames.SettleTemporaryFiles(
            Directory,
            _temporaryStart,
            _temporaryEnd,
            keepUpTo,
            // A batch's one file, or on partitions each partition's part of it, renamed to its own name.
            (batchTime, partition) => Path.Join(Directory, FileNameOf(batchTime, partition)),
            (batchTime, fileName) =>
            {
                Committed(batchTime);
                LogPreparedFileCommitted(Uri.Text, fileName, keepUpTo!.Value);
            },
            (error, path) => LogFileNotFinished(error, Uri.Text, path));
        if (keepUpTo is null)
        {
            DeleteParts(_ => true);
            DeleteMerges();
        }

        if (recovered > 0)
        {
            _commit.FlushDirectory();
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNoColumns() =>
        throw new InvalidOperationException(
            $"The parquet sink {Uri.Text} takes typed rows, which the job of a project that references Compiled.Parquet gives it; " +
            "this job gave none. Reference the Compiled.Parquet package from the project that declares the pipeline, so that its generator writes the columns.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNoBatch() =>
        throw new InvalidOperationException($"The parquet sink {Uri.Text} has no batch in progress; call BeginBatch first.");

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Parquet sink {Sink}: could not finish or delete the file {Path}")]
    private partial void LogFileNotFinished(Exception error, string sink, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Parquet sink {Sink}: a failed write left {Path} unusable; it is deleted with the {Batches} committed batches it held")]
    private partial void LogFileDiscarded(string sink, string path, int batches);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Parquet sink {Sink}: committed {File}, which an earlier run prepared and the checkpoint of batch time {CheckpointedBatchTime} records")]
    private partial void LogPreparedFileCommitted(string sink, string file, long checkpointedBatchTime);
}
