using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Sinks.Files;

/// <summary>
/// One file of a batch of the <c>file</c> sink, written under its hidden temporary name until the batch commits: the
/// batch's one file on one partition, or one partition's part of it on several. Records are copied into a 64 KiB buffer
/// of its own, reused from batch to batch, and written with unbuffered file writes, so a record allocates nothing; the
/// file is written by whichever thread writes the partition's records, and closed, prepared or renamed by the run's loop
/// while that partition is parked.
/// </summary>
internal sealed class BatchFile
{
    private readonly FileSink _sink;
    private byte[]? _buffer;
    private int _buffered;

    // The open batch: its temporary file (null once closed, or until the first record with empty=skip) and the two paths.
    // TemporaryPath is set from Begin until the rename succeeds or the batch is aborted: it is what abort must delete.
    private FileStream? _file;
    private bool _opened;

    /// <summary>A file of <paramref name="sink"/>'s batches, which says how the file starts (a CSV header row) and whether an empty one is written.</summary>
    public BatchFile(FileSink sink)
    {
        _sink = sink;
    }

    /// <summary>The hidden name the open batch is written under, or <see langword="null"/> when no batch is open.</summary>
    public string? TemporaryPath { get; private set; }

    /// <summary>The name the open batch's file is published under.</summary>
    public string? FinalPath { get; private set; }

    /// <summary>Whether the open batch's file is prepared: flushed to disk and closed (its directory entry is the sink's to flush).</summary>
    public bool Prepared { get; private set; }

    /// <summary>Whether the open batch has a file: with <c>empty=skip</c>, only once a record came.</summary>
    public bool HasFile => _opened;

    /// <summary>Begins a batch whose file is <paramref name="finalPath"/>, written as <paramref name="temporaryPath"/>: opened now, or with <c>empty=skip</c> at its first record.</summary>
    public void Begin(string temporaryPath, string finalPath)
    {
        TemporaryPath = temporaryPath;
        FinalPath = finalPath;
        Prepared = false;
        _opened = false;
        _buffered = 0;
        _buffer ??= GC.AllocateUninitializedArray<byte>(FileSink.BufferSize);
        if (_sink.EmptyBatches == EmptyBatchPolicy.Write)
        {
            Open();
        }
    }

    /// <summary>Appends the record and a <c>\n</c> to the batch's temporary file (through the reused buffer).</summary>
    public void Write(ReadOnlySpan<byte> record)
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

        // A short record (a row of a few numbers, a word and its count) copied inline where the buffer has room for the
        // widest copy, rather than through a call.
        if (buffer.Length - _buffered < Internal.ShortCopy.MaxBytes
            || !Internal.ShortCopy.TryCopy(record, ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buffer), _buffered)))
        {
            record.CopyTo(buffer.AsSpan(_buffered));
        }

        _buffered += record.Length;
        buffer[_buffered++] = (byte)'\n';
    }

    /// <summary>Flushes the file to disk and closes it, if it has one open: the first phase of its commit. The directory entry is the caller's to flush.</summary>
    public void Prepare()
    {
        if (Prepared)
        {
            return;
        }

        if (_file is { } file)
        {
            FlushBuffer(file);
            PreparedFileCommit.FlushAndClose(file);
            _file = null;
        }

        Prepared = true;
    }

    /// <summary>The batch is published (or its file was never opened): nothing is left to delete.</summary>
    public void Done()
    {
        TemporaryPath = null;
        FinalPath = null;
        Prepared = false;
        _opened = false;
    }

    /// <summary>The batch is kept as it is for the next start to settle (it is prepared): forgotten, not deleted.</summary>
    public void Forget() => Done();

    /// <summary>Closes and deletes the batch's temporary file; nothing appears for it.</summary>
    public void Abort()
    {
        string? temporaryPath = TemporaryPath;
        FileStream? file = _file;
        _file = null;
        _buffered = 0;
        Done();
        if (temporaryPath is null)
        {
            return;
        }

        try
        {
            file?.Dispose();
        }
        finally
        {
            File.Delete(temporaryPath);
        }
    }

    // With empty=skip, the batch's file is opened when its first record comes.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private FileStream OpenOnFirstRecord()
    {
        if (TemporaryPath is null)
        {
            ThrowNoBatch();
        }

        return Open();
    }

    // Opens the temporary file; a CSV file starts with its header row.
    private FileStream Open()
    {
        _file = OpenTemporary(TemporaryPath!);
        _opened = true;
        ReadOnlySpan<byte> header = _sink.HeaderRow;
        if (!header.IsEmpty)
        {
            Write(header);
        }

        return _file;
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

    // bufferSize 0: the file buffers itself in a reused array, so the stream must not allocate its own.
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
}
