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

    private byte[]? _buffer;
    private int _buffered;

    // The open batch: its temporary file (null once closed at commit) and the two paths. _tempPath is set
    // from BeginBatch until the rename succeeds or the batch is aborted: it is what abort must delete.
    private FileStream? _file;
    private string? _tempPath;
    private string? _finalPath;

    // With a checkpoint: whether the open batch is prepared (flushed to disk, closed, its directory entry durable),
    // and whether the temporary files of earlier runs have been dealt with (by RecoverAsync or the first batch).
    private bool _prepared;
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
        if (_tempPath is not null)
        {
            ThrowBatchOpen(_finalPath);
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

    /// <summary>Begins the batch: opens its hidden temporary file, or with <c>empty=skip</c> leaves that to its first record.</summary>
    public override void BeginBatch(long batchTimeMs)
    {
        if (_tempPath is not null)
        {
            ThrowBatchOpen(_finalPath);
        }

        if (!_temporaryFilesSettled)
        {
            // A run that keeps a checkpoint but resumes from none: nothing an earlier run prepared was recorded by a
            // checkpoint, so every temporary file left is an unfinished batch whose input is read again.
            _temporaryFilesSettled = true;
            DeleteStaleTemporaryFiles(keepUpTo: null);
        }

        string finalPath = Path.Join(Directory, FileNameOf(batchTimeMs));
        string tempPath = Path.Join(Directory, TemporaryNameOf(batchTimeMs));
        _file = EmptyBatches == EmptyBatchPolicy.Write ? OpenTemporary(tempPath) : null;
        _tempPath = tempPath;
        _finalPath = finalPath;
        _batchTime = batchTimeMs;
        _prepared = false;
        _buffered = 0;
        _buffer ??= GC.AllocateUninitializedArray<byte>(BufferSize);
        if (_file is not null)
        {
            StartFile();
        }
    }

    /// <summary>Appends the record and a <c>\n</c> to the batch's temporary file (through the reused buffer).</summary>
    public override void Write(ReadOnlySpan<byte> record)
    {
        FileStream file = _file ?? OpenOnFirstRecord();
        byte[] buffer = _buffer!;
        int needed = record.Length + 1;
        if (needed > buffer.Length - _buffered)
        {
            FlushBuffer(file);
            if (needed > buffer.Length)
            {
                // A record longer than the buffer goes straight to the file; its line end starts the buffer.
                file.Write(record);
                buffer[0] = (byte)'\n';
                _buffered = 1;
                return;
            }
        }

        record.CopyTo(buffer.AsSpan(_buffered));
        _buffered += record.Length;
        buffer[_buffered++] = (byte)'\n';
    }

    /// <summary>
    /// The first phase of the commit of a run that keeps a checkpoint: flushes the batch's temporary file to disk,
    /// closes it, and flushes the directory, so the batch survives a crash without being visible. With
    /// <c>empty=skip</c>, an empty batch has no file and prepares nothing.
    /// </summary>
    public override ValueTask PrepareBatchAsync(CancellationToken cancellationToken)
    {
        if (_tempPath is null)
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
        if (_tempPath is null)
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

            if (_file is { } file)
            {
                FlushBuffer(file);
                file.Flush(flushToDisk: true);
                _file = null;
                file.Dispose();
            }
            else if (EmptyBatches == EmptyBatchPolicy.Skip)
            {
                // No record came, so no file was opened: the batch leaves nothing.
                _tempPath = null;
                _finalPath = null;
                return default;
            }

            // Never over another file (even a batch labelled ahead of the clock by a stop or an input's end is found at open).
            _commit.Publish(_tempPath, _finalPath!);
            Committed(_batchTime);
            return default;
        }
        catch (Exception error)
        {
            // The batch stays open so that the driver's AbortBatch deletes its temporary file.
            return ValueTask.FromException(error);
        }
    }

    /// <summary>Closes and deletes the batch's temporary file; no file appears for the batch.</summary>
    public override void AbortBatch()
    {
        string? tempPath = _tempPath;
        FileStream? file = _file;
        _tempPath = null;
        _finalPath = null;
        _file = null;
        _buffered = 0;
        _prepared = false;
        if (tempPath is null)
        {
            return;
        }

        try
        {
            file?.Dispose();
        }
        finally
        {
            File.Delete(tempPath);
        }
    }

    /// <summary>
    /// Aborts an uncommitted batch, unless it is prepared: a prepared file is kept for the next start's
    /// <see cref="RecoverAsync"/>, which renames it into place if the checkpoint of its batch is durable. A temporary
    /// file that cannot be deleted is logged, not thrown.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        string? tempPath = _tempPath;
        try
        {
            if (_prepared)
            {
                _tempPath = null;
                _finalPath = null;
                _prepared = false;
            }
            else
            {
                AbortBatch();
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            LogTemporaryNotDeleted(error, tempPath);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private static readonly char[] Separators = ['/', Path.DirectorySeparatorChar];

    // The hidden name a batch is written under until its commit: .prefix-<batchTimeMs>.suffix.tmp.
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
            batchTime => Path.Join(Directory, FileNameOf(batchTime)),
            batchTime =>
            {
                Committed(batchTime);
                LogPreparedBatchCommitted(Uri.Text, FileNameOf(batchTime), keepUpTo!.Value);
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

    // With a checkpoint: the batch's temporary file flushed to disk and closed, and its directory entry made durable.
    private void Prepare()
    {
        if (_prepared)
        {
            return;
        }

        if (_file is { } file)
        {
            FlushBuffer(file);
            _commit.Prepare(file);
            _file = null;
        }

        _prepared = true;
    }

    // With a checkpoint: the prepared batch renamed into place, replacing a file of the same batch (this job's own,
    // written by a run whose checkpoint did not record it), and the rename made durable.
    private void CommitPrepared()
    {
        Prepare();

        // With empty=skip an empty batch has no file; with empty=write a missing one was deleted, which CommitPrepared says.
        if (EmptyBatches == EmptyBatchPolicy.Write || File.Exists(_tempPath))
        {
            _commit.CommitPrepared(_tempPath!, _finalPath!);
        }

        _prepared = false;
        Committed(_batchTime);
    }

    // The batch is visible: it is now the newest committed one (batch times only grow).
    private void Committed(long batchTime)
    {
        if (!(batchTime <= _lastCommitted))
        {
            _lastCommitted = batchTime;
        }

        _tempPath = null;
        _finalPath = null;
    }

    // With empty=skip, the batch's file is opened when its first record comes.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private FileStream OpenOnFirstRecord()
    {
        if (_tempPath is null)
        {
            ThrowNoBatch();
        }

        _file = OpenTemporary(_tempPath);
        StartFile();
        return _file;
    }

    // A CSV file starts with its header row.
    private void StartFile()
    {
        if (Format == SinkFormat.Csv && !CsvHeader.IsEmpty)
        {
            Write(CsvHeader);
        }
    }

    // A missing directory (removed while the job runs, or never opened) is created once and the open retried.
    private static FileStream OpenTemporary(string path)
    {
        try
        {
            return OpenUnbuffered(path);
        }
        catch (DirectoryNotFoundException)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return OpenUnbuffered(path);
        }
    }

    // bufferSize 0: the sink buffers itself in a reused array, so the stream must not allocate its own.
    // FileMode.Create replaces a temporary file that a crashed run left for the same batch.
    private static FileStream OpenUnbuffered(string path) =>
        new(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);

    private void FlushBuffer(FileStream file)
    {
        if (_buffered > 0)
        {
            file.Write(_buffer.AsSpan(0, _buffered));
            _buffered = 0;
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
