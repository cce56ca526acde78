using System.Globalization;
using Microsoft.Extensions.Logging;
using Compiled.Parquet.Columns;
using Parquet;
using Parquet.Schema;

namespace Compiled.Parquet;

/// <remarks>
/// <para>
/// <b>A file of several batches, exactly once.</b> With a checkpoint and <c>batchesPerFile</c> above 1, a file cannot
/// stay open across batches: a crash between them would leave batches that the checkpoint records in a file that cannot
/// be finished. Instead each batch is prepared as a whole Parquet file of its own, a hidden part
/// (<c>.prefix-&lt;F&gt;.parquet.&lt;B&gt;.part</c>, F the file's first batch, B the batch), flushed to disk before the
/// checkpoint; its commit keeps it. The Nth commit merges the parts' row groups, in batch order, into
/// <c>.prefix-&lt;F&gt;.parquet.merge</c> (each part's row groups read back into the sink's columns with the typed reader
/// and written again, a row group per batch), flushes it, renames it to <c>prefix-&lt;F&gt;.parquet</c> and then deletes the
/// parts.
/// </para>
/// <para>
/// A restart (<see cref="RecoverAsync"/>, checkpointed batch t) deletes any merge file (an unfinished merge: the parts are
/// deleted only after the rename); deletes the parts of a file already in place (the crash came after its rename); deletes
/// the parts of batches after t (their input is read again); merges a file whose kept parts are N, or that is not the
/// newest (before the next commit: the job gives the columns to read them with after the sinks' recovery); and continues
/// the newest file with its kept parts, so that the batches after the restart complete it. A run that ends with every
/// batch committed merges the parts it has into a shorter file; one that dies keeps them for the next start. A run that
/// resumes from no checkpoint deletes every part.
/// </para>
/// </remarks>
public sealed partial class ParquetSink
{
    private const string PartEnd = ".part";
    private const string MergeEnd = "." + Extension + ".merge";

    // Whether batches are prepared as parts and merged into files of several batches (a checkpoint and batchesPerFile above 1).
    private bool Grouped => Checkpointing && BatchesPerFile > 1;

    private readonly List<long> _pendingMerges = [];

    private string PartPathOf(long fileTime, long batchTime) =>
        Path.Join(Directory, string.Create(CultureInfo.InvariantCulture, $".{FileNameOf(fileTime)}.{batchTime}{PartEnd}"));

    private string MergePathOf(long fileTime) => Path.Join(Directory, "." + FileNameOf(fileTime) + ".merge");

    // The commit of a batch prepared as a part: the part is kept, and the Nth merges the file.
    private async Task CommitPartAsync(CancellationToken cancellationToken)
    {
        await PrepareBatchAsync(cancellationToken).ConfigureAwait(false);
        _commit.EnsurePrepared(PartPathOf(_fileTime, _batchTime));
        _prepared = false;
        _batchOpen = false;
        _batchesInFile++;
        if (_batchesInFile >= BatchesPerFile)
        {
            await MergeOpenFileAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // An aborted batch drops its own part only; the file's committed parts stay.
    private void AbortPart(bool prepared)
    {
        if (prepared || _fileDamaged || _stream is not null)
        {
            _writer = null;
            _stream?.Dispose();
            _stream = null;
            File.Delete(PartPathOf(_fileTime, _batchTime));
            _fileDamaged = false;
        }

        if (_batchesInFile == 0)
        {
            _fileOpen = false;
        }
    }

    // A prepared batch (its checkpoint may be durable) leaves everything to the next start; otherwise every part is of a
    // committed, so checkpointed, batch, and they are merged into a file of the batches there are.
    private async Task DisposeGroupAsync()
    {
        if (_batchOpen)
        {
            AbortBatch();
        }

        if (_columns is null)
        {
            // The job never gave its columns: the parts stay for the next start.
            return;
        }

        await MergePendingAsync(CancellationToken.None).ConfigureAwait(false);
        if (_fileOpen && _batchesInFile > 0)
        {
            await MergeOpenFileAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    // The file whose parts this run writes, merged: it is closed, and the next batch starts another.
    private async Task MergeOpenFileAsync(CancellationToken cancellationToken)
    {
        await MergeAsync(_fileTime, cancellationToken).ConfigureAwait(false);
        _fileOpen = false;
        _batchesInFile = 0;
    }

    // The parts of file F merged, in batch order, into its hidden merge file, which is flushed and renamed into place; then
    // the parts are deleted.
    private async Task MergeAsync(long fileTime, CancellationToken cancellationToken)
    {
        List<(long Batch, string Path)> parts = PartsOf(fileTime);
        string merge = MergePathOf(fileTime);
        ParquetColumns columns = _columns!;
        await using (var output = new FileStream(merge, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 64 * 1024))
        {
            await using (ParquetWriter writer = await ParquetWriter.CreateAsync(columns.Schema, output, _options, append: false, cancellationToken).ConfigureAwait(false))
            {
                foreach ((_, string path) in parts)
                {
                    await using ParquetReader reader = await ParquetReader.CreateAsync(path, null, cancellationToken).ConfigureAwait(false);
                    DataField[] fields = reader.Schema.GetDataFields();
                    columns.CheckFieldsOf(path, fields);
                    for (int group = 0; group < reader.RowGroupCount; group++)
                    {
                        columns.Clear();
                        await columns.ReadRowGroupAsync(reader.OpenRowGroupReader(group), fields, cancellationToken).ConfigureAwait(false);
                        await columns.WriteRowGroupAsync(writer, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            columns.Clear();
            output.Flush(flushToDisk: true);
        }

        _commit.CommitPrepared(merge, FinalPathOf(fileTime));
        foreach ((_, string path) in parts)
        {
            File.Delete(path);
        }

        Committed(fileTime);
        LogFileMerged(Uri.Text, FileNameOf(fileTime), parts.Count);
    }

    // At a restart from the checkpoint of batch keepUpTo: see the remarks.
    private Task RecoverPartsAsync(long keepUpTo, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DeleteMerges();
        // A part of a file already renamed into place (its merge was whole), or of a batch after the checkpoint, goes.
        var published = new Dictionary<long, bool>();
        DeleteParts(part => part.Batch > keepUpTo
            || (published.TryGetValue(part.File, out bool exists) ? exists : published[part.File] = File.Exists(FinalPathOf(part.File))));
        ILookup<long, (long File, long Batch, string Path)> byFile = AllParts().ToLookup(p => p.File);
        long[] files = [.. byFile.Select(g => g.Key).Order()];
        for (int i = 0; i < files.Length; i++)
        {
            int kept = byFile[files[i]].Count();
            if (i < files.Length - 1 || kept >= BatchesPerFile || !Grouped)
            {
                // Merged once the job has given the columns to read the parts back into (it binds its sinks after their recovery).
                _pendingMerges.Add(files[i]);
            }
            else
            {
                // The newest file goes on: the batches after the restart add its missing parts.
                _fileOpen = true;
                _fileTime = files[i];
                _batchesInFile = kept;
                _fileDamaged = false;
                LogFileContinued(Uri.Text, FileNameOf(files[i]), kept, BatchesPerFile);
            }
        }

        return Task.CompletedTask;
    }

    // The files a restart found whole in parts (or older than the one that goes on), merged before the next commit.
    private async Task MergePendingAsync(CancellationToken cancellationToken)
    {
        while (_pendingMerges.Count > 0)
        {
            await MergeAsync(_pendingMerges[0], cancellationToken).ConfigureAwait(false);
            _pendingMerges.RemoveAt(0);
        }
    }

    // The parts that delete says to, of every file.
    private void DeleteParts(Func<(long File, long Batch), bool> delete)
    {
        foreach ((long file, long batch, string path) in AllParts())
        {
            if (delete((file, batch)))
            {
                File.Delete(path);
            }
        }
    }

    // Merges that a crash cut short: a merge file is renamed as soon as it is whole, and its parts outlive it.
    private void DeleteMerges()
    {
        foreach (string merge in Enumerate("*" + MergeEnd))
        {
            File.Delete(merge);
        }
    }

    private List<(long Batch, string Path)> PartsOf(long fileTime) =>
        [.. AllParts().Where(p => p.File == fileTime).Select(p => (p.Batch, p.Path)).OrderBy(p => p.Batch)];

    // Every part in the directory: .prefix-<F>.parquet.<B>.part.
    private IEnumerable<(long File, long Batch, string Path)> AllParts()
    {
        string middle = "." + Extension + ".";
        foreach (string path in Enumerate("*" + PartEnd))
        {
            ReadOnlySpan<char> name = Path.GetFileName(path.AsSpan());
            if (name.Length <= _temporaryStart.Length + PartEnd.Length)
            {
                continue;  // a stray file the pattern matches, with no file time or batch in its name
            }

            name = name[_temporaryStart.Length..^PartEnd.Length];
            int at = name.IndexOf(middle, StringComparison.Ordinal);
            if (at > 0
                && long.TryParse(name[..at], NumberStyles.None, CultureInfo.InvariantCulture, out long file)
                && long.TryParse(name[(at + middle.Length)..], NumberStyles.None, CultureInfo.InvariantCulture, out long batch))
            {
                yield return (file, batch, path);
            }
        }
    }

    private IEnumerable<string> Enumerate(string end) =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateFiles(Directory, _temporaryStart + end, new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, MatchType = MatchType.Simple }).ToList()
            : [];

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Parquet sink {Sink}: merged {File} from its {Parts} batches")]
    private partial void LogFileMerged(string sink, string file, int parts);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Parquet sink {Sink}: {File} goes on from the {Kept} of its {Batches} batches the checkpoint records")]
    private partial void LogFileContinued(string sink, string file, int kept, int batches);
}
