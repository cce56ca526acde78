using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using Compiled.Connectors;
using Compiled.Internal;
using Microsoft.Extensions.Logging;

namespace Compiled.Sinks.Files;

/// <summary>
/// The <c>file</c> sink: <c>file:///dir/prefix?suffix=txt</c> writes each batch to its own file
/// <c>dir/prefix-&lt;batch time ms&gt;.txt</c>, like Spark Streaming's <c>DStream.saveAsTextFiles(prefix, suffix)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Naming follows Spark's <c>StreamingContext.rddToFileName</c>: <c>prefix-TIME_IN_MS.suffix</c>, or
/// <c>prefix-TIME_IN_MS</c> when there is no suffix. Unlike Spark, which writes a directory of part files per
/// batch, each batch here is one text file with one record per line, every line ended by <c>\n</c>.
/// </para>
/// <para>
/// The URI's target is <c>dir/prefix</c>: absolute if it starts with <c>/</c> (<c>file:///out/part</c>),
/// otherwise relative to <see cref="SinkContext.CurrentDirectory"/> (<c>file://out/part</c> or
/// <c>file:out/part</c>). Option <c>suffix</c> is the file extension, written without the dot.
/// </para>
/// <para>
/// The path is checked when the sink is created, before any input is read: a regular file where a directory
/// of the path should be, a directory that cannot be entered, and a directory that cannot be written (or, when
/// it is missing, the directory it would be created in) are each a <see cref="ConnectorUriException"/> saying
/// so. Writing is checked by creating and at once deleting the temporary file of batch time 0, which no batch
/// has. <see cref="OpenAsync"/> creates the directory if it is missing and deletes the sink's temporary files
/// that an earlier run, stopped mid-batch, left in it: hidden files named exactly as this sink names them
/// (<c>.prefix-&lt;digits&gt;.suffix.tmp</c>), and nothing else.
/// </para>
/// <para>
/// A batch is written atomically: its records go to a hidden temporary file in the same directory
/// (<c>.prefix-TIME_IN_MS.suffix.tmp</c>; the leading dot makes file sources and tools that skip hidden
/// files ignore it), which at commit is flushed to disk, closed, and renamed into place. A reader therefore
/// sees either no file for a batch or the whole batch. An aborted batch leaves nothing behind. The sink never
/// replaces a file: a batch whose file already exists (written by another run to the same prefix) fails the
/// job, naming the file, and the existing file is kept. <see cref="LastCommittedBatchTime"/> is the time of the newest
/// batch file in the directory at open, so a run restarted within one batch interval begins after it.
/// </para>
/// <para>
/// <b>With a checkpoint</b> (<see cref="SinkContext.CheckpointDirectory"/> set) the sink is
/// <see cref="SinkGuarantee.Transactional"/>: exactly once, by a two-phase commit. <see cref="PrepareBatchAsync"/>
/// writes the batch to its temporary file, flushes it to disk and flushes the directory; the run then writes its
/// checkpoint; <see cref="CommitBatchAsync"/> renames the file into place and flushes the directory. A batch file of
/// the same time that already exists is this job's own (written by a run whose checkpoint did not record the batch)
/// and is replaced, never duplicated and never an error. The temporary files an earlier run left are not deleted at
/// open but by <see cref="RecoverAsync"/>: a prepared file of a batch at or before the checkpointed batch is complete
/// (it was flushed before the checkpoint that records its batch) and is renamed into place; any later one is deleted,
/// since its batch's input is read again. A run that resumes from no checkpoint deletes them all when its first batch
/// begins. A disposed sink keeps a prepared file (the checkpoint of its batch may be durable: the next start
/// decides); <see cref="AbortBatch"/> deletes it (the run says the batch is not done).
/// </para>
/// <para>
/// <b>On partitions</b> (a run on N &gt; 1 partitions, <see cref="WriteInParts"/>) each batch is written as N part files,
/// as Spark writes a directory of <c>part-00000</c>, <c>part-00001</c>, … per batch: partition p writes
/// <c>prefix-TIME_IN_MS-part-0000p.suffix</c> on its own thread, through a temporary file and a buffer of its own, as its
/// records come. The batch's parts are committed together at the boundary, in partition order, each as a batch's one
/// file is (published, or prepared and then renamed under a checkpoint), so the parts of a batch sort in partition order
/// and their concatenation is the batch's output in the input's order. An empty part follows <c>empty</c> as an empty
/// batch does. A run on one partition writes one file per batch, named as above.
/// </para>
/// <para>
/// Option <c>format</c> is how each record is written: <c>text</c> (the default, as Spark's <c>saveAsTextFiles</c>
/// writes it), <c>csv</c> (RFC 4180 rows; each file starts with a header row naming the columns, so every batch file is
/// a CSV document of its own, an empty batch's file holding only the header) or <c>json</c> (JSON lines: one object per
/// line). Both are UTF-8 in the invariant culture and read back exactly (see the README's "Output formats").
/// </para>
/// <para>
/// By default (<c>empty=write</c>) an empty batch produces an empty file, as Spark's <c>saveAsTextFiles</c>
/// writes a directory for every batch, so a downstream consumer sees every batch and can tell "nothing
/// happened" from "not yet written". With <c>empty=skip</c> an empty batch writes nothing, not even its
/// temporary file: the batch's file is opened with its first record.
/// </para>
/// <para>
/// Records are copied into a 64 KiB buffer that is reused across batches and written with unbuffered
/// file writes, so writing a record allocates nothing; each batch allocates only its file handle and its
/// two path names.
/// </para>
/// </remarks>
public sealed partial class FileSink : Sink
{
    /// <summary>The size of the reused write buffer.</summary>
    public const int BufferSize = 64 * 1024;

    private readonly string _prefix;
    private readonly string? _suffix;
    private readonly string _temporaryStart;
    private readonly string _temporaryEnd;
    private readonly ILogger _log;
    private readonly PreparedFileCommit _commit;

    // The batch's file, written by partition 0 (the job): the batch's one file, or on partitions its part 0.
    private readonly BatchFile _file;

    // On partitions: every part of a batch, [p] written by partition p ([0] is _file), and the writers of partitions 1
    // and on. One file alone on one partition.
    private BatchFile[] _parts;
    private FilePartWriter[] _partWriters = [];

    // The open batch's time, and whether the temporary files of earlier runs have been dealt with (by RecoverAsync or
    // the first batch).
    private long _batchTime;
    private bool _temporaryFilesSettled;
    private long? _lastCommitted;

    /// <summary>Creates the sink for <paramref name="uri"/>: <c>file:///dir/prefix</c>, optionally with <c>?suffix=ext</c> and <c>empty=write|skip</c>; checks that its directory can be written.</summary>
    /// <exception cref="ConnectorUriException">The URI has no file prefix, the suffix is not a file extension, <c>empty</c> is neither <c>write</c> nor <c>skip</c>, or the directory cannot be reached, created or written.</exception>
    public FileSink(ConnectorUri uri, SinkContext context)
        : base(uri, context)
    {
        string? suffix = uri.TakeString("suffix");
        EmptyBatches = uri.TakeEnum("empty", EmptyBatchPolicy.Write);
        TakeFormat();
        if (suffix is { Length: > 0 })
        {
            if (suffix.StartsWith('.') || suffix.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || suffix.AsSpan().IndexOfAny(Separators) >= 0)
            {
                throw uri.Error(
                    $"option 'suffix={suffix}' of sink URI '{uri.Text}' is not a file extension; write it without a dot or path separator, e.g. suffix=txt");
            }
        }
        else
        {
            // As in Spark's rddToFileName, an empty suffix means no suffix: prefix-TIME_IN_MS.
            suffix = null;
        }

        BatchFileTarget target = BatchFileTarget.Parse(uri, "file", "?suffix=txt", ".txt", Context.CurrentDirectory);
        Directory = target.Directory;
        _prefix = target.Prefix;
        _suffix = suffix;
        _temporaryStart = "." + _prefix + "-";
        _temporaryEnd = suffix is null ? ".tmp" : "." + suffix + ".tmp";
        _log = context.LoggerFactory.CreateLogger<FileSink>();
        _commit = new PreparedFileCommit("file", uri.Text, Directory);

        _file = new BatchFile(this);
        _parts = [_file];

        // Deleted when closed. Should the process die in between, a probe left in the sink's own directory is deleted
        // by the next run's OpenAsync, as a temporary file of batch time 0.
        target.CheckWritable(TemporaryNameOf(0));
    }

    /// <summary>The absolute directory the batch files are written to.</summary>
    public string Directory { get; }

    /// <summary>
    /// <see cref="SinkGuarantee.Transactional"/>: with a checkpoint a batch is prepared (written and flushed under a
    /// temporary name), then committed (renamed into place) once the checkpoint is durable, and a batch replayed after
    /// a crash replaces its own file. Without a checkpoint no batch is replayed and the guarantee is not used.
    /// </summary>
    public override SinkGuarantee Guarantee => SinkGuarantee.Transactional;

    /// <summary>
    /// The time of the newest batch file (<c>prefix-&lt;digits&gt;.suffix</c>) in the directory when the sink opened, or
    /// of a batch committed since (by <see cref="CommitBatchAsync"/> or <see cref="RecoverAsync"/>), whichever is
    /// later; <see langword="null"/> when there is none.
    /// </summary>
    public override long? LastCommittedBatchTime => _lastCommitted;

    // Whether the run keeps a checkpoint, which makes the sink commit in two phases and replace its own files.
    private bool Checkpointing => Context.CheckpointDirectory is not null;

    /// <summary>What an empty batch writes (<c>empty</c>): an empty file (<see cref="EmptyBatchPolicy.Write"/>, the default) or nothing.</summary>
    public EmptyBatchPolicy EmptyBatches { get; }

    /// <summary>The file name of batch <paramref name="batchTimeMs"/>: <c>prefix-&lt;batchTimeMs&gt;.suffix</c>, or <c>prefix-&lt;batchTimeMs&gt;</c> without a suffix.</summary>
    public string FileNameOf(long batchTimeMs) => _suffix is null
        ? string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{batchTimeMs}")
        : string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{batchTimeMs}.{_suffix}");

    /// <summary>
    /// The file name of partition <paramref name="partition"/>'s part of batch <paramref name="batchTimeMs"/> on a run on
    /// partitions: <c>prefix-&lt;batchTimeMs&gt;-part-0000p.suffix</c>, or without the suffix; a batch's one file
    /// (<see cref="FileNameOf(long)"/>) when <paramref name="partition"/> is -1.
    /// </summary>
    public string FileNameOf(long batchTimeMs, int partition)
    {
        if (partition < 0)
        {
            return FileNameOf(batchTimeMs);
        }

        string part = BatchFileNames.PartOf(partition);
        return _suffix is null
            ? string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{batchTimeMs}{part}")
            : string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{batchTimeMs}{part}.{_suffix}");
    }

    /// <summary>How many part files each batch is written as: 1 (the batch's one file) unless <see cref="WriteInParts"/> said more.</summary>
    public int Parts => _parts.Length;

    /// <summary>
    /// Writes each batch as <paramref name="partitions"/> part files, one per partition, partition p's written by its
    /// own thread through <see cref="PartWriter"/>(p): called by a run on partitions before its first batch.
    /// </summary>
    /// <exception cref="InvalidOperationException">A batch is open.</exception>
    public override bool WriteInParts(int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 2);
        if (_parts.Length == partitions)
        {
            // Asked again, by the next partition that writes to it.
            return true;
        }

        if (_file.TemporaryPath is not null)
        {
            ThrowBatchOpen(_file.FinalPath);
        }

        var parts = new BatchFile[partitions];
        var writers = new FilePartWriter[partitions - 1];
        parts[0] = _file;
        for (int p = 1; p < partitions; p++)
        {
            parts[p] = new BatchFile(this);
            writers[p - 1] = new FilePartWriter(this, parts[p]);
        }

        _parts = parts;
        _partWriters = writers;
        return true;
    }

    /// <summary>The writer of partition <paramref name="partition"/>'s part file of each batch (1 and on), once the sink writes in parts.</summary>
    public override Sink? PartWriter(int partition) =>
        partition >= 1 && partition <= _partWriters.Length ? _partWriters[partition - 1] : null;

    // The CSV header row each file starts with, or nothing.
    internal ReadOnlySpan<byte> HeaderRow => Format == SinkFormat.Csv ? CsvHeader : default;

    /// <summary>
    /// Creates the output directory if it is missing, and finds the newest batch file in it
    /// (<see cref="LastCommittedBatchTime"/>). Without a checkpoint it deletes the temporary files of this sink's
    /// earlier runs; with one it leaves them to <see cref="RecoverAsync"/>, or to the first batch when there is no
    /// checkpoint to resume from.
    /// </summary>
    public override ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        System.IO.Directory.CreateDirectory(Directory);
        _lastCommitted = FindNewestBatchFile();
        if (!Checkpointing)
        {
            DeleteStaleTemporaryFiles(keepUpTo: null);
            _temporaryFilesSettled = true;
        }

        return default;
    }

    /// <summary>
    /// Finishes what an earlier run prepared: the temporary file of each batch at or before
    /// <paramref name="checkpointedBatchTime"/> is renamed into place (replacing a file of the same batch), and that of
    /// each later batch is deleted; then the directory is flushed to disk. Called after <see cref="OpenAsync"/> and
    /// before the first batch.
    /// </summary>
    public override ValueTask RecoverAsync(long checkpointedBatchTime, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_file.TemporaryPath is not null)
        {
            ThrowBatchOpen(_file.FinalPath);
        }

        try
        {
            DeleteStaleTemporaryFiles(keepUpTo: checkpointedBatchTime);
            _temporaryFilesSettled = true;
            return default;
        }
        catch (Exception error)
        {
            return ValueTask.FromException(error);
        }
    }

    /// <summary>Begins the batch: opens its hidden temporary file (one per part on partitions), or with <c>empty=skip</c> leaves that to its first record.</summary>
    public override void BeginBatch(long batchTimeMs)
    {
        if (_file.TemporaryPath is not null)
        {
            ThrowBatchOpen(_file.FinalPath);
        }

        if (!_temporaryFilesSettled)
        {
            // A run that keeps a checkpoint but resumes from none: nothing an earlier run prepared was recorded by a
            // checkpoint, so every temporary file left is an unfinished batch whose input is read again.
            _temporaryFilesSettled = true;
            DeleteStaleTemporaryFiles(keepUpTo: null);
        }

        _batchTime = batchTimeMs;
        BatchFile[] parts = _parts;
        for (int p = 0; p < parts.Length; p++)
        {
            string name = FileNameOf(batchTimeMs, parts.Length == 1 ? -1 : p);
            parts[p].Begin(Path.Join(Directory, "." + name + ".tmp"), Path.Join(Directory, name));
        }
    }

    /// <summary>Appends the record and a <c>\n</c> to the batch's temporary file (through the reused buffer); on partitions, to partition 0's part.</summary>
    public override void Write(ReadOnlySpan<byte> record) => _file.Write(record);

    /// <summary>
    /// The first phase of the commit of a run that keeps a checkpoint: flushes the batch's temporary file to disk,
    /// closes it, and flushes the directory, so the batch survives a crash without being visible. With
    /// <c>empty=skip</c>, an empty batch has no file and prepares nothing.
    /// </summary>
    public override ValueTask PrepareBatchAsync(CancellationToken cancellationToken)
    {
        if (_file.TemporaryPath is null)
        {
            ThrowNoBatch();
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            Prepare();
            return default;
        }
        catch (Exception error)
        {
            return ValueTask.FromException(error);
        }
    }

    /// <summary>
    /// Flushes the batch to disk, closes it, and renames it into place; with <c>empty=skip</c>, an empty batch writes
    /// nothing. With a checkpoint, a batch not yet prepared is prepared first, a file of the same batch is replaced,
    /// and the directory is flushed to disk after the rename.
    /// </summary>
    /// <remarks>The work is synchronous: <see cref="FileStream.Flush(bool)"/> has no asynchronous form.</remarks>
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        if (_file.TemporaryPath is null)
        {
            ThrowNoBatch();
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Checkpointing)
            {
                CommitPrepared();
                return default;
            }

            // Every part flushed to disk and closed before any is published, and none published over another run's file
            // (even a batch labelled ahead of the clock by a stop or an input's end is found at open): a batch's parts
            // appear together or not at all, short of a failure in the renames themselves.
            BatchFile[] parts = _parts;
            foreach (BatchFile part in parts)
            {
                part.Prepare();
            }

            foreach (BatchFile part in parts)
            {
                if (part.HasFile)
                {
                    _commit.EnsureNotPublished(part.FinalPath!);
                }
            }

            foreach (BatchFile part in parts)
            {
                // With empty=skip, a part no record came to has no file, and leaves nothing.
                if (part.HasFile)
                {
                    _commit.Publish(part.TemporaryPath!, part.FinalPath!);
                }

                part.Done();
            }

            Committed(_batchTime);
            return default;
        }
        catch (Exception error)
        {
            // The batch stays open so that the driver's AbortBatch deletes its temporary files.
            return ValueTask.FromException(error);
        }
    }

    /// <summary>Closes and deletes the batch's temporary files; no file appears for the batch.</summary>
    public override void AbortBatch()
    {
        List<Exception>? errors = null;
        foreach (BatchFile part in _parts)
        {
            try
            {
                part.Abort();
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                (errors ??= []).Add(error);
            }
        }

        if (errors is not null)
        {
            throw errors.Count == 1 ? errors[0] : new AggregateException("The file sink could not delete the temporary files of its aborted batch.", errors);
        }
    }

    /// <summary>
    /// Aborts an uncommitted batch, unless it is prepared: a prepared file is kept for the next start's
    /// <see cref="RecoverAsync"/>, which renames it into place if the checkpoint of its batch is durable. A temporary
    /// file that cannot be deleted is logged, not thrown.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        foreach (BatchFile part in _parts)
        {
            string? tempPath = part.TemporaryPath;
            try
            {
                if (part.Prepared)
                {
                    part.Forget();
                }
                else
                {
                    part.Abort();
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                LogTemporaryNotDeleted(error, tempPath);
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private static readonly char[] Separators = ['/', Path.DirectorySeparatorChar];

    // The hidden name a batch is written under until its commit: .prefix-<batchTimeMs>.suffix.tmp (a part's:
    // .prefix-<batchTimeMs>-part-0000p.suffix.tmp).
    private string TemporaryNameOf(long batchTimeMs) => "." + FileNameOf(batchTimeMs) + ".tmp";

    // Deals with the temporary files earlier runs left: without keepUpTo, deletes them all; with it (the checkpointed
    // batch's time), renames those of a batch at or before it into place (they were prepared before a durable
    // checkpoint) and deletes the rest. Time 0 is the writability probe's, which no batch has: always deleted.
    private void DeleteStaleTemporaryFiles(long? keepUpTo)
    {
        (int recovered, int deleted) = BatchFileNames.SettleTemporaryFiles(
            Directory,
            _temporaryStart,
            _temporaryEnd,
            keepUpTo,
            (batchTime, part) => Path.Join(Directory, FileNameOf(batchTime, part)),
            (batchTime, fileName) =>
            {
                Committed(batchTime);
                LogPreparedBatchCommitted(Uri.Text, fileName, keepUpTo!.Value);
            },
            (error, path) => LogTemporaryNotDeleted(error, path));
        if (recovered > 0)
        {
            _commit.FlushDirectory();
        }

        if (deleted > 0)
        {
            LogStaleTemporaryFilesDeleted(Uri.Text, Directory, deleted);
        }
    }

    // The time of the newest batch file in the directory: prefix-<digits>.suffix (or prefix-<digits>).
    private long? FindNewestBatchFile() => BatchFileNames.Newest(Directory, _prefix, _suffix is null ? "" : "." + _suffix);

    // With a checkpoint: the batch's temporary files flushed to disk and closed, and their directory entries made durable.
    private void Prepare()
    {
        bool flushDirectory = false;
        foreach (BatchFile part in _parts)
        {
            if (!part.Prepared)
            {
                part.Prepare();
                flushDirectory = true;
            }
        }

        if (flushDirectory)
        {
            _commit.FlushDirectory();
        }
    }

    // With a checkpoint: the prepared batch renamed into place, part by part in partition order, each replacing a file of
    // the same name (this job's own, written by a run whose checkpoint did not record it), and the renames made durable.
    private void CommitPrepared()
    {
        Prepare();
        foreach (BatchFile part in _parts)
        {
            // With empty=skip an empty part has no file; with empty=write a missing one was deleted, which Rename says.
            if (EmptyBatches == EmptyBatchPolicy.Write || part.HasFile)
            {
                _commit.Rename(part.TemporaryPath!, part.FinalPath!);
            }

            part.Done();
        }

        _commit.FlushDirectory();
        Committed(_batchTime);
    }

    // The batch is visible: it is now the newest committed one (batch times only grow).
    private void Committed(long batchTime)
    {
        if (!(batchTime <= _lastCommitted))
        {
            _lastCommitted = batchTime;
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNoBatch() =>
        throw new InvalidOperationException("The file sink has no batch in progress; call BeginBatch first.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBatchOpen(string? path) =>
        throw new InvalidOperationException($"The file sink already has a batch in progress (for {path}); commit or abort it before beginning another.");

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "File sink could not delete the temporary file {Path} of an uncommitted batch")]
    private partial void LogTemporaryNotDeleted(Exception error, string? path);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "{Sink}: deleted from {Directory} the temporary files of earlier runs stopped mid-batch: {Count}")]
    private partial void LogStaleTemporaryFilesDeleted(string sink, string directory, int count);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "{Sink}: committed {File}, which an earlier run prepared and the checkpoint of batch time {CheckpointedBatchTime} records")]
    private partial void LogPreparedBatchCommitted(string sink, string file, long checkpointedBatchTime);
}

/// <summary>What the file sink writes for a batch without records (<c>empty</c>).</summary>
public enum EmptyBatchPolicy
{
    /// <summary>An empty file, as Spark's <c>saveAsTextFiles</c> writes a directory for every batch (the default).</summary>
    Write,

    /// <summary>Nothing: no file for the batch.</summary>
    Skip,
}
